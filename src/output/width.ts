/**
 * How many terminal columns text takes, and where it lands on a terminal that wraps at the right
 * margin. Pure. The interactive prompt lays its (possibly wrapped) input out with this, so it knows
 * how many rows to clear before printing above it.
 *
 * Widths are those of wcwidth with Unicode 9+ tables, as today's terminals (VTE, kitty, iTerm2,
 * Windows Terminal, tmux, xterm.js with its Unicode 11 addon) use them: East Asian Wide and Fullwidth
 * characters and emoji with emoji presentation take 2 columns; combining marks, format characters
 * (zero-width joiner, variation selectors) take none; everything else 1. Control characters are never
 * written raw (see `displayChar`).
 */
import { escapeControl } from './sanitize.js';

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
const EMOJI_PRESENTATION = /^\p{Emoji_Presentation}$/u;

/** East Asian Wide (W) and Fullwidth (F) ranges, as [first, last] pairs. */
const WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f0],
  [0x23f3, 0x23f3],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes …
  [0x3400, 0x4dbf], // CJK Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo extended A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff], // Tangut
  [0x1b000, 0x1b2ff], // Kana supplement, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x1f300, 0x1f64f], // symbols and pictographs, emoticons
  [0x1f900, 0x1f9ff], // supplemental symbols and pictographs
  [0x20000, 0x2fffd], // CJK Extension B and later
  [0x30000, 0x3fffd],
];

function inWide(cp: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last] = WIDE[mid];
    if (cp < first) hi = mid - 1;
    else if (cp > last) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Columns one code point takes: 0, 1 or 2 (control characters count 1: they are never written raw). */
export function codePointWidth(cp: number): 0 | 1 | 2 {
  if (cp < 0x300) return 1;
  if (cp >= 0x1160 && cp <= 0x11ff) return 0; // Hangul Jamo medial vowels and final consonants
  const ch = String.fromCodePoint(cp);
  if (ZERO_WIDTH.test(ch)) return 0;
  if (inWide(cp) || EMOJI_PRESENTATION.test(ch)) return 2;
  return 1;
}

/** Columns `text` takes on one row (no control characters in it). */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += codePointWidth(ch.codePointAt(0)!);
  return width;
}

/**
 * What is written to the terminal for one typed character: itself, or, for a character the terminal
 * would act on (controls, bidi overrides), its escaped form; a TAB is shown as four spaces.
 */
export function displayChar(ch: string): string {
  if (ch === '\t') return '    ';
  return escapeControl(ch, false);
}

/** A place on the screen, relative to the first cell of the text. */
export interface Cell {
  row: number;
  col: number;
}

export interface Layout {
  /** Where each piece starts (one entry per piece, then one for the end of the text). */
  starts: Cell[];
  /** Rows the text occupies, the end's row included (a text that fills its last row exactly takes one more). */
  rows: number;
}

/**
 * Lays `pieces` (each drawn as a unit: a character, or its escaped form) out from the first column
 * of a row on a terminal `columns` wide that wraps at the right margin: a wide character that does not
 * fit in what is left of a row goes to the next one, as terminals do. The end is the cell after the
 * last piece — the first cell of the next row when the last one is full.
 */
export function layout(pieces: readonly string[], columns: number): Layout {
  const width = Math.max(1, Math.floor(columns) || 1);
  const starts: Cell[] = [];
  let row = 0;
  let col = 0;
  for (const piece of pieces) {
    let first = true;
    for (const ch of piece) {
      const w = codePointWidth(ch.codePointAt(0)!);
      if (w > 0 && col + w > width) {
        row++;
        col = 0;
      }
      if (first) starts.push({ row, col: Math.min(col, width - 1) });
      first = false;
      col += w;
    }
    if (first) starts.push({ row, col: Math.min(col, width - 1) });
  }
  if (col >= width) {
    row++;
    col = 0;
  }
  starts.push({ row, col });
  return { starts, rows: row + 1 };
}
