/**
 * Turns piped stdin into outgoing messages: one line per text message, hex/base64 lines decoded to
 * binary, or (`--raw`) the byte stream cut into binary messages. The reading, and the pause while the
 * outbox is full, is the shared LineSource's; this is only what becomes of each line.
 */
import type { Readable } from 'node:stream';
import { LineSource } from '../input/line-source.js';
import { parseBase64, parseHex } from '../protocol/encoding.js';
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
  private readonly source: LineSource;
  private lineNumber = 0;

  constructor(
    stream: Readable,
    options: StdinOptions,
    outbox: Outbox,
    callbacks: StdinCallbacks,
    /** --socketio: lines are JSON arrays, each an event. */
    decode: (line: Buffer) => ReturnType<typeof decodeLine> = (line) => decodeLine(line, options.input),
  ) {
    this.source = new LineSource(stream, outbox, {
      chunkSize: options.raw ? options.chunkSize : undefined,
      onItem: (data) => {
        if (options.raw) {
          outbox.push({ data, binary: true });
          return;
        }
        this.lineNumber++;
        const decoded = decode(data);
        if (decoded.ok) {
          outbox.push(decoded.value);
          return;
        }
        this.stop();
        callbacks.onBadInput(`stdin line ${this.lineNumber}: ${decoded.error}`);
      },
      onEnd: () => callbacks.onEnd(),
    });
  }

  start(): void {
    this.source.start();
  }

  /** Stop reading for good (the session is over). */
  stop(): void {
    this.source.stop();
  }
}
