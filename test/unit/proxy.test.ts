import { describe, expect, it } from 'vitest';
import { flowOf, sideLabel } from '../../src/output/describe.js';
import { parseInputLine } from '../../src/protocol/slash.js';
import { LOST_CODES, passedClose } from '../../src/proxy/relay.js';
import { forwardedHeaders, offeredSubprotocols, refusalHeaders, upstreamUrl } from '../../src/proxy/target.js';

describe('upstreamUrl', () => {
  it.each([
    ['a path is appended to the upstream path', 'ws://up:9000/base', '/chat?room=1', 'ws://up:9000/base/chat?room=1'],
    ['no double slash', 'ws://up:9000/base/', '/chat', 'ws://up:9000/base/chat'],
    ['upstream at its root', 'ws://up:9000/', '/chat', 'ws://up:9000/chat'],
    ['a request for / asks for the upstream URL as given', 'wss://up/base', '/', 'wss://up/base'],
    ["the upstream's query first", 'ws://up/base?key=1', '/x?y=2', 'ws://up/base/x?key=1&y=2'],
    ['only a query', 'ws://up/base', '/?y=2', 'ws://up/base?y=2'],
    ['a Unix socket URL', 'ws+unix:///tmp/s.sock:/base', '/chat', 'ws+unix:///tmp/s.sock:/base/chat'],
  ])('%s', (_name, base, path, expected) => {
    expect(upstreamUrl(base, path)).toBe(expected);
  });
});

describe('forwardedHeaders', () => {
  const raw = [
    'Host',
    '127.0.0.1:8080',
    'Connection',
    'Upgrade, X-Hop',
    'Upgrade',
    'websocket',
    'Sec-WebSocket-Key',
    'abc',
    'Sec-WebSocket-Version',
    '13',
    'Sec-WebSocket-Extensions',
    'permessage-deflate',
    'Sec-WebSocket-Protocol',
    'chat',
    'X-Hop',
    'only for this hop',
    'Origin',
    'http://localhost:3000',
    'Cookie',
    'a=1',
    'Authorization',
    'Bearer t',
    'X-Custom',
    'kept',
    'X-Custom',
    'twice',
  ];

  it('keeps end-to-end headers in order and case, drops hop-by-hop, handshake and Connection-named ones', () => {
    expect(forwardedHeaders(raw, new Set())).toEqual([
      ['Origin', 'http://localhost:3000'],
      ['Cookie', 'a=1'],
      ['Authorization', 'Bearer t'],
      ['X-Custom', 'kept'],
      ['X-Custom', 'twice'],
    ]);
  });

  it('drops the names the command line replaces', () => {
    expect(forwardedHeaders(raw, new Set(['authorization', 'origin', 'x-custom']))).toEqual([['Cookie', 'a=1']]);
  });
});

describe('offeredSubprotocols', () => {
  it.each([
    [undefined, []],
    ['chat', ['chat']],
    ['chat.v1, chat.v2', ['chat.v1', 'chat.v2']],
    [
      ['a, b', 'c'],
      ['a', 'b', 'c'],
    ],
    [' , x ,', ['x']],
  ])('%j → %j', (header, expected) => {
    expect(offeredSubprotocols(header as string | string[] | undefined)).toEqual(expected);
  });
});

it('passes WWW-Authenticate, Location, Retry-After and Content-Type of a refusal, nothing else', () => {
  expect(
    refusalHeaders([
      ['WWW-Authenticate', 'Bearer'],
      ['Location', '/login'],
      ['Set-Cookie', 's=1'],
      ['Content-Type', 'text/plain'],
      ['Retry-After', '5'],
      ['Server', 'x'],
    ]),
  ).toEqual({ 'WWW-Authenticate': 'Bearer', Location: '/login', 'Content-Type': 'text/plain', 'Retry-After': '5' });
});

