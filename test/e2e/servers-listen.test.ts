/** `wsprobe listen`: lines to every client, slash commands, --broadcast, --greeting, --close-after, --once, signals. */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { jsonLines, startServerCli } from './support/cli.js';
import { openClient } from './support/ws-peers.js';

/** Resolves with the error of a connection attempt that must fail. */
function connectError(url: string): Promise<NodeJS.ErrnoException> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error(`${url} accepted a connection`)));
    ws.once('error', resolve);
  });
}

describe('wsprobe listen', () => {
  it('prints what clients send: payloads on stdout, one per line, status lines with the client id on stderr', async () => {
    const server = await startServerCli(['listen', '0']);
    const a = await openClient(server.url);
    await a.send('first line');
    await server.waitForOutput('first line\n');
    const b = await openClient(server.url);
    await b.send('second line');
    await b.send(Buffer.from('hex me'), { binary: true });
    await server.waitForOutput('hex me');
    a.ws.close(1000);
    b.ws.close(4001, 'bye');
    await server.waitForOutput('[#2] closed 4001');
    server.child.kill('SIGINT');
    const result = await server.result;
    expect(result.code).toBe(130);
    expect(result.out).toBe('first line\nsecond line\nhex me');
    // One line per client once its handshake is done: address, path (what was agreed, when anything was).
    expect(result.stderr).toMatch(/^\[#1\] connected from 127\.0\.0\.1:\d+ to \/.*$/m);
    expect(result.stderr).toMatch(/^\[#2\] connected from 127\.0\.0\.1:\d+ to \/.*$/m);
    expect(result.stderr).not.toContain('client connected');
    expect(result.stderr).toContain('[#1] closed 1000 (Normal Closure) by client, clean');
    expect(result.stderr).toContain('[#2] closed 4001 (Private Use) by client, reason "bye", clean');
  });

  it('sends typed lines to every client; /to, /hex, /ping, /clients, /close and bad commands do what they say', async () => {
    const server = await startServerCli(['listen', '0', '--json']);
    const one = await openClient(server.url);
    const two = await openClient(server.url);
    await server.waitForOutput('"conn":2,"url"');
    const pings: string[] = [];
    two.ws.on('ping', (data: Buffer) => pings.push(data.toString()));
    const stdin = server.child.stdin!;

    stdin.write('hello everyone\n');
    expect((await one.message(0)).data.toString()).toBe('hello everyone');
    expect((await two.message(0)).data.toString()).toBe('hello everyone');

    stdin.write('/to 2 just for two\n/hex 00ff0a\n');
    expect((await two.message(1)).data.toString()).toBe('just for two');
    expect(await one.message(1)).toEqual({ data: Buffer.from([0, 255, 10]), isBinary: true });
    expect(await two.message(2)).toEqual({ data: Buffer.from([0, 255, 10]), isBinary: true });

    stdin.write('//slash kept\n/ping are you there\n');
    expect((await one.message(2)).data.toString()).toBe('/slash kept');
    await server.waitForOutput('"conn":2,"dir":"in","data":"are you there"');
    expect(pings).toEqual(['are you there']);

    stdin.write('/clients\n/to 9 nobody\n/bogus\n');
    await server.waitForOutput('unknown command "/bogus"');

    stdin.write('/close 1 4000 go away\n');
    expect(await one.closed).toEqual({ code: 4000, reason: 'go away' });
    stdin.write('still there?\n');
    expect((await two.message(4)).data.toString()).toBe('still there?');
    expect(one.messages).toHaveLength(3);

    server.child.kill('SIGTERM');
    const result = await server.result;
    expect(result.code).toBe(143);
    // Columns under a header, numbers to the right: the bytes are those of the messages each got.
    expect(result.stderr).toMatch(
      /^2 clients:\n {2}id {2}remote {11}path {2}subprotocol {2,}up {2}in {2}out {2}bytes in {2}bytes out\n {2}#1 {2}127\.0\.0\.1:\d+ {2}\/ {5}- {12,}[\d.]+s {3}0 {4}3 {9}0 {9}28\n {2}#2 {2}127\.0\.0\.1:\d+ {2}\/ {5}- {12,}[\d.]+s {3}0 {4}4 {9}0 {9}40$/m,
    );
    expect(result.stderr).toContain('wsprobe: /to: no client #9 is connected (see /clients)');
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'close' && e.conn === 1)).toMatchObject({
      code: 4000,
      reason: 'go away',
      by: 'server',
      clean: true,
    });
    expect(events.find((e) => e.event === 'pong' && e.conn === 2)).toMatchObject({ dir: 'in', data: 'are you there' });
    expect(events.find((e) => e.event === 'error' && e.kind === 'usage')).toBeTruthy();
    // SIGTERM closes the remaining client with 1001.
    expect(await two.closed).toMatchObject({ code: 1001 });
  });

  it('keeps lines typed before anyone connects for the first client, in order', async () => {
    const server = await startServerCli(['listen', '0']);
    server.child.stdin!.write('queued 1\nqueued 2\n/text queued 3\n');
    await server.waitForOutput('no client connected: messages wait for the first one');
    const client = await openClient(server.url);
    const got = await client.waitForMessages(3);
    expect(got.map((m) => m.data.toString())).toEqual(['queued 1', 'queued 2', 'queued 3']);
    // A last line without a newline is sent when stdin ends; the server keeps running.
    server.child.stdin!.end('no newline');
    expect((await client.message(3)).data.toString()).toBe('no newline');
    await client.send('still serving');
    await server.waitForOutput('still serving');
  });

  it('--broadcast relays each client message, text or binary, to all the other clients', async () => {
    const server = await startServerCli(['listen', '0', '--broadcast', '--json']);
    const [a, b, c] = [await openClient(server.url), await openClient(server.url), await openClient(server.url)];
    await a.send('hi from a');
    expect((await b.message(0)).data.toString()).toBe('hi from a');
    expect((await c.message(0)).data.toString()).toBe('hi from a');
    await b.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await a.message(0)).toEqual({ data: Buffer.from([1, 2, 3]), isBinary: true });
    expect(await c.message(1)).toEqual({ data: Buffer.from([1, 2, 3]), isBinary: true });
    await c.send('and c');
    expect((await a.message(1)).data.toString()).toBe('and c');
    expect((await b.message(1)).data.toString()).toBe('and c');
    // Nobody got their own message back.
    expect(a.messages.map((m) => m.data.toString())).not.toContain('hi from a');
    expect(b.messages.map((m) => m.data.toString())).not.toContain('\x01\x02\x03');
    expect(c.messages.map((m) => m.data.toString())).not.toContain('and c');

    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    // A relayed message is one event: whose it is and whom it went to.
    const relayed = events.filter((e) => e.event === 'message' && e.dir === 'out' && e.data === 'hi from a');
    expect(relayed).toHaveLength(1);
    expect(relayed[0]).toMatchObject({ from: 1, recipients: 2, type: 'text', size: 9 });
    expect(relayed[0].conn).toBeUndefined();
    expect((relayed[0].to as number[]).toSorted()).toEqual([2, 3]);
  });

  it('--greeting greets each client; --close-after closes it with --close-code and --close-reason', async () => {
    const server = await startServerCli([
      'listen',
      '0',
      '--greeting',
      'welcome!',
      '--close-after',
      '0.5',
      '--close-code',
      '4002',
      '--close-reason',
      'time is up',
    ]);
    const start = performance.now();
    const client = await openClient(server.url);
    expect((await client.message(0)).data.toString()).toBe('welcome!');
    expect(await client.closed).toEqual({ code: 4002, reason: 'time is up' });
    expect(performance.now() - start).toBeGreaterThanOrEqual(450);
    await server.waitForOutput('[#1] closed 4002 (Private Use) by server, reason "time is up", clean');
  });

  it('--once exits after the first client leaves: 0 when it closed normally, 7 for another code', async () => {
    const server = await startServerCli(['echo', '0', '--once', '--json']);
    const first = await openClient(server.url);
    const second = await openClient(server.url);
    await first.send('bye');
    await first.message(0);
    first.ws.close(1000, 'done');
    const result = await server.result;
    expect(result.code).toBe(0);
    expect(await second.closed).toMatchObject({ code: 1001 });
    expect(jsonLines(result.out).at(-1)).toMatchObject({ event: 'summary', exitCode: 0 });

    const other = await startServerCli(['listen', '0', '--once']);
    const client = await openClient(other.url);
    client.ws.close(4000, 'oops');
    const otherResult = await other.result;
    expect(otherResult.code).toBe(7);
    expect(otherResult.stderr).toContain('[#1] closed 4000 (Private Use) by client, reason "oops", clean');
  });

  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s closes every client with 1001 and exits %i (128 + signal)', async (signal, exitCode) => {
    const server = await startServerCli(['listen', '0', '--json']);
    const clients = await Promise.all([1, 2, 3].map(() => openClient(server.url)));
    await server.waitForOutput('"conn":3,"url"');
    server.child.kill(signal);
    for (const client of clients) expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    const result = await server.result;
    expect(result.code).toBe(exitCode);
    expect(result.signal).toBeNull();
    const closes = jsonLines(result.out).filter((e) => e.event === 'close');
    expect(closes).toHaveLength(3);
    for (const close of closes) expect(close).toMatchObject({ code: 1001, by: 'server', clean: true });
    // One `interrupted` event, before the closes it causes; the summary last.
    const events = jsonLines(result.out);
    const interrupted = events.findIndex((e) => e.event === 'interrupted' && e.signal === signal);
    expect(interrupted).toBeGreaterThanOrEqual(0);
    expect(interrupted).toBeLessThan(events.findIndex((e) => e.event === 'close'));
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode });
  });

  it('/quit closes every client with 1000 and exits 0', async () => {
    const server = await startServerCli(['listen', '0']);
    const client = await openClient(server.url);
    server.child.stdin!.write('/quit\n');
    expect(await client.closed).toMatchObject({ code: 1000 });
    expect((await server.result).code).toBe(0);
  });

  it('binds 127.0.0.1 by default and only the --host address when given', async () => {
    const local = await startServerCli(['listen', '0', '--no-stdin']);
    expect(local.url).toBe(`ws://127.0.0.1:${local.port}`);
    // 127.0.0.2 is loopback too, but not the address bound: nobody answers there.
    expect((await connectError(`ws://127.0.0.2:${local.port}`)).code).toBe('ECONNREFUSED');

    const other = await startServerCli(['echo', '0', '--host', '127.0.0.2']);
    expect(other.url).toBe(`ws://127.0.0.2:${other.port}`);
    const client = await openClient(other.url);
    await client.send('via 127.0.0.2');
    expect((await client.message(0)).data.toString()).toBe('via 127.0.0.2');
    expect((await connectError(`ws://127.0.0.1:${other.port}`)).code).toBe('ECONNREFUSED');

    const named = await startServerCli(['echo', '0', '--host', 'localhost']);
    expect(named.url).toBe(`ws://localhost:${named.port}`);
  });

  it('--no-stdin leaves stdin alone', async () => {
    const server = await startServerCli(['listen', '0', '--no-stdin']);
    server.child.stdin!.write('not for anyone\n/quit\n');
    const client = await openClient(server.url);
    await client.send('marker');
    await server.waitForOutput('marker\n');
    server.child.kill('SIGTERM');
    expect(await client.closed).toMatchObject({ code: 1001 });
    expect(client.messages).toEqual([]);
    expect((await server.result).stderr).not.toContain('no client connected');
  });

  it('stops like on SIGTERM when the reader of its stdout goes away', async () => {
    const server = await startServerCli(['listen', '0']);
    const client = await openClient(server.url);
    server.child.stdout!.destroy();
    // The next thing it prints finds the pipe closed.
    await client.send('anyone reading?');
    expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    const { code, stderr } = await server.result;
    expect(code).toBe(0);
    expect(stderr).toContain('[#1] closed 1001 (Going Away) by server, reason "server shutting down", clean');
  });
});
