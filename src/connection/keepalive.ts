/**
 * Keepalive, for our client connection (--ping-interval / --ping-timeout) and for every client of a
 * server (--ping-interval): a ping every interval; a peer that has not answered a ping with any pong
 * within the timeout is gone. Silence while we are not reading the peer (our own output is backed up)
 * is not the peer's fault: such a peer is left alone until we read it again.
 */

/** What the keepalive needs of a connection (`Connection` has it all). */
export interface Pingable {
  readonly isOpen: boolean;
  ping(): void;
  /** When the first ping not answered by a pong went out (undefined: every ping was answered). */
  readonly unansweredPingSince: number | undefined;
  isPausedFor(reason: 'output'): boolean;
}

export interface KeepaliveTimes {
  intervalMs: number;
  timeoutMs: number;
  /** The connections' clock (the times they record their pings with). */
  now: () => number;
}

/**
 * Pings every open connection of `peers()` each interval; calls `gone` for each one that has not
 * answered within the timeout. Returns the function that stops it.
 */
export function startKeepalive<P extends Pingable>(
  times: KeepaliveTimes,
  peers: () => Iterable<P>,
  gone: (peer: P) => void,
): () => void {
  const deadlines = new Set<NodeJS.Timeout>();
  const check = (pingedBy: number) => {
    for (const peer of peers()) {
      const since = peer.unansweredPingSince;
      if (since !== undefined && since <= pingedBy && peer.isOpen && !peer.isPausedFor('output')) gone(peer);
    }
  };
  const tick = setInterval(() => {
    for (const peer of peers()) if (peer.isOpen) peer.ping();
    // One deadline for every ping of this round: a peer silent since then is gone.
    const pingedBy = times.now();
    const deadline = setTimeout(() => {
      deadlines.delete(deadline);
      check(pingedBy);
    }, times.timeoutMs);
    deadlines.add(deadline);
  }, times.intervalMs);
  return () => {
    clearInterval(tick);
    for (const deadline of deadlines) clearTimeout(deadline);
    deadlines.clear();
  };
}
