/** Display widths and the wrapped layout the prompt draws with (output/width.ts). */
import { describe, expect, it } from 'vitest';
import { codePointWidth, displayChar, layout, textWidth } from '../../src/output/width.js';

const cp = (s: string) => s.codePointAt(0)!;

describe('codePointWidth', () => {
  it.each([
    ['a', 1],
    ['é', 1],
    ['\u0301', 0], // combining acute
    ['\u200d', 0], // zero-width joiner
    ['\ufe0f', 0], // variation selector 16
    ['中', 2],
    ['한', 2],
    ['ｱ', 1], // halfwidth katakana
    ['Ａ', 2], // fullwidth A
    ['😀', 2],
    ['🚀', 2],
    ['⌚', 2],
    ['❤', 1], // text presentation by default
    ['𠀀', 2], // CJK extension B
  ])('%s takes %i column(s)', (ch, width) => {
    expect(codePointWidth(cp(ch))).toBe(width);
  });
});

describe('textWidth', () => {
  it('adds up code points', () => {
    expect(textWidth('ab中😀e\u0301')).toBe(1 + 1 + 2 + 2 + 1);
  });
});

describe('displayChar', () => {
  it('escapes what a terminal would act on', () => {
    expect(displayChar('a')).toBe('a');
    expect(displayChar('\x1b')).toBe('\\x1b');
    expect(displayChar('\u202e')).toBe('\\u202e');
    expect(displayChar('\t')).toBe('    ');
  });
});

describe('layout', () => {
  const chars = (s: string) => [...s];

  it('fits on one row', () => {
    const l = layout(['> ', ...chars('abc')], 80);
    expect(l.rows).toBe(1);
    expect(l.starts.at(-1)).toEqual({ row: 0, col: 5 });
    expect(l.starts[1]).toEqual({ row: 0, col: 2 });
  });

  it('wraps at the margin; a full last row puts the end on the next one', () => {
    const l = layout(['> ', ...chars('x'.repeat(78))], 80);
    expect(l.starts.at(-2)).toEqual({ row: 0, col: 79 });
    expect(l.starts.at(-1)).toEqual({ row: 1, col: 0 });
    expect(l.rows).toBe(2);
    const more = layout(['> ', ...chars('x'.repeat(200))], 80);
    expect(more.starts.at(-1)).toEqual({ row: 2, col: 42 });
    expect(more.rows).toBe(3);
  });

  it('moves a wide character that does not fit to the next row', () => {
    // "> " + 77 x = 79 columns: one left, too few for 中.
    const l = layout(['> ', ...chars('x'.repeat(77)), '中', 'y'], 80);
    expect(l.starts.at(-4)).toEqual({ row: 0, col: 78 }); // the last x
    expect(l.starts.at(-3)).toEqual({ row: 1, col: 0 }); // 中
    expect(l.starts.at(-2)).toEqual({ row: 1, col: 2 }); // y
    expect(l.starts.at(-1)).toEqual({ row: 1, col: 3 });
  });

  it('keeps combining marks on the cell before them, even at the margin', () => {
    const l = layout(['> ', ...chars('x'.repeat(77)), 'e', '\u0301'], 80);
    expect(l.starts.at(-3)).toEqual({ row: 0, col: 79 });
    expect(l.starts.at(-1)).toEqual({ row: 1, col: 0 });
    expect(l.rows).toBe(2);
  });

  it('counts rows the same way at any width', () => {
    const pieces = ['> ', ...chars('日本語のテキスト😀'.repeat(10))];
    for (const columns of [10, 33, 80]) {
      const l = layout(pieces, columns);
      for (const s of l.starts) expect(s.col).toBeLessThan(columns);
      expect(l.rows).toBeGreaterThanOrEqual(Math.ceil((2 + 18 * 10) / columns));
    }
  });
});
