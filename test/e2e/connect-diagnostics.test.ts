/**
 * Issue 14, items 5 and 6 and the idle-close hint of item 2 — what the client says when things go
 * wrong, one line per happening: the -w hint when nothing came back, a lost connection told once,
 * reconnect attempts counted over the run, -L -v hop by hop as curl prints it, TLS details with -v and
 * TLS hints that point the right way. The built CLI against real peers on 127.0.0.1, asserting on what
 * it printed and exited with and on what the peer saw.
 */
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type AddressInfo, createServer as createNetServer, type Server } from 'node:net';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { makePki, type Pki } from './support/certs.js';
import { onCleanup } from './support/cleanup.js';
import { jsonLines, runCli } from './support/cli.js';
import { startRawServer } from './support/raw-server.js';
import { startServer } from './support/ws-peers.js';

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});

async function listening<S extends Server | HttpsServer>(server: S): Promise<S> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onCleanup(() => {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return server;
}

const portOf = (server: Server | HttpsServer) => (server.address() as AddressInfo).port;

/** The index of the first line containing `text`, failing when there is none. */
function lineIndex(lines: string[], text: string): number {
  const i = lines.findIndex((l) => l.includes(text));
  if (i === -1) throw new Error(`no line with ${JSON.stringify(text)} in:\n${lines.join('\n')}`);
  return i;
}

describe('the -w hint when nothing was received', () => {
  const HINT =
    'wsprobe: nothing received within 0.3 s after sending; wait longer with -w SECONDS or keep the connection open with --keep-open';

  it('says so in one stderr line, naming -w and --keep-open; the exit code stays 0', async () => {
    const server = await startServer({ echo: false });
    const result = await runCli(['connect', server.url, '-x', 'slow?', '-w', '0.3']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.stderr.split('\n').filter((l) => l.includes('nothing received'))).toEqual([HINT]);
    // The server got the message, and our normal close.
    expect(server.received.map((r) => r.data.toString())).toEqual(['slow?']);
    expect(await server.waitForClose()).toEqual({ code: 1000, reason: '' });
  });

  it('says it against an echo slower than -w (its reply would come after 3 s), with the default -w of 1 s', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => ws.on('message', (d) => setTimeout(() => ws.readyState === ws.OPEN && ws.send(d), 3000)),
    });
    const result = await runCli(['connect', server.url, '-x', 'slow?']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('wsprobe: nothing received within 1 s after sending; wait longer with -w SECONDS');
    expect(server.received.map((r) => r.data.toString())).toEqual(['slow?']);
  });

  it('without anything sent, says "nothing received" without "after sending"', async () => {
    const server = await startServer({ echo: false });
    const result = await runCli(['connect', server.url, '--no-stdin', '-w', '0.3']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('wsprobe: nothing received within 0.3 s; wait longer with -w SECONDS');
  });

  it.each([
    ['--json', ['--json']],
    ['-q', ['-q']],
  ])('is not shown with %s', async (_name, flags) => {
    const server = await startServer({ echo: false });
    const result = await runCli(['connect', server.url, '-x', 'slow?', '-w', '0.3', ...flags]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(server.received).toHaveLength(1);
  });

  it('is not shown when something was received', async () => {
    const server = await startServer();
    // -w 2: the echo comes long before, even on a loaded machine.
    const result = await runCli(['connect', server.url, '-x', 'echo me', '-w', '2']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('echo me\n');
    expect(result.stderr).not.toContain('nothing received');
  });
});

describe('a lost connection is told once', () => {
  it('the server destroys the socket: one "connection lost" line, exit 6', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) =>
        ws.on('message', () => (ws as unknown as { _socket: { destroy(): void } })._socket.destroy()),
    });
    const result = await runCli(['connect', server.url, '-x', 'bye', '--keep-open']);
    expect(result.code).toBe(6);
    expect(server.received.map((r) => r.data.toString())).toEqual(['bye']);
    const lost = result.stderr.split('\n').filter((l) => /lost|1006|no close frame/.test(l));
    expect(lost).toEqual(['wsprobe: connection lost: the connection closed without a close frame']);
  });

  it('the same in pretty mode, over stdout and stderr together; json keeps its error and close events', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) =>
        ws.on('message', () => (ws as unknown as { _socket: { destroy(): void } })._socket.destroy()),
    });
    const pretty = await runCli(['connect', server.url, '-x', 'bye', '--keep-open', '--pretty']);
    expect(pretty.code).toBe(6);
    const all = `${pretty.out}\n${pretty.stderr}`.split('\n');
    expect(all.filter((l) => /lost|1006|no close frame/.test(l))).toHaveLength(1);

    const json = await runCli(['connect', server.url, '-x', 'bye', '--keep-open', '--json']);
    expect(json.code).toBe(6);
    const events = jsonLines(json.out);
    expect(events.filter((e) => e.event === 'error')).toMatchObject([{ kind: 'lost' }]);
    expect(events.filter((e) => e.event === 'close')).toMatchObject([{ code: 1006, by: 'none' }]);
    expect(server.received).toHaveLength(2);
  });
});

