/**
 * Signals tell the truth (issue 12): Ctrl+C, SIGTERM and SIGHUP end a session with 128 + signal, send
 * close 1001 when a connection is open, and never report a failure that did not happen.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { onCleanup } from './support/cleanup.js';
import { jsonLines, startCli, startServerCli } from './support/cli.js';
import { startPty } from './support/pty.js';
import { openClient, startServer } from './support/ws-peers.js';

/** Nothing a signal causes may read like a fault. */
const FALSE_FAULTS = /lost|did not answer|1006|Abnormal|was closed before the connection/i;

/** A TCP server that accepts and never answers: the client stays in its opening handshake. */
async function blackHole(): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
}

describe('connect: signals', () => {
  it('Ctrl+C in an open session (pty): close 1001 reaches the server, exit 130, no fault reported', async () => {
    const server = await startServer();
    const cli = startPty(['connect', server.url, '--no-history']);
    await cli.waitForScreen('connected to');
    cli.type('\x03');
    expect(await cli.exit).toBe(130);
    expect((await server.waitForClose()).code).toBe(1001);
    const screen = (await cli.screen()).join('\n');
    expect(screen).toContain('interrupted (Ctrl+C, SIGINT)');
    expect(screen).not.toMatch(FALSE_FAULTS);
  });

  it('Ctrl+C on a pty with --json: interrupted, then the summary with exitCode 130; no error event', async () => {
    const server = await startServer();
    const cli = startPty(['connect', server.url, '--json', '--no-history']);
    await cli.waitForScreen('"event":"open"');
    cli.type('\x03');
    expect(await cli.exit).toBe(130);
    const events = cli
      .raw()
      .split(/\r?\n/)
      .map((l) => l.slice(l.indexOf('{')))
      .filter((l) => l.startsWith('{"event"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event).slice(-2)).toEqual(['interrupted', 'summary']);
    expect(events.at(-1)).toMatchObject({ exitCode: 130 });
    expect(events.some((e) => e.event === 'error' || e.event === 'close')).toBe(false);
    expect((await server.waitForClose()).code).toBe(1001);
  });

  it('kill -TERM on a pty session: close 1001, exit 143', async () => {
    const server = await startServer();
    const cli = startPty(['connect', server.url, '--no-history']);
    await cli.waitForScreen('connected to');
    process.kill(cli.pid, 'SIGTERM');
    expect(await cli.exit).toBe(143);
    expect((await server.waitForClose()).code).toBe(1001);
    expect((await cli.screen()).join('\n')).not.toMatch(FALSE_FAULTS);
  });

  it('Ctrl+C with --json: an interrupted event, then the summary with exitCode 130', async () => {
    const server = await startServer();
    const cli = startCli(['connect', server.url, '--json']);
    await cli.waitForOutput('"event":"open"');
    cli.child.kill('SIGINT');
    const result = await cli.result;
    expect(result.code).toBe(130);
    const events = jsonLines(result.out);
    expect(events.map((e) => e.event).slice(-2)).toEqual(['interrupted', 'summary']);
    expect(events.at(-2)).toMatchObject({ signal: 'SIGINT' });
    expect(events.at(-1)).toMatchObject({ exitCode: 130 });
    expect(events.some((e) => e.event === 'error')).toBe(false);
    expect(result.out + result.stderr).not.toMatch(FALSE_FAULTS);
    expect((await server.waitForClose()).code).toBe(1001);
  });

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('kill -%s in pipe mode: close 1001, exit %i, one interrupted line', async (signal, code) => {
    const server = await startServer();
    const cli = startCli(['connect', server.url]);
    await cli.waitForOutput('connected to');
    cli.child.kill(signal);
    const result = await cli.result;
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(new RegExp(`interrupted \\((Ctrl\\+C, )?${signal}`));
    expect(result.stderr).not.toMatch(FALSE_FAULTS);
    expect((await server.waitForClose()).code).toBe(1001);
  });

  it('Ctrl+C while connecting to a TCP black hole (pty): exit 130, no ws wording', async () => {
    const url = await blackHole();
    const cli = startPty(['connect', url, '--no-history']);
    await cli.waitForScreen(`connecting to ${url}`);
    cli.type('\x03');
    expect(await cli.exit).toBe(130);
    const text = cli.raw();
    expect(text).toContain('interrupted');
    expect(text).not.toMatch(FALSE_FAULTS);
  });

  it('SIGINT while connecting with --json: interrupted and summary, no error event', async () => {
    const url = await blackHole();
    const cli = startCli(['connect', url, '--json']);
    await cli.waitForOutput('"event":"request"');
    cli.child.kill('SIGINT');
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(jsonLines(result.out).map((e) => e.event)).toEqual(['connecting', 'request', 'interrupted', 'summary']);
    expect(result.stderr).toBe('');
  });
});

describe('servers: signals', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s closes every client with 1001 and exits %i', async (signal, code) => {
    const server = await startServerCli(['echo', '0']);
    const a = await openClient(server.url);
    const b = await openClient(server.url);
    server.child.kill(signal);
    const result = await server.result;
    expect(result.code).toBe(code);
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    expect(result.stderr).toMatch(new RegExp(`interrupted \\((Ctrl\\+C, )?${signal}`));
  });

  it('listen --json writes interrupted, then the summary with the exit code', async () => {
    const server = await startServerCli(['listen', '0', '--json', '--no-stdin']);
    server.child.kill('SIGTERM');
    const result = await server.result;
    expect(result.code).toBe(143);
    const events = jsonLines(result.out);
    expect(events.map((e) => e.event).slice(-2)).toEqual(['interrupted', 'summary']);
    expect(events.at(-1)).toMatchObject({ exitCode: 143 });
  });
});
