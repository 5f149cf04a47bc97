/**
 * A recording's conversation, read once from two ends: the pacer asks for the client's messages (what
 * to send), the comparison for the server's (what to expect back). Reading ahead for one end keeps the
 * other end's messages met on the way, so each sees its own in order while the recording is read only
 * as far as the further of the two needs: a replay holds what lies between them, not the recording.
 */
import type { WsprobeError } from '../errors.js';
import type { ReplayPayload } from '../output/events.js';
import type { RecordedMessage } from '../protocol/recording.js';

/** A client message to send. */
export interface ClientStep {
  recorded: RecordedMessage;
  /** Server messages recorded before it (--lockstep waits for as many). */
  repliesBefore: number;
}

/** A server message to expect, with the client message it followed (1-based, and which). */
export type ExpectedReply = ReplayPayload & { after?: number; answered?: ReplayPayload };

export class Conversation {
  private readonly steps: ClientStep[] = [];
  private readonly replies: ExpectedReply[] = [];
  private stepAt = 0;
  private replyAt = 0;
  private clientCount = 0;
  private replyCount = 0;
  private replyBytes = 0;
  private last: RecordedMessage | undefined;
  private ended = false;
  private keepSteps = true;
  /** The recording's first message (its time is the start of the recorded pace). */
  first: RecordedMessage | undefined;

  constructor(
    private readonly read: () => RecordedMessage | undefined,
    /** A bad line in the recording: what came before it is the whole conversation. */
    private readonly onProblem: (err: WsprobeError) => void,
  ) {}

  /** The next client message to send, or undefined after the last. */
  nextStep(): ClientStep | undefined {
    while (this.stepAt >= this.steps.length && this.readOne());
    return this.take(this.steps, 'stepAt');
  }

  /** The next server message to expect, or undefined after the last. */
  nextReply(): ExpectedReply | undefined {
    while (this.replyAt >= this.replies.length && this.readOne());
    const reply = this.take(this.replies, 'replyAt');
    if (reply) this.replyBytes -= reply.data.length;
    return reply;
  }

  /** Nothing more will be sent: reading on for replies keeps no client messages. */
  stopSending(): void {
    this.keepSteps = false;
    this.steps.length = 0;
    this.stepAt = 0;
  }

  /** Bytes of the server messages read but not yet asked for. */
  get pendingReplyBytes(): number {
    return this.replyBytes;
  }

  /** Server messages read so far (all of them, once nextReply has given undefined). */
  get expectedCount(): number {
    return this.replyCount;
  }

  private take<T>(queue: T[], at: 'stepAt' | 'replyAt'): T | undefined {
    if (this[at] >= queue.length) return undefined;
    const item = queue[this[at]++];
    // Drop what has been taken once it is half the queue (amortized: no shift per item).
    if (this[at] > 1024 && this[at] * 2 > queue.length) {
      queue.splice(0, this[at]);
      this[at] = 0;
    }
    return item;
  }

  private readOne(): boolean {
    if (this.ended) return false;
    let m: RecordedMessage | undefined;
    try {
      m = this.read();
    } catch (err) {
      this.ended = true;
      this.onProblem(err as WsprobeError);
      return false;
    }
    if (!m) {
      this.ended = true;
      return false;
    }
    this.first ??= m;
    if (m.from === 'client') {
      this.clientCount++;
      this.last = m;
      if (this.keepSteps) this.steps.push({ recorded: m, repliesBefore: this.replyCount });
    } else {
      this.replyCount++;
      this.replyBytes += m.data.length;
      const { data, binary } = m;
      const answered = this.last && { data: this.last.data, binary: this.last.binary };
      this.replies.push(this.clientCount > 0 ? { data, binary, after: this.clientCount, answered } : { data, binary });
    }
    return true;
  }
}
