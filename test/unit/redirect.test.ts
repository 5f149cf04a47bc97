/** Where -L may follow a redirect (issue 13, item 10), and whether the user's headers go along. */
import { describe, expect, it } from 'vitest';
import { redirectTarget } from '../../src/protocol/redirect.js';

const FIRST = 'ws://api.example:8080/ws';

describe('redirectTarget', () => {
  it.each<[string, string, string, string, boolean]>([
    ['a path on the same host', FIRST, '/v2', 'ws://api.example:8080/v2', true],
    [
      'an absolute ws:// URL on the same host',
      FIRST,
      'ws://api.example:8080/x?y=1',
      'ws://api.example:8080/x?y=1',
      true,
    ],
    [
      'ws:// up to wss:// on the same host name (default ports)',
      'ws://h.example/a',
      'wss://h.example/b',
      'wss://h.example/b',
      true,
    ],
    ['http:// read as ws://', FIRST, 'http://api.example:8080/x', 'ws://api.example:8080/x', true],
    ['https:// read as wss://', 'wss://h.example/', 'https://h.example/x', 'wss://h.example/x', true],
    ['another port is another host', FIRST, 'ws://api.example:9090/x', 'ws://api.example:9090/x', false],
    ['another host name', FIRST, 'ws://other.example:8080/x', 'ws://other.example:8080/x', false],
    ['host names compare without case', FIRST, 'ws://API.Example:8080/x', 'ws://api.example:8080/x', true],
    ['a fragment is dropped', FIRST, '/x#frag', 'ws://api.example:8080/x', true],
  ])('follows %s', (_name, from, location, url, sameHost) => {
    expect(redirectTarget(from, from, location)).toEqual({ ok: true, url, sameHost });
  });

  it('judges "another host" against the URL the user gave, not the previous hop', () => {
    const hop = 'ws://other.example/x';
    expect(redirectTarget(FIRST, hop, 'ws://api.example:8080/back')).toMatchObject({ ok: true, sameHost: true });
    expect(redirectTarget(FIRST, hop, '/next')).toMatchObject({ ok: true, sameHost: false });
  });

  it.each([
    ['ws+unix:///run/docker.sock:/containers/json', 'not following it to ws+unix://'],
    ['file:///etc/passwd', 'not following it to file://'],
    ['gopher://127.0.0.1:70/', 'not following it to gopher://'],
    ['javascript:alert(1)', 'not following it to javascript://'],
  ])('refuses %s', (location, message) => {
    const decision = redirectTarget(FIRST, FIRST, location);
    expect(decision.ok).toBe(false);
    expect(decision.ok ? '' : decision.message).toContain(message);
  });

  it('refuses wss:// down to ws:// (and https:// down to http://), even on the same host', () => {
    for (const location of ['ws://h.example/x', 'http://h.example/x']) {
      expect(redirectTarget('wss://h.example/', 'wss://h.example/', location)).toEqual({
        ok: false,
        message: 'not following it from wss:// down to unencrypted ws://',
      });
    }
  });

  it('a Location that is not a URL is refused, quoted', () => {
    expect(redirectTarget('ws+unix:///s.sock', 'ws+unix:///s.sock', 'http://[::1')).toEqual({
      ok: false,
      message: 'its Location is not a valid URL: "http://[::1"',
    });
  });

  it('from a ws+unix:// URL, nothing counts as the same host', () => {
    expect(redirectTarget('ws+unix:///s.sock:/a', 'ws+unix:///s.sock:/a', 'ws://localhost/b')).toMatchObject({
      ok: true,
      sameHost: false,
    });
  });
});
