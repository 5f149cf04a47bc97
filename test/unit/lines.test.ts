import { describe, expect, it } from 'vitest';
import { chunkBuffer, LineSplitter } from '../../src/protocol/lines.js';

const text = (lines: Buffer[]): string[] => lines.map((l) => l.toString('utf8'));

/** Feeds `input` to a fresh splitter in the given pieces and returns every line, the end included. */
function splitAll(pieces: Buffer[]): string[] {
  const splitter = new LineSplitter();
  const lines = pieces.flatMap((p) => text(splitter.push(p)));
  const last = splitter.end();
  if (last !== null) lines.push(last.toString('utf8'));
  return lines;
}

describe('LineSplitter', () => {
  it.each([
    ['LF-terminated lines', 'a\nbc\n', ['a', 'bc']],
    ['CRLF-terminated lines', 'a\r\nbc\r\n', ['a', 'bc']],
    ['mixed LF and CRLF', 'a\r\nb\nc\r\n', ['a', 'b', 'c']],
    ['empty LF lines kept', '\n\na\n\n', ['', '', 'a', '']],
    ['empty CRLF lines kept', '\r\n\r\na\r\n', ['', '', 'a']],
    ['a CR not before LF kept in the line', 'a\rb\n', ['a\rb']],
    ['a CR before CRLF: only the last CR is stripped', 'a\r\r\n', ['a\r']],
    ['multi-byte UTF-8', 'héllo €\n😀\n', ['héllo €', '😀']],
  ])('splits %s', (_, input, lines) => {
    const splitter = new LineSplitter();
    expect(text(splitter.push(Buffer.from(input)))).toEqual(lines);
    expect(splitter.end()).toBeNull();
    expect(splitter.pending).toBe(0);
  });

  it('returns no line for a chunk without a newline and holds its bytes', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from('abc'))).toEqual([]);
    expect(splitter.pending).toBe(3);
    expect(text(splitter.push(Buffer.from('de\n')))).toEqual(['abcde']);
    expect(splitter.pending).toBe(0);
  });

  it.each([
    ['a last line without a newline', 'a\nlast', ['a', 'last']],
    ['a last line ending in a bare CR, CR stripped', 'a\nlast\r', ['a', 'last']],
    ['only a line without a newline', 'only', ['only']],
  ])('end() returns %s', (_, input, lines) => {
    expect(splitAll([Buffer.from(input)])).toEqual(lines);
  });

  it('end() returns null when the input ended with a newline, and null again when called twice', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from('a\n'));
    expect(splitter.end()).toBeNull();
    expect(splitter.end()).toBeNull();
  });

  it('end() returns null when nothing was pushed', () => {
    expect(new LineSplitter().end()).toBeNull();
  });

  it('end() clears the pending line', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from('abc'));
    expect(splitter.end()?.toString()).toBe('abc');
    expect(splitter.pending).toBe(0);
    expect(splitter.end()).toBeNull();
  });

  it('ignores an empty chunk', () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.alloc(0))).toEqual([]);
    splitter.push(Buffer.from('ab'));
    expect(splitter.push(Buffer.alloc(0))).toEqual([]);
    expect(splitter.pending).toBe(2);
  });

  const input = Buffer.from('first\r\n\nsecond line\nthird €\r\n\r\nlast');
  const expected = ['first', '', 'second line', 'third €', '', 'last'];

  it.each(Array.from({ length: input.length + 1 }, (_, i) => i))(
    'gives the same lines when the input is split in two at byte %i',
    (at) => {
      expect(splitAll([input.subarray(0, at), input.subarray(at)])).toEqual(expected);
    },
  );

  it('gives the same lines when the input arrives one byte at a time', () => {
    const bytes = Array.from(input, (b) => Buffer.from([b]));
    expect(splitAll(bytes)).toEqual(expected);
  });

  it('gives the same lines for every pair of split points', () => {
    for (let i = 0; i <= input.length; i++) {
      for (let j = i; j <= input.length; j++) {
        const pieces = [input.subarray(0, i), input.subarray(i, j), input.subarray(j)];
        expect(splitAll(pieces), `split at ${i} and ${j}`).toEqual(expected);
      }
    }
  });

  it('keeps a held line intact when the caller reuses its chunk buffer', () => {
    const splitter = new LineSplitter();
    const chunk = Buffer.from('abc');
    splitter.push(chunk);
    chunk.fill(0x78);
    expect(text(splitter.push(Buffer.from('\n')))).toEqual(['abc']);
  });
});

describe('chunkBuffer', () => {
  const data = Buffer.from('0123456789');

  it.each([
    [1, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']],
    [3, ['012', '345', '678', '9']],
    [5, ['01234', '56789']],
    [9, ['012345678', '9']],
    [10, ['0123456789']],
    [11, ['0123456789']],
    [65536, ['0123456789']],
  ])('splits 10 bytes into pieces of at most %i bytes', (size, pieces) => {
    expect(chunkBuffer(data, size).map((p) => p.toString())).toEqual(pieces);
  });

  it('returns the buffer itself when it fits in one piece', () => {
    expect(chunkBuffer(data, 10)[0]).toBe(data);
  });

  it('returns views of the input, not copies', () => {
    const [first] = chunkBuffer(data, 4);
    expect(first!.buffer).toBe(data.buffer);
    expect(first!.byteOffset).toBe(data.byteOffset);
  });

  it('returns one empty piece for an empty buffer', () => {
    const pieces = chunkBuffer(Buffer.alloc(0), 4);
    expect(pieces).toHaveLength(1);
    expect(pieces[0]).toHaveLength(0);
  });
});

describe('LineSplitter with one long line in many chunks', () => {
  it('joins 20 000 one-byte chunks into one line without losing a byte', () => {
    const splitter = new LineSplitter();
    const lines: Buffer[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(...splitter.push(Buffer.from([0x61 + (i % 26)])));
    expect(lines).toEqual([]);
    expect(splitter.pending).toBe(20_000);
    const [line] = splitter.push(Buffer.from('\r\n'));
    expect(line.length).toBe(20_000);
    expect(line.subarray(0, 3).toString()).toBe('abc');
    expect(splitter.pending).toBe(0);
  });
});
