/**
 * `listen` with several clients, read by a person (issue 14): one line per client that connects, a
 * relayed message attributed to its sender, a line typed for everyone shown once with how many got
 * it, `/to <id>` followed by any command for one client (a text, `/hex`, `/json`, `/ping`, `/close`),
 * and `/clients` in aligned columns. The built CLI against real `ws` clients on 127.0.0.1; the pretty
 * view is what the person at the terminal sees (`--pretty` with stdout piped, and once in a pty).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, type RunningServerCli, startServerCli } from './support/cli.js';
import { startPty } from './support/pty.js';
import { openClient, type TestClient } from './support/ws-peers.js';

/** Opens `ws` clients one after the other (ids #1, #2, …), each once the CLI has shown its line. */
async function clients(server: RunningServerCli, n: number, protocols: string[][] = []): Promise<TestClient[]> {
  const opened: TestClient[] = [];
  for (let i = 0; i < n; i++) {
    opened.push(await openClient(server.url, protocols[i] ?? []));
    await server.waitForOutput(`[#${i + 1}] connected from 127.0.0.1:`);
  }
  return opened;
}

/** Everything the CLI printed so far, both streams (it is killed at the end of each test). */
async function finish(server: RunningServerCli): Promise<{ out: string; err: string }> {
  server.child.kill('SIGTERM');
  const result = await server.result;
  expect(result.code).toBe(143);
  return { out: result.out, err: result.stderr };
}

const text = (s: string) => ({ data: Buffer.from(s), isBinary: false });

