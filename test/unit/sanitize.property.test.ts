/** Property tests for control-character escaping (src/output/sanitize.ts escapeControl and safeJson). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeControl, safeJson } from '../../src/output/sanitize.js';

const RUNS = { numRuns: 500 };

/** The bidirectional formatting characters a terminal (or a viewer of the text) reorders by. */
const BIDI_CODES = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const isBidi = (code: number) => BIDI_CODES.includes(code);

/** Strings rich in C0, DEL, C1 and bidi controls, ESC sequences, CSI, plus any code point and lone surrogates. */
const controlHeavy = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0x20 }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0x7f, max: 0xa0 }).map((c) => String.fromCharCode(c)),
    fc.constantFrom(...BIDI_CODES).map((c) => String.fromCharCode(c)),
    fc.constantFrom('\x1b[2J', '\x1b]0;pwned\x07', '\x1b[31m', '\x9b1;1H', '\r\n', '\\x1b', '\\', '\u202egnp.exe', '"'),
  ),
});
const anyString = fc.oneof(
  controlHeavy,
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);

/** C0 (but TAB and LF), DEL, C1 and bidi controls: what a terminal may act on. */
const UNSAFE_EXCEPT_TAB_LF = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_EXCEPT_TAB = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Everything a terminal may act on, TAB and LF included: none may stand raw in a JSON line. */
const UNSAFE_IN_JSON = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

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
        const safe = text.replace(new RegExp(keepNewlines ? UNSAFE_EXCEPT_TAB_LF : UNSAFE_EXCEPT_TAB, 'g'), '');
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
          const unsafe = code !== 0x09 && (code < 0x20 || (code >= 0x7f && code <= 0x9f) || isBidi(code));
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

describe('safeJson (properties): the attack of C1 and bidi controls in --json output', () => {
  /** Values as the JSON renderer writes them: strings (payloads, reasons, headers) in objects and arrays. */
  const jsonValue = fc.oneof(
    anyString,
    fc.dictionary(anyString, anyString),
    fc.record({ event: fc.constant('message'), data: anyString, headers: fc.dictionary(anyString, anyString) }),
    fc.array(anyString),
  );

  it('writes any value as valid JSON that parses back to the same value', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        // JSON.stringify writes lone surrogates as \\udXXX escapes: they come back as they were.
        expect(JSON.parse(safeJson(value))).toEqual(value);
      }),
      RUNS,
    );
  });

  it('leaves no raw C0, DEL, C1 or bidi control in the line, and no line break', () => {
    fc.assert(
      fc.property(jsonValue, (value) => {
        const line = safeJson(value);
        expect(line).not.toMatch(UNSAFE_IN_JSON);
        expect(line).not.toContain('\n');
      }),
      RUNS,
    );
  });

  it('changes nothing that JSON.stringify writes for text without DEL, C1 or bidi controls', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        const plain = text.replace(/[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
        expect(safeJson(plain)).toBe(JSON.stringify(plain));
      }),
      RUNS,
    );
  });
});