describe('--reconnect counts attempts over the run', () => {
  it('a server that drops every connection: attempt 1 of 2, 2 of 2, then the loss, exit 6', async () => {
    let connections = 0;
    const server = await startServer({
      echo: false,
      onConnection: (ws) => {
        connections++;
        ws.on('message', () => (ws as unknown as { _socket: { destroy(): void } })._socket.destroy());
      },
    });
    const result = await runCli(['connect', server.url, '--reconnect', '2', '-x', 'hi', '--keep-open']);
    expect(result.code).toBe(6);
    // Each connection got the --send message again.
    expect(connections).toBe(3);
    expect(server.received.map((r) => r.data.toString())).toEqual(['hi', 'hi', 'hi']);
    const told = result.stderr.split('\n').filter((l) => /lost|reconnect/.test(l));
    expect(told).toHaveLength(3);
    expect(told[0]).toMatch(
      /^connection lost: the connection closed without a close frame; reconnecting in \d+\.\d s \(attempt 1 of 2\)$/,
    );
    expect(told[1]).toMatch(/; reconnecting in \d+\.\d s \(attempt 2 of 2\)$/);
    expect(told[2]).toBe(
      'wsprobe: connection lost: the connection closed without a close frame (gave up after 2 reconnect attempts)',
    );
  });

  it('the json stream carries the attempts and their reasons', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) =>
        ws.on('message', () => (ws as unknown as { _socket: { destroy(): void } })._socket.destroy()),
    });
    const result = await runCli(['connect', server.url, '--reconnect', '2', '-x', 'hi', '--keep-open', '--json']);
    expect(result.code).toBe(6);
    const events = jsonLines(result.out);
    expect(events.filter((e) => e.event === 'reconnecting')).toMatchObject([
      { attempt: 1, of: 2, reason: 'connection lost: the connection closed without a close frame' },
      { attempt: 2, of: 2, reason: 'connection lost: the connection closed without a close frame' },
    ]);
    expect(events.filter((e) => e.event === 'open')).toHaveLength(3);
    expect(events.filter((e) => e.event === 'error')).toMatchObject([
      { kind: 'lost', hint: 'gave up after 2 reconnect attempts' },
    ]);
    expect(server.received).toHaveLength(3);
  });
});

