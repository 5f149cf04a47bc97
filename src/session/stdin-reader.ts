/**
 * Turns piped stdin into outgoing messages: one line per text message, hex/base64 lines decoded to
 * binary, or (`--raw`) the byte stream cut into binary messages. Pauses the stream while the outbox
 * is full and resumes on drain, so nothing is dropped and memory stays bounded.
 */
import type { Readable } from 'node:stream';
import { parseBase64, parseHex } from '../protocol/encoding.js';
import { chunkBuffer, LineSplitter } from '../protocol/lines.js';
import type { Outbox, OutMessage } from './outbox.js';

export type InputMode = 'text' | 'hex' | 'base64';

export interface StdinOptions {
  input: InputMode;
  raw: boolean;
  chunkSize: number;
}

export interface StdinCallbacks {
  /** Input ended: every message it made has been pushed to the outbox. */
  onEnd(): void;
  /** A line could not be decoded (`--input hex|base64`); reading has stopped. */
  onBadInput(message: string): void;
}

export function decodeLine(
  line: Buffer,
  mode: InputMode,
): { ok: true; value: OutMessage } | { ok: false; error: string } {
  if (mode === 'text') return { ok: true, value: { data: line, binary: false } };
  const parsed = mode === 'hex' ? parseHex(line.toString('latin1')) : parseBase64(line.toString('latin1'));
  return parsed.ok ? { ok: true, value: { data: parsed.value, binary: true } } : parsed;
}

export class StdinReader {
  private readonly splitter = new LineSplitter();
  private lineNumber = 0;
  private stopped = false;

  constructor(
    private readonly stream: Readable,
    private readonly options: StdinOptions,
    private readonly outbox: Outbox,
    private readonly callbacks: StdinCallbacks,
  ) {}

  start(): void {
    this.outbox.onDrain(() => {
      if (!this.stopped) this.stream.resume();
    });
    this.stream.on('data', (chunk: Buffer) => this.onData(chunk));
    this.stream.once('end', () => this.onEnd());
    // A stdin that cannot be read (closed descriptor, EIO on a lost terminal) ends the input.
    this.stream.once('error', () => this.onEnd());
  }

  /** Stop reading for good (the session is over). */
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
    if (this.options.raw) {
      for (const piece of chunkBuffer(chunk, this.options.chunkSize)) this.outbox.push({ data: piece, binary: true });
    } else {
      for (const line of this.splitter.push(chunk)) if (!this.pushLine(line)) return;
    }
    if (this.outbox.isFull) this.stream.pause();
  }

  private pushLine(line: Buffer): boolean {
    this.lineNumber++;
    const decoded = decodeLine(line, this.options.input);
    if (!decoded.ok) {
      this.stop();
      this.callbacks.onBadInput(`stdin line ${this.lineNumber}: ${decoded.error}`);
      return false;
    }
    this.outbox.push(decoded.value);
    return true;
  }

  private onEnd(): void {
    if (this.stopped) return;
    if (!this.options.raw) {
      const last = this.splitter.end();
      if (last && !this.pushLine(last)) return;
    }
    this.stopped = true;
    this.callbacks.onEnd();
  }
}
