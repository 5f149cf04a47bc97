/**
 * Rules on a server (`wsprobe mock`, `listen --rules`): one runner per client. What a rule sends goes
 * through the client's own send path (backpressure, the memory budget) and is shown as sent to that
 * client, attributed: `[#2] > pong 7  (rule 2)`. A reply counts toward the client's own backlog, as an
 * echo does: a client that floods without reading its answers stops being read.
 */
import type { Rule } from '../protocol/rules.js';
import type { ServerClient } from '../server/client.js';
import type { ServerContext } from '../server/run.js';
import { RulesRunner } from './runner.js';

export class ServerRules {
  private readonly runners = new Map<ServerClient, RulesRunner>();

  constructor(
    private readonly ctx: ServerContext,
    private readonly rules: readonly Rule[],
  ) {}

  opened(client: ServerClient): void {
    const runner = new RulesRunner(this.rules, {
      send: (text, rule, reply) => {
        const data = Buffer.from(text, 'utf8');
        if (!client.send(data, false, undefined, { shown: false, ownBacklog: reply })) return;
        this.ctx.output.emit({
          event: 'message',
          time: this.ctx.env.now(),
          conn: client.id,
          dir: 'out',
          data,
          binary: false,
          rule: rule.number,
        });
      },
      close: (code, reason) => client.close(code, reason),
    });
    this.runners.set(client, runner);
    runner.opened();
  }

  /** True when a `match` rule answered the message. */
  message(client: ServerClient, data: Buffer, isBinary: boolean): boolean {
    return this.runners.get(client)?.message(data, isBinary) ?? false;
  }

  closed(client: ServerClient): void {
    this.runners.get(client)?.closed();
    this.runners.delete(client);
  }

  finished(): void {
    for (const runner of this.runners.values()) runner.closed();
    this.runners.clear();
  }
}
