/**
 * Issue 13, item 10 — "-L follows a redirect into a local Unix socket": a server could answer the
 * handshake with `302 Location: ws+unix:///run/…` and have us talk to local IPC, the answer printed.
 * Now -L follows only ws:// and wss:// (http:// and https:// meaning the same), never from wss:// down
 * to ws://, and to another host sends none of the user's -H headers, --auth, cookies or -s subprotocols.
 */
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { makePki } from './support/certs.js';
import { onCleanup } from './support/cleanup.js';
import { runCli } from './support/cli.js';
import { startServer } from './support/ws-peers.js';

async function listening<S extends Server>(server: S, where: number | string = 0): Promise<S> {
  if (typeof where === 'string') server.listen(where);
  else server.listen(where, '127.0.0.1');
  await once(server, 'listening');
  onCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

/** An HTTP server answering every upgrade with a 302 to `location`; `requests` are what it was sent. */
async function redirecting(location: string, secure?: { cert: Buffer; key: Buffer }) {
  const requests: IncomingMessage[] = [];
  const http = secure ? createHttpsServer(secure) : createHttpServer();
  http.on('upgrade', (req, socket) => {
    requests.push(req);
    socket.end(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\n\r\n`);
  });
  await listening(http);
  const port = (http.address() as AddressInfo).port;
  return { url: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}`, requests };
}

describe('attack: where -L may follow a redirect', () => {
  it('a redirect into a local Unix socket (ws+unix://) is refused: exit 5, the socket is never touched', async () => {
    const socketPath = join(mkdtempSync(join(tmpdir(), 'wsprobe-ipc-')), 'ipc.sock');
    let touched = 0;
    const ipc = createHttpServer();
    ipc.on('connection', () => touched++);
    new WebSocketServer({ server: ipc });
    await listening(ipc, socketPath);
    const from = await redirecting(`ws+unix://${socketPath}:/admin`);
    const result = await runCli(['connect', from.url, '-L', '-v', '--no-stdin']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`< Location: ws+unix://${socketPath}:/admin`);
    expect(result.stderr).toContain(
      `wsprobe: redirect from ${from.url}/ (302 Found) refused: not following it to ws+unix:// (a redirect may only lead to ws:// or wss://)`,
    );
    expect(touched).toBe(0);
  });

  it.each([
    ['file:///etc/passwd', 'file://'],
    ['ftp://127.0.0.1/x', 'ftp://'],
  ])('a redirect to %s is refused: exit 5', async (location, scheme) => {
    const from = await redirecting(location);
    const result = await runCli(['connect', from.url, '-L', '--no-stdin']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`not following it to ${scheme}`);
  });

  it('a redirect from wss:// down to ws:// is refused: exit 5, the ws:// server gets nothing', async () => {
    const pki = makePki();
    const plain = await startServer();
    const from = await redirecting(`${plain.url}/downgraded`, pki.server);
    const result = await runCli(['connect', from.url, '--ca', pki.caPem, '-L', '--no-stdin']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('not following it from wss:// down to unencrypted ws://');
    expect(plain.requests).toHaveLength(0);
  });

  it('to another host (another port): no -H headers, --auth, cookies or -s subprotocols go along', async () => {
    const target = await startServer();
    const from = await redirecting(`${target.url}/elsewhere`);
    const result = await runCli([
      ...['connect', from.url, '-L', '-x', 'hi', '-w', '0.3'],
      ...['-H', 'X-Api-Token: t0ken', '-H', 'Cookie: session=s3ss', '--auth', 'alice:pa55', '-s', 'bearer.t0k3n'],
    ]);
    expect(result.code).toBe(0);
    expect(result.out).toBe('hi\n');
    // The first host got them all…
    expect(from.requests[0].headers).toMatchObject({
      'x-api-token': 't0ken',
      cookie: 'session=s3ss',
      authorization: `Basic ${Buffer.from('alice:pa55').toString('base64')}`,
      'sec-websocket-protocol': 'bearer.t0k3n',
    });
    // …the other one none.
    const headers = target.requests[0].headers;
    expect(target.requests[0].url).toBe('/elsewhere');
    for (const name of ['x-api-token', 'cookie', 'authorization', 'sec-websocket-protocol']) {
      expect(headers[name], name).toBeUndefined();
    }
  });

  it('on the same host (another path): everything goes along', async () => {
    let hops = 0;
    const server = await startServer({
      verifyClient: (info, done) => {
        hops++;
        if (info.req.url === '/old') done(false, 302, 'Found', { Location: '/new' });
        else done(true);
      },
      handleProtocols: (offered) => [...offered][0] ?? false,
    });
    const result = await runCli([
      ...['connect', `${server.url}/old`, '-L', '-x', 'hi', '-w', '0.3'],
      ...['-H', 'X-Api-Token: t0ken', '--auth', 'alice:pa55', '-s', 'chat.v2'],
    ]);
    expect(result.code).toBe(0);
    expect(hops).toBe(2);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0].url).toBe('/new');
    expect(server.requests[0].headers).toMatchObject({
      'x-api-token': 't0ken',
      authorization: `Basic ${Buffer.from('alice:pa55').toString('base64')}`,
      'sec-websocket-protocol': 'chat.v2',
    });
    expect(result.stderr).toContain('subprotocol: chat.v2');
  });
});
