/** wss:// with a private CA, certificate problems (exit 4), -k, and client certificates. */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { makePki, type Pki } from './support/certs.js';
import { onCleanup } from './support/cleanup.js';
import { runCli } from './support/cli.js';
import { startPty } from './support/pty.js';

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});

interface TlsServer {
  url: string;
  received: string[];
}

async function wssServer(identity: { cert: Buffer; key: Buffer }, requireClientCert = false): Promise<TlsServer> {
  const https = createServer({
    ...identity,
    ca: requireClientCert ? readFileSync(pki.caPem) : undefined,
    requestCert: requireClientCert,
    rejectUnauthorized: requireClientCert,
  });
  const wss = new WebSocketServer({ server: https });
  const received: string[] = [];
  wss.on('connection', (ws) =>
    ws.on('message', (data: Buffer, isBinary) => {
      received.push(data.toString());
      ws.send(data, { binary: isBinary });
    }),
  );
  https.listen(0, '127.0.0.1');
  await once(https, 'listening');
  onCleanup(async () => {
    for (const c of wss.clients) c.terminate();
    https.closeAllConnections();
    await new Promise<void>((resolve) => https.close(() => resolve()));
  });
  return { url: `wss://127.0.0.1:${(https.address() as AddressInfo).port}`, received };
}

describe('TLS', () => {
  it('connects to a server of a private CA trusted with --ca', async () => {
    const server = await wssServer(pki.server);
    const result = await runCli(['connect', server.url, '--ca', pki.caPem, '-x', 'secure', '-w', '0.3']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('secure\n');
    expect(server.received).toEqual(['secure']);
  });

  it.each([
    ['an unknown CA', () => pki.server, 'unknown certificate authority'],
    ['a self-signed certificate', () => pki.selfSigned, 'self-signed certificate'],
    ['an expired certificate', () => pki.expired, 'certificate has expired'],
  ])('exits 4 naming %s, with the --ca/-k hint', async (_name, identity, reason) => {
    const server = await wssServer(identity());
    const args = identity() === pki.server ? [] : ['--ca', pki.caPem];
    const result = await runCli(['connect', server.url, ...args, '-x', 'x']);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(reason);
    expect(result.stderr).toContain('use --ca <file> to trust its CA, or -k to skip verification');
    expect(server.received).toEqual([]);
  });

  it("exits 4 on a host name mismatch naming the certificate's names, hinting -k and not --ca", async () => {
    const server = await wssServer(pki.otherHost);
    const result = await runCli(['connect', server.url, '--ca', pki.caPem, '-x', 'x']);
    expect(result.code).toBe(4);
    expect(result.stderr.trim().split('\n')).toEqual([
      `wsprobe: TLS handshake with ${server.url}/ failed: host name 127.0.0.1 does not match the certificate, which is for other.test (connect with a name the certificate lists, or use -k to skip verification)`,
    ]);
    expect(server.received).toEqual([]);
  });

  it('connects despite an untrusted certificate with -k', async () => {
    const server = await wssServer(pki.selfSigned);
    const result = await runCli(['connect', server.url, '-k', '-x', 'trusting', '-w', '0.3']);
    expect(result.code).toBe(0);
    expect(server.received).toEqual(['trusting']);
  });

  it('presents a client certificate with --cert/--key where the server requires one', async () => {
    const server = await wssServer(pki.server, true);
    const ok = await runCli([
      'connect',
      server.url,
      '--ca',
      pki.caPem,
      '--cert',
      pki.client.cert,
      '--key',
      pki.client.key,
      '-x',
      'me',
      '-w',
      '0.3',
    ]);
    expect(ok.code).toBe(0);
    expect(server.received).toEqual(['me']);
    const refused = await runCli(['connect', server.url, '--ca', pki.caPem, '-x', 'anonymous']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('alert certificate required');
    expect(refused.stderr).toContain('use --cert and --key');
    expect(server.received).toEqual(['me']);
  });

  it('exits 2 for an unreadable --ca and for --cert without --key', async () => {
    const missing = await runCli(['connect', 'wss://127.0.0.1:1', '--ca', '/nonexistent.pem']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--ca: cannot read /nonexistent.pem: no such file (ENOENT)');
    const alone = await runCli(['connect', 'wss://127.0.0.1:1', '--cert', pki.client.cert]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--cert needs --key');
  });

  it('uses --passphrase for an encrypted key, and asks for it hidden on a terminal when given without a value', async () => {
    const server = await wssServer(pki.server, true);
    const base = [
      'connect',
      server.url,
      '--ca',
      pki.caPem,
      '--cert',
      pki.client.cert,
      '--key',
      pki.client.encryptedKey,
    ];
    const given = await runCli([...base, '--passphrase', pki.client.passphrase, '-x', 'given', '-w', '0.3']);
    expect(given.code).toBe(0);

    const cli = startPty([...base, '--passphrase'], { HOME: pki.dir });
    await cli.waitForScreen('Passphrase for the private key:');
    await cli.echoOff();
    cli.type(`${pki.client.passphrase}\r`);
    await cli.waitForScreen('connected to');
    expect((await cli.screen()).join('\n')).not.toContain(pki.client.passphrase);
    cli.type('asked\r');
    await cli.waitForScreen(/^< asked$/m);
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
    expect(server.received).toEqual(['given', 'asked']);

    const noTerminal = await runCli([...base, '--passphrase']);
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('--passphrase: no value given and no terminal to ask for it');
  });
});
