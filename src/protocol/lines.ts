/**
 * Incremental splitting of a byte stream into lines (`\n` or `\r\n` stripped) — or, given another
 * delimiter and `stripCr` false, into units with only the delimiter removed (`--exec-framing nul`).
 * Pure.
 */

export class LineSplitter {
  /** Pieces of an unfinished line; joined once, when its newline comes (no rescanning). */
  private parts: Buffer[] = [];
  private partsLength = 0;

  constructor(
    private readonly delimiter = 0x0a,
    private readonly stripCr = true,
  ) {}

  /** Feed a chunk; returns the complete lines it finishes, in order. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(this.delimiter, start);
      if (nl === -1) break;
      let line = chunk.subarray(start, nl);
      if (start === 0 && this.partsLength > 0) {
        line = Buffer.concat([...this.parts, line]);
        this.parts = [];
        this.partsLength = 0;
      }
      lines.push(this.withoutCr(line));
      start = nl + 1;
    }
    if (start < chunk.length) {
      // A copy: the caller may reuse its chunk buffer.
      this.parts.push(Buffer.from(chunk.subarray(start)));
      this.partsLength += chunk.length - start;
    }
    return lines;
  }

  /** End of input: a last line without a newline, if any. */
  end(): Buffer | null {
    if (this.partsLength === 0) return null;
    const rest = Buffer.concat(this.parts);
    this.parts = [];
    this.partsLength = 0;
    return this.withoutCr(rest);
  }

  private withoutCr(line: Buffer): Buffer {
    return this.stripCr && line.length > 0 && line[line.length - 1] === 0x0d ? line.subarray(0, -1) : line;
  }

  /** Bytes held for an unfinished line. */
  get pending(): number {
    return this.partsLength;
  }
}

/** Splits a buffer into pieces of at most `size` bytes (views, no copy). */
export function chunkBuffer(data: Buffer, size: number): Buffer[] {
  if (data.length <= size) return [data];
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return pieces;
}
