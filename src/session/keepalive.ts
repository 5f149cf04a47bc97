/**
 * --ping-interval / --ping-timeout: a ping every interval; a ping left unanswered for the timeout means
 * the peer is gone, and the session ends as a lost connection (exit 6).
 */
import type { ClientSession } from './client.js';

/** Starts pinging; returns the function that stops it. */
export function startKeepalive(session: ClientSession, intervalMs: number, timeoutMs: number): () => void {
  let deadline: NodeJS.Timeout | undefined;
  const answered = session.rtts.length;
  let expected = answered;
  const tick = setInterval(() => {
    session.ping();
    expected++;
    if (deadline) return;
    const waitingFor = expected;
    deadline = setTimeout(() => {
      if (session.rtts.length < waitingFor) {
        session.abort({
          kind: 'lost',
          message: `connection lost: no pong within ${timeoutMs / 1000} s of a ping (--ping-timeout)`,
        });
      }
    }, timeoutMs);
  }, intervalMs);
  const previous = session.onPong;
  session.onPong = () => {
    previous?.();
    // An answer came: the next ping gets a fresh deadline.
    clearTimeout(deadline);
    deadline = undefined;
  };
  return () => {
    clearInterval(tick);
    clearTimeout(deadline);
    session.onPong = previous;
  };
}
