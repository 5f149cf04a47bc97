/**
 * How messages and a program's stdio map onto each other (`--exec-framing`), the same both ways:
 * `lines` (one line, one message; a `\n` is added on the way in and removed on the way out),
 * `nul` (the same with a NUL byte), `raw` (bytes as they come, cut into binary messages of at most
 * `--chunk-size`; nothing added on the way in). Pure: no streams here.
 */
import { isUtf8 } from 'node:buffer';

export type Framing = 'lines' | 'nul' | 'raw';
export const FRAMINGS: readonly Framing[] = ['lines', 'nul', 'raw'];

const DELIMITER: Readonly<Record<Exclude<Framing, 'raw'>, number>> = { lines: 0x0a, nul: 0x00 };

/** What is written to the program's stdin for one message (its bytes, then the delimiter if any). */
export function toProgram(data: Buffer, framing: Framing): Buffer[] {
  if (framing === 'raw') return [data];
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
}

/**
 * Cuts a program's output into messages. In `lines`/`nul` a unit is what comes before each
 * delimiter (the delimiter alone is removed; a unit that is not UTF-8 goes as a binary message,
 * never altered); in `raw`, each chunk as it arrives, in pieces of at most `chunkSize`, binary.
 */
export class Unframer {
  private parts: Buffer[] = [];
  private partsLength = 0;

  constructor(
    private readonly framing: Framing,
    private readonly chunkSize: number,
  ) {}

  push(chunk: Buffer): Unit[] {
    if (this.framing === 'raw') {
      const units: Unit[] = [];
      for (let i = 0; i < chunk.length; i += this.chunkSize) {
        units.push({ data: chunk.subarray(i, i + this.chunkSize), binary: true });
      }
      return units;
    }
    const delimiter = DELIMITER[this.framing];
    const units: Unit[] = [];
    let start = 0;
    for (;;) {
      const at = chunk.indexOf(delimiter, start);
      if (at === -1) break;
      let data = chunk.subarray(start, at);
      if (this.partsLength > 0) {
        data = Buffer.concat([...this.parts, data]);
        this.parts = [];
        this.partsLength = 0;
      }
      units.push(unit(data));
      start = at + 1;
    }
    if (start < chunk.length) {
      this.parts.push(Buffer.from(chunk.subarray(start)));
      this.partsLength += chunk.length - start;
    }
    return units;
  }

  /** The output ended: a last unit without its delimiter, if any. */
  end(): Unit | null {
    if (this.partsLength === 0) return null;
    const data = Buffer.concat(this.parts);
    this.parts = [];
    this.partsLength = 0;
    return unit(data);
  }

  /** Bytes held for an unfinished unit. */
  get pending(): number {
    return this.partsLength;
  }
}

function unit(data: Buffer): Unit {
  return { data, binary: !isUtf8(data) };
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
