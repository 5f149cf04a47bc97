/** `wsprobe echo`: several real clients at once, byte-exact echoes, big and fragmented messages, --delay, -v. */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jsonLines, startServerCli } from './support/cli.js';
import { openClient } from './support/ws-peers.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('wsprobe echo', () => {
  it('reports the free port it got for port 0 and accepts clients on it', async () => {
    const server = await startServerCli(['echo', '0']);
    expect(server.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    const client = await openClient(server.url);
    await client.send('ping?');
    expect((await client.message(0)).data.toString()).toBe('ping?');

    const json = await startServerCli(['echo', '0', '--json']);
    expect(json.port).toBeGreaterThan(0);
    expect(json.port).not.toBe(server.port);
  });

  it('echoes text as text and binary as binary, byte-exact, to four clients at once, each getting only its own', async () => {
    const server = await startServerCli(['echo', '0', '--json']);
    const payloads = (n: number) => [
      { data: Buffer.from(`hello from ${n}`), binary: false },
      { data: Buffer.from(''), binary: false },
      { data: Buffer.from(`ünïcødé ✓ 🚀 ${n}`), binary: false },
      { data: Buffer.from([0, 255, 10, 13, n]), binary: true },
      { data: randomBytes(4096), binary: true },
      { data: Buffer.alloc(0), binary: true },
    ];
    const clients = await Promise.all([1, 2, 3, 4].map(() => openClient(server.url)));
    // Interleave the clients' sends so the server has all four busy at once.
    const sent = clients.map((_, i) => payloads(i));
    for (let k = 0; k < sent[0].length; k++) {
      await Promise.all(clients.map((c, i) => c.send(sent[i][k].data, { binary: sent[i][k].binary })));
    }
    for (const [i, client] of clients.entries()) {
      const got = await client.waitForMessages(sent[i].length);
      expect(got.map((m) => m.isBinary)).toEqual(sent[i].map((p) => p.binary));
      expect(got.map((m) => m.data.toString('hex'))).toEqual(sent[i].map((p) => p.data.toString('hex')));
    }

    for (const c of clients) c.ws.close(1000);
    await Promise.all(clients.map((c) => c.closed));
    server.child.kill('SIGTERM');
    const result = await server.result;
    expect(result.code).toBe(143);
    const events = jsonLines(result.out);
    const conns = new Set(events.filter((e) => e.event === 'connection').map((e) => e.conn));
    expect(conns).toEqual(new Set([1, 2, 3, 4]));
    for (const conn of conns) {
      const messages = events.filter((e) => e.event === 'message' && e.conn === conn);
      expect(messages.filter((e) => e.dir === 'in')).toHaveLength(6);
      expect(messages.filter((e) => e.dir === 'out')).toHaveLength(6);
      expect(events.find((e) => e.event === 'close' && e.conn === conn)).toMatchObject({ code: 1000, by: 'client' });
    }
    expect(events.find((e) => e.event === 'connection')?.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 143, messagesIn: 24, messagesOut: 24 });
  });

  it('echoes a 16 MiB binary message intact, with and without permessage-deflate', async () => {
    const server = await startServerCli(['echo', '0', '-q']);
    const big = randomBytes(16 * 1024 * 1024);
    for (const perMessageDeflate of [true, false]) {
      const client = await openClient(server.url, [], { perMessageDeflate, maxPayload: 64 * 1024 * 1024 });
      expect(client.ws.extensions).toBe(perMessageDeflate ? 'permessage-deflate' : '');
      await client.send(big);
      const echoed = await client.message(0);
      expect(echoed.isBinary).toBe(true);
      expect(echoed.data.length).toBe(big.length);
      expect(sha(echoed.data)).toBe(sha(big));
      client.ws.close();
      await client.closed;
    }
    server.child.kill('SIGTERM');
    const result = await server.result;
    // Pipe mode writes what it received to stdout: both copies, byte for byte.
    expect(result.stdout.length).toBe(2 * big.length);
    expect(sha(result.stdout.subarray(0, big.length))).toBe(sha(big));
  });

  it('reassembles a fragmented message and echoes it whole, with its type', async () => {
    const server = await startServerCli(['echo', '0', '--json']);
    const client = await openClient(server.url);
    await client.send('hel', { fin: false });
    await client.send('lo, ', { fin: false });
    await client.send('world', { fin: true });
    const parts = [randomBytes(1000), randomBytes(70000), randomBytes(3)];
    await client.send(parts[0], { binary: true, fin: false });
    await client.send(parts[1], { binary: true, fin: false });
    await client.send(parts[2], { binary: true, fin: true });
    const [text, binary] = await client.waitForMessages(2);
    expect(text).toMatchObject({ isBinary: false });
    expect(text.data.toString()).toBe('hello, world');
    expect(binary.isBinary).toBe(true);
    expect(binary.data.equals(Buffer.concat(parts))).toBe(true);

    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out).filter((e) => e.event === 'message' && e.dir === 'in');
    expect(events).toEqual([
      expect.objectContaining({ conn: 1, type: 'text', data: 'hello, world', size: 12 }),
      expect.objectContaining({ conn: 1, type: 'binary', size: 71003 }),
    ]);
  });

  it('waits --delay milliseconds before each echo and keeps the order', async () => {
    const server = await startServerCli(['echo', '0', '--delay', '400']);
    const client = await openClient(server.url);
    const start = performance.now();
    await Promise.all(['one', 'two', 'three'].map((m) => client.send(m)));
    const first = await client.message(0);
    expect(performance.now() - start).toBeGreaterThanOrEqual(390);
    expect(first.data.toString()).toBe('one');
    const all = await client.waitForMessages(3);
    expect(all.map((m) => m.data.toString())).toEqual(['one', 'two', 'three']);
  });

  it('-v shows the request headers as the server saw them, and the 101 answer', async () => {
    const server = await startServerCli(['echo', '0', '-v', '--pretty', '--no-color']);
    const client = await openClient(`${server.url}/chat?room=7`, [], {
      headers: { 'X-Debug-Token': 'abc 123', Authorization: 'Bearer s3cret' },
    });
    await client.send('x');
    await client.message(0);
    client.ws.close(1000);
    await server.waitForOutput('closed 1000');
    server.child.kill('SIGTERM');
    const { out, code } = await server.result;
    expect(code).toBe(143);
    expect(out).toMatch(/^\[#1\] \* connection from 127\.0\.0\.1:\d+$/m);
    expect(out).toContain('[#1] < GET /chat?room=7 HTTP/1.1\n');
    expect(out).toContain('[#1] < X-Debug-Token: abc 123\n');
    expect(out).toContain('[#1] < Authorization: Bearer ****\n');
    expect(out).not.toContain('s3cret');
    expect(out).toContain('[#1] > HTTP/1.1 101 Switching Protocols\n');
    expect(out).toMatch(/^\[#1\] connected from 127\.0\.0\.1:\d+ to \/chat\?room=7 \(permessage-deflate\)$/m);
    expect(out).toContain('[#1] < x\n[#1] > x\n');

    const json = await startServerCli(['echo', '0', '--json']);
    const other = await openClient(json.url, [], { headers: { 'X-Debug-Token': 'abc 123' } });
    other.ws.close(1000);
    await other.closed;
    await json.waitForOutput('"event":"close"');
    json.child.kill('SIGTERM');
    const events = jsonLines((await json.result).out);
    expect(events.map((e) => e.event).slice(0, 5)).toEqual(['listening', 'connection', 'request', 'response', 'open']);
    expect(events.find((e) => e.event === 'request')).toMatchObject({ conn: 1, method: 'GET', url: `${json.url}/` });
    expect(events.find((e) => e.event === 'request')?.headers).toMatchObject({
      'x-debug-token': 'abc 123',
      upgrade: 'websocket',
    });
    expect(events.find((e) => e.event === 'response')).toMatchObject({ conn: 1, status: 101 });
  });

  it('takes the output options of connect: -q, --separator, --binary-output, -t, --max-display, --show-secrets', async () => {
    const piped = await startServerCli(['echo', '0', '-q', '--separator', '\\0', '--binary-output', 'hex']);
    const client = await openClient(piped.url);
    await client.send('one');
    await client.send(Buffer.from([0xca, 0xfe]), { binary: true });
    await client.waitForMessages(2);
    client.ws.close(1000);
    await client.closed;
    piped.child.kill('SIGTERM');
    const pipedResult = await piped.result;
    expect(pipedResult.out).toBe('one\0cafe\0');
    // -q: only errors on stderr (the listening line is how scripts find the port, so it stays).
    expect(pipedResult.stderr).toBe(`listening on ${piped.url}\n`);

    const pretty = await startServerCli([
      'echo',
      '0',
      '--pretty',
      '--no-color',
      '-t',
      '-v',
      '--max-display',
      '4',
      '--show-secrets',
    ]);
    const other = await openClient(pretty.url, [], { headers: { Cookie: 'session=abc' } });
    await other.send(Buffer.from('0123456789'), { binary: true });
    await other.message(0);
    other.ws.close(1000);
    await other.closed;
    await pretty.waitForOutput('closed 1000');
    pretty.child.kill('SIGTERM');
    const { out } = await pretty.result;
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[#1\] < Cookie: session=abc$/m);
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} \[#1\] < binary 10 bytes$/m);
    expect(out).toContain('30 31 32 33');
    expect(out).not.toContain('34 35');
  });
});
