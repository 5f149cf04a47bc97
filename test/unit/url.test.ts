import { describe, expect, it } from 'vitest';
import { looksLikeUrl, normalizeUrl } from '../../src/protocol/url.js';

describe('normalizeUrl', () => {
  it.each([
    ['ws://127.0.0.1:8080/chat', 'ws://127.0.0.1:8080/chat'],
    ['wss://example.com/socket?x=1', 'wss://example.com/socket?x=1'],
    ['ws://example.com', 'ws://example.com/'],
    ['http://example.com/chat', 'ws://example.com/chat'],
    ['https://example.com/chat', 'wss://example.com/chat'],
    ['http://example.com:8080/', 'ws://example.com:8080/'],
    ['https://example.com:8443/a', 'wss://example.com:8443/a'],
    ['HTTPS://Example.COM/Path', 'wss://example.com/Path'],
    ['WS://localhost:1', 'ws://localhost:1/'],
    ['localhost:8080', 'ws://localhost:8080/'],
    ['localhost:8080/chat?room=1', 'ws://localhost:8080/chat?room=1'],
    ['example.com', 'ws://example.com/'],
    ['127.0.0.1:9000', 'ws://127.0.0.1:9000/'],
    ['[::1]:8080', 'ws://[::1]:8080/'],
    ['  ws://example.com/  ', 'ws://example.com/'],
    ['ws://user:pass@example.com/', 'ws://user:pass@example.com/'],
    ['ws+unix:///tmp/app.sock', 'ws+unix:///tmp/app.sock'],
    ['ws+unix:///tmp/app.sock:/request/path', 'ws+unix:///tmp/app.sock:/request/path'],
    // A bare port never leaves the machine (as a URL host, 9102 would be the IPv4 address 0.0.35.142).
    ['9102', 'ws://localhost:9102/'],
    [':9102', 'ws://localhost:9102/'],
    [':9102/chat?room=1', 'ws://localhost:9102/chat?room=1'],
    ['9102/chat', 'ws://localhost:9102/chat'],
    ['1', 'ws://localhost:1/'],
    ['65535', 'ws://localhost:65535/'],
    // A host named like a scheme, with a port, is still a host.
    ['ws:8080', 'ws://ws:8080/'],
    ['ws://h:', 'ws://h/'],
  ])('normalizes %j to %j', (input, url) => {
    expect(normalizeUrl(input)).toEqual({ ok: true, value: url });
  });

  it.each([
    ['', 'invalid URL: empty'],
    ['   ', 'invalid URL: empty'],
  ])('rejects %j as empty', (input, error) => {
    expect(normalizeUrl(input)).toEqual({ ok: false, error });
  });

  it.each([
    ['ftp://example.com/', 'ftp'],
    ['file:///etc/passwd', 'file'],
    ['unix:///tmp/app.sock', 'unix'],
    ['wss+unix:///tmp/app.sock', 'wss+unix'],
  ])('rejects %j as an unsupported scheme', (input, scheme) => {
    expect(normalizeUrl(input)).toEqual({
      ok: false,
      error: `unsupported URL scheme "${scheme}" in "${input}": use ws, wss, http, https or ws+unix`,
    });
  });

  it.each(['ws://exa mple.com/', 'ws://[::1/', 'local host:80'])(
    'rejects the garbage %j as an invalid URL',
    (input) => {
      expect(normalizeUrl(input)).toEqual({ ok: false, error: `invalid URL "${input}"` });
    },
  );
});

describe('normalizeUrl drops a fragment', () => {
  it('removes #section, which a request line never carries', () => {
    expect(normalizeUrl('ws://h:1/p?q=1#frag')).toEqual({ ok: true, value: 'ws://h:1/p?q=1' });
  });
});

describe('normalizeUrl says why a URL is refused', () => {
  it.each([
    ['ws:/h', 'invalid URL "ws:/h": expected ws://host after the scheme (did you mean ws://h?)'],
    ['ws:h', 'invalid URL "ws:h": expected ws://host after the scheme (did you mean ws://h?)'],
    ['WSS:/h/p', 'invalid URL "WSS:/h/p": expected wss://host after the scheme (did you mean wss://h/p?)'],
    ['http:/x', 'invalid URL "http:/x": expected http://host after the scheme (did you mean http://x?)'],
    ['ws:', 'invalid URL "ws:": expected ws://host after the scheme'],
    ['ws+unix:/tmp/s', 'invalid URL "ws+unix:/tmp/s": expected ws+unix:///path/to.sock after the scheme'],
    ['wss//h', 'invalid URL "wss//h": missing ":" after the scheme (did you mean wss://h?)'],
    ['https//h:1/p', 'invalid URL "https//h:1/p": missing ":" after the scheme (did you mean https://h:1/p?)'],
    ['99999', 'port 99999 is out of range (1–65535)'],
    [':0', 'port 0 is out of range (1–65535)'],
    ['ws://host:99999/', 'invalid URL "ws://host:99999/": port 99999 is out of range (1–65535)'],
    ['host:70000', 'invalid URL "host:70000": port 70000 is out of range (1–65535)'],
    ['ws://[::1]:0', 'invalid URL "ws://[::1]:0": port 0 is out of range (1–65535)'],
    ['ws://h:abc/', 'invalid URL "ws://h:abc/": port "abc" is not a number'],
    ['ws://', 'invalid URL "ws://": no host'],
    ['http://', 'invalid URL "http://": no host'],
    ['://x', 'invalid URL "://x": no host'],
    ['ws://user@:80/', 'invalid URL "ws://user@:80/": no host'],
  ])('%j', (input, error) => {
    expect(normalizeUrl(input)).toEqual({ ok: false, error });
  });
});

describe('looksLikeUrl: a first word meant as a URL, not a command', () => {
  it.each([
    'ws://h',
    'ws:/h',
    'wss//h',
    'http:/x',
    'localhost',
    'localhost:8080',
    'example.com',
    'example.com/chat',
    '127.0.0.1',
    '[::1]:80',
    '9102',
    ':9102',
    'user@host',
    'backend:8080',
    '',
  ])('%j is', (word) => {
    expect(looksLikeUrl(word)).toBe(true);
  });

  it.each(['echoo', 'version', 'conect', 'frobnicate', 'ECHO', '-'])('%j is not', (word) => {
    expect(looksLikeUrl(word)).toBe(false);
  });
});
