import { describe, expect, it } from 'vitest';
import { parseProxyUrl, proxyFor } from '../../src/protocol/proxy.js';

const P = 'http://proxy.test:3128';

describe('proxyFor', () => {
  it.each<[string, string, string | undefined, Record<string, string>, string | null]>([
    ['no proxy anywhere', 'ws://h/', undefined, {}, null],
    ['--proxy wins over the environment', 'ws://h/', 'http://flag:1', { HTTP_PROXY: P }, 'flag'],
    ['HTTP_PROXY for ws', 'ws://h/', undefined, { HTTP_PROXY: P }, 'proxy.test'],
    ['http_proxy for ws', 'ws://h/', undefined, { http_proxy: P }, 'proxy.test'],
    ['not HTTPS_PROXY for ws', 'ws://h/', undefined, { HTTPS_PROXY: P }, null],
    ['HTTPS_PROXY for wss', 'wss://h/', undefined, { HTTPS_PROXY: P }, 'proxy.test'],
    ['not HTTP_PROXY for wss', 'wss://h/', undefined, { HTTP_PROXY: P }, null],
    ['NO_PROXY exact host', 'ws://h.test/', undefined, { HTTP_PROXY: P, NO_PROXY: 'h.test' }, null],
    ['NO_PROXY domain suffix', 'ws://a.h.test/', undefined, { HTTP_PROXY: P, NO_PROXY: 'h.test' }, null],
    ['NO_PROXY leading dot', 'ws://a.h.test/', undefined, { HTTP_PROXY: P, NO_PROXY: '.h.test' }, null],
    [
      'NO_PROXY not a suffix of a longer name',
      'ws://ah.test/',
      undefined,
      { HTTP_PROXY: P, NO_PROXY: 'h.test' },
      'proxy.test',
    ],
    ['NO_PROXY star', 'ws://x/', undefined, { HTTP_PROXY: P, NO_PROXY: '*' }, null],
    ['NO_PROXY with the port', 'ws://h:8080/', undefined, { HTTP_PROXY: P, NO_PROXY: 'h:8080' }, null],
    ['NO_PROXY with another port', 'ws://h:8081/', undefined, { HTTP_PROXY: P, NO_PROXY: 'h:8080' }, 'proxy.test'],
    [
      'NO_PROXY list with spaces',
      'ws://127.0.0.1:1/',
      undefined,
      { HTTP_PROXY: P, NO_PROXY: 'localhost, 127.0.0.1' },
      null,
    ],
    ['NO_PROXY ignored for --proxy', 'ws://h/', P, { NO_PROXY: '*' }, 'proxy.test'],
    ['never for ws+unix', 'ws+unix:///s.sock:/x', P, {}, null],
  ])('%s', (_name, url, flag, vars, host) => {
    const result = proxyFor(url, flag, vars);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value?.host ?? null).toBe(host);
  });
});

describe('parseProxyUrl', () => {
  it('reads host, port (default 80) and decoded credentials, and hides them from the display form', () => {
    expect(parseProxyUrl('http://u%40x:p%3As@proxy:3128')).toEqual({
      ok: true,
      value: { display: 'http://proxy:3128', host: 'proxy', port: 3128, auth: 'u@x:p:s' },
    });
    expect(parseProxyUrl('proxy.test')).toEqual({
      ok: true,
      value: { display: 'http://proxy.test', host: 'proxy.test', port: 80, auth: undefined },
    });
  });

  it.each(['https://proxy:443', 'socks5://p:1080', 'http://'])('rejects %s', (text) => {
    expect(parseProxyUrl(text).ok).toBe(false);
  });
});