describe('-L -v hop by hop', () => {
  /** An HTTP server answering every upgrade with a 302 to `location`; `requests` are what it was sent. */
  async function redirecting(location: string) {
    const requests: IncomingMessage[] = [];
    const http = createHttpServer();
    http.on('upgrade', (req, socket) => {
      requests.push(req);
      socket.end(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`);
    });
    await listening(http);
    return { url: `ws://127.0.0.1:${portOf(http)}`, requests };
  }

  const ORDER = (target: string) => [
    '> GET /old HTTP/1.1',
    '< HTTP/1.1 302 Found',
    `* following redirect to ${target}`,
    '> GET /real HTTP/1.1',
    '< HTTP/1.1 101 Switching Protocols',
    `connected to ${target}`,
  ];

  it('prints request, 302, "following redirect", the next request, 101 — in that order (pipe mode, stderr)', async () => {
    const server = await startServer();
    const from = await redirecting(`${server.url}/real`);
    const result = await runCli(['connect', `${from.url}/old`, '-L', '-v', '-x', 'moved', '-w', '0']);
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n');
    const indexes = ORDER(`${server.url}/real`).map((text) => lineIndex(lines, text));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(lines.filter((l) => l.startsWith('> GET'))).toHaveLength(2);
    expect(from.requests.map((r) => r.url)).toEqual(['/old']);
    expect(server.requests.map((r) => r.url)).toEqual(['/real']);
  });

  it('in the same order on stdout in pretty mode (the followed 302 is part of the trace, not an error)', async () => {
    const server = await startServer();
    const from = await redirecting(`${server.url}/real`);
    const result = await runCli(['connect', `${from.url}/old`, '-L', '-v', '-x', 'moved', '-w', '0', '--pretty']);
    expect(result.code).toBe(0);
    const lines = stripVTControlCharacters(result.out).split('\n');
    const indexes = ORDER(`${server.url}/real`).map((text) => lineIndex(lines, text));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(result.stderr).not.toContain('302');
  });

  it('the json stream has the redirect on the response it follows', async () => {
    const server = await startServer();
    const from = await redirecting(`${server.url}/real`);
    const result = await runCli(['connect', `${from.url}/old`, '-L', '-x', 'moved', '-w', '0', '--json']);
    const events = jsonLines(result.out).filter((e) => e.event === 'request' || e.event === 'response');
    expect(events.map((e) => e.event)).toEqual(['request', 'response', 'request', 'response']);
    expect(events[1]).toMatchObject({ status: 302, redirect: `${server.url}/real` });
    expect(events[3]).toMatchObject({ status: 101 });
    expect(events[3]).not.toHaveProperty('redirect');
  });

  it('without -L, the 302 is a refusal that says where it leads and to use -L; nothing is followed', async () => {
    const server = await startServer();
    const from = await redirecting(`${server.url}/real`);
    const result = await runCli(['connect', `${from.url}/old`, '-x', 'x']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(
      `wsprobe: handshake rejected by ${from.url}/old: 302 Found → Location: ${server.url}/real (use -L to follow)`,
    );
    expect(result.stderr).not.toContain('following redirect');
    expect(from.requests).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
  });
});

describe('TLS with -v', () => {
  async function wssServer(identity: { cert: Buffer; key: Buffer }) {
    const https = createHttpsServer(identity);
    const wss = new WebSocketServer({ server: https });
    const received: string[] = [];
    let upgrades = 0;
    https.on('upgrade', () => upgrades++);
    wss.on('connection', (ws) => ws.on('message', (d: Buffer) => received.push(d.toString())));
    const clientErrors: Error[] = [];
    https.on('tlsClientError', (err) => clientErrors.push(err));
    await listening(https);
    onCleanup(() => {
      for (const c of wss.clients) c.terminate();
    });
    const port = portOf(https);
    return { url: `wss://127.0.0.1:${port}`, port, received, clientErrors, upgrades: () => upgrades };
  }

  it('shows the TLS version, cipher, ALPN and the certificate, before the request', async () => {
    const server = await wssServer(pki.server);
    const result = await runCli(['connect', server.url, '--ca', pki.caPem, '-v', '-x', 'secure', '-w', '0']);
    expect(result.code).toBe(0);
    expect(server.received).toEqual(['secure']);
    const lines = result.stderr.split('\n');
    const tls = lines.filter((l) => l.startsWith('* '));
    expect(tls[0]).toMatch(/^\* TLS connection using TLSv1\.[23] \/ \S+, ALPN: none$/);
    expect(tls).toContain('*  subject: CN=localhost');
    expect(tls).toContain('*  subjectAltName: DNS:localhost, IP Address:127.0.0.1');
    expect(tls).toContain('*  issuer: CN=wsprobe test CA');
    expect(tls.some((l) => /^\* {2}start date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/.test(l))).toBe(true);
    expect(tls.some((l) => /^\* {2}expire date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/.test(l))).toBe(true);
    expect(tls).toContain('*  certificate verified');
    expect(lineIndex(lines, '* TLS connection using')).toBeLessThan(lineIndex(lines, '> GET / HTTP/1.1'));
  });

  it('says so when -k let an unverified certificate through', async () => {
    const server = await wssServer(pki.selfSigned);
    const result = await runCli(['connect', server.url, '-k', '-v', '-x', 'trusting', '-w', '0']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      '*  certificate NOT verified (-k): self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    );
    expect(server.received).toEqual(['trusting']);
  });

  it('gives a tls event under --json (without -v), before the request', async () => {
    const server = await wssServer(pki.server);
    const result = await runCli(['connect', server.url, '--ca', pki.caPem, '--json', '-x', 'j', '-w', '0']);
    expect(result.code).toBe(0);
    const events = jsonLines(result.out);
    const names = events.map((e) => e.event);
    expect(names.indexOf('tls')).toBeGreaterThan(-1);
    expect(names.indexOf('tls')).toBeLessThan(names.indexOf('request'));
    const tls = events.find((e) => e.event === 'tls')!;
    expect(tls).toMatchObject({
      protocol: expect.stringMatching(/^TLSv1\.[23]$/),
      cipher: expect.any(String),
      alpn: null,
      verified: true,
      certificate: {
        subject: 'CN=localhost',
        altNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
        issuer: 'CN=wsprobe test CA',
        validFrom: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        validTo: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    });
  });

  it('prints no request when TLS failed before it was sent (the server saw none)', async () => {
    const server = await wssServer(pki.server);
    const result = await runCli(['connect', server.url, '-v', '-x', 'x']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('unknown certificate authority');
    expect(result.stderr).not.toContain('> GET');
    expect(result.stderr).not.toContain('* TLS connection using');
    expect(server.upgrades()).toBe(0);
  });
});

describe('TLS hints', () => {
  it('a --ca file with no certificate in it is a usage error naming the option and the file; nothing connects', async () => {
    let connections = 0;
    const tcp = await listening(createNetServer(() => connections++));
    const url = `wss://127.0.0.1:${portOf(tcp)}`;
    const notCa = join(pki.dir, 'not-a-ca.pem');
    writeFileSync(notCa, 'just some text\n');
    const result = await runCli(['connect', url, '--ca', notCa, '-x', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`--ca ${notCa}: no PEM certificate in it`);
    // A key where a CA certificate belongs.
    const key = await runCli(['connect', url, '--ca', pki.client.key, '-x', 'x']);
    expect(key.code).toBe(2);
    expect(key.stderr).toContain(`--ca ${pki.client.key}: no PEM certificate in it (it holds a private key)`);
    expect(connections).toBe(0);
  });

  it('a --key that holds a certificate, and a --cert that holds a key, are usage errors', async () => {
    let connections = 0;
    const tcp = await listening(createNetServer(() => connections++));
    const url = `wss://127.0.0.1:${portOf(tcp)}`;
    const swapped = await runCli(['connect', url, '--cert', pki.client.cert, '--key', pki.client.cert]);
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toContain(`--key ${pki.client.cert}: no PEM private key in it (it holds a certificate)`);
    const keyAsCert = await runCli(['connect', url, '--cert', pki.client.key, '--key', pki.client.key]);
    expect(keyAsCert.code).toBe(2);
    expect(keyAsCert.stderr).toContain(`--cert ${pki.client.key}: no PEM certificate in it (it holds a private key)`);
    expect(connections).toBe(0);
  });

  it('wss:// to a plain server: "this server does not speak TLS", try ws://', async () => {
    const server = await startServer();
    const url = server.url.replace('ws:', 'wss:');
    const result = await runCli(['connect', url, '-v', '-x', 'x']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      `wsprobe: TLS handshake with ${url}/ failed: this server does not speak TLS (wrong version number) (try ${server.url}/)`,
    );
    expect(result.stderr).not.toContain('> GET');
    expect(server.requests).toHaveLength(0);
  });

  it('ws:// to a TLS server: "this server speaks TLS", try wss:// (the server saw our plain request)', async () => {
    const https = await listening(createHttpsServer(pki.server));
    const plainSeen: Error[] = [];
    https.on('tlsClientError', (err) => plainSeen.push(err));
    const url = `ws://127.0.0.1:${portOf(https)}`;
    const result = await runCli(['connect', url, '-x', 'x']);
    expect(result.code).toBe(5);
    expect(result.stderr.trim().split('\n')).toEqual([
      `wsprobe: cannot connect to ${url}/: this server speaks TLS (try wss://127.0.0.1:${portOf(https)}/)`,
    ]);
    expect(plainSeen.length).toBeGreaterThan(0);
  });

  it('ws:// to a server answering with a TLS alert record: "this server speaks TLS"', async () => {
    const raw = await startRawServer((peer) => {
      peer.socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]));
    });
    const result = await runCli(['connect', raw.url, '-x', 'x']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('this server speaks TLS (try wss://');
    expect(raw.peers[0].request.path).toBe('/');
  });

  it('a plain server that just closes after our request is not taken for TLS', async () => {
    const raw = await startRawServer((peer) => {
      peer.socket.destroy();
    });
    const result = await runCli(['connect', raw.url, '-x', 'x']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('connection closed during the handshake');
    expect(result.stderr).not.toContain('TLS');
    // The request and the TLS probe that followed it.
    expect(raw.peers.length).toBeGreaterThanOrEqual(1);
  });
});
