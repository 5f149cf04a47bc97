/** Property tests for hex and base64 decoding (src/protocol/encoding.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBase64, parseHex } from '../../src/protocol/encoding.js';

const RUNS = { numRuns: 300 };

/** Any string: printable and control ASCII, any code point, and lone UTF-16 surrogates. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);

const bytes = fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a));
const someBytes = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a));

/** Pairs of hex digits in every accepted spelling: case, separators between bytes, 0x prefix, outer white space. */
interface HexSpelling {
  upper: 'lower' | 'upper' | 'mixed';
  separator: string;
  prefix: string;
  outer: string;
}

const hexSpelling: fc.Arbitrary<HexSpelling> = fc.record({
  upper: fc.constantFrom('lower', 'upper', 'mixed'),
  separator: fc.constantFrom('', ' ', ':', '  ', '\t', ' : '),
  prefix: fc.constantFrom('', '0x', '0X'),
  outer: fc.constantFrom('', ' ', '\t', '\n', ' \r\n'),
});

function spellHex(data: Buffer, s: HexSpelling, flips: boolean[]): string {
  const pairs = [...data].map((byte, i) => {
    const pair = byte.toString(16).padStart(2, '0');
    if (s.upper === 'upper') return pair.toUpperCase();
    if (s.upper === 'mixed' && flips[i % flips.length]) return pair.toUpperCase();
    return pair;
  });
  return `${s.outer}${s.prefix}${pairs.join(s.separator)}${s.outer}`;
}

describe('parseHex (properties)', () => {
  it('decodes random bytes written in any accepted spelling back to the same bytes', () => {
    fc.assert(
      fc.property(bytes, hexSpelling, fc.array(fc.boolean(), { minLength: 1 }), (data, spelling, flips) => {
        const parsed = parseHex(spellHex(data, spelling, flips));
        expect(parsed).toEqual({ ok: true, value: data });
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary strings, and what it accepts holds exactly its hex digits', () => {
    const hexish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxXg: \t\n') });
    fc.assert(
      fc.property(fc.oneof(anyString, hexish), (text) => {
        const parsed = parseHex(text);
        if (parsed.ok) {
          const digits = text.replace(/[\s:]/g, '').replace(/^0x/i, '');
          expect(parsed.value.toString('hex')).toBe(digits.toLowerCase());
        } else {
          expect(parsed.error).toMatch(/^invalid hex: /);
        }
      }),
      RUNS,
    );
  });

  it('rejects an odd number of digits', () => {
    fc.assert(
      fc.property(bytes, fc.constantFrom(...'0123456789abcdefABCDEF'), (data, extra) => {
        const parsed = parseHex(data.toString('hex') + extra);
        expect(parsed.ok).toBe(false);
      }),
      RUNS,
    );
  });
});

const base64Spelling = fc.record({
  alphabet: fc.constantFrom('base64', 'base64url'),
  padded: fc.boolean(),
  outer: fc.constantFrom('', ' ', '\t', '\n', ' \r\n'),
});

describe('parseBase64 (properties)', () => {
  it('decodes random bytes in standard or URL-safe base64, padded or not, back to the same bytes', () => {
    fc.assert(
      fc.property(bytes, base64Spelling, (data, s) => {
        let body = data.toString('base64');
        if (s.alphabet === 'base64url') body = body.replace(/\+/g, '-').replace(/\//g, '_');
        if (!s.padded) body = body.replace(/=+$/, '');
        expect(parseBase64(`${s.outer}${body}${s.outer}`)).toEqual({ ok: true, value: data });
      }),
      RUNS,
    );
  });

  it('rejects wrong padding on any non-empty payload', () => {
    fc.assert(
      fc.property(someBytes, fc.integer({ min: 1, max: 3 }), (data, extra) => {
        const body = data.toString('base64');
        // One to three '=' more than the correct padding.
        expect(parseBase64(body + '='.repeat(extra)).ok).toBe(false);
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary strings; an error is one line', () => {
    const base64ish = fc.string({ unit: fc.constantFrom(...'AZaz09+/-_= \t') });
    fc.assert(
      fc.property(fc.oneof(anyString, base64ish), (text) => {
        const parsed = parseBase64(text);
        if (!parsed.ok) expect(parsed.error).toMatch(/^invalid base64: [^\n]*$/);
        else expect(Buffer.isBuffer(parsed.value)).toBe(true);
      }),
      RUNS,
    );
  });
});
