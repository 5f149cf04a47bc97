import { describe, expect, it } from 'vitest';
import { escapeControl, isSecretHeader, maskHeaderValue, safeJson } from '../../src/output/sanitize.js';

/** Every code unit that a terminal treats as a control: C0, DEL and C1. */
const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
const UNSAFE_KEEPING_TAB_AND_LF = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;
const UNSAFE_KEEPING_TAB = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;

describe('escapeControl', () => {
  it.each([
    ['a colour sequence', 'a\x1b[31mred\x1b[0m', 'a\\x1b[31mred\\x1b[0m'],
    ['a cursor move and screen clear', '\x1b[2J\x1b[H', '\\x1b[2J\\x1b[H'],
    ['a window-title OSC ended by BEL', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['an OSC ended by ST', '\x1b]8;;http://x\x1b\\', '\\x1b]8;;http://x\\x1b\\'],
    ['the 8-bit CSI U+009B', '\x9b2J', '\\u009b2J'],
    ['the 8-bit OSC U+009D', '\x9d0;t\x9c', '\\u009d0;t\\u009c'],
    ['the first C1 control U+0080', '\x80', '\\u0080'],
    ['the last C1 control U+009F', '\x9f', '\\u009f'],
    ['BEL', 'ding\x07', 'ding\\x07'],
    ['a carriage return', 'over\rwrite', 'over\\rwrite'],
    ['CRLF, escaping only the CR', 'a\r\nb', 'a\\r\nb'],
    ['DEL', 'x\x7fy', 'x\\x7fy'],
    ['backspace', 'ab\x08c', 'ab\\x08c'],
    ['NUL', 'a\0b', 'a\\x00b'],
    ['vertical tab and form feed', '\x0b\x0c', '\\x0b\\x0c'],
    ['unit separator U+001F', '\x1f', '\\x1f'],
    ['a right-to-left override U+202E (Trojan Source)', 'invoice\u202egnp.exe', 'invoice\\u202egnp.exe'],
    ['the embeddings and their pop U+202A–U+202C', '\u202aa\u202bb\u202c', '\\u202aa\\u202bb\\u202c'],
    ['a left-to-right override U+202D', '\u202dx', '\\u202dx'],
    ['the isolates U+2066–U+2069', '\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
    ['the marks LRM, RLM and ALM', '\u200e\u200f\u061c', '\\u200e\\u200f\\u061c'],
  ])('escapes %s', (_, input, output) => {
    expect(escapeControl(input)).toBe(output);
  });

  it.each([
    ['plain ASCII', 'hello, world! ~'],
    ['a TAB', 'a\tb'],
    ['an LF', 'line 1\nline 2'],
    ['non-ASCII text', 'héllo € 😀 日本'],
    ['U+00A0 and Latin-1 letters just above C1', '\u00a0ÿ'],
    ['right-to-left text itself (Arabic, Hebrew)', 'مرحبا שלום'],
    ['the zero-width joiner of an emoji sequence', '👩\u200d💻'],
    ['an empty string', ''],
  ])('keeps %s unchanged by default', (_, input) => {
    expect(escapeControl(input)).toBe(input);
  });

  it('escapes LF and keeps TAB when newlines are not kept', () => {
    expect(escapeControl('a\tb\nc\r\nd', false)).toBe('a\tb\\nc\\r\\nd');
  });

  it('keeps LF when newlines are kept explicitly', () => {
    expect(escapeControl('a\nb', true)).toBe('a\nb');
  });

  const everyControl = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i)).join('');

  it('leaves no raw control character but TAB and LF in any of U+0000–U+009F', () => {
    const out = escapeControl(everyControl);
    expect(out).not.toMatch(UNSAFE_KEEPING_TAB_AND_LF);
    expect(out.replace(/[^\t\n]/g, '')).toBe('\t\n');
  });

  it('leaves no raw control character but TAB in any of U+0000–U+009F when newlines are not kept', () => {
    const out = escapeControl(everyControl, false);
    expect(out).not.toMatch(UNSAFE_KEEPING_TAB);
    expect(out.replace(/[^\t]/g, '')).toBe('\t');
  });

  const escapedControls = Array.from({ length: 0xa0 }, (_, i) => String.fromCharCode(i))
    .filter((ch) => CONTROL.test(ch) && ch !== '\t')
    .map((ch) => [`U+${ch.charCodeAt(0).toString(16).padStart(4, '0')}`, ch]);

  it.each(escapedControls)('turns the control character %s into a printable escape', (_, ch) => {
    const out = escapeControl(ch!, false);
    expect(out).not.toMatch(CONTROL);
    expect(out).toMatch(/^\\(x[01][0-9a-f]|x7f|u00[89][0-9a-f]|r|n)$/);
  });
});

