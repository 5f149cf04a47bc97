import { describe, expect, it } from 'vitest';
import {
  closeCodeName,
  isSendableCloseCode,
  MAX_CLOSE_REASON_BYTES,
  parseCloseCode,
  validateCloseReason,
} from '../../src/protocol/close-codes.js';

describe('isSendableCloseCode', () => {
  it.each([
    [999, false],
    [1000, true],
    [1001, true],
    [1002, true],
    [1003, true],
    [1004, false],
    [1005, false],
    [1006, false],
    [1007, true],
    [1011, true],
    [1014, true],
    [1015, false],
    [1016, false],
    [2999, false],
    [3000, true],
    [3999, true],
    [4000, true],
    [4999, true],
    [5000, false],
    [0, false],
    [-1, false],
    [Number.NaN, false],
  ])('reports %s as sendable: %s', (code, sendable) => {
    expect(isSendableCloseCode(code)).toBe(sendable);
  });
});

describe('parseCloseCode', () => {
  it.each([
    ['1000', 1000],
    ['1001', 1001],
    ['1003', 1003],
    ['1007', 1007],
    ['1014', 1014],
    ['3000', 3000],
    ['4999', 4999],
    [' 1000 ', 1000],
    ['\t4000\n', 4000],
    ['01000', 1000],
  ])('accepts %j as %i', (text, code) => {
    expect(parseCloseCode(text)).toEqual({ ok: true, value: code });
  });

  it.each(['999', '1004', '1005', '1006', '1015', '2999', '5000', '0', '65535'])(
    'rejects the unsendable code %s with the accepted ranges in the message',
    (text) => {
      expect(parseCloseCode(text)).toEqual({
        ok: false,
        error: `invalid close code ${text}: use 1000-1003, 1007-1014 or 3000-4999`,
      });
    },
  );

  it('names the trimmed code when an out-of-range code has white space around it', () => {
    expect(parseCloseCode(' 1006 ')).toEqual({
      ok: false,
      error: 'invalid close code 1006: use 1000-1003, 1007-1014 or 3000-4999',
    });
  });

  it.each(['', ' ', 'abc', 'normal', '10.5', '1000.0', '-1', '+1000', '1e3', '0x3e8', '1 000', '１０００', 'NaN'])(
    'rejects the non-number %j and asks for a number',
    (text) => {
      expect(parseCloseCode(text)).toEqual({
        ok: false,
        error: `invalid close code "${text}": expected a number such as 1000 or 4000`,
      });
    },
  );
});

describe('closeCodeName', () => {
  it.each([
    [1000, 'Normal Closure'],
    [1001, 'Going Away'],
    [1002, 'Protocol Error'],
    [1003, 'Unsupported Data'],
    [1004, 'Unknown'],
    [1005, 'No Status Received'],
    [1006, 'Abnormal Closure'],
    [1007, 'Invalid Frame Payload Data'],
    [1008, 'Policy Violation'],
    [1009, 'Message Too Big'],
    [1010, 'Mandatory Extension'],
    [1011, 'Internal Error'],
    [1012, 'Service Restart'],
    [1013, 'Try Again Later'],
    [1014, 'Bad Gateway'],
    [1015, 'TLS Handshake'],
    [1016, 'Unknown'],
    [999, 'Unknown'],
    [2999, 'Unknown'],
    [3000, 'Registered'],
    [3999, 'Registered'],
    [4000, 'Private Use'],
    [4999, 'Private Use'],
    [5000, 'Unknown'],
  ])('names %i "%s"', (code, name) => {
    expect(closeCodeName(code)).toBe(name);
  });
});

describe('validateCloseReason', () => {
  it('allows at most 123 bytes, the room a close frame leaves after the code', () => {
    expect(MAX_CLOSE_REASON_BYTES).toBe(123);
  });

  it.each([
    ['an empty reason', ''],
    ['a short reason', 'bye'],
    ['123 ASCII bytes', 'a'.repeat(123)],
    ['61 two-byte characters (122 bytes)', 'é'.repeat(61)],
    ['41 three-byte characters (123 bytes)', '€'.repeat(41)],
    ['30 four-byte characters and 3 ASCII (123 bytes)', `${'😀'.repeat(30)}abc`],
  ])('accepts %s unchanged', (_, reason) => {
    expect(validateCloseReason(reason)).toEqual({ ok: true, value: reason });
  });

  it.each([
    ['124 ASCII bytes', 'a'.repeat(124), 124],
    ['62 two-byte characters (124 bytes)', 'é'.repeat(62), 124],
    ['41 three-byte characters and one ASCII (124 bytes)', `${'€'.repeat(41)}a`, 124],
    ['31 four-byte characters (124 bytes though only 62 UTF-16 units)', '😀'.repeat(31), 124],
    ['200 ASCII bytes', 'x'.repeat(200), 200],
  ])('rejects %s and reports the byte count', (_, reason, bytes) => {
    expect(validateCloseReason(reason)).toEqual({
      ok: false,
      error: `close reason is ${bytes} bytes; at most 123 fit in a close frame`,
    });
  });
});
