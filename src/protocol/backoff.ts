/** Reconnect delays: exponential from 250 ms, capped at 10 s, with jitter (50–100 %). Pure. */

export const BACKOFF_BASE_MS = 250;
export const BACKOFF_MAX_MS = 10_000;

/** The wait before reconnect attempt `attempt` (1, 2, …); `random` is in [0, 1). */
export function backoffDelay(attempt: number, random: number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random / 2));
}
