/** Property tests for control-character escaping (src/output/sanitize.ts escapeControl). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/output/sanitize.js';

const RUNS = { numRuns: 500 };

/** Strings rich in C0, DEL and C1 controls, ESC sequences, CSI, plus any code point and lone surrogates. */
const controlHeavy = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0x20 }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x7f, max: 0xa0 }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('\x1b[2J', '\x1b]0;pwned\x07', '\x1b[31m', '\x9b1;1H', '\r\n', '\\x1b', '\\'),
  ),
});
const anyString = fc.oneof(
  controlHeavy,
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);

/** C0 (but TAB and LF), DEL and C1: what a terminal may act on. */
const UNSAFE_EXCEPT_TAB_LF = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const UNSAFE_EXCEPT_TAB = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

describe('escapeControl (properties)', () => {
  it('leaves no control character but TAB and LF, and no ESC or CSI, in any string', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const shown = escapeControl(text);
        expect(shown).not.toMatch(UNSAFE_EXCEPT_TAB_LF);
        expect(shown).not.toContain('\x1b');
        expect(shown).not.toContain('\x9b');
      }),
      RUNS,
    );
  });

  it('with keepNewlines=false leaves no control character but TAB: one line, always', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const shown = escapeControl(text, false);
        expect(shown).not.toMatch(UNSAFE_EXCEPT_TAB);
        expect(shown).not.toContain('\n');
      }),
      RUNS,
    );
  });

  it('changes nothing in text without control characters, and is idempotent', () => {
    fc.assert(
      fc.property(anyString, fc.boolean(), (text, keepNewlines) => {
        const safe = text.replace(
          keepNewlines ? /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g : /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g,
          '',
        );
        expect(escapeControl(safe, keepNewlines)).toBe(safe);
        const shown = escapeControl(text, keepNewlines);
        expect(escapeControl(shown, keepNewlines)).toBe(shown);
      }),
      RUNS,
    );
  });

  it('escapes each control character to a visible escape, keeping everything else in order', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const shown = escapeControl(text, false);
        // Undo the escapes of the controls only: a literal backslash in the input stays as it was.
        let i = 0;
        let rebuilt = '';
        for (const ch of text) {
          const code = ch.codePointAt(0)!;
          const unsafe = code !== 0x09 && (code < 0x20 || (code >= 0x7f && code <= 0x9f));
          const expected = !unsafe
            ? ch
            : ch === '\r'
              ? '\\r'
              : ch === '\n'
                ? '\\n'
                : code >= 0x80
                  ? `\\u${code.toString(16).padStart(4, '0')}`
                  : `\\x${code.toString(16).padStart(2, '0')}`;
          expect(shown.startsWith(expected, i)).toBe(true);
          i += expected.length;
          rebuilt += ch;
        }
        expect(i).toBe(shown.length);
        expect(rebuilt).toBe(text);
      }),
      RUNS,
    );
  });
});
