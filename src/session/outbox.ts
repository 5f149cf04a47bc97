/**
 * The queue of messages waiting to be sent. Messages are queued before the connection opens and
 * handed to the socket in order once it is ready; bytes handed over but not yet written count until
 * the send callback fires. `isFull` tells producers (stdin) to pause, `onDrain` to resume, so memory
 * stays bounded however fast the input and however slow the peer.
 */

export interface OutMessage {
  data: Buffer;
  binary: boolean;
}

export type SendFn = (message: OutMessage, done: (err?: Error) => void) => void;

export const DEFAULT_HIGH_WATER = 1024 * 1024;

export class Outbox {
  /** Messages from `head` on wait; the slots before it are emptied as they go (nothing sent is kept). */
  private queue: Array<OutMessage | undefined> = [];
  private head = 0;
  private queuedBytes = 0;
  private inFlightBytes = 0;
  private inFlightCount = 0;
  private sender: SendFn | null = null;
  /** Held while our output is backed up: nothing more is sent (or shown as sent), stdin waits. */
  private held = false;
  private drainListeners: Array<() => void> = [];
  /** pump() is on the stack. */
  private pumping = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly highWater = DEFAULT_HIGH_WATER) {}

  push(message: OutMessage): void {
    this.queue.push(message);
    this.queuedBytes += message.data.length;
    this.pump();
  }

  /** Queue messages ahead of everything waiting (--reconnect re-sends the --send messages first). */
  pushFront(messages: readonly OutMessage[]): void {
    this.queue = [...messages, ...this.queue.slice(this.head)];
    this.head = 0;
    for (const m of messages) this.queuedBytes += m.data.length;
    this.pump();
  }

  /** Start sending through `send` (the connection is open). */
  start(send: SendFn): void {
    this.sender = send;
    this.pump();
  }

  /** Stop sending (the connection is closing); what is queued stays queued. */
  stop(): void {
    this.sender = null;
  }

  /**
   * Holds sending (and, through `isFull`, reading stdin) while `on`: our stdout is backed up, so the
   * peer is not read and what we send would only be shown, or echoed back, into a full pipe.
   */
  hold(on: boolean): void {
    if (on === this.held) return;
    const wasFull = this.isFull;
    this.held = on;
    if (on) return;
    this.pump();
    if (wasFull && !this.isFull) for (const listener of this.drainListeners) listener();
  }

  /** Producers should pause while this is true. */
  get isFull(): boolean {
    return this.held || this.queuedBytes + this.inFlightBytes >= this.highWater;
  }

  /** Messages not yet written to the socket. */
  get pending(): number {
    return this.queue.length - this.head + this.inFlightCount;
  }

  get bufferedBytes(): number {
    return this.queuedBytes + this.inFlightBytes;
  }

  /** Called each time the outbox goes from full to not full. */
  onDrain(listener: () => void): void {
    this.drainListeners.push(listener);
  }

  /** Resolves when everything pushed so far has been written to the socket. */
  whenIdle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    // A sender may report a message written (or failed: the connection is closing) before it returns;
    // the loop below goes on with the next one instead of a call per message on the stack.
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.sendWhatFits();
    } finally {
      this.pumping = false;
    }
  }

  private sendWhatFits(): void {
    while (this.sender && !this.held && this.head < this.queue.length && this.inFlightBytes < this.highWater) {
      const message = this.queue[this.head]!;
      this.queue[this.head] = undefined;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      const size = message.data.length;
      this.queuedBytes -= size;
      this.inFlightBytes += size;
      this.inFlightCount++;
      this.sender(message, () => this.written(size));
    }
  }

  private written(size: number): void {
    const wasFull = this.isFull;
    this.inFlightBytes -= size;
    this.inFlightCount--;
    this.pump();
    if (wasFull && !this.isFull) for (const listener of this.drainListeners) listener();
    if (this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
