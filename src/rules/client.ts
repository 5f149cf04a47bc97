/**
 * `connect --rules`: auto-replies on our client connection. What a rule sends is queued with typed and
 * piped messages (the one outbox: order, backpressure, shown as sent); a rule's close closes the
 * session as `/close` does. Each connection (`--reconnect`) gets its own runner, from its `open` to its
 * `close`, so no timer outlives the connection it was set for.
 */
import type { SessionEvent } from '../output/events.js';
import type { Rule } from '../protocol/rules.js';
import type { Outbox } from '../session/outbox.js';
import { RulesRunner } from './runner.js';

export class ClientRules {
  private runner: RulesRunner | null = null;

  constructor(
    private readonly rules: readonly Rule[],
    private readonly outbox: Outbox,
    private readonly close: (code: number, reason: string) => void,
  ) {}

  /** Every event of the session, after it was shown: the rules follow the connection from it. */
  observe(e: SessionEvent): void {
    if (e.event === 'open') {
      this.stop();
      this.runner = new RulesRunner(this.rules, {
        send: (text, rule) => {
          // A heartbeat while the server is not taking what we send would only pile up: skipped.
          if (rule.trigger.kind === 'every' && this.outbox.isFull) return;
          this.outbox.push({ data: Buffer.from(text, 'utf8'), binary: false });
        },
        close: (code, reason) => this.close(code, reason),
      });
      this.runner.opened();
    } else if (e.event === 'message' && e.dir === 'in') {
      this.runner?.message(e.data, e.binary);
    } else if (e.event === 'close') {
      this.stop();
    }
  }

  stop(): void {
    this.runner?.closed();
    this.runner = null;
  }
}
