/**
 * `connect --socketio` against the real `socket.io` servers, v4 (Engine.IO 4) and v2 (Engine.IO 3), and
 * against raw servers that speak just enough Engine.IO to go silent. Both ends are asserted: what the
 * CLI printed and exited with, and what the server received.
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './support/cli.js';
import { frame, Opcode } from './support/frames.js';
import { startRawServer } from './support/raw-server.js';
import { ATTACHMENT, startSocketIoServer } from './support/socketio-servers.js';

const VERSIONS = [
  { version: 4 as const, eio: [] as string[] },
  { version: 2 as const, eio: ['--eio', '3'] },
];

type Json = Record<string, unknown>;
const socketio = (lines: Json[], type?: string): Json[] =>
  lines.filter((l) => l.event === 'socketio' && (type === undefined || l.type === type));

describe.each(VERSIONS)('Socket.IO v$version', ({ version, eio }) => {
  it('receives the welcome event emitted on connection, emits with several args and sees the ack', async () => {
    const server = await startSocketIoServer(version);
    const result = await runCli([
      'connect',
      server.url,
      '--socketio',
      ...eio,
      '--emit',
      'chat "hi" 42 {"from":"ann"} [1,2] null',
      '--emit-ack',
      'chat "with ack"',
      '--no-stdin',
      '--json',
      '-w',
      '1',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = jsonLines(result.out);
    const events = socketio(lines, 'event').filter((l) => l.dir === 'in');
    expect(events[0]).toMatchObject({ ns: '/', name: 'welcome', args: ['hello', { from: 'server', version }] });
    // The server got both emits, every argument intact.
    expect(server.received.filter((r) => r.name === 'chat').map((r) => r.args)).toEqual([
      ['hi', 42, { from: 'ann' }, [1, 2], null],
      ['with ack'],
    ]);
    const ack = socketio(lines, 'ack')[0];
    expect(ack).toMatchObject({ dir: 'in', ns: '/', ackId: 0, args: ['ok', 1] });
    expect(typeof ack.rttMs).toBe('number');
    expect(socketio(lines, 'open')[0].open).toMatchObject({ pingInterval: 25000 });
  });

  it('shows events as the JSON array lines of a pipe, and a binary attachment with its bytes', async () => {
    const server = await startSocketIoServer(version);
    const result = await runCli([
      'connect',
      server.url,
      '--socketio',
      ...eio,
      '--emit',
      'bin',
      '--no-stdin',
      '--count',
      '2',
    ]);
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(JSON.parse(lines[0])).toEqual(['welcome', 'hello', { from: 'server', version }]);
    expect(JSON.parse(lines[1])).toEqual(['file', { $binary: ATTACHMENT.toString('base64') }, 'report.bin']);
    expect(Buffer.from((JSON.parse(lines[1])[1] as { $binary: string }).$binary, 'base64').equals(ATTACHMENT)).toBe(
      true,
    );
    expect(server.received.map((r) => r.name)).toEqual(['bin']);
  });

  it('sends piped JSON arrays as events with their args; a line that is not one is exit 2 naming it', async () => {
    const server = await startSocketIoServer(version);
    const good = await runCli(['connect', server.url, '--socketio', ...eio, '-w', '0.5'], {
      stdin: '["chat","a",1]\n["chat",{"x":[1,2]},true]\n',
    });
    expect(good.code).toBe(0);
    expect(server.received.map((r) => r.args)).toEqual([
      ['a', 1],
      [{ x: [1, 2] }, true],
    ]);
    const bad = await runCli(['connect', server.url, '--socketio', ...eio, '-w', '0.5'], {
      stdin: '["chat","before"]\n{"not":"an array"}\n["chat","after"]\n',
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('stdin line 2: expected a JSON array starting with the event name');
    await server.waitForReceived(3);
    expect(server.received.slice(2).map((r) => r.args)).toEqual([['before']]);
  });

  it('connects a namespace whose middleware accepts the token, and exits 5 with its message on another', async () => {
    const server = await startSocketIoServer(version);
    const accepted = await runCli([
      'connect',
      `${server.url}/admin`,
      '--socketio',
      ...eio,
      '--socketio-auth',
      '{"token":"good"}',
      '--emit',
      'chat "to admin"',
      '--no-stdin',
      '-w',
      '1',
      '--json',
    ]);
    expect(accepted.code).toBe(0);
    const lines = jsonLines(accepted.out);
    expect(socketio(lines, 'connect').filter((l) => l.dir === 'in' && l.ns === '/admin')).toHaveLength(1);
    expect(socketio(lines, 'event').some((l) => l.ns === '/admin' && l.name === 'welcome')).toBe(true);
    expect(server.received).toEqual([{ ns: '/admin', name: 'chat', args: ['to admin'] }]);

    const refused = await runCli([
      'connect',
      server.url,
      '--namespace',
      '/admin',
      '--socketio',
      ...eio,
      '--socketio-auth',
      '{"token":"bad"}',
      '--emit',
      'chat "never"',
      '--no-stdin',
    ]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('wsprobe: Socket.IO namespace /admin refused the connection: bad token');
    expect(server.received).toHaveLength(1);
  });

  it('stays up across heartbeats by itself (pingInterval 150 ms), shown with -P', async () => {
    const server = await startSocketIoServer(version, { pingInterval: 150, pingTimeout: 2000 });
    const result = await runCli([
      'connect',
      server.url,
      '--socketio',
      ...eio,
      '--no-stdin',
      '-w',
      '1.2',
      '-P',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const lines = jsonLines(result.out);
    const [asks, answers] = version === 4 ? ['ping', 'pong'] : ['pong', 'ping'];
    // Engine.IO 4: the server pings and we answer; Engine.IO 3: we ping and the server answers.
    expect(socketio(lines, asks).filter((l) => l.dir === 'in').length).toBeGreaterThanOrEqual(3);
    expect(socketio(lines, answers).filter((l) => l.dir === 'out').length).toBeGreaterThanOrEqual(3);
    expect(lines.find((l) => l.event === 'close')).toMatchObject({ code: 1000, by: 'client', clean: true });
  });

  it('-vv still shows the raw frames and Engine.IO messages under the events', async () => {
    const server = await startSocketIoServer(version);
    const result = await runCli([
      'connect',
      server.url,
      '--socketio',
      ...eio,
      '--emit',
      'chat "x"',
      '--no-stdin',
      '--expect-event',
      'welcome',
      '-vv',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const lines = jsonLines(result.out);
    const raw = lines.filter((l) => l.event === 'message').map((l) => `${l.dir} ${l.data}`);
    expect(raw).toContain(`in 42["welcome","hello",{"from":"server","version":${version}}]`);
    expect(raw).toContain('out 42["chat","x"]');
    expect(lines.filter((l) => l.event === 'frame').length).toBeGreaterThanOrEqual(4);
    expect(socketio(lines, 'event').length).toBeGreaterThanOrEqual(2);
    await server.waitForEvent('chat');
  });

  it('--expect-event: 0 when the event comes, 8 when the connection ends without it', async () => {
    const server = await startSocketIoServer(version);
    const met = await runCli(['connect', server.url, '--socketio', ...eio, '--no-stdin', '--expect-event', 'welcome']);
    expect(met.code).toBe(0);
    expect(met.out).toContain('["welcome","hello"');
    const unmet = await runCli([
      'connect',
      server.url,
      '--socketio',
      ...eio,
      '--no-stdin',
      '--expect-event',
      'goodbye',
      '-w',
      '0.5',
    ]);
    expect(unmet.code).toBe(8);
    expect(unmet.stderr).toContain('expectation not met: --expect-event "goodbye"');
    expect(server.connections).toBe(2);
  });
});

/** An Engine.IO open packet as a server text frame. */
const open = (pingInterval: number, pingTimeout: number) =>
  frame({
    opcode: Opcode.Text,
    payload: `0${JSON.stringify({ sid: 'raw', upgrades: [], pingInterval, pingTimeout })}`,
  });

