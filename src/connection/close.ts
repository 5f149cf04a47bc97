/**
 * Who closed a connection, and which code and reason it shows: one rule for our client and for a
 * server's clients. Pure.
 */
import type { CloseInfo } from '../protocol/outcome.js';

/** The close frame we sent first. */
export interface SentClose {
  code: number;
  reason: string;
  /** Sent because the peer broke the protocol or a rule (ws after a violation, a slow consumer). */
  fault: boolean;
}

/** What ws reports when the connection has closed: the code and reason the peer sent, or 1006. */
export interface ClosedSocket {
  code: number;
  reason: string;
  wasClean: boolean;
}

/**
 * `by` is the side whose close frame came first: ours (`side`) when we sent one, else the peer's; a
 * connection that ended without any close frame was lost (`none`). The code and reason are the ones
 * ws reports, with one exception: after a fault of the peer, ws stops reading, so it never sees an
 * answer (1006) — the close then shows the code we sent.
 */
export function whoClosed(sent: SentClose | null, socket: ClosedSocket, side: 'client' | 'server'): CloseInfo {
  const { code, reason, wasClean } = socket;
  if (sent) {
    if (code === 1006 && sent.fault) return { code: sent.code, reason: sent.reason, by: side, clean: wasClean };
    return { code, reason, by: side, clean: wasClean };
  }
  if (code === 1006) return { code, reason, by: 'none', clean: false };
  return { code, reason, by: side === 'client' ? 'server' : 'client', clean: wasClean };
}
