/**
 * Sends a recording's client messages: at the recorded pace (or `--speed` times it), all at once
 * (`--speed max`), or each once the replies recorded before it have come (`--lockstep`, with -w as the
 * most it waits for them). It owns the timers; what is sent goes through the outbox (backpressure).
 */
import type { RecordedMessage } from '../protocol/recording.js';
import type { OutMessage } from '../session/outbox.js';
import type { Pace } from './plan.js';

interface Step {
  message: OutMessage;
  /** Milliseconds after the first message, as recorded. */
  offsetMs: number;
  /** Server messages recorded before it. */
  repliesBefore: number;
}

export function clientSteps(messages: readonly RecordedMessage[]): Step[] {
  const steps: Step[] = [];
  let replies = 0;
  const first = messages[0]?.at ?? 0;
  for (const m of messages) {
    if (m.from === 'server') replies++;
    else
      steps.push({
        message: { data: m.data, binary: m.binary },
        offsetMs: m.at && first ? Math.max(0, m.at - first) : 0,
        repliesBefore: replies,
      });
  }
  return steps;
}

export class Pacer {
  private next = 0;
  private received = 0;
  private started = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    private readonly steps: readonly Step[],
    private readonly pace: Pace,
    /** --lockstep: the longest wait for the replies before a message (-w). */
    private readonly waitMs: number,
    private readonly send: (m: OutMessage) => void,
    private readonly done: () => void,
  ) {}

  /** The connection is open: start sending (once; a reconnection does not start over). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.startedAt = performance.now();
    this.advance();
  }

  /** A server message arrived. */
  reply(): void {
    this.received++;
    if (this.pace.lockstep && this.started && this.next < this.steps.length) this.advance();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.next = this.steps.length;
  }

  private advance(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { speed, lockstep } = this.pace;
    while (this.next < this.steps.length) {
      const step = this.steps[this.next];
      if (lockstep) {
        if (this.received < step.repliesBefore) {
          // The replies may never come (that is what a replay finds out): go on after -w.
          this.timer = setTimeout(() => this.sendNext(), this.waitMs);
          return;
        }
      } else if (speed !== 'max') {
        const due = this.startedAt + step.offsetMs / speed - performance.now();
        if (due > 0) {
          this.timer = setTimeout(() => this.advance(), due);
          return;
        }
      }
      this.sendNext(false);
    }
    if (!this.finished) {
      this.finished = true;
      this.done();
    }
  }

  private sendNext(thenAdvance = true): void {
    if (this.next >= this.steps.length) return;
    this.send(this.steps[this.next].message);
    this.next++;
    if (thenAdvance) this.advance();
  }
}