describe('a server that stops heartbeating', () => {
  it('Engine.IO 4: no ping within pingInterval + pingTimeout is a lost connection (exit 6)', async () => {
    const server = await startRawServer(async (peer) => {
      peer.accept();
      peer.write(open(100, 100));
      // The namespace CONNECT, answered; then nothing, ever.
      const connect = await peer.nextFrame((f) => f.opcode === Opcode.Text);
      if (connect.payload.toString() === '40') peer.write(frame({ opcode: Opcode.Text, payload: '40{"sid":"ns"}' }));
    });
    const started = Date.now();
    const result = await runCli(['connect', server.url, '--socketio', '--no-stdin', '--keep-open', '--timeout', '20']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('connection lost: no Engine.IO ping from the server within 200 ms');
    expect(Date.now() - started).toBeLessThan(15000);
    expect(server.peers[0].request.path).toBe('/socket.io/?EIO=4&transport=websocket');
  });

  it('Engine.IO 3: a ping not answered within pingTimeout is a lost connection (exit 6)', async () => {
    const server = await startRawServer(async (peer) => {
      peer.accept();
      peer.write(open(100, 150), frame({ opcode: Opcode.Text, payload: '40' }));
    });
    const result = await runCli([
      'connect',
      server.url,
      '--socketio',
      '--eio',
      '3',
      '--no-stdin',
      '--keep-open',
      '--timeout',
      '20',
    ]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('connection lost: no Engine.IO pong within 150 ms of our ping');
    // What the server saw: our ping.
    const texts = server.peers[0].frames.filter((f) => f.opcode === Opcode.Text).map((f) => f.payload.toString());
    expect(texts).toContain('2');
  });
});
