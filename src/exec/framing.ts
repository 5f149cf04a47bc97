/**
 * How messages and a program's stdio map onto each other (`--exec-framing`), the same both ways:
 * `lines` (one line, one message; a `\n` is added on the way in and removed on the way out),
 * `nul` (the same with a NUL byte), `raw` (bytes as they come, cut into binary messages of at most
 * 64 KiB; nothing added on the way in), `json` (typed: one JSON object per line,
 * `{"type":"text","data":"hi"}` or `{"type":"binary","data":"<base64>"}`, so text and binary mix and
 * a message may hold newlines). Pure: no streams here.
 */
import { isUtf8 } from 'node:buffer';
import { chunkBuffer, LineSplitter } from '../protocol/lines.js';

export type Framing = 'lines' | 'nul' | 'raw' | 'json';
export const FRAMINGS: readonly Framing[] = ['lines', 'nul', 'raw', 'json'];

const DELIMITER: Readonly<Record<Exclude<Framing, 'raw'>, number>> = { lines: 0x0a, nul: 0x00, json: 0x0a };

/** `json` framing: one message as one line. */
export function jsonLine(data: Buffer, binary: boolean): Buffer {
  const line = binary
    ? `{"type":"binary","data":"${data.toString('base64')}"}`
    : `{"type":"text","data":${JSON.stringify(data.toString('utf8'))}}`;
  return Buffer.from(`${line}\n`, 'utf8');
}

/** What is written to the program's stdin for one message (its bytes, then the delimiter if any). */
export function toProgram(data: Buffer, framing: Framing, binary = false): Buffer[] {
  if (framing === 'raw') return [data];
  if (framing === 'json') return [jsonLine(data, binary)];
  const delimiter = framing === 'lines' ? NEWLINE : NUL;
  // One write for a small message (a copy is cheaper than a second write); large ones are not copied.
  return data.length <= SMALL ? [Buffer.concat([data, delimiter])] : [data, delimiter];
}
const SMALL = 16 * 1024;
const NEWLINE = Buffer.from([0x0a]);
const NUL = Buffer.from([0x00]);

/** One unit of the program's output as a message: text when it is UTF-8 (always, in lines/nul), else binary. */
export interface Unit {
  data: Buffer;
  binary: boolean;
  /** `json` framing: the line was not a message; why (it is not sent). */
  invalid?: string;
}

/**
 * Cuts a program's output into messages. In `lines`/`nul` a unit is what comes before each
 * delimiter (the delimiter alone is removed; a unit that is not UTF-8 goes as a binary message,
 * never altered); in `raw`, each chunk as it arrives, in pieces of at most `chunkSize`, binary.
 */
export class Unframer {
  /** lines/nul/json: only the delimiter is removed (a `\r` before it is the program's byte). */
  private readonly splitter: LineSplitter | null;

  constructor(
    private readonly framing: Framing,
    private readonly chunkSize: number,
  ) {
    this.splitter = framing === 'raw' ? null : new LineSplitter(DELIMITER[framing], false);
  }

  push(chunk: Buffer): Unit[] {
    if (!this.splitter) {
      return chunk.length === 0 ? [] : chunkBuffer(chunk, this.chunkSize).map((data) => ({ data, binary: true }));
    }
    return this.splitter.push(chunk).map((data) => this.unit(data));
  }

  /** The output ended: a last unit without its delimiter, if any. */
  end(): Unit | null {
    const rest = this.splitter?.end();
    return rest ? this.unit(rest) : null;
  }

  /** Bytes held for an unfinished unit. */
  get pending(): number {
    return this.splitter?.pending ?? 0;
  }

  private unit(data: Buffer): Unit {
    return this.framing === 'json' ? fromJsonLine(data) : { data, binary: !isUtf8(data) };
  }
}

/** `json` framing: a line the program wrote, as a message (or why it is not one). */
export function fromJsonLine(line: Buffer): Unit {
  const text = line.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid(line, 'not JSON');
  }
  if (typeof value !== 'object' || value === null) return invalid(line, 'not a JSON object');
  const { type, data } = value as { type?: unknown; data?: unknown };
  if (typeof data !== 'string') return invalid(line, '"data" is not a string');
  if (type === 'text') return { data: Buffer.from(data, 'utf8'), binary: false };
  if (type === 'binary') {
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(data)) return invalid(line, '"data" is not base64');
    return { data: Buffer.from(data, 'base64'), binary: true };
  }
  return invalid(line, '"type" is neither "text" nor "binary"');
}

function invalid(line: Buffer, why: string): Unit {
  return { data: line, binary: false, invalid: why };
}

/**
 * `--exec-shared`: a unit that starts with `#<id> ` goes to that client only, without the prefix.
 * Returns the id and the rest, or null for a unit meant for every client.
 */
export function routed(data: Buffer): { id: number; data: Buffer } | null {
  if (data.length < 3 || data[0] !== 0x23) return null;
  let i = 1;
  let id = 0;
  while (i < data.length && i < 12 && data[i] >= 0x30 && data[i] <= 0x39) {
    id = id * 10 + (data[i] - 0x30);
    i++;
  }
  if (i === 1 || i >= data.length || data[i] !== 0x20) return null;
  return { id, data: data.subarray(i + 1) };
}
