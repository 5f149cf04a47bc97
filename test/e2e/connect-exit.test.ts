/** How a client session ends, and the exit code for each way (SPEC "How a client session ends", "Exit codes"). */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { deadPort, hasStackTrace, jsonLines, onCleanup, runCli, startCli, startServer } from './harness.js';

/** A raw TCP server answering every connection with `respond`. */
async function rawServer(respond: (socket: Socket, request: string) => void): Promise<string> {
  const server = createServer((socket) => {
    let head = '';
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      if (head.includes('\r\n\r\n')) respond(socket, head);
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('exit codes', () => {
  it('exits 7 and shows code 4001, its name and reason "nope" when the server closes with 4001', async () => {
    const server = await startServer({ onConnection: (ws) => ws.close(4001, 'nope') });
    const pipe = await runCli(['connect', server.url, '--keep-open']);
    expect(pipe.code).toBe(7);
    expect(pipe.stderr).toContain('closed 4001 (Private Use) by server, reason "nope"');
    const json = await runCli(['connect', server.url, '--keep-open', '--json']);
    expect(json.code).toBe(7);
    const close = jsonLines(json.out).find((e) => e.event === 'close');
    expect(close).toMatchObject({ code: 4001, reason: 'nope', by: 'server', clean: true });
  });

  it('exits 0 when the server closes with 1001 going away', async () => {
    const server = await startServer({ onConnection: (ws) => ws.close(1001, 'restart') });
    const result = await runCli(['connect', server.url, '--keep-open']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('closed 1001 (Going Away) by server');
  });

  it('exits 5 and prints the status line, a header and the body start when the handshake gets 401', async () => {
    const server = await startServer({
      verifyClient: (_info, done) => done(false, 401, 'Unauthorized', { 'WWW-Authenticate': 'Basic realm="probe"' }),
    });
    const result = await runCli(['connect', server.url]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('HTTP/1.1 401 Unauthorized');
    expect(result.stderr).toContain('WWW-Authenticate: Basic realm="probe"');
    expect(result.stderr).toContain('Unauthorized');
    expect(result.stderr).toContain('wsprobe: handshake rejected');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('exits 5 naming the problem when a 101 answer carries a wrong Sec-WebSocket-Accept', async () => {
    const url = await rawServer((socket) => {
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bogus\r\n\r\n',
      );
    });
    const result = await runCli(['connect', url]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('invalid WebSocket upgrade');
    expect(result.stderr).toContain('Sec-WebSocket-Accept');
  });

  it('exits 3 with "connection refused" when nothing listens on the port', async () => {
    const port = await deadPort();
    const result = await runCli(['connect', `ws://127.0.0.1:${port}`, '--json']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('connection refused');
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'error')).toMatchObject({ kind: 'connect' });
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 3 });
  });

  it('exits 6 with by "none" and code 1006 when the server destroys the TCP socket mid-session', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => ws.on('message', () => ws.terminate()),
    });
    const result = await runCli(['connect', server.url, '--json', '--keep-open'], { stdin: 'boom\n' });
    expect(result.code).toBe(6);
    const close = jsonLines(result.out).find((e) => e.event === 'close');
    expect(close).toMatchObject({ code: 1006, by: 'none', clean: false });
  });

  it('exits 2 with a one-line message and no stack trace for --close-code 999', async () => {
    const result = await runCli(['connect', 'ws://127.0.0.1:1', '--close-code', '999']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('invalid close code 999');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it.each([
    ['a malformed -H', ['-H', 'no colon here']],
    ['an unreadable --send-file', ['--send-file', '/nonexistent/file']],
    ['bad --send-hex', ['--send-hex', 'xyz']],
    ['a close reason over 123 bytes', ['--close-reason', 'x'.repeat(124)]],
    ['an unknown option', ['--frobnicate']],
  ])('exits 2 with one line for %s', async (_name, args) => {
    const result = await runCli(['connect', 'ws://127.0.0.1:1', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.startsWith('wsprobe: ')).toBe(true);
  });

  it('exits 2 for a URL with an unsupported scheme', async () => {
    const result = await runCli(['connect', 'ftp://example.org']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unsupported URL scheme "ftp"');
  });

  it('exits 124 within the --timeout when the server never answers the handshake', async () => {
    const url = await rawServer(() => {});
    const started = Date.now();
    const result = await runCli(['connect', url, '--timeout', '1', '--json']);
    expect(result.code).toBe(124);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(jsonLines(result.out).find((e) => e.event === 'error')).toMatchObject({ kind: 'timeout' });
  });

  it('exits 130 when interrupted with SIGINT', async () => {
    const server = await startServer();
    const cli = startCli(['connect', server.url]);
    await server.nextConnection();
    await cli.waitForOutput('connected to');
    cli.child.kill('SIGINT');
    const result = await cli.result;
    expect(result.code).toBe(130);
  });
});

describe('how the session ends', () => {
  it('closes with 1000 and exits 0 when the reader of stdout goes away (`| head -1`)', async () => {
    const server = await startServer();
    const cli = startCli(['connect', server.url, '-q']);
    cli.child.stdout!.once('data', () => cli.child.stdout!.destroy());
    let lines = '';
    for (let i = 1; i <= 200_000; i++) lines += `${i}\n`;
    cli.child.stdin!.end(lines);
    const result = await cli.result;
    expect(result.code).toBe(0);
    expect((await server.waitForClose()).code).toBe(1000);
  });

  it('sends --close-code and --close-reason to the server and exits 0 when the handshake completes', async () => {
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--close-code', '4000', '--close-reason', 'done', '-w', '0']);
    expect(result.code).toBe(0);
    expect(await server.waitForClose()).toEqual({ code: 4000, reason: 'done' });
  });

  it('keeps receiving after input ends until --wait passes with no message', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => {
        // Replies keep coming, each within the wait of the one before.
        ws.on('message', () => {
          let n = 0;
          const timer = setInterval(() => {
            ws.send(`late ${++n}`);
            if (n === 4) clearInterval(timer);
          }, 300);
        });
      },
    });
    const result = await runCli(['connect', server.url, '--wait', '2'], { stdin: 'go\n' });
    expect(result.code).toBe(0);
    expect(result.out).toBe('late 1\nlate 2\nlate 3\nlate 4\n');
  });

  it('closes at once after sending with --wait 0', async () => {
    const server = await startServer({ echo: false });
    const result = await runCli(['connect', server.url, '-w', '0', '-x', 'hi', '--no-stdin']);
    expect(result.code).toBe(0);
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
    expect((await server.waitForClose()).code).toBe(1000);
  });

  it('waits for the server to close with --keep-open', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => ws.on('message', () => setTimeout(() => ws.close(1000, 'bye'), 1500)),
    });
    const result = await runCli(['connect', server.url, '--keep-open', '-x', 'hi', '--no-stdin']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('closed 1000 (Normal Closure) by server, reason "bye"');
  });

  it('prints exactly --count messages, then closes with 1000', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => {
        for (let i = 1; i <= 5; i++) ws.send(`m${i}`);
      },
    });
    const result = await runCli(['connect', server.url, '--count', '2']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('m1\nm2\n');
    expect((await server.waitForClose()).code).toBe(1000);
  });
});