describe('passedClose', () => {
  it.each([
    [
      'a code and reason go on as they came',
      'upstream',
      { code: 4001, reason: 'bye', by: 'server' },
      { code: 4001, reason: 'bye' },
    ],
    ['1000 from the client', 'client', { code: 1000, reason: '', by: 'client' }, { code: 1000, reason: '' }],
    [
      '1005 (no code) goes on as a close frame without one',
      'client',
      { code: 1005, reason: '', by: 'client' },
      { reason: '' },
    ],
    [
      'a lost upstream closes the client with 1011',
      'upstream',
      { code: 1006, reason: '', by: 'none' },
      { lost: true, code: 1011, reason: 'upstream connection lost' },
    ],
    [
      'a lost client closes the upstream with 1001',
      'client',
      { code: 1006, reason: '', by: 'none' },
      { lost: true, code: 1001, reason: 'client connection lost' },
    ],
    [
      '1015 (TLS failed) counts as lost',
      'upstream',
      { code: 1015, reason: '', by: 'server' },
      { lost: true, code: 1011, reason: 'upstream connection lost' },
    ],
  ] as const)('%s', (_name, from, close, expected) => {
    expect(passedClose(from, close)).toEqual(expected);
  });

  it('documents its codes', () => {
    expect(LOST_CODES).toEqual({ client: 1001, upstream: 1011 });
  });
});

describe('the flow of a proxied event', () => {
  it.each([
    ['client', 'in', 'client>upstream', 'client → upstream '],
    ['upstream', 'in', 'upstream>client', 'upstream → client '],
    ['client', 'out', 'proxy>client', 'proxy → client '],
    ['upstream', 'out', 'proxy>upstream', 'proxy → upstream '],
  ] as const)('%s %s is %s', (side, dir, flow, label) => {
    expect(flowOf({ side, dir })).toBe(flow);
    expect(sideLabel({ event: 'message', time: 0, conn: 1, side, dir, data: Buffer.alloc(0), binary: false })).toBe(
      label,
    );
  });

  it('other events name their side; events of other commands have none', () => {
    expect(
      sideLabel({ event: 'open', time: 0, conn: 1, side: 'upstream', url: 'ws://x', protocol: '', extensions: '' }),
    ).toBe('upstream: ');
    expect(flowOf({ dir: 'in' })).toBeUndefined();
  });
});

describe('/client and /server at a proxy prompt', () => {
  it.each([
    [
      '/client 2 /hex 00ff',
      { cmd: 'inject', side: 'client', id: 2, command: { cmd: 'send', data: Buffer.from([0, 255]), binary: true } },
    ],
    [
      '/server 2 {"op":"ping"}',
      {
        cmd: 'inject',
        side: 'upstream',
        id: 2,
        command: { cmd: 'send', data: Buffer.from('{"op":"ping"}'), binary: false },
      },
    ],
    [
      '/server 1 /close 4000 bye',
      { cmd: 'inject', side: 'upstream', id: 1, command: { cmd: 'close', code: 4000, reason: 'bye' } },
    ],
    ['/client 3 /ping hi', { cmd: 'inject', side: 'client', id: 3, command: { cmd: 'ping', data: Buffer.from('hi') } }],
    ['/clients', { cmd: 'clients' }],
    ['/close 2 4000 go', { cmd: 'close-client', id: 2, code: 4000, reason: 'go' }],
  ])('%s', (line, expected) => {
    expect(parseInputLine(line, 'proxy')).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['/client x hi', 'expected a client id'],
    ['/server 2 /clients', '/server 2: "/clients" is not for one client'],
    ['/to 2 hi', 'unknown command "/to"'],
    ['/ping', 'unknown command "/ping"'],
  ])('%s is refused: %s', (line, message) => {
    const parsed = parseInputLine(line, 'proxy');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(message);
  });

  it('exists only at a proxy prompt', () => {
    expect(parseInputLine('/client 2 hi', 'server').ok).toBe(false);
    expect(parseInputLine('/server 2 hi', 'client').ok).toBe(false);
  });
});
