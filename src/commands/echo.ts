/**
 * `wsprobe echo [port]`: every message goes back to its sender with the same type, byte for byte,
 * after `--delay` milliseconds. Echoes a client does not read stop us reading that client (see
 * `ServerClient`), so a client that floods without reading only slows itself down.
 */
import type { Env } from '../env.js';
import type { EchoPlan } from '../server/options.js';
import { runServer } from '../server/run.js';

export function runEcho(plan: EchoPlan, env: Env): Promise<number> {
  return runServer(plan, env, () => {
    const timers = new Set<NodeJS.Timeout>();
    return {
      message(client, data, isBinary) {
        if (plan.delayMs === 0) {
          client.send(data, isBinary, undefined, { ownBacklog: true });
          return;
        }
        // Equal delays fire in the order they were set, so echoes keep the order of the messages.
        const timer = setTimeout(() => {
          timers.delete(timer);
          client.send(data, isBinary, undefined, { ownBacklog: true });
        }, plan.delayMs);
        timers.add(timer);
      },
      finished() {
        for (const timer of timers) clearTimeout(timer);
      },
    };
  });
}
