/**
 * The rules of one connection carried out (protocol/rules.ts says what they mean): on connect, on a
 * matching message, every N seconds, after K messages — each after its delay, through the peer's own
 * send path. Every timer belongs to the connection and is cleared when it closes (or a rule closes it),
 * so a connection that is gone sends nothing and holds nothing.
 */
import { answerTo, type Rule, renderSend } from '../protocol/rules.js';

/** What the rules act on: one connection (a server's client, or our client session). */
export interface RulesPeer {
  /** Send a text message a rule made (`reply`: it answers what the peer sent). */
  send(text: string, rule: Rule, reply: boolean): void;
  close(code: number, reason: string, rule: Rule): void;
}

export class RulesRunner {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  private received = 0;
  private done = false;

  constructor(
    private readonly rules: readonly Rule[],
    private readonly peer: RulesPeer,
  ) {}

  /** The connection is open: `on: connect` rules fire, `every` rules start. */
  opened(): void {
    for (const rule of this.rules) {
      if (rule.trigger.kind === 'connect') this.act(rule, '', false);
      else if (rule.trigger.kind === 'every') {
        const interval = setInterval(() => this.act(rule, '', false), rule.trigger.seconds * 1000);
        this.intervals.add(interval);
      }
    }
  }

  /**
   * A message arrived: the first matching rule answers it (text only); `after` rules count it. True
   * when a `match` rule answered it (`echo --rules` echoes the others).
   */
  message(data: Buffer, binary: boolean): boolean {
    if (this.done) return false;
    this.received++;
    let answered = false;
    if (!binary) {
      const text = data.toString('utf8');
      const answer = answerTo(this.rules, text);
      if (answer) this.act(answer.rule, text, true);
      answered = answer !== undefined;
    }
    for (const rule of this.rules) {
      if (rule.trigger.kind === 'after' && rule.trigger.count === this.received) this.act(rule, '', true);
    }
    return answered;
  }

  /** The connection is closed (or closing): nothing more is sent, every timer is cleared. */
  closed(): void {
    this.done = true;
    for (const timer of this.timers) clearTimeout(timer);
    for (const interval of this.intervals) clearInterval(interval);
    this.timers.clear();
    this.intervals.clear();
  }

  /** Timers still set (for tests: none once closed). */
  get pendingTimers(): number {
    return this.timers.size + this.intervals.size;
  }

  private act(rule: Rule, incoming: string, reply: boolean): void {
    if (this.done) return;
    if (rule.delaySeconds > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.now(rule, incoming, reply);
      }, rule.delaySeconds * 1000);
      this.timers.add(timer);
      return;
    }
    this.now(rule, incoming, reply);
  }

  private now(rule: Rule, incoming: string, reply: boolean): void {
    if (this.done) return;
    if (rule.action.kind === 'close') {
      const { code, reason } = rule.action;
      this.closed();
      this.peer.close(code, reason, rule);
      return;
    }
    this.peer.send(renderSend(rule, incoming), rule, reply);
  }
}
