/** Property tests for splitting a byte stream into lines (src/protocol/lines.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkBuffer, LineSplitter } from '../../src/protocol/lines.js';

const RUNS = { numRuns: 300 };

/** Byte streams rich in LF and CR, with arbitrary bytes (UTF-8 fragments, NUL, 0xFF) between them. */
const stream = fc
  .array(fc.oneof(fc.constantFrom(0x0a, 0x0d, 0x0d, 0x61), fc.integer({ min: 0, max: 255 })), { maxLength: 300 })
  .map((bytes) => Buffer.from(bytes));

/** Cut points inside a buffer of `length` bytes, sorted, duplicates allowed (empty chunks). */
const cuts = (length: number) =>
  fc.array(fc.integer({ min: 0, max: length }), { maxLength: 20 }).map((points) => points.sort((a, b) => a - b));

function pieces(data: Buffer, points: number[]): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    out.push(data.subarray(start, point));
    start = point;
  }
  return out;
}

/** Every line, the unterminated last one included, each copied as soon as it is returned. */
function split(chunks: Buffer[], afterPush: (chunk: Buffer) => void = () => {}): string[] {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  for (const chunk of chunks) {
    for (const line of splitter.push(chunk)) lines.push(line.toString('hex'));
    afterPush(chunk);
  }
  const last = splitter.end();
  if (last !== null) lines.push(last.toString('hex'));
  expect(splitter.pending).toBe(0);
  return lines;
}

/** The reference: split on LF, strip one CR at the end of each line, keep a non-empty last piece. */
function reference(data: Buffer): string[] {
  const lines: string[] = [];
  let start = 0;
  for (;;) {
    const nl = data.indexOf(0x0a, start);
    const end = nl === -1 ? data.length : nl;
    if (nl === -1 && start === data.length) break;
    const line = data.subarray(start, end);
    lines.push((line.at(-1) === 0x0d ? line.subarray(0, -1) : line).toString('hex'));
    if (nl === -1) break;
    start = nl + 1;
  }
  return lines;
}

describe('LineSplitter (properties)', () => {
  it('gives the same lines for a stream cut at random points as for the whole buffer at once', () => {
    fc.assert(
      fc.property(
        stream.chain((data) => fc.tuple(fc.constant(data), cuts(data.length))),
        ([data, points]) => {
          expect(split(pieces(data, points))).toEqual(split([data]));
        },
      ),
      RUNS,
    );
  });

  it('gives the lines of the reference split: LF ends a line, CRLF too, a last line needs no newline', () => {
    fc.assert(
      fc.property(stream, (data) => {
        expect(split([data])).toEqual(reference(data));
      }),
      RUNS,
    );
  });

  it('does not depend on the chunk buffers after push returns (the caller may reuse them)', () => {
    fc.assert(
      fc.property(
        stream.chain((data) => fc.tuple(fc.constant(data), cuts(data.length))),
        ([data, points]) => {
          const copies = pieces(data, points).map((p) => Buffer.from(p));
          expect(split(copies, (chunk) => chunk.fill(0x78))).toEqual(reference(data));
        },
      ),
      RUNS,
    );
  });

  it('holds exactly the bytes after the last LF as pending', () => {
    fc.assert(
      fc.property(
        stream.chain((data) => fc.tuple(fc.constant(data), cuts(data.length))),
        ([data, points]) => {
          const splitter = new LineSplitter();
          let seen = 0;
          for (const chunk of pieces(data, points)) {
            splitter.push(chunk);
            seen += chunk.length;
            const lastNl = data.subarray(0, seen).lastIndexOf(0x0a);
            expect(splitter.pending).toBe(seen - (lastNl + 1));
          }
        },
      ),
      RUNS,
    );
  });
});

describe('chunkBuffer (properties)', () => {
  it('cuts into pieces of exactly `size` bytes but the last, which concatenate to the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 500 }), fc.integer({ min: 1, max: 64 }), (array, size) => {
        const data = Buffer.from(array);
        const out = chunkBuffer(data, size);
        expect(Buffer.concat(out).equals(data)).toBe(true);
        for (const piece of out.slice(0, -1)) expect(piece.length).toBe(size);
        expect(out.at(-1)!.length).toBeLessThanOrEqual(size);
        expect(out.length).toBe(Math.max(1, Math.ceil(data.length / size)));
      }),
      RUNS,
    );
  });
});
