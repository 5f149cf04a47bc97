import { describe, expect, it } from 'vitest';
import { hexDump } from '../../src/output/hexdump.js';

const bytes = (n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));

describe('hexDump', () => {
  it('dumps 3 bytes as one padded line with the ASCII column', () => {
    expect(hexDump(Buffer.from([0x41, 0x00, 0xff]), 256)).toEqual([
      '00000000  41 00 ff                                          |A..|',
    ]);
  });

  it('dumps 20 bytes as a full line and a padded second line', () => {
    expect(hexDump(Buffer.from('Hello, WebSocket!\x00\x01\x7f'), 256)).toEqual([
      '00000000  48 65 6c 6c 6f 2c 20 57  65 62 53 6f 63 6b 65 74  |Hello, WebSocket|',
      '00000010  21 00 01 7f                                       |!...|',
    ]);
  });

  it('dumps exactly 16 bytes as one full line', () => {
    expect(hexDump(bytes(16, 0x30), 256)).toEqual([
      '00000000  30 31 32 33 34 35 36 37  38 39 3a 3b 3c 3d 3e 3f  |0123456789:;<=>?|',
    ]);
  });

  it('dumps 9 bytes with the gap after the eighth', () => {
    expect(hexDump(bytes(9, 0x61), 256)).toEqual([
      '00000000  61 62 63 64 65 66 67 68  69                       |abcdefghi|',
    ]);
  });

  it('shows space and tilde as printable and 0x1f and 0x7f as dots', () => {
    expect(hexDump(Buffer.from([0x1f, 0x20, 0x7e, 0x7f]), 256)).toEqual([
      '00000000  1f 20 7e 7f                                       |. ~.|',
    ]);
  });

  it('never puts a raw control character in the ASCII column', () => {
    const lines = hexDump(bytes(256), 256);
    expect(lines).toHaveLength(16);
    for (const line of lines) expect(line).toMatch(/^[\x20-\x7e]+$/);
  });

  it('keeps every line the same width', () => {
    const lines = hexDump(bytes(20), 256);
    expect(lines.map((l) => l.length)).toEqual([78, 66]);
    expect(lines[1]!.indexOf('|')).toBe(lines[0]!.indexOf('|'));
  });

  it('dumps the first max bytes and adds a line saying how many were left out', () => {
    expect(hexDump(bytes(40), 20)).toEqual([
      '00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|',
      '00000010  10 11 12 13                                       |....|',
      '… 20 more bytes (--max-display to show more)',
    ]);
  });

  it('adds no truncation line when the data is exactly max bytes', () => {
    expect(hexDump(bytes(16), 16)).toHaveLength(1);
  });

  it('shows only the truncation line when max is 0', () => {
    expect(hexDump(bytes(5), 0)).toEqual(['… 5 more bytes (--max-display to show more)']);
  });

  it('treats a negative max as 0', () => {
    expect(hexDump(bytes(5), -1)).toEqual(['… 5 more bytes (--max-display to show more)']);
  });

  it('returns no lines for an empty buffer', () => {
    expect(hexDump(Buffer.alloc(0), 256)).toEqual([]);
  });

  it('counts offsets in hex and lays out a partial last line like hexdump -C', () => {
    const lines = hexDump(bytes(300), 300);
    expect(lines).toHaveLength(19);
    expect(lines[16]!.slice(0, 8)).toBe('00000100');
    expect(lines[18]).toBe('00000120  20 21 22 23 24 25 26 27  28 29 2a 2b              | !"#$%&\'()*+|');
  });
});