describe('maskHeaderValue', () => {
  it.each([
    ['Authorization', 'Basic dXNlcjpwYXNz', 'Basic ****'],
    ['authorization', 'Bearer eyJhbGciOi.x.y', 'Bearer ****'],
    ['AUTHORIZATION', 'Digest username="u", response="r"', 'Digest ****'],
    ['Authorization', 'AWS4-HMAC-SHA256 Credential=abc', 'AWS4-HMAC-SHA256 ****'],
    ['Authorization', 'opaque-token-without-scheme', '****'],
    ['Authorization', 'Basic', '****'],
    ['Authorization', '', '****'],
    ['Proxy-Authorization', 'Basic cHJveHk6cHc=', 'Basic ****'],
    ['proxy-authorization', 'secret', '****'],
    ['Cookie', 'session=abc; theme=dark', '****'],
    ['cookie', 'a=1', '****'],
    ['Set-Cookie', 'session=abc; Path=/; HttpOnly', '****'],
    ['SET-COOKIE', 'id=1', '****'],
  ])('masks %s: %j as %j', (name, value, masked) => {
    expect(maskHeaderValue(name, value)).toBe(masked);
  });

  it.each([
    ['Host', 'example.com'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['X-Authorization-Hint', 'Basic abc'],
    ['Cookies', 'a=1'],
    ['User-Agent', 'wsprobe/0.1.0'],
  ])('leaves the value of %s untouched', (name, value) => {
    expect(maskHeaderValue(name, value)).toBe(value);
  });
});

describe('isSecretHeader', () => {
  it.each([
    ['Authorization', true],
    ['proxy-AUTHORIZATION', true],
    ['Cookie', true],
    ['set-cookie', true],
    ['Host', false],
    ['X-Api-Key', false],
  ])('reports %s as secret: %s', (name, secret) => {
    expect(isSecretHeader(name)).toBe(secret);
  });
});

describe('safeJson: the attack of C1 and bidi controls reaching a terminal through --json', () => {
  it.each([
    ['an 8-bit CSI', { reason: '\x9b2J' }, '{"reason":"\\u009b2J"}'],
    ['an 8-bit OSC title change', { data: '\x9d0;pwned\x9c' }, '{"data":"\\u009d0;pwned\\u009c"}'],
    ['DEL', { data: 'a\x7fb' }, '{"data":"a\\u007fb"}'],
    ['ESC, which JSON.stringify escapes itself', { data: '\x1b[2J' }, '{"data":"\\u001b[2J"}'],
    ['a right-to-left override', { data: 'abc\u202edef' }, '{"data":"abc\\u202edef"}'],
    ['an isolate in a key', { 'x\u2066': 1 }, '{"x\\u2066":1}'],
  ])('escapes %s as \\u', (_, value, line) => {
    expect(safeJson(value)).toBe(line);
    expect(JSON.parse(safeJson(value))).toEqual(value);
  });

  it('keeps other non-ASCII text as it is', () => {
    expect(safeJson({ data: 'héllo € 😀 مرحبا' })).toBe('{"data":"héllo € 😀 مرحبا"}');
  });
});
