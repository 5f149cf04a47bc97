/** Size suffixes for byte options (issue 14, papercuts): `--max-payload 1k`, `16M`, `1GiB`; k = 1024. */
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { nonNegativeSizeArg, parseSize, sizeArg } from '../../src/cli/parsers.js';

describe('parseSize', () => {
  it.each([
    ['1', 1],
    ['65536', 65536],
    ['100B', 100],
    ['100b', 100],
    ['1k', 1024],
    ['1K', 1024],
    ['1kB', 1024],
    ['1KiB', 1024],
    ['64k', 65536],
    ['16M', 16 * 1024 ** 2],
    ['16MB', 16 * 1024 ** 2],
    ['16mib', 16 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['1GiB', 1024 ** 3],
    ['1.5M', 1.5 * 1024 ** 2],
    ['.5k', 512],
    [' 2 k ', 2048],
    ['1.0001k', 1024],
  ])('%j is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toEqual({ ok: true, value: bytes });
  });

  it.each(['', 'k', '1x', '1kk', '1T', '-1', '1e3', '0x10', '1 0', '1iB', 'ten', '1,5M'])('%j is refused', (text) => {
    expect(parseSize(text)).toEqual({
      ok: false,
      error: `expected a size in bytes such as 65536, 64k, 16M or 1G (k = 1024), got "${text}"`,
    });
  });

  it('0 is below a limit of at least 1 byte, and a fraction of a byte too', () => {
    expect(parseSize('0')).toEqual({ ok: false, error: 'expected a size of at least 1 byte, got "0"' });
    expect(parseSize('0.5')).toEqual({ ok: false, error: 'expected a size of at least 1 byte, got "0.5"' });
    expect(parseSize('0', 0)).toEqual({ ok: true, value: 0 });
  });

  it('commander parsers: one-line InvalidArgumentError', () => {
    expect(sizeArg('1k')).toBe(1024);
    expect(nonNegativeSizeArg('0')).toBe(0);
    expect(() => sizeArg('lots')).toThrow(InvalidArgumentError);
    expect(() => sizeArg('lots')).toThrow(/^expected a size in bytes .*"lots"$/);
  });
});
