import { describe, expect, it } from 'vitest';
import { headerPairs, parseHeader } from '../../src/protocol/headers.js';

describe('parseHeader', () => {
  it.each([
    ['Name: value', ['Name', 'value']],
    ['X-Token:abc', ['X-Token', 'abc']],
    ['  X-Pad  :   spaced out   ', ['X-Pad', 'spaced out']],
    ['X-Empty:', ['X-Empty', '']],
    ['X-Empty:   ', ['X-Empty', '']],
    ['Host: example.com:8080', ['Host', 'example.com:8080']],
    ['X-Url: http://a:b@c/d', ['X-Url', 'http://a:b@c/d']],
    ['X-Time: 12:34:56', ['X-Time', '12:34:56']],
    ['X-Tab: a\tb', ['X-Tab', 'a\tb']],
    ['X-Utf8: héllo', ['X-Utf8', 'héllo']],
    ["!#$%&'*+.^_`|~09azAZ-: v", ["!#$%&'*+.^_`|~09azAZ-", 'v']],
  ])('parses %j into %j', (text, pair) => {
    expect(parseHeader(text)).toEqual({ ok: true, value: pair });
  });

  it.each(['NoColon', '', 'Name value', ': value', ':'])('rejects %j as not "Name: value"', (text) => {
    expect(parseHeader(text)).toEqual({ ok: false, error: `invalid header "${text}": expected "Name: value"` });
  });

  it.each([
    ['a name of only white space', '   : value', ''],
    ['a space inside the name', 'Bad Name: v', 'Bad Name'],
    ['a parenthesis in the name', 'X(1): v', 'X(1)'],
    ['a slash in the name', 'X/Y: v', 'X/Y'],
    ['a quote in the name', 'X"Y: v', 'X"Y'],
    ['a non-ASCII name', 'Xé: v', 'Xé'],
    ['a line break in the name', 'X\nY: v', 'X\nY'],
    ['a NUL in the name', 'X\0Y: v', 'X\0Y'],
  ])('rejects %s', (_, text, name) => {
    expect(parseHeader(text)).toEqual({ ok: false, error: `invalid header name "${name}"` });
  });

  it.each([
    ['a CR inside the value', 'X-A: a\rb'],
    ['an LF inside the value', 'X-A: a\nb'],
    ['a CRLF header injection', 'X-A: a\r\nX-Injected: 1'],
    ['a NUL inside the value', 'X-A: a\0b'],
  ])('rejects %s', (_, text) => {
    expect(parseHeader(text)).toEqual({
      ok: false,
      error: 'invalid value for header "X-A": contains a line break or NUL',
    });
  });
});

describe('headerPairs', () => {
  it('pairs rawHeaders in order, keeping the case and repeated names', () => {
    expect(headerPairs(['Host', 'h', 'set-cookie', 'a=1', 'Set-Cookie', 'b=2'])).toEqual([
      ['Host', 'h'],
      ['set-cookie', 'a=1'],
      ['Set-Cookie', 'b=2'],
    ]);
    expect(headerPairs(['Dangling'])).toEqual([]);
  });
});
