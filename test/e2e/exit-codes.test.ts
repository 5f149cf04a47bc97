/** One test per exit code of the SPEC's table, each named after its case; the JSON summary agrees. */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { makePki, type Pki } from './certs.js';
import { deadPort, jsonLines, onCleanup, runCli, startCli, startServer } from './harness.js';

/** Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2). */
function acceptKey(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});

/** Runs with --json too, and checks the summary's exitCode is the process's. */
async function exitCode(args: string[], stdin = ''): Promise<number | null> {
  const result = await runCli([...args, '--json'], { stdin });
  expect(jsonLines(result.out).at(-1)).toMatchObject({ event: 'summary', exitCode: result.code });
  return result.code;
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

  it('2: usage error (an invalid close code)', async () => {
    const result = await runCli(['connect', 'ws://127.0.0.1:1', '--close-code', '1004']);
    expect(result.code).toBe(2);
  });

  it('3: could not connect (connection refused)', async () => {
    expect(await exitCode(['connect', `ws://127.0.0.1:${await deadPort()}`])).toBe(3);
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

  it('6: connection lost without a close frame (1006)', async () => {
    const server = await startServer({ onConnection: (ws) => ws.terminate() });
    expect(await exitCode(['connect', server.url, '--keep-open'])).toBe(6);
  });

  it('6: protocol violation by the peer (a reserved opcode)', async () => {
    const raw = createServer((socket) => {
      socket.once('data', (head) => {
        const key = /sec-websocket-key: (.+)\r\n/i.exec(head.toString())![1];
        const accept = acceptKey(key);
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        socket.write(Buffer.from([0x83, 0x00])); // FIN + opcode 3 (reserved)
      });
      socket.on('error', () => {});
    });
    raw.listen(0, '127.0.0.1');
    await once(raw, 'listening');
    onCleanup(() => new Promise<void>((resolve) => raw.close(() => resolve())));
    expect(await exitCode(['connect', `ws://127.0.0.1:${(raw.address() as AddressInfo).port}`, '--keep-open'])).toBe(6);
  });

  it('7: peer closed with another code (1011)', async () => {
    const server = await startServer({ onConnection: (ws) => ws.close(1011, 'oops') });
    expect(await exitCode(['connect', server.url, '--keep-open'])).toBe(7);
  });

  it('8: --expect not satisfied', async () => {
    const server = await startServer();
    expect(await exitCode(['connect', server.url, '-x', 'ping', '--expect', 'pong', '-w', '0.3'])).toBe(8);
  });

  it('124: --timeout elapsed', async () => {
    const server = await startServer({ echo: false });
    expect(await exitCode(['connect', server.url, '--keep-open', '--timeout', '0.5'])).toBe(124);
  });

  it('130: interrupted (SIGINT)', async () => {
    const server = await startServer();
    const cli = startCli(['connect', server.url, '--json']);
    await cli.waitForOutput('"event":"open"');
    cli.child.kill('SIGINT');
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(jsonLines(result.out).at(-1)).toMatchObject({ event: 'summary', exitCode: 130 });
  });
});
