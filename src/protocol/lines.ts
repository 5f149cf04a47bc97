/** Incremental splitting of a byte stream into lines (`\n` or `\r\n` stripped). Pure. */

export class LineSplitter {
  private rest: Buffer | null = null;

  /** Feed a chunk; returns the complete lines it finishes, in order. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let data = chunk;
    if (this.rest) {
      data = Buffer.concat([this.rest, chunk]);
      this.rest = null;
    }
    let start = 0;
    for (;;) {
      const nl = data.indexOf(0x0a, start);
      if (nl === -1) break;
      const end = nl > start && data[nl - 1] === 0x0d ? nl - 1 : nl;
      lines.push(data.subarray(start, end));
      start = nl + 1;
    }
    if (start < data.length) this.rest = Buffer.from(data.subarray(start));
    return lines;
  }

  /** End of input: a last line without a newline, if any. */
  end(): Buffer | null {
    const rest = this.rest;
    this.rest = null;
    if (!rest || rest.length === 0) return null;
    return rest[rest.length - 1] === 0x0d ? rest.subarray(0, -1) : rest;
  }

  /** Bytes held for an unfinished line. */
  get pending(): number {
    return this.rest?.length ?? 0;
  }
}

/** Splits a buffer into pieces of at most `size` bytes (views, no copy). */
export function chunkBuffer(data: Buffer, size: number): Buffer[] {
  if (data.length <= size) return [data];
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) pieces.push(data.subarray(i, i + size));
  return pieces;
}
