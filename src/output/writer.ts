/**
 * Batches writes to a stream: many small messages become one write per tick (or per 64 KiB), which
 * matters when 100 000 echoes go to a pipe. Reports backpressure so a session can stop reading.
 */
import type { Writable } from 'node:stream';

const FLUSH_BYTES = 64 * 1024;

/**
 * After a signal, how long every command may wait for a reader of stdout to take what is left (and, for
 * `connect`, for the close frame to be written): the process exits then, whatever a stalled reader does.
 */
export const SIGNAL_GRACE_MS = 500;

/** Resolves when `promise` does, or after `ms` at the latest (true if it did). */
export function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * The one grace rule after a signal, for the client and the servers: resolves when `promise` does or when
 * SIGNAL_GRACE_MS has passed, whichever comes first (true if `promise` made it).
 */
export function signalGrace(promise: Promise<unknown>): Promise<boolean> {
  return within(SIGNAL_GRACE_MS, promise);
}

export class BatchedWriter {
  private chunks: Array<string | Buffer> = [];
  private size = 0;
  private scheduled = false;
  private blocked = false;
  private broken = false;
  /** Told when the stream's buffer goes over its high-water mark, and when it drains again. */
  onBlocked?: () => void;
  onDrained?: () => void;

  constructor(
    private readonly stream: Writable,
    private readonly onError: (err: Error) => void = () => {},
  ) {
    stream.on('drain', () => {
      this.blocked = false;
      this.onDrained?.();
    });
    stream.on('error', (err) => {
      this.broken = true;
      this.onError(err);
    });
  }

  write(chunk: string | Buffer): void {
    if (this.broken) return;
    if (chunk.length >= FLUSH_BYTES) {
      // Large enough on its own: written as it is, not copied into a batch (nor joined past a string's limit).
      this.flushNow();
      this.writeOut(chunk);
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (this.size >= FLUSH_BYTES) this.flushNow();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flushNow());
    }
  }

  flushNow(): void {
    this.scheduled = false;
    if (this.chunks.length === 0 || this.broken) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.size = 0;
    const data =
      chunks.length === 1
        ? chunks[0]
        : chunks.every((c) => typeof c === 'string')
          ? chunks.join('')
          : Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
    this.writeOut(data);
  }

  private writeOut(data: string | Buffer): void {
    if (this.broken) return;
    if (!this.stream.write(data) && !this.blocked) {
      this.blocked = true;
      this.onBlocked?.();
    }
  }

  /** Writes what is batched and resolves once the stream has handed it all to the OS. */
  end(): Promise<void> {
    this.flushNow();
    if (this.broken) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.write('', () => resolve());
    });
  }
}
