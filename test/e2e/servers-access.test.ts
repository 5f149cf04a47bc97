/** Who gets in and on what terms: --origin, --auth, --max-clients, -s, deflate, wss, --max-payload, --ping-interval. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makePki, type Pki } from './support/certs.js';
import { jsonLines, runCli, startServerCli } from './support/cli.js';
import { openClient, refusedHandshake } from './support/ws-peers.js';

let pki: Pki;

/** Client options carrying HTTP Basic credentials. */
const basic = (userAndPassword: string) => ({
  headers: { Authorization: `Basic ${Buffer.from(userAndPassword).toString('base64')}` },
});

beforeAll(() => {
  pki = makePki();
});

describe('server access', () => {
  it('lets in only origins on the --origin list; others, and requests without Origin, get 403', async () => {
    const server = await startServerCli([
      'echo',
      '0',
      '-o',
      'https://app.example',
      '--origin',
      'http://localhost:3000',
    ]);
    const ok = await openClient(server.url, [], { origin: 'https://APP.example:443' });
    const alsoOk = await openClient(server.url, [], { origin: 'http://localhost:3000' });
    const evil = await refusedHandshake(server.url, { origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body).toBe('origin "https://evil.example" is not on the --origin list\n');
    expect(evil.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect((await refusedHandshake(server.url)).status).toBe(403);
    expect((await refusedHandshake(server.url, { origin: 'http://localhost:3001' })).status).toBe(403);
    // The refusals did not disturb the clients that got in.
    await ok.send('still fine');
    expect((await ok.message(0)).data.toString()).toBe('still fine');
    await alsoOk.send('me too');
    expect((await alsoOk.message(0)).data.toString()).toBe('me too');
    await server.waitForOutput('refused client #5');
    server.child.kill('SIGTERM');
    const { stderr, code } = await server.result;
    expect(code).toBe(143);
    expect(stderr).toContain('wsprobe: refused client #3 (127.0.0.1:');
    expect(stderr).toMatch(
      /refused client #3 \(127\.0\.0\.1:\d+\): 403 Forbidden: origin "https:\/\/evil\.example" is not on the --origin list/,
    );
    expect(stderr).toContain('403 Forbidden: no Origin header is not on the --origin list');
  });

  it('asks for --auth credentials: none or wrong get 401 with a Basic challenge, right ones get in', async () => {
    const server = await startServerCli(['echo', '0', '--auth', 'alice:s3cret:with:colons', '--json']);
    const none = await refusedHandshake(server.url);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Basic realm="wsprobe", charset="UTF-8"');
    const wrong = await refusedHandshake(server.url, basic('alice:guess'));
    expect(wrong.status).toBe(401);
    expect((await refusedHandshake(server.url, basic('bob:s3cret:with:colons'))).status).toBe(401);
    const right = await openClient(server.url, [], basic('alice:s3cret:with:colons'));
    await right.send('in');
    expect((await right.message(0)).data.toString()).toBe('in');

    // wsprobe's own client with --auth gets in too.
    const cli = await runCli(['connect', server.url, '--auth', 'alice:s3cret:with:colons', '-x', 'hi', '-w', '0.3']);
    expect(cli.code).toBe(0);
    expect(cli.out).toBe('hi\n');
    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    const refusals = events.filter((e) => e.event === 'error' && e.kind === 'handshake');
    expect(refusals.map((e) => e.message)).toEqual([
      expect.stringMatching(/: 401 Unauthorized: no credentials$/),
      expect.stringMatching(/: 401 Unauthorized: wrong credentials$/),
      expect.stringMatching(/: 401 Unauthorized: wrong credentials$/),
    ]);
    // The password never shows up in what the server prints.
    expect((await server.result).out).not.toContain('s3cret');
  });

  it('refuses client number --max-clients + 1 with 503, and lets a new one in when a place frees up', async () => {
    const server = await startServerCli(['echo', '0', '--max-clients', '2']);
    const a = await openClient(server.url);
    const b = await openClient(server.url);
    const third = await refusedHandshake(server.url);
    expect(third.status).toBe(503);
    expect(third.body).toContain('--max-clients 2 reached');
    a.ws.close(1000);
    await a.closed;
    await server.waitForOutput('[#1] closed 1000');
    const c = await openClient(server.url);
    await c.send('made it');
    expect((await c.message(0)).data.toString()).toBe('made it');
    await b.send('b still here');
    expect((await b.message(0)).data.toString()).toBe('b still here');
  });

  it('-s negotiates the first offered subprotocol on its list; without -s the first one offered is taken', async () => {
    const server = await startServerCli(['echo', '0', '-s', 'chat.v2', '-s', 'json', '--json']);
    const client = await openClient(server.url, ['mqtt', 'json', 'chat.v2']);
    expect(client.ws.protocol).toBe('json');
    // Nothing acceptable offered: no Sec-WebSocket-Protocol in the answer (RFC 6455 4.2.2); ws then gives up.
    const refused = new WebSocket(server.url, ['mqtt']);
    refused.on('error', () => {});
    const answer = await new Promise<string | undefined>((resolve) =>
      refused.once('upgrade', (res) => resolve(res.headers['sec-websocket-protocol'] as string | undefined)),
    );
    expect(answer).toBeUndefined();
    client.ws.close(1000);
    await client.closed;
    server.child.kill('SIGTERM');
    const opens = jsonLines((await server.result).out).filter((e) => e.event === 'open');
    expect(opens[0]).toMatchObject({ conn: 1, protocol: 'json' });

    const open = await startServerCli(['echo', '0']);
    const anyClient = await openClient(open.url, ['first', 'second']);
    expect(anyClient.ws.protocol).toBe('first');
    const cli = await runCli(['connect', open.url, '-s', 'soap', '--json', '-w', '0']);
    expect(jsonLines(cli.out).find((e) => e.event === 'open')).toMatchObject({ protocol: 'soap' });
  });

  it('accepts permessage-deflate by default and not with --no-deflate', async () => {
    const server = await startServerCli(['echo', '0']);
    const deflating = await openClient(server.url, [], { perMessageDeflate: true });
    expect(deflating.ws.extensions).toBe('permessage-deflate');
    const plain = await startServerCli(['echo', '0', '--no-deflate']);
    const notDeflating = await openClient(plain.url, [], { perMessageDeflate: true });
    expect(notDeflating.ws.extensions).toBe('');
    await notDeflating.send('x'.repeat(10000));
    expect((await notDeflating.message(0)).data.toString()).toBe('x'.repeat(10000));
  });

  it('serves wss:// with --cert and --key', async () => {
    const cert = join(pki.dir, 'server.pem');
    const key = join(pki.dir, 'server.key');
    const server = await startServerCli(['echo', '0', '--cert', cert, '--key', key]);
    expect(server.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const cli = await runCli(['connect', server.url, '--ca', pki.caPem, '-x', 'over tls', '-w', '0.3']);
    expect(cli.code).toBe(0);
    expect(cli.out).toBe('over tls\n');
    // A plain ws:// client talking to it fails its handshake and leaves the server running.
    const plainText = await runCli(['connect', server.url.replace('wss:', 'ws:'), '-x', 'x', '-w', '0']);
    expect(plainText.code).not.toBe(0);
    const again = await openClient(server.url, [], { ca: readFileSync(pki.caPem) });
    await again.send('still serving');
    expect((await again.message(0)).data.toString()).toBe('still serving');
  });

  it('rejects unusable server options with exit 2 or 4, and a port in use with exit 3', async () => {
    const cert = join(pki.dir, 'server.pem');
    const onlyCert = await runCli(['echo', '0', '--cert', cert]);
    expect(onlyCert.code).toBe(2);
    expect(onlyCert.stderr).toContain('wsprobe: --cert and --key go together');
    const missing = await runCli(['echo', '0', '--cert', cert, '--key', join(pki.dir, 'nope.key')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    const garbage = join(pki.dir, 'garbage.pem');
    writeFileSync(garbage, 'not a certificate');
    const bad = await runCli(['echo', '0', '--cert', garbage, '--key', garbage]);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toContain('wsprobe: cannot use --cert');
    for (const args of [
      ['70000'],
      ['0', '--auth', 'nocolon'],
      ['0', '--close-code', '1005'],
      ['0', '--max-clients', '0'],
    ]) {
      const result = await runCli(['listen', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^wsprobe: .+\n$/);
    }
    const taken = await startServerCli(['echo', '0']);
    const inUse = await runCli(['echo', String(taken.port), '--json']);
    expect(inUse.code).toBe(3);
    expect(inUse.stderr).toContain(`cannot listen on 127.0.0.1:${taken.port}: address already in use (EADDRINUSE)`);
    expect(jsonLines(inUse.out).at(-1)).toMatchObject({ event: 'summary', exitCode: 3 });
  });

  it('closes a client whose message is over --max-payload with 1009; the others carry on', async () => {
    const server = await startServerCli(['echo', '0', '--max-payload', '1024', '--json']);
    const good = await openClient(server.url);
    const big = await openClient(server.url);
    await big.send(Buffer.alloc(1024, 1));
    expect((await big.message(0)).data.length).toBe(1024);
    await big.send(Buffer.alloc(1025, 1)).catch(() => {});
    expect((await big.closed).code).toBe(1009);
    await good.send('unbothered');
    expect((await good.message(0)).data.toString()).toBe('unbothered');
    await server.waitForOutput('"event":"close","time"');
    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    expect(events.find((e) => e.event === 'close' && e.conn === 2)).toMatchObject({ code: 1009, by: 'server' });
    expect(events.find((e) => e.event === 'error' && e.conn === 2)).toMatchObject({ kind: 'protocol' });
  });

  it('--ping-interval drops a client that stops answering pings and keeps the one that answers', async () => {
    const server = await startServerCli(['echo', '0', '--ping-interval', '0.3', '-P']);
    const answering = await openClient(server.url);
    const silent = await openClient(server.url, [], { autoPong: false });
    const start = performance.now();
    expect((await silent.closed).code).toBe(1006);
    expect(performance.now() - start).toBeGreaterThanOrEqual(250);
    await answering.send('alive');
    expect((await answering.message(0)).data.toString()).toBe('alive');
    await server.waitForOutput('[#1] pong in 0 bytes, rtt');
    server.child.kill('SIGTERM');
    const { stderr } = await server.result;
    expect(stderr).toContain('wsprobe: client #2 dropped: no pong within 0.3 s (--ping-interval)');
    expect(stderr).toContain('[#2] connection lost: 1006');
    expect(stderr).not.toContain('client #1 dropped');
  });
});
