/**
 * `wsprobe proxy` over TLS: a wss:// upstream of a private CA trusted with --ca (an untrusted one is a
 * 502 and one log line), and wss:// served to clients with --tls-cert/--tls-key.
 */
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { makePki, type Pki } from './support/certs.js';
import { onCleanup } from './support/cleanup.js';
import { startServerCli } from './support/cli.js';
import { refusedHandshake } from './support/ws-peers.js';

let pki: Pki;

beforeAll(() => {
  pki = makePki();
});

/** A wss:// echo server with the PKI's server certificate; resolves with its URL. */
async function wssEcho(): Promise<string> {
  const https = createServer({ ...pki.server });
  const wss = new WebSocketServer({ server: https });
  wss.on('connection', (ws) => ws.on('message', (data: Buffer, binary) => ws.send(data, { binary })));
  https.listen(0, '127.0.0.1');
  await once(https, 'listening');
  onCleanup(async () => {
    for (const c of wss.clients) c.terminate();
    https.closeAllConnections();
    await new Promise<void>((resolve) => https.close(() => resolve()));
  });
  return `wss://127.0.0.1:${(https.address() as AddressInfo).port}`;
}

describe('proxy over TLS', () => {
  it('relays to a wss:// upstream trusted with --ca, and serves wss:// with --tls-cert/--tls-key', async () => {
    const upstream = await wssEcho();
    const cert = join(pki.dir, 'proxy-cert.pem');
    const key = join(pki.dir, 'proxy-key.pem');
    writeFileSync(cert, pki.server.cert);
    writeFileSync(key, pki.server.key);
    const proxy = await startServerCli([
      ...['proxy', upstream, '0', '--no-stdin', '--ca', pki.caPem],
      ...['--tls-cert', cert, '--tls-key', key],
    ]);
    expect(proxy.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const client = new WebSocket(`${proxy.url}/tls`, { ca: readFileSync(pki.caPem) });
    onCleanup(() => client.terminate());
    await once(client, 'open');
    const back = once(client, 'message');
    client.send('over TLS both ways');
    expect(String((await back)[0])).toBe('over TLS both ways');
    client.close(1000);
    await proxy.waitForOutput('[#1] upstream: closed 1000');
  });

  it('answers 502 and logs one line when the upstream certificate is not trusted', async () => {
    const upstream = await wssEcho();
    const proxy = await startServerCli(['proxy', upstream, '0', '--no-stdin']);
    const refused = await refusedHandshake(`${proxy.url}/x`);
    expect(refused.status).toBe(502);
    expect(refused.body.split('\n')).toEqual([expect.stringMatching(/^Bad Gateway: .*certificate/i), '']);
    await proxy.waitForOutput('502 Bad Gateway');
    proxy.child.kill('SIGTERM');
    const { stderr } = await proxy.result;
    expect(stderr.split('\n').filter((l) => l.includes('#1'))).toEqual([
      expect.stringMatching(/^\[#1\] client: wsprobe: refused client #1 \(.*\): 502 Bad Gateway: .*certificate/i),
    ]);
  });
});
