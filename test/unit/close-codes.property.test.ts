/** Property tests for close-code and close-reason validation (src/protocol/close-codes.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isSendableCloseCode,
  MAX_CLOSE_REASON_BYTES,
  parseCloseCode,
  validateCloseReason,
} from '../../src/protocol/close-codes.js';

const RUNS = { numRuns: 300 };

/** SPEC "How a client session ends": 1000, 1001, 1002, 1003, 1007–1014 and 3000–4999. */
const specAllows = (code: number): boolean =>
  [1000, 1001, 1002, 1003].includes(code) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);

describe('close codes (properties)', () => {
  it('parseCloseCode accepts exactly the sendable codes, which are the SPEC list, over every integer 0..70000', () => {
    for (let code = 0; code <= 70_000; code++) {
      const sendable = isSendableCloseCode(code);
      if (sendable !== specAllows(code)) expect.fail(`isSendableCloseCode(${code}) is ${sendable}`);
      const parsed = parseCloseCode(String(code));
      if (parsed.ok !== sendable || (parsed.ok && parsed.value !== code)) {
        expect.fail(`parseCloseCode("${code}") gave ${JSON.stringify(parsed)}`);
      }
    }
  });

  it('reads a code the same with leading zeros and surrounding white space', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70_000 }),
        fc.string({ unit: fc.constant('0'), maxLength: 3 }),
        fc.string({ unit: fc.constantFrom(' ', '\t'), maxLength: 2 }),
        (code, zeros, space) => {
          const parsed = parseCloseCode(`${space}${zeros}${code}${space}`);
          expect(parsed.ok).toBe(isSendableCloseCode(code));
          if (parsed.ok) expect(parsed.value).toBe(code);
        },
      ),
      RUNS,
    );
  });

  it('never throws on arbitrary text; anything but digits is refused with a one-line message', () => {
    const anyString = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom(...'0123456789.-+eEx_ \t') }),
    );
    fc.assert(
      fc.property(anyString, (text) => {
        const parsed = parseCloseCode(text);
        if (parsed.ok) {
          expect(text.trim()).toMatch(/^\d+$/);
          expect(isSendableCloseCode(parsed.value)).toBe(true);
        } else {
          expect(parsed.error).toMatch(/^invalid close code/);
        }
      }),
      RUNS,
    );
  });
});

/** Text of 1-, 2-, 3- and 4-byte UTF-8 characters, with lengths around the 123-byte limit. */
const reasonText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 130 }),
  fc.array(fc.constantFrom('a', 'é', '€', '😀'), { minLength: 25, maxLength: 130 }).map((chars) => chars.join('')),
);

describe('close reasons (properties)', () => {
  it('validateCloseReason accepts a reason exactly when its UTF-8 encoding fits in 123 bytes', () => {
    fc.assert(
      fc.property(reasonText, (reason) => {
        const bytes = Buffer.byteLength(reason, 'utf8');
        const parsed = validateCloseReason(reason);
        if (bytes <= MAX_CLOSE_REASON_BYTES) expect(parsed).toEqual({ ok: true, value: reason });
        else expect(parsed).toEqual({ ok: false, error: expect.stringContaining(`close reason is ${bytes} bytes`) });
      }),
      RUNS,
    );
  });

  it('accepts 123 bytes and refuses 124, whatever the characters', () => {
    fc.assert(
      fc.property(fc.constantFrom('a', 'é', '€', '😀'), (ch) => {
        const width = Buffer.byteLength(ch);
        const fits = ch.repeat(Math.floor(MAX_CLOSE_REASON_BYTES / width));
        const filler = 'a'.repeat(MAX_CLOSE_REASON_BYTES - Buffer.byteLength(fits));
        expect(validateCloseReason(fits + filler).ok).toBe(true);
        expect(validateCloseReason(`${fits}${filler}a`).ok).toBe(false);
      }),
    );
  });
});
