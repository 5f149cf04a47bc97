/**
 * Piped input as a series of lines (or, `--raw`, of byte pieces), with backpressure: the stream is
 * paused while the queue its lines feed is full and resumed when it drains, so nothing is dropped and
 * memory stays bounded however fast the input. The one reader behind `connect`'s stdin (lines become
 * messages) and `listen`'s (lines become commands); only what is done with each line differs.
 */
import type { Readable } from 'node:stream';
import { chunkBuffer, LineSplitter } from '../protocol/lines.js';

/** The queue the lines end up in (an Outbox). */
export interface Backpressure {
  /** Reading pauses while this is true… */
  readonly isFull: boolean;
  /** …and resumes when this calls back. */
  onDrain(listener: () => void): void;
}

export interface LineSourceOptions {
  /** `--raw`: pieces of at most this many bytes, cut where the chunks fall, instead of lines. */
  chunkSize?: number;
  /** One line (its `\n` or `\r\n` removed) or one raw piece. `stop()` from here stops at once. */
  onItem(data: Buffer): void;
  /** The input is over (end of stream, or a read error) and every item has been delivered. */
  onEnd?(): void;
}

export class LineSource {
  private readonly splitter = new LineSplitter();
  private stopped = false;

  constructor(
    private readonly stream: Readable,
    private readonly pressure: Backpressure,
    private readonly options: LineSourceOptions,
  ) {}

  start(): void {
    this.pressure.onDrain(() => {
      if (!this.stopped) this.stream.resume();
    });
    this.stream.on('data', (chunk: Buffer) => this.onData(chunk));
    this.stream.once('end', () => this.finish());
    // A stdin that cannot be read (closed descriptor, EIO on a lost terminal) ends the input.
    this.stream.on('error', () => this.finish());
  }

  /** Stop reading for good (the session is over, or the input was bad). */
  stop(): void {
    this.stopped = true;
    this.stream.pause();
    this.stream.removeAllListeners('data');
    // Let the process exit even though stdin is still open.
    (this.stream as Readable & { unref?: () => void }).unref?.();
    this.stream.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.stopped) return;
    const { chunkSize } = this.options;
    const items = chunkSize !== undefined ? chunkBuffer(chunk, chunkSize) : this.splitter.push(chunk);
    for (const item of items) {
      this.options.onItem(item);
      if (this.stopped) return;
    }
    if (this.pressure.isFull) this.stream.pause();
  }

  private finish(): void {
    if (this.stopped) return;
    const last = this.options.chunkSize === undefined ? this.splitter.end() : null;
    if (last) {
      this.options.onItem(last);
      if (this.stopped) return;
    }
    this.stopped = true;
    this.options.onEnd?.();
  }
}
