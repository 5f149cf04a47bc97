import { describe, expect, it } from 'vitest';
import { parseCredentials } from '../../src/server/credentials.js';
import {
  AUTH_REALM,
  admit,
  checkBasicAuth,
  chooseSubprotocol,
  httpResponse,
  normalizeOrigin,
  originAllowed,
} from '../../src/server/policy.js';

const basic = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;
const ada = { user: 'ada', password: 'pa:ss wörd' };

describe('parseCredentials', () => {
  it.each([
    ['ada:secret', { ok: true, value: { user: 'ada', password: 'secret' } }],
    ['ada:pa:ss', { ok: true, value: { user: 'ada', password: 'pa:ss' } }],
    ['ada:', { ok: true, value: { user: 'ada', password: '' } }],
    ['ada', { ok: false, error: 'expected user:password, got "ada"' }],
    [':secret', { ok: false, error: 'expected user:password with a non-empty user' }],
  ])('parses %j', (text, expected) => {
    expect(parseCredentials(text)).toEqual(expected);
  });
});

describe('checkBasicAuth', () => {
  it.each([
    [basic('ada:pa:ss wörd'), true],
    [`basic ${Buffer.from('ada:pa:ss wörd').toString('base64')}`, true],
    [basic('ada:pa:ss word'), false],
    [basic('ADA:pa:ss wörd'), false],
    [basic('ada'), false],
    [basic(''), false],
    ['Bearer abc', false],
    ['Basic', false],
    ['Basic !!!', false],
    [undefined, false],
  ])('accepts %j: %s', (header, accepted) => {
    expect(checkBasicAuth(header, ada)).toBe(accepted);
  });
});

describe('origins', () => {
  it.each([
    ['https://App.Example', 'https://app.example'],
    ['https://app.example:443', 'https://app.example'],
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://127.0.0.1:8080/path?q', 'http://127.0.0.1:8080'],
    ['null', 'null'],
    ['not a url', 'not a url'],
  ])('normalizes %j to %j', (origin, normal) => {
    expect(normalizeOrigin(origin)).toBe(normal);
  });

  it.each([
    [undefined, [], true],
    ['https://evil.example', [], false],
    ['http://localhost:3000', [], true],
    ['https://evil.example', ['*'], true],
    [undefined, ['*'], true],
    ['https://app.example', ['https://APP.example:443'], true],
    ['https://app.example', ['http://app.example'], false],
    ['https://app.example:8443', ['https://app.example'], false],
    [undefined, ['https://app.example'], false],
    ['null', ['https://app.example'], false],
  ])('allows origin %j with list %j: %s', (origin, list, allowed) => {
    expect(originAllowed(origin, list)).toBe(allowed);
  });
});

describe('chooseSubprotocol', () => {
  it.each([
    [['a', 'b'], [], 'a'],
    [['a', 'b'], ['b', 'a'], 'a'],
    [['x', 'json', 'chat'], ['chat', 'json'], 'json'],
    [['x'], ['chat'], false],
    [[], ['chat'], false],
    [[], [], false],
  ])('from offered %j and accepted %j picks %j', (offered, accepted, chosen) => {
    expect(chooseSubprotocol(new Set(offered), accepted)).toBe(chosen);
  });
});

describe('admit', () => {
  const policy = { origins: ['https://app.example'], credentials: ada, maxClients: 2 };
  const good = { origin: 'https://app.example', authorization: basic('ada:pa:ss wörd') };

  it('lets a request in when origin, credentials and room are all right', () => {
    expect(admit(good, policy, 1)).toBeNull();
    expect(admit({}, { origins: [] }, 1000)).toBeNull();
  });

  it('checks the origin first (403), then credentials (401 with a challenge), then room (503)', () => {
    expect(admit({ ...good, origin: 'https://evil.example' }, policy, 5)).toEqual({
      status: 403,
      reason: 'origin "https://evil.example" is not on the --origin list',
    });
    expect(admit({ origin: good.origin }, policy, 5)).toEqual({
      status: 401,
      reason: 'no credentials',
      headers: { 'WWW-Authenticate': AUTH_REALM },
    });
    expect(admit({ ...good, authorization: basic('ada:nope') }, policy, 5)?.reason).toBe('wrong credentials');
    expect(admit(good, policy, 2)).toEqual({
      status: 503,
      reason: '--max-clients 2 reached',
      headers: { 'Retry-After': '1' },
    });
  });

  it('reads the origin of protocol version 8 clients from Sec-WebSocket-Origin', () => {
    expect(
      admit({ 'sec-websocket-origin': 'https://app.example' }, { origins: ['https://app.example'] }, 0),
    ).toBeNull();
  });
});

describe('httpResponse', () => {
  it('is a complete HTTP/1.1 response that closes the connection', () => {
    expect(httpResponse(403, 'nope ✗\n', { 'X-Why': 'origin' })).toBe(
      'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
        'Content-Length: 9\r\nX-Why: origin\r\n\r\nnope ✗\n',
    );
  });
});
