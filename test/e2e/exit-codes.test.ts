/**
 * Exit codes (SPEC "Exit codes"): at least one test per code of the table, each named after its code and
 * case, and where it runs with --json the summary's exitCode is the process's. Then how a client session
 * ends (SPEC "How a client session ends").
 */
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from './support/certs.js';
import { onCleanup } from './support/cleanup.js';
import { type CliResult, hasStackTrace, jsonLines, runCli, startCli } from './support/cli.js';
import { switchingProtocols } from './support/handshake.js';
import { deadPort, startRawServer } from './support/raw-server.js';
import { startServer } from './support/ws-peers.js';

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});

/** Runs with --json too, and checks the summary's exitCode is the process's. */
async function runJson(args: string[], stdin = ''): Promise<CliResult> {
  const result = await runCli([...args, '--json'], { stdin });
  expect(jsonLines(result.out).at(-1)).toMatchObject({ event: 'summary', exitCode: result.code });
  return result;
}

async function exitCode(args: string[], stdin = ''): Promise<number | null> {
  return (await runJson(args, stdin)).code;
}

describe('exit codes', () => {
  it('0: we closed and the close handshake completed', async () => {
    const server = await startServer();
    expect(await exitCode(['connect', server.url, '-x', 'hi', '-w', '0'])).toBe(0);
  });

  it('0: the peer closed with 1000', async () => {
    const server = await startServer({ onConnection: (ws) => ws.close(1000) });
    expect(await exitCode(['connect', server.url, '--keep-open'])).toBe(0);
  });

  it('0: the peer closed with 1001 going away', async () => {
    const server = await startServer({ onConnection: (ws) => ws.close(1001, 'restart') });
    const result = await runCli(['connect', server.url, '--keep-open']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('closed 1001 (Going Away) by server');
  });

  it('2: usage error (an invalid close code), one line and no stack trace', async () => {
    expect((await runCli(['connect', 'ws://127.0.0.1:1', '--close-code', '1004'])).code).toBe(2);
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
  ])('2: usage error, one line, for %s', async (_name, args) => {
    const result = await runCli(['connect', 'ws://127.0.0.1:1', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr.startsWith('wsprobe: ')).toBe(true);
  });

  it('2: usage error for a URL with an unsupported scheme', async () => {
    const result = await runCli(['connect', 'ftp://example.org']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unsupported URL scheme "ftp"');
  });

  it('3: could not connect ("connection refused", an error of kind connect)', async () => {
    const result = await runJson(['connect', `ws://127.0.0.1:${await deadPort()}`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('connection refused');
    expect(jsonLines(result.out).find((e) => e.event === 'error')).toMatchObject({ kind: 'connect' });
  });

  it('4: TLS failure (an untrusted certificate)', async () => {
    const https = createHttpsServer(pki.selfSigned);
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    onCleanup(() => new Promise<void>((resolve) => https.close(() => resolve())));
    expect(await exitCode(['connect', `wss://127.0.0.1:${(https.address() as AddressInfo).port}`])).toBe(4);
  });

  it('5: handshake rejected (403)', async () => {
    const server = await startServer({ verifyClient: (_info, done) => done(false, 403, 'Forbidden') });
    expect(await exitCode(['connect', server.url])).toBe(5);
  });

  it('5: handshake rejected (401), printing the status line, a header and the body start', async () => {
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

  it('5: an invalid upgrade (a 101 answer with a wrong Sec-WebSocket-Accept), naming the problem', async () => {
    const server = await startRawServer((peer) => {
      peer.socket.end(switchingProtocols(peer.request, { accept: 'bogus' }));
    });
    const result = await runCli(['connect', server.url]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('invalid WebSocket upgrade');
    expect(result.stderr).toContain('Sec-WebSocket-Accept');
  });

  it('6: connection lost without a close frame (1006, by "none") when the server destroys the socket', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => ws.on('message', () => ws.terminate()),
    });
    const result = await runJson(['connect', server.url, '--keep-open'], 'boom\n');
    expect(result.code).toBe(6);
    const close = jsonLines(result.out).find((e) => e.event === 'close');
    expect(close).toMatchObject({ code: 1006, by: 'none', clean: false });
  });

  it('6: protocol violation by the peer (a reserved opcode)', async () => {
    const server = await startRawServer(
      (peer) => {
        peer.accept();
        peer.write(Buffer.from([0x83, 0x00])); // FIN + opcode 3 (reserved)
      },
      { answerClose: false },
    );
    expect(await exitCode(['connect', server.url, '--keep-open'])).toBe(6);
  });

  it('7: the peer closed with another code (1011)', async () => {
    const server = await startServer({ onConnection: (ws) => ws.close(1011, 'oops') });
    expect(await exitCode(['connect', server.url, '--keep-open'])).toBe(7);
  });

  it('7: the peer closed with 4001, shown with its name and reason "nope"', async () => {
    const server = await startServer({ onConnection: (ws) => ws.close(4001, 'nope') });
    const pipe = await runCli(['connect', server.url, '--keep-open']);
    expect(pipe.code).toBe(7);
    expect(pipe.stderr).toContain('closed 4001 (Private Use) by server, reason "nope"');
    const json = await runCli(['connect', server.url, '--keep-open', '--json']);
    expect(json.code).toBe(7);
    const close = jsonLines(json.out).find((e) => e.event === 'close');
    expect(close).toMatchObject({ code: 4001, reason: 'nope', by: 'server', clean: true });
  });

  it('8: --expect not satisfied', async () => {
    const server = await startServer();
    expect(await exitCode(['connect', server.url, '-x', 'ping', '--expect', 'pong', '-w', '0.3'])).toBe(8);
  });

  it('124: --timeout elapsed in an open session', async () => {
    const server = await startServer({ echo: false });
    expect(await exitCode(['connect', server.url, '--keep-open', '--timeout', '0.5'])).toBe(124);
  });

  it('124: --timeout elapsed, within it, when the server never answers the handshake', async () => {
    const server = await startRawServer(() => {});
    const started = Date.now();
    const result = await runCli(['connect', server.url, '--timeout', '1', '--json']);
    expect(result.code).toBe(124);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(jsonLines(result.out).find((e) => e.event === 'error')).toMatchObject({ kind: 'timeout' });
  });

  it('130: interrupted (SIGINT), in pipe mode and with --json', async () => {
    const server = await startServer();
    const pipe = startCli(['connect', server.url]);
    await server.nextConnection();
    await pipe.waitForOutput('connected to');
    pipe.child.kill('SIGINT');
    expect((await pipe.result).code).toBe(130);

    const json = startCli(['connect', server.url, '--json']);
    await json.waitForOutput('"event":"open"');
    json.child.kill('SIGINT');
    const result = await json.result;
    expect(result.code).toBe(130);
    expect(jsonLines(result.out).at(-1)).toMatchObject({ event: 'summary', exitCode: 130 });
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
        // Replies keep coming, each within the wait of the one before, for longer than one wait in
        // all (2.8 s): each message starts the wait again.
        ws.on('message', () => {
          let n = 0;
          const timer = setInterval(() => {
            ws.send(`late ${++n}`);
            if (n === 4) clearInterval(timer);
          }, 700);
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
