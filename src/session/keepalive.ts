/**
 * --ping-interval / --ping-timeout for our client connection: the shared keepalive (a ping every
 * interval; no pong within the timeout means the peer is gone), ending the session as a lost
 * connection (exit 6).
 */
import { startKeepalive as keepalive } from '../connection/keepalive.js';
import type { ClientSession } from './client.js';

/** Starts pinging; returns the function that stops it. */
export function startKeepalive(session: ClientSession, intervalMs: number, timeoutMs: number): () => void {
  return keepalive(
    { intervalMs, timeoutMs, now: session.now },
    () => [session],
    () =>
      session.abort({
        kind: 'lost',
        message: `connection lost: no pong within ${timeoutMs / 1000} s of a ping (--ping-timeout)`,
      }),
  );
}