describe('listen with a crowd', () => {
  it('shows each client in one line when it connects: id, address, path, subprotocol', async () => {
    const server = await startServerCli(['listen', '0', '--pretty', '--no-color', '-s', 'chat.v1', '--no-deflate']);
    const one = await openClient(`${server.url}/chat?room=7`, ['chat.v1']);
    await server.waitForOutput('[#1] connected from');
    one.ws.close(4000, 'done');
    await server.waitForOutput('[#1] closed 4000');
    const { out } = await finish(server);
    const lines = out.split('\n').filter((l) => l.startsWith('[#1]'));
    expect(lines).toEqual([
      expect.stringMatching(/^\[#1\] connected from 127\.0\.0\.1:\d+ to \/chat\?room=7 \(subprotocol chat\.v1\)$/),
      '[#1] closed 4000 (Private Use) by client, reason "done", clean',
    ]);
  });

  it('--broadcast: a relayed message says whose it is, and the others get its payload', async () => {
    const server = await startServerCli(['listen', '0', '--broadcast', '--pretty', '--no-color']);
    const [one, two] = await clients(server, 2);
    await one.send('hello');
    expect(await two.message(0)).toEqual(text('hello'));
    await server.waitForOutput('[#2] > hello  (from #1)\n');

    // With more than one other client, still one line: whose it is and how many got it.
    const [three] = [await openClient(server.url)];
    await server.waitForOutput('[#3] connected from');
    await two.send(Buffer.from([0xca, 0xfe]), { binary: true });
    expect(await one.message(0)).toEqual({ data: Buffer.from([0xca, 0xfe]), isBinary: true });
    expect(await three.message(0)).toEqual({ data: Buffer.from([0xca, 0xfe]), isBinary: true });
    await server.waitForOutput('> binary 2 bytes  (from #2, to 2 clients)\n');
    // Nobody gets their own message back.
    expect(two.messages).toEqual([text('hello')]);
    expect(one.messages).toHaveLength(1);

    const { out } = await finish(server);
    expect(out).toContain('[#1] < hello\n[#2] > hello  (from #1)\n');
    expect(out).toMatch(/^\[#2\] < binary 2 bytes\n.*\n> binary 2 bytes {2}\(from #2, to 2 clients\)\n/m);
    // Not one line per recipient.
    expect(out).not.toMatch(/^\[#[13]\] > binary/m);
  });

  it('a typed line for everyone is shown once with its recipient count, and each client gets it', async () => {
    const server = await startServerCli(['listen', '0', '--pretty', '--no-color']);
    const crowd = await clients(server, 3);
    server.child.stdin!.write('hello all\n');
    for (const client of crowd) expect(await client.message(0)).toEqual(text('hello all'));
    await server.waitForOutput('> hello all  (to 3 clients)\n');
    const { out } = await finish(server);
    expect(out.split('\n').filter((l) => l.includes('hello all'))).toEqual(['> hello all  (to 3 clients)']);
  });

  it('--json: a broadcast is one message event with its recipients, a relay names its sender', async () => {
    const server = await startServerCli(['listen', '0', '--broadcast', '--json']);
    const [one, two, three] = await Promise.all([0, 1, 2].map(() => openClient(server.url)));
    await server.waitForOutput('"conn":3,"url"');
    server.child.stdin!.write('to all\n');
    for (const client of [one, two, three]) expect(await client.message(0)).toEqual(text('to all'));
    await three.send('relay me');
    expect(await one.message(1)).toEqual(text('relay me'));
    expect(await two.message(1)).toEqual(text('relay me'));
    await server.waitForOutput('"from":3');
    const events = jsonLines((await finish(server)).out);
    const out = events.filter((e) => e.event === 'message' && e.dir === 'out');
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ type: 'text', data: 'to all', size: 6, recipients: 3 });
    expect((out[0].to as number[]).toSorted()).toEqual([1, 2, 3]);
    expect(out[0]).not.toHaveProperty('conn');
    expect(out[1]).toMatchObject({ data: 'relay me', from: 3, recipients: 2 });
    expect((out[1].to as number[]).toSorted()).toEqual([1, 2]);
    // The client that connected: where from, in its open event too.
    expect(events.find((e) => e.event === 'open' && e.conn === 2)).toMatchObject({
      remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
  });

  it('/to <id> takes any command for that one client: /hex is binary, /json, /ping, /close with code and reason', async () => {
    const server = await startServerCli(['listen', '0', '--pretty', '--no-color']);
    const [one, two, three] = await clients(server, 3);
    const pings: string[] = [];
    two.ws.on('ping', (data: Buffer) => pings.push(data.toString()));
    const stdin = server.child.stdin!;

    stdin.write('/to 2 /hex 00ff\n/to 2 /json {"a": [1, 2]}\n/to 2 /ping are you there\n/to 2 plain\n');
    expect(await two.message(0)).toEqual({ data: Buffer.from([0x00, 0xff]), isBinary: true });
    expect(await two.message(1)).toEqual(text('{"a":[1,2]}'));
    expect(await two.message(2)).toEqual(text('plain'));
    expect(pings).toEqual(['are you there']);
    await server.waitForOutput('[#2] > plain\n');

    // The others got none of it: their first message is the next line for everyone.
    stdin.write('for everyone\n');
    for (const client of [one, three]) expect(await client.message(0)).toEqual(text('for everyone'));
    expect(await two.message(3)).toEqual(text('for everyone'));

    stdin.write('/to 2 /close 4000 bye\n');
    expect(await two.closed).toEqual({ code: 4000, reason: 'bye' });
    await server.waitForOutput('[#2] closed 4000 (Private Use) by server, reason "bye", clean');

    // A command that is not for one client, or a bad payload, is one line and sends nothing.
    stdin.write('/to 1 /quit\n/to 1 /hex zz\nstill here\n');
    for (const client of [one, three]) expect(await client.message(1)).toEqual(text('still here'));
    const { out, err } = await finish(server);
    expect(err).toContain('wsprobe: /to 1: "/quit" is not for one client');
    expect(err).toContain('wsprobe: /to 1: /hex: invalid hex');
    expect(out).toContain('[#2] > binary 2 bytes\n');
    expect(one.messages).toHaveLength(2);
  });

  it('/clients lines its columns up, whatever the paths, subprotocols and ids', async () => {
    const server = await startServerCli(['listen', '0', '-s', 'chat.v1', '-s', 'x']);
    await clients(server, 1);
    const b = await openClient(`${server.url}/a/much/longer/path?q=1`, ['chat.v1']);
    await server.waitForOutput('[#2] connected from');
    const c = await openClient(`${server.url}/x`, ['x']);
    await server.waitForOutput('[#3] connected from');
    await b.send('some bytes');
    await c.send('more');
    await server.waitForOutput('more\n');
    server.child.stdin!.write('/clients\n');
    await server.waitForOutput('  #3  ');
    const { err } = await finish(server);
    const start = err.indexOf('3 clients:\n');
    const table = err.slice(start).split('\n').slice(1, 5);
    const [header, ...rows] = table;
    expect(header).toMatch(/^ {2}id {2}remote +path +subprotocol +up {2}in {2}out {2}bytes in {2}bytes out$/);
    expect(rows.map((r) => r.slice(0, 4))).toEqual(['  #1', '  #2', '  #3']);
    // Every text column starts where its heading does; numbers end where theirs do.
    for (const name of ['remote', 'path', 'subprotocol']) {
      const at = header.indexOf(name);
      for (const row of rows) expect(row.slice(at - 2, at + 1)).toMatch(/^ {2}\S$/);
    }
    for (const row of rows) expect(row.length).toBe(header.length);
    expect(rows[1]).toMatch(/ \/a\/much\/longer\/path\?q=1 +chat\.v1 +[\d.]+s +1 +0 +10 +0$/);
    expect(rows[2]).toMatch(/ \/x +x +[\d.]+s +1 +0 +4 +0$/);
  });

  it('on a terminal: the relayed line and the broadcast line, each once, above the prompt', async () => {
    const cli = startPty(['listen', '0', '--broadcast', '--no-history'], {
      HOME: mkdtempSync(join(tmpdir(), 'wsprobe-crowd-')),
    });
    const screen = await cli.waitForScreen(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    const url = /listening on (ws:\/\/\S+)/.exec(screen.join('\n'))![1];
    const one = await openClient(url);
    await cli.waitForScreen('[#1] connected from');
    const two = await openClient(url);
    await cli.waitForScreen('[#2] connected from');
    await one.send('hi two');
    expect(await two.message(0)).toEqual(text('hi two'));
    await cli.waitForScreen('[#2] > hi two  (from #1)');
    cli.type('hello both\r');
    expect(await one.message(0)).toEqual(text('hello both'));
    expect(await two.message(1)).toEqual(text('hello both'));
    const after = await cli.waitForScreen('> hello both  (to 2 clients)');
    expect(after.filter((row) => row.includes('hello both')).map((row) => row.trimEnd())).toEqual([
      '> hello both  (to 2 clients)',
    ]);
    cli.type('/quit\r');
    expect(await cli.exit).toBe(0);
  });
});
