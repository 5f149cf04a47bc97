import { describe, expect, it } from 'vitest';
import { normalizeUrl } from '../../src/protocol/url.js';

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

  it.each(['ws://', 'http://', 'ws://exa mple.com/', 'ws://host:99999/', 'ws://[::1/', 'local host:80', '://x'])(
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
