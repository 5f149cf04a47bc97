import { describe, expect, it } from 'vitest';
import { parseBase64, parseHex } from '../../src/protocol/encoding.js';

describe('parseHex', () => {
  it.each([
    ['plain lower-case pairs', '00ff0a', [0x00, 0xff, 0x0a]],
    ['upper-case digits', '00FF0A', [0x00, 0xff, 0x0a]],
    ['mixed case', 'aBcD', [0xab, 0xcd]],
    ['spaces between bytes', '00 ff 0a', [0x00, 0xff, 0x0a]],
    ['colons between bytes', '00:ff:0a', [0x00, 0xff, 0x0a]],
    ['tabs and newlines between bytes', '00\tff\n0a', [0x00, 0xff, 0x0a]],
    ['white space around the text', '  00ff0a \n', [0x00, 0xff, 0x0a]],
    ['a 0x prefix', '0x00ff0a', [0x00, 0xff, 0x0a]],
    ['a 0X prefix', '0X00FF0A', [0x00, 0xff, 0x0a]],
    ['a 0x prefix after white space', ' 0x0102', [0x01, 0x02]],
    ['an empty string as zero bytes', '', []],
    ['only white space as zero bytes', '   ', []],
    ['a bare 0x prefix as zero bytes', '0x', []],
  ])('decodes %s', (_, text, bytes) => {
    expect(parseHex(text)).toEqual({ ok: true, value: Buffer.from(bytes) });
  });

  it.each([
    ['one digit', 'f', 1],
    ['three digits', '00f', 3],
    ['an odd count after separators are removed', '00 ff 0', 5],
    ['a prefix with an odd count', '0x123', 3],
  ])('rejects %s as an odd number of digits', (_, text, digits) => {
    expect(parseHex(text)).toEqual({ ok: false, error: `invalid hex: odd number of digits (${digits})` });
  });

  it.each([
    ['a non-hex letter', 'zz', 'z'],
    ['a g after valid digits', '00g1', 'g'],
    ['a dash separator', '00-ff', '-'],
    ['a comma separator', '00,ff', ','],
    ['a 0x prefix on every byte', '0x00 0x01', 'x'],
    ['a prefix in the middle', '000x01', 'x'],
    ['an h suffix', '0ah', 'h'],
    ['a non-ASCII digit', '0０', '０'],
    ['a quote', '"00"', '"'],
  ])('rejects %s and names the first bad character', (_, text, bad) => {
    expect(parseHex(text)).toEqual({ ok: false, error: `invalid hex: unexpected character ${JSON.stringify(bad)}` });
  });

  it('reports a bad character before an odd digit count', () => {
    expect(parseHex('abz')).toEqual({ ok: false, error: 'invalid hex: unexpected character "z"' });
  });
});

describe('parseBase64', () => {
  it.each([
    ['padded standard base64', 'aGVsbG8=', 'hello'],
    ['unpadded standard base64', 'aGVsbG8', 'hello'],
    ['two padding characters', 'QQ==', 'A'],
    ['a length that needs no padding', 'QUJD', 'ABC'],
    ['white space around the text', '  aGVsbG8=\n', 'hello'],
  ])('decodes %s', (_, text, decoded) => {
    expect(parseBase64(text)).toEqual({ ok: true, value: Buffer.from(decoded) });
  });

  it.each([
    ['+ and / of the standard alphabet', 'AAH/+w==', [0x00, 0x01, 0xff, 0xfb]],
    ['- and _ of the URL-safe alphabet', 'AAH_-w', [0x00, 0x01, 0xff, 0xfb]],
    ['the URL-safe alphabet with padding', 'AAH_-w==', [0x00, 0x01, 0xff, 0xfb]],
    ['a URL-safe string of one group', '-_8', [0xfb, 0xff]],
    ['an empty string as zero bytes', '', []],
  ])('decodes %s', (_, text, bytes) => {
    expect(parseBase64(text)).toEqual({ ok: true, value: Buffer.from(bytes) });
  });

  it.each([
    ['a character outside both alphabets', 'aGVs*G8=', 'invalid base64: unexpected character'],
    ['both alphabets mixed', 'AA+_', 'invalid base64: unexpected character'],
    ['white space inside', 'aGVs bG8=', 'invalid base64: unexpected character'],
    ['padding in the middle', 'QQ==QQ==', 'invalid base64: unexpected character'],
    ['a dot', 'aGVsbG8.', 'invalid base64: unexpected character'],
    ['one character', 'Q', 'invalid base64: wrong length'],
    ['five characters', 'QUJDR', 'invalid base64: wrong length'],
    ['one character with padding', 'Q===', 'invalid base64: wrong length'],
    ['one padding character where two are needed', 'QQ=', 'invalid base64: wrong padding'],
    ['three padding characters', 'QQ===', 'invalid base64: wrong padding'],
    ['padding after a full group', 'QUJD=', 'invalid base64: wrong padding'],
    ['a full group of padding after a full group', 'QUJD====', 'invalid base64: wrong padding'],
    ['two padding characters where one is needed', 'QUI==', 'invalid base64: wrong padding'],
    ['six padding characters', 'QQ======', 'invalid base64: wrong padding'],
    ['a lone padding character', '=', 'invalid base64: wrong padding'],
    ['only padding', '====', 'invalid base64: wrong padding'],
  ])('rejects %s', (_, text, error) => {
    expect(parseBase64(text)).toEqual({ ok: false, error });
  });
});
