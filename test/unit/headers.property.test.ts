/** Property tests for `-H "Name: value"` parsing (src/protocol/headers.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHeader } from '../../src/protocol/headers.js';

const RUNS = { numRuns: 300 };

/** Any string: printable and control ASCII, any code point, and lone UTF-16 surrogates. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);

/** RFC 7230 §3.2.6 token. */
const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const token = fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), minLength: 1, maxLength: 20 });

/**
 * RFC 7230 §3.2 field-vchar: VCHAR or obs-text (0x80–0xFF; Node writes header strings as latin1).
 * U+00A0 is drawn often: it is a field-vchar, yet JavaScript's trim() takes it for white space.
 */
const fieldVchar = fc.oneof(
  fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)),
  fc.constant('\u00a0'),
);
const ows = fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 3 });
/** field-value: field-vchars with runs of SP/HTAB between them, none at the ends; possibly empty. */
const fieldValue = fc
  .array(fc.tuple(fc.string({ unit: fieldVchar, minLength: 1, maxLength: 8 }), ows), { maxLength: 5 })
  .map((words) => words.map(([word, space], i) => (i < words.length - 1 ? word + (space || ' ') : word)).join(''));

describe('parseHeader (properties)', () => {
  it('round-trips a token name and a field value, whatever SP/HTAB surrounds them', () => {
    fc.assert(
      fc.property(token, fieldValue, ows, ows, ows, (name, value, before, afterColon, end) => {
        expect(parseHeader(`${before}${name}:${afterColon}${value}${end}`)).toEqual({ ok: true, value: [name, value] });
        expect(parseHeader(`${name}: ${value}`)).toEqual({ ok: true, value: [name, value] });
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary strings; what it accepts has a token name and no CR, LF or NUL in the value', () => {
    const headerLike = fc.tuple(anyString, anyString).map(([a, b]) => `${a}:${b}`);
    fc.assert(
      fc.property(fc.oneof(anyString, headerLike), (text) => {
        const parsed = parseHeader(text);
        if (!parsed.ok) {
          expect(parsed.error).toMatch(/^invalid (header|value)/);
          return;
        }
        const [name, value] = parsed.value;
        expect(name).toMatch(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
        expect(value).not.toMatch(/[\r\n\0]/);
        expect(text).toContain(value);
      }),
      RUNS,
    );
  });

  it('refuses a line break or NUL inside a value (no header injection)', () => {
    fc.assert(
      fc.property(token, fieldValue, fc.constantFrom('\r\n', '\n', '\r', '\0'), fieldValue, (name, a, bad, b) => {
        expect(parseHeader(`${name}: x${a}${bad}${b}x`).ok).toBe(false);
      }),
      RUNS,
    );
  });
});
