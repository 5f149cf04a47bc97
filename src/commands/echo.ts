/**
 * `wsprobe echo [port]`: every message goes back to its sender with the same type, byte for byte,
 * after `--delay` milliseconds. Echoes a client does not read stop us reading that client (see
 * `ServerClient`), so a client that floods without reading only slows itself down; so do echoes
 * waiting for their delay: past a megabyte of them, the client is not read until they have gone out.
 */
import type { Env } from '../env.js';
import type { ServerClient } from '../server/client.js';
import type { EchoPlan } from '../server/options.js';
import { runServer } from '../server/run.js';

interface Delayed {
  due: number;
  data: Buffer;
  binary: boolean;
}

/** `--delay`: one client's echoes in order, each sent when its time has come, on one timer. */
class DelayLine {
  private queue: Delayed[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined = undefined;

  constructor(
    private readonly client: ServerClient,
    private readonly delayMs: number,
  ) {}

  push(data: Buffer, binary: boolean): void {
    this.queue.push({ due: performance.now() + this.delayMs, data, binary });
    // Held bytes count toward the client's backlog (it is paused past the limit) and the server's budget.
    this.client.hold(data.length);
    if (this.timer === undefined) this.schedule();
  }

  /** The client is gone: nothing more is sent, what was held is given back. */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (let i = this.head; i < this.queue.length; i++) this.client.release(this.queue[i].data.length);
    this.queue = [];
    this.head = 0;
  }

  private schedule(): void {
    const wait = Math.max(0, this.queue[this.head].due - performance.now());
    this.timer = setTimeout(this.due, wait);
  }

  private readonly due = (): void => {
    this.timer = undefined;
    const now = performance.now();
    while (this.head < this.queue.length && this.queue[this.head].due <= now) {
      const { data, binary } = this.queue[this.head];
      this.head++;
      this.client.send(data, binary, undefined, { ownBacklog: true });
      this.client.release(data.length);
    }
    if (this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.head < this.queue.length) this.schedule();
  };
}

export async function runEcho(plan: EchoPlan, env: Env): Promise<number> {
  // --rules: a message a rule answers gets that answer instead of its echo (loaded only then).
  const rulesModule = plan.rules ? await import('../rules/server.js') : null;
  return runServer(plan, env, (ctx) => {
    const lines = new Map<ServerClient, DelayLine>();
    const rules = rulesModule && plan.rules ? new rulesModule.ServerRules(ctx, plan.rules) : null;
    return {
      exposes: 'an echo of what they send',
      opened: (client) => rules?.opened(client),
      message(client, data, isBinary) {
        if (rules?.message(client, data, isBinary)) return;
        if (plan.delayMs === 0) {
          client.send(data, isBinary, undefined, { ownBacklog: true });
          return;
        }
        let line = lines.get(client);
        if (!line) {
          line = new DelayLine(client, plan.delayMs);
          lines.set(client, line);
        }
        line.push(data, isBinary);
      },
      closed(client) {
        lines.get(client)?.clear();
        lines.delete(client);
        rules?.closed(client);
      },
      finished() {
        for (const line of lines.values()) line.clear();
        lines.clear();
        rules?.finished();
      },
    };
  });
}
