/**
 * argv → behaviour, in-process: `run(argv, env)` with a fake Env (streams, TTY flags, signals) against
 * a real `ws` server. Which flags give which output mode, which exit code, which lines — without
 * spawning a process per row.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/main.js';
import { startServer, type TestServer } from '../e2e/support/ws-peers.js';
import { type FakeEnv, type FakeEnvOptions, fakeEnv } from './fake-env.js';

/** A server that answers "hi" with "hi" and "close4001" with a 4001 close. */
async function server(): Promise<TestServer> {
  return startServer({
    echo: false,
    onConnection: (ws) =>
      ws.on('message', (data, isBinary) => {
        if (data.toString() === 'close4001') ws.close(4001, 'as asked');
        else ws.send(data, { binary: isBinary });
      }),
  });
}

async function runIn(argv: string[], o: FakeEnvOptions & { stdin?: string } = {}) {
  const env = fakeEnv(o);
  if (o.stdin !== undefined) env.stdin.end(o.stdin);
  const code = await run(argv, env);
  return { code, out: env.out(), err: env.err(), env };
}

const json = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('run(argv, env): output modes', () => {
  it.each<[string, string[], FakeEnvOptions, (r: { out: string; err: string }) => void]>([
    [
      'stdout not a terminal → pipe mode: payloads on stdout, status on stderr',
      ['-x', 'hi', '-w', '0.2'],
      {},
      (r) => {
        expect(r.out).toBe('hi\n');
        expect(r.err).toMatch(/^connected to ws:\/\/127\.0\.0\.1:\d+\/ \(subprotocol: none, extensions: /m);
        expect(r.err).toContain('closed 1000 (Normal Closure) by client, clean');
      },
    ],
    [
      'pipe mode with -q: only payloads',
      ['-x', 'hi', '-w', '0.2', '-q'],
      {},
      (r) => {
        expect(r.out).toBe('hi\n');
        expect(r.err).toBe('');
      },
    ],
    [
      'stdout a terminal → pretty mode: the session log on stdout',
      ['-x', 'hi', '-w', '0.2'],
      { stdoutIsTTY: true },
      (r) => {
        expect(r.out).toContain('> hi');
        expect(r.out).toContain('< hi');
        expect(r.out).toContain('closed 1000 (Normal Closure) by client, clean');
      },
    ],
    [
      '--pretty on a pipe → pretty mode',
      ['-x', 'hi', '-w', '0.2', '--pretty'],
      {},
      (r) => expect(r.out).toContain('< hi'),
    ],
    [
      '--json → NDJSON events on stdout, nothing on stderr',
      ['-x', 'hi', '-w', '0.2', '--json'],
      { stdoutIsTTY: true },
      (r) => {
        expect(json(r.out).map((e) => e.event)).toEqual([
          'connecting',
          'request',
          'response',
          'open',
          'message',
          'message',
          'close',
          'summary',
        ]);
        expect(r.err).toBe('');
      },
    ],
    [
      '--binary-output hex in pipe mode',
      ['--send-hex', '00ff', '-w', '0.2', '--binary-output', 'hex'],
      {},
      (r) => expect(r.out).toBe('00ff\n'),
    ],
  ])('%s', async (_, args, o, check) => {
    const s = await server();
    const r = await runIn(['connect', s.url, '--no-stdin', ...args], o);
    expect(r.code).toBe(0);
    check(r);
  });
});

describe('run(argv, env): exit codes and their one line', () => {
  it.each<[number, string, (url: string) => string[], RegExp]>([
    [
      0,
      'piped lines are sent, echoed, and the session ends on idle',
      (u) => [u, '-w', '0.2'],
      /closed 1000 \(Normal Closure\) by client, clean\n$/,
    ],
    [2, 'a close code out of range', (u) => [u, '--close-code', '999'], /^wsprobe: .*999/],
    [2, 'a malformed header', (u) => [u, '-H', 'no colon here'], /^wsprobe: .*header/i],
    [
      7,
      'the peer closes with 4001',
      (u) => [u, '-x', 'close4001', '--keep-open'],
      /closed 4001 \(Private Use\) by server/,
    ],
    [
      8,
      'an --expect the peer never meets',
      (u) => [u, '-x', 'hi', '--expect', 'nope', '-w', '0.2'],
      /expectation not met: --expect "nope"/,
    ],
    [124, 'a --timeout that passes first', (u) => [u, '--keep-open', '--timeout', '0.3'], /timed out after 0.3 s/],
    [
      3,
      'nothing listening',
      () => ['ws://127.0.0.1:1/'],
      /cannot connect to ws:\/\/127\.0\.0\.1:1\/: connection refused/,
    ],
  ])('exit %i: %s', async (code, _, argv, line) => {
    const s = await server();
    const r = await runIn(['connect', ...argv(s.url)], { stdin: 'one\ntwo\n' });
    expect(r.code).toBe(code);
    if (code === 0) expect(r.out).toBe('one\ntwo\n');
    if (code === 2) expect(r.err.split('\n').length).toBe(2);
    expect(r.err).toMatch(line);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.env.signalListeners()).toBe(0);
  });
});

describe('run(argv, env): signals', () => {
  async function interrupted(env: FakeEnv, argv: string[], ready: string, signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP') {
    const done = run(argv, env);
    await env.waitFor(ready, argv.includes('--json') ? 'out' : 'err');
    env.signal(signal);
    return done;
  }

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('connect: %s → close 1001, exit %i, interrupted then summary', async (signal, code) => {
    const s = await server();
    const env = fakeEnv();
    expect(await interrupted(env, ['connect', s.url, '--json', '--no-stdin', '--keep-open'], '"open"', signal)).toBe(
      code,
    );
    const events = json(env.out());
    expect(events.map((e) => e.event).slice(-2)).toEqual(['interrupted', 'summary']);
    expect(events.at(-1)).toMatchObject({ exitCode: code });
    expect(events.some((e) => e.event === 'error' || e.event === 'close')).toBe(false);
    expect((await s.waitForClose()).code).toBe(1001);
    expect(env.signalListeners()).toBe(0);
  });

  it.each([
    ['echo', 'SIGINT', 130],
    ['listen', 'SIGTERM', 143],
  ] as const)('%s: %s → exit %i, one interrupted line', async (command, signal, code) => {
    const env = fakeEnv();
    const args = command === 'listen' ? ['listen', '0', '--no-stdin'] : ['echo', '0'];
    expect(await interrupted(env, args, 'listening on', signal)).toBe(code);
    expect(env.err()).toMatch(new RegExp(`^interrupted \\((Ctrl\\+C, )?${signal}\\)$`, 'm'));
    expect(env.signalListeners()).toBe(0);
  });
});
