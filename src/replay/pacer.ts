/**
 * Sends a recording's client messages: at the recorded pace (or `--speed` times it), as fast as the
 * connection takes them (`--speed max`), or each once the replies recorded before it have come
 * (`--lockstep`, with -w as the most it waits for them). It owns the timers; what is sent goes through
 * the outbox, and the pacer takes the next message from the recording only while the outbox has room,
 * so a long replay holds about one outbox of it.
 */
import { recordedAt } from '../protocol/recording.js';
import type { OutMessage } from '../session/outbox.js';
import type { ClientStep } from './conversation.js';
import type { Pace } from './plan.js';

export interface PacerIo {
  /** The next client message of the recording, or undefined after the last. */
  next: () => ClientStep | undefined;
  /** When the recording's first message was recorded (ms since the epoch; 0: unknown). */
  recordingStart: () => number;
  /** False while the outbox is full: the pacer waits for `drained`. */
  canSend: () => boolean;
  /**
   * True while the answers expected for what has been sent are more than a replay keeps: the pacer
   * waits for one to come (`reply`), or -w for none to, and then goes on regardless until one does.
   */
  ahead: () => boolean;
  send: (m: OutMessage) => void;
  /** Every message has been sent. */
  done: () => void;
}

export class Pacer {
  private current: ClientStep | undefined;
  /** --lockstep: the message whose replies -w gave up waiting for. */
  private waived: ClientStep | undefined;
  private received = 0;
  private started = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  /** The timer is -w for an answer while `ahead`; `windowWaived`: it passed without one. */
  private waitingForWindow = false;
  private windowWaived = false;
  private resuming: NodeJS.Immediate | undefined;
  private startedAt = 0;
  private recordingStart: number | undefined;

  constructor(
    private readonly pace: Pace,
    /** --lockstep: the longest wait for the replies before a message (-w). */
    private readonly waitMs: number,
    private readonly io: PacerIo,
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
    this.windowWaived = false;
    if (!this.started || this.finished) return;
    if (this.pace.lockstep) this.advance();
    else if (this.waitingForWindow) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.waitingForWindow = false;
      this.drained();
    }
  }

  /**
   * The outbox has room again. The pacer goes on in the next turn of the event loop, not now: by then
   * more writes have finished, so messages go out many at a time (one system call for them all) rather
   * than one per finished write.
   */
  drained(): void {
    if (this.resuming || !this.started || this.finished || this.timer !== undefined) return;
    this.resuming = setImmediate(() => {
      this.resuming = undefined;
      if (!this.finished && this.timer === undefined) this.advance();
    });
  }

  stop(): void {
    clearTimeout(this.timer);
    clearImmediate(this.resuming);
    this.timer = undefined;
    this.finished = true;
  }

  private advance(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { speed, lockstep } = this.pace;
    for (;;) {
      this.current ??= this.io.next();
      const step = this.current;
      if (!step) break;
      if (lockstep) {
        if (this.received < step.repliesBefore && this.waived !== step) {
          // The replies may never come (that is what a replay finds out): go on after -w.
          this.timer = setTimeout(() => {
            this.waived = step;
            this.advance();
          }, this.waitMs);
          return;
        }
      } else if (speed !== 'max') {
        const due = this.startedAt + this.offsetMs(step) / speed - performance.now();
        if (due > 0) {
          this.timer = setTimeout(() => this.advance(), due);
          return;
        }
      }
      if (!this.io.canSend()) return;
      if (!lockstep && !this.windowWaived && this.io.ahead()) {
        this.waitingForWindow = true;
        this.timer = setTimeout(() => {
          this.waitingForWindow = false;
          this.windowWaived = true;
          this.advance();
        }, this.waitMs);
        return;
      }
      this.current = undefined;
      this.io.send({ data: step.recorded.data, binary: step.recorded.binary });
    }
    if (!this.finished) {
      this.finished = true;
      this.io.done();
    }
  }

  /** Milliseconds after the recording's first message that this one was recorded. */
  private offsetMs(step: ClientStep): number {
    this.recordingStart ??= this.io.recordingStart();
    const first = this.recordingStart;
    const at = recordedAt(step.recorded);
    return at && first ? Math.max(0, at - first) : 0;
  }
}
