/**
 * Hostile clients: garbage, a handshake that never finishes, oversized and unmasked frames, invalid
 * UTF-8, fragment floods, a flooder that never reads, a reader too slow for a broadcast. Each is
 * dropped (or throttled) on its own, with the right answer, while a well-behaved client connected at
 * the same time keeps working.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { jsonLines, type RunningServerCli, startServerCli } from './support/cli.js';
import { clientFrame, closeCodeSent, frame, Opcode } from './support/frames.js';
import { upgradeRequest } from './support/handshake.js';
import { rawConnect } from './support/raw-client.js';
import { openClient, type TestClient } from './support/ws-peers.js';

/** The well-behaved client still gets its echo. */
async function stillEchoes(client: TestClient, text: string): Promise<void> {
  const before = client.messages.length;
  await client.send(text);
  expect((await client.message(before)).data.toString()).toBe(text);
}

/** A raw connection that has completed the opening handshake. */
async function rawWebSocket(server: RunningServerCli) {
  const raw = await rawConnect(server.port);
  raw.socket.write(upgradeRequest(server.port));
  await raw.waitFor('\r\n\r\n');
  expect(raw.received().toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  return raw;
}

function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** Polls until `read()` has stayed the same for `stableFor` ms (something stopped moving). */
async function settles(read: () => number, stableFor = 600): Promise<number> {
  let last = read();
  let since = performance.now();
  for (;;) {
    await sleep(50);
    const now = read();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= stableFor) return now;
  }
}

