/**
 * First contact (issue 14, item 4): the command lines a new user, a wscat user or a tired one types,
 * in-process through `run(argv, env)`. Each row gives its exit code and its one line; rows that must not
 * touch the network are watched where every connection passes (net-watch.ts) while a real listener on
 * 127.0.0.1 waits, and rows that must connect show up in the same watch and at that listener — so the
 * "nothing was connected to" rows cannot pass because the watch is blind.
 */
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { run } from '../../src/main.js';
import { startServer, type TestServer } from '../e2e/support/ws-peers.js';
import { type FakeEnv, fakeEnv } from './fake-env.js';
import { type ConnectionWatch, watchConnections } from './net-watch.js';

let watch: ConnectionWatch;
beforeEach(() => {
  watch = watchConnections();
});
afterEach(() => watch.restore());

async function runIn(argv: string[], o: { stdin?: string; env?: FakeEnv } = {}) {
  const env = o.env ?? fakeEnv();
  if (o.stdin !== undefined) env.stdin.end(o.stdin);
  const code = await run(argv, env);
  return { code, out: env.out(), err: env.err(), env };
}

/** stderr as its lines: every row here prints at most one. */
const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('typos and habits: exit 2, one line, nothing connected to', () => {
  it.each<[string, string[], string]>([
    ['a typo of a command', ['echoo'], 'wsprobe: unknown command "echoo" (did you mean echo?)'],
    ['a typo before a URL', ['conect', 'ws://x'], 'wsprobe: unknown command "conect" (did you mean connect?)'],
    ['a transposition', ['lsiten', '8080'], 'wsprobe: unknown command "lsiten" (did you mean listen?)'],
    ['help for a typo', ['help', 'ecoh'], 'wsprobe: unknown command "ecoh" (did you mean echo?)'],
    [
      'a bare word far from any command',
      ['frobnicate'],
      'wsprobe: unknown command "frobnicate" (the commands are connect, listen, echo, proxy, replay and mock; for a host named frobnicate, write ws://frobnicate)',
    ],
    ['ws:/h', ['ws:/h'], 'wsprobe: invalid URL "ws:/h": expected ws://host after the scheme (did you mean ws://h?)'],
    ['ws:h', ['ws:h'], 'wsprobe: invalid URL "ws:h": expected ws://host after the scheme (did you mean ws://h?)'],
    [
      'http:/x',
      ['http:/x'],
      'wsprobe: invalid URL "http:/x": expected http://host after the scheme (did you mean http://x?)',
    ],
    ['wss//h', ['wss//h'], 'wsprobe: invalid URL "wss//h": missing ":" after the scheme (did you mean wss://h?)'],
    [
      'wss//h under connect',
      ['connect', 'wss//h'],
      'wsprobe: invalid URL "wss//h": missing ":" after the scheme (did you mean wss://h?)',
    ],
    [
      'port 99999 in a URL',
      ['ws://127.0.0.1:99999/'],
      'wsprobe: invalid URL "ws://127.0.0.1:99999/": port 99999 is out of range (1–65535)',
    ],
    ['a bare port 99999', ['99999'], 'wsprobe: port 99999 is out of range (1–65535)'],
    ['-c with -l', ['-c', 'ws://x', '-l', '8080'], 'wsprobe: use either -c (connect) or -l (listen), not both'],
    ['-c with nothing after it', ['-c'], 'wsprobe: option -c needs a URL: wsprobe -c ws://host'],
  ])('%s', async (_, argv, line) => {
    const listener = await startServer();
    const r = await runIn(argv, { stdin: '' });
    expect(r.code).toBe(2);
    expect(lines(r.err)).toEqual([line]);
    expect(r.out).toBe('');
    expect(watch.attempts).toEqual([]);
    expect(listener.requests).toHaveLength(0);
  });

  it('under --json, a typo is also an error event and a summary', async () => {
    const r = await runIn(['--json', 'echoo']);
    expect(r.code).toBe(2);
    expect(lines(r.err)).toEqual(['wsprobe: unknown command "echoo" (did you mean echo?)']);
    const events = lines(r.out).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(['error', 'summary']);
    expect(events[0]).toMatchObject({ kind: 'usage', message: 'unknown command "echoo"', hint: 'did you mean echo?' });
    expect(watch.attempts).toEqual([]);
  });
});

