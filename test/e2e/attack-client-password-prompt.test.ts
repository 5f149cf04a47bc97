/**
 * Issue 13, item 12 — "Ctrl+C at the hidden --auth password prompt is ignored": the prompt dropped the
 * control character and read on, so the next line typed became the password and was sent. Ctrl+C there
 * now aborts at once: exit 130, the one `interrupted` line, nothing sent (no connection is made).
 */
import { describe, expect, it } from 'vitest';
import { makePki } from './support/certs.js';
import { startPty } from './support/pty.js';
import { startServer } from './support/ws-peers.js';

describe('attack: Ctrl+C at a hidden prompt', () => {
  it('--auth alice: Ctrl+C after half a password exits 130 and sends nothing', async () => {
    const server = await startServer();
    const cli = startPty(['connect', server.url, '--auth', 'alice', '--no-history']);
    await cli.waitForScreen('Password for alice:');
    await cli.echoOff();
    cli.type('half-a-pass');
    cli.type('\x03');
    expect(await cli.exit).toBe(130);
    // What is typed now goes nowhere: the process is gone.
    const screen = (await cli.screen()).join('\n');
    expect(screen).toContain('interrupted (Ctrl+C, SIGINT)');
    expect(screen).not.toContain('half-a-pass');
    expect(server.requests).toHaveLength(0);
  });

  it('--passphrase for an encrypted key: Ctrl+C exits 130 before connecting', async () => {
    const pki = makePki();
    const server = await startServer();
    const cli = startPty([
      ...['connect', server.url.replace('ws:', 'wss:'), '--ca', pki.caPem],
      ...['--cert', pki.client.cert, '--key', pki.client.encryptedKey, '--passphrase', '--no-history'],
    ]);
    await cli.waitForScreen('Passphrase for the private key:');
    await cli.echoOff();
    cli.type('\x03');
    expect(await cli.exit).toBe(130);
    expect(server.requests).toHaveLength(0);
  });

  it('erase and Enter still work: the password typed, corrected, is the one sent', async () => {
    const expected = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
    const server = await startServer({
      verifyClient: (info, done) => done(info.req.headers.authorization === expected, 401, 'Unauthorized'),
    });
    const cli = startPty(['connect', server.url, '--auth', 'alice', '--no-history']);
    await cli.waitForScreen('Password for alice:');
    await cli.echoOff();
    cli.type('s3cx\x7fret\r');
    await cli.waitForScreen('connected to');
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
    expect(server.requests[0].headers.authorization).toBe(expected);
  });
});