describe('hostile clients', () => {
  it('answers random bytes with 400 and endless headers with 431, and drops them; a connected client keeps working', async () => {
    const server = await startServerCli(['echo', '0']);
    const good = await openClient(server.url);
    const garbage = await rawConnect(server.port);
    garbage.socket.write(Buffer.from('16030100a5010000a10303d1e2f3\x00\xff\xfe random garbage\r\n\r\n', 'latin1'));
    const answer = await garbage.ended;
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    await stillEchoes(good, 'after garbage');
    // Endless headers are cut off at 16 KiB.
    const endless = await rawConnect(server.port);
    endless.socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect((await endless.ended).toString('latin1')).toMatch(/^HTTP\/1\.1 431 /);
    // Binary noise right after a valid handshake is a protocol error: 1002.
    const noisy = await rawWebSocket(server);
    noisy.socket.write(Buffer.from([0x8f, 0xff, 0x13, 0x37, 0x00, 0x42, 0x99, 0x01]));
    expect(closeCodeSent(await noisy.ended)).toBe(1002);
    await stillEchoes(good, 'after noise');
    server.child.kill('SIGTERM');
    const { stderr, code } = await server.result;
    expect(code).toBe(143);
    expect(stderr).toMatch(/wsprobe: dropped 127\.0\.0\.1:\d+: not a valid HTTP request \(HPE_INVALID_METHOD\)/);
    expect(stderr).toMatch(/wsprobe: dropped 127\.0\.0\.1:\d+: request headers over 16 KiB/);
    expect(stderr).toMatch(
      /wsprobe: client #2 broke the protocol: Invalid WebSocket frame: invalid opcode 15; closing with 1002/,
    );
  });

  it('drops a handshake that never finishes after --handshake-timeout with 408; a connected client keeps working', async () => {
    const server = await startServerCli(['echo', '0', '--handshake-timeout', '1']);
    const good = await openClient(server.url);
    const start = performance.now();
    const stalled = await rawConnect(server.port);
    stalled.socket.write(upgradeRequest(server.port).slice(0, 60));
    const silent = await rawConnect(server.port);
    await stillEchoes(good, 'while one stalls');
    const answer = await stalled.ended;
    expect(answer.toString('latin1')).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(performance.now() - start).toBeGreaterThanOrEqual(900);
    // A connection that never sends a byte is cut off too.
    await silent.ended;
    await stillEchoes(good, 'after the stall');
    server.child.kill('SIGTERM');
    const { stderr } = await server.result;
    expect(stderr).toMatch(
      /wsprobe: dropped 127\.0\.0\.1:\d+: handshake not complete within 1 s \(see --handshake-timeout\)/,
    );
    // Only the one that had started a request is worth a line.
    expect(stderr.match(/handshake not complete/g)).toHaveLength(1);
  });

  it('closes with 1009 on a frame claiming more than --max-payload, before reading it; others carry on', async () => {
    const server = await startServerCli(['echo', '0', '--json']);
    const good = await openClient(server.url);
    const raw = await rawWebSocket(server);
    // A header announcing a 1 TiB binary frame, and then only a few bytes of it.
    raw.socket.write(clientFrame({ opcode: Opcode.Binary, payload: 'just the start', claimedLength: 2n ** 40n }));
    expect(closeCodeSent(await raw.ended)).toBe(1009);
    await stillEchoes(good, 'unbothered');
    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    expect(events.find((e) => e.event === 'error' && e.conn === 2)).toMatchObject({
      kind: 'protocol',
      message: expect.stringContaining('closing with 1009'),
    });
    expect(events.find((e) => e.event === 'close' && e.conn === 2)).toMatchObject({ code: 1009, by: 'server' });
  });

  it('closes with 1002 on an unmasked frame and 1007 on invalid UTF-8; others carry on', async () => {
    const server = await startServerCli(['echo', '0']);
    const good = await openClient(server.url);
    const unmasked = await rawWebSocket(server);
    unmasked.socket.write(frame({ opcode: Opcode.Text, payload: 'no mask' }));
    expect(closeCodeSent(await unmasked.ended)).toBe(1002);
    const badText = await rawWebSocket(server);
    badText.socket.write(clientFrame({ opcode: Opcode.Text, payload: Buffer.from([0x68, 0x69, 0xc3, 0x28]) }));
    expect(closeCodeSent(await badText.ended)).toBe(1007);
    await stillEchoes(good, 'fine here');
    server.child.kill('SIGTERM');
    const { stderr } = await server.result;
    expect(stderr).toContain(
      'client #2 broke the protocol: Invalid WebSocket frame: MASK must be set; closing with 1002',
    );
    expect(stderr).toContain('[#2] closed 1002 (Protocol Error) by server');
    expect(stderr).toContain('closing with 1007');
  });

  it('closes with 1008 a flood of tiny fragments that never ends a message; others carry on', async () => {
    const server = await startServerCli(['echo', '0']);
    const good = await openClient(server.url);
    const raw = await rawWebSocket(server);
    const fragments = [clientFrame({ opcode: Opcode.Text, payload: 'a', fin: false })];
    for (let i = 0; i < 20000; i++)
      fragments.push(clientFrame({ opcode: Opcode.Continuation, payload: 'a', fin: false }));
    raw.socket.write(Buffer.concat(fragments));
    expect(closeCodeSent(await raw.ended)).toBe(1008);
    await stillEchoes(good, 'after the fragment flood');
  });

  it('stops reading a client that floods without reading its echoes: memory stays bounded, nothing is lost', async () => {
    const server = await startServerCli(['echo', '0', '-q', '--no-deflate']);
    const good = await openClient(server.url);
    const baseline = rssBytes(server.child.pid!);
    const flooder = await openClient(server.url, [], { perMessageDeflate: false });
    flooder.ws.pause();
    const chunk = Buffer.alloc(512 * 1024, 7);
    const count = 192; // 96 MiB
    for (let i = 0; i < count; i++) flooder.ws.send(chunk);
    // The server stops reading it: what the flooder has buffered stops going down.
    const stuck = await settles(() => flooder.ws.bufferedAmount);
    expect(stuck).toBeGreaterThan(16 * 1024 * 1024);
    const grown = rssBytes(server.child.pid!) - baseline;
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    await stillEchoes(good, 'the server is fine');
    // Once the flooder reads again, every echo arrives.
    flooder.ws.resume();
    const echoes = await flooder.waitForMessages(count);
    expect(echoes.reduce((n, m) => n + m.data.length, 0)).toBe(count * chunk.length);
  });

  it('closes with 1008 a --broadcast client that stops reading, while the others get everything', async () => {
    const server = await startServerCli(['listen', '0', '--broadcast', '--no-stdin']);
    const sender = await openClient(server.url, [], { perMessageDeflate: false });
    const sleeper = await openClient(server.url, [], { perMessageDeflate: false });
    const reader = await openClient(server.url, [], { perMessageDeflate: false });
    await server.waitForOutput('[#3] connected from');
    sleeper.ws.pause();
    const chunk = Buffer.alloc(1024 * 1024, 3);
    const count = 48;
    for (let i = 0; i < count; i++) await sender.send(chunk);
    const received = await reader.waitForMessages(count);
    expect(received.every((m) => m.data.equals(chunk))).toBe(true);
    // Reading again, the sleeper finds the server's close frame behind what was buffered for it
    // (or, if that took too long, the connection already dropped).
    sleeper.ws.resume();
    expect([1008, 1006]).toContain((await sleeper.closed).code);
    expect(sleeper.messages.length).toBeLessThan(count);
    await stillEchoesViaBroadcast(sender, reader);
    server.child.kill('SIGTERM');
    const { stderr, code } = await server.result;
    expect(code).toBe(143);
    expect(stderr).toMatch(/wsprobe: client #2 is not reading \([\d.]+ MiB wait for it\); closing with 1008\n/);
    expect(stderr).toMatch(/\[#2\] closed 1008 \(Policy Violation\) by server, reason "too slow: not reading"/);
    expect(stderr).toContain('[#1] closed 1001 (Going Away) by server');
    expect(stderr).toContain('[#3] closed 1001 (Going Away) by server');
  });
});

async function stillEchoesViaBroadcast(from: TestClient, to: TestClient): Promise<void> {
  const before = to.messages.length;
  await from.send('after the slow one left');
  expect((await to.message(before)).data.toString()).toBe('after the slow one left');
}