describe('words that do what they say', () => {
  it('version prints the version, exit 0', async () => {
    const r = await runIn(['version']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(r.err).toBe('');
    expect(watch.attempts).toEqual([]);
  });

  it('help prints the help, exit 0', async () => {
    const r = await runIn(['help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: wsprobe');
    expect(watch.attempts).toEqual([]);
  });

  it('help connect is connect --help', async () => {
    const help = await runIn(['help', 'connect']);
    const flag = await runIn(['connect', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: wsprobe connect');
    expect(help.out).toBe(flag.out);
  });

  it('wsprobe alone: the usage on stderr, exit 2, nothing on stdout', async () => {
    const r = await runIn([]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain('Usage: wsprobe');
    expect(r.err).toMatch(/connect/);
    expect(r.err).toMatch(/listen/);
    expect(watch.attempts).toEqual([]);
  });
});

describe('a bare port is localhost: the listener on 127.0.0.1 gets the connection', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
  });

  it.each<[string, (port: number) => string[]]>([
    ['PORT', (port) => [String(port)]],
    [':PORT', (port) => [`:${port}`]],
    ['connect PORT', (port) => ['connect', String(port)]],
    [':PORT/path', (port) => [`:${port}/chat`]],
  ])('%s', async (_, target) => {
    const r = await runIn([...target(server.port), '-x', 'hi', '-w', '0.2'], { stdin: '' });
    expect(r.code).toBe(0);
    expect(r.out).toBe('hi\n');
    expect(r.err).toContain(`connected to ws://localhost:${server.port}/`);
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
    expect(watch.attempts).toEqual([{ host: 'localhost', port: server.port, path: undefined }]);
  });
});

describe('options before the command', () => {
  it('--json connect URL', async () => {
    const server = await startServer();
    const r = await runIn(['--json', 'connect', server.url, '-x', 'hi', '-w', '0.2'], { stdin: '' });
    expect(r.code).toBe(0);
    const events = lines(r.out).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.event === 'message').map((e) => [e.dir, e.data])).toEqual([
      ['out', 'hi'],
      ['in', 'hi'],
    ]);
    expect(r.err).toBe('');
  });

  it('-v URL shows the handshake', async () => {
    const server = await startServer();
    const r = await runIn(['-v', server.url, '-x', 'hi', '-w', '0.2'], { stdin: '' });
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^> GET \/ HTTP\/1\.1/m);
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
  });

  it('-q -x msg connect URL: the values stay with their options', async () => {
    const server = await startServer();
    const r = await runIn(['-q', '-x', 'first', 'connect', server.url, '-x', 'second', '-w', '0.2'], { stdin: '' });
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(server.received.map((m) => m.data.toString())).toEqual(['first', 'second']);
  });
});

describe("wscat's command lines", () => {
  it('-c URL -x msg sends it, reads no stdin (left open here) and closes', async () => {
    const server = await startServer();
    const r = await runIn(['-c', server.url, '-x', 'hi', '-w', '0.2']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('hi\n');
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
    expect((await server.waitForClose()).code).toBe(1000);
  });

  it('-c URL -x msg without -w waits 2 s, as wscat does', async () => {
    const server = await startServer();
    const started = Date.now();
    const r = await runIn(['-c', server.url, '-x', 'hi']);
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
  });

  it('-c URL reads stdin like wscat when there is no -x', async () => {
    const server = await startServer();
    const r = await runIn(['-c', server.url, '-w', '0.2'], { stdin: 'one\ntwo\n' });
    expect(r.code).toBe(0);
    expect(server.received.map((m) => m.data.toString())).toEqual(['one', 'two']);
  });

  it('-n -P -L --slash are accepted', async () => {
    const server = await startServer();
    const r = await runIn(['-c', server.url, '-n', '-P', '-L', '--slash', '-x', 'hi', '-w', '0.2']);
    expect(r.code).toBe(0);
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
  });

  it('-H, -s, -o, --host and -p reach the request', async () => {
    const server = await startServer();
    const r = await runIn([
      '-c',
      server.url,
      '-H',
      'X-Test:1',
      '-s',
      'chat',
      '-o',
      'http://example.org',
      '--host',
      'example.net',
      '-p',
      '13',
      '-x',
      'hi',
      '-w',
      '0.2',
    ]);
    expect(r.code).toBe(0);
    const { headers } = server.requests[0];
    expect(headers['x-test']).toBe('1');
    expect(headers['sec-websocket-protocol']).toBe('chat');
    expect(headers.origin).toBe('http://example.org');
    expect(headers.host).toBe('example.net');
    expect(headers['sec-websocket-version']).toBe('13');
  });

  it.each([
    ['-c URL -x msg -w -1', (url: string) => ['-c', url, '-x', 'hi', '-w', '-1']],
    ['connect URL -w -1', (url: string) => ['connect', url, '-x', 'hi', '--no-stdin', '-w', '-1']],
  ])('%s keeps the connection open until the server closes', async (_, argv) => {
    // Closes 1.5 s after the message: later than the default -w (1 s) and wscat's 2 s would have waited.
    const server = await startServer({
      onConnection: (ws) => ws.on('message', () => setTimeout(() => ws.close(1000, 'done'), 1500)),
    });
    const r = await runIn(argv(server.url));
    expect(r.code).toBe(0);
    expect(r.err).toContain('by server');
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
  });

  it('-l PORT listens: a client connects and its message is shown', async () => {
    const env = fakeEnv();
    const running = runIn(['-l', '0', '--once'], { env });
    await env.waitFor(/listening on ws:\/\/127\.0\.0\.1:\d+/, 'err');
    const port = Number(/listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(env.err())?.[1]);
    const client = new WebSocket(`ws://127.0.0.1:${port}`);
    await once(client, 'open');
    client.send('hello');
    await env.waitFor('hello');
    client.close(1000);
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.out).toContain('hello');
  });
});
