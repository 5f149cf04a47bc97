/**
 * `wsprobe proxy` between `ws` peers on 127.0.0.1, asserting on both ends: 100 000 mixed messages each
 * way arrive with equal counts and SHA-256; the client's path, query and headers reach the server; an
 * upstream's 401 and body reach the client; a dead upstream is a 502 and one log line; a client that
 * stops reading while the server floods costs the proxy bounded memory and loses nothing; a side that
 * is killed closes the other (1011 for a lost upstream, 1001 for a lost client) with one log line, and
 * the proxy gives its sockets back and serves the next client.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { onCleanup } from './support/cleanup.js';
import { jsonLines, type RunningServerCli, startServerCli } from './support/cli.js';
import { refusedHandshake } from './support/ws-peers.js';

/** A bounded wait for a condition (no fixed sleeps): polls every 20 ms. */
async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Upstream {
  url: string;
  wss: WebSocketServer;
  /** Every connection, with the request it came with. */
  connections: Array<{ ws: WebSocket; req: IncomingMessage }>;
  next(): Promise<{ ws: WebSocket; req: IncomingMessage }>;
}

async function upstream(options: WebSocket.ServerOptions = {}): Promise<Upstream> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, ...options });
  await new Promise((resolve) => wss.once('listening', resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  const connections: Upstream['connections'] = [];
  const waiting: Array<() => void> = [];
  wss.on('connection', (ws, req) => {
    connections.push({ ws, req });
    for (const wake of waiting.splice(0)) wake();
  });
  /** How many connections `next` has handed out. */
  let taken = 0;
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    wss,
    connections,
    next: () =>
      new Promise((resolve) => {
        const index = taken++;
        const check = () => (connections.length > index ? resolve(connections[index]) : waiting.push(check));
        check();
      }),
  };
}

async function proxyTo(url: string, ...args: string[]): Promise<RunningServerCli> {
  return startServerCli(['proxy', url, '0', '--no-stdin', ...args]);
}

function open(url: string, options: WebSocket.ClientOptions = {}, protocols: string[] = []): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols, { perMessageDeflate: false, ...options });
  onCleanup(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The n-th message of a deterministic mixed stream: text or binary, 0–600 bytes. */
function message(seed: number, n: number): [Buffer, boolean] {
  const binary = (n * 7 + seed) % 3 === 0;
  const size = (n * 131 + seed * 17) % 601;
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = binary ? (n + i * 31 + seed) & 0xff : 0x61 + ((n + i) % 26);
  return [data, binary];
}

/** An order-sensitive digest of messages: their type, length and bytes. */
class Digest {
  readonly hash = createHash('sha256');
  count = 0;
  add(data: Buffer, binary: boolean): void {
    const head = Buffer.alloc(5);
    head[0] = binary ? 1 : 0;
    head.writeUInt32BE(data.length, 1);
    this.hash.update(head).update(data);
    this.count++;
  }
}

/** Sends `count` messages of stream `seed`, keeping at most ~1 MiB buffered; resolves once all are written. */
async function sendMany(ws: WebSocket, seed: number, count: number, digest: Digest): Promise<void> {
  for (let n = 0; n < count; n++) {
    const [data, binary] = message(seed, n);
    digest.add(data, binary);
    if (ws.bufferedAmount > 1024 * 1024)
      await new Promise<void>((resolve) => ws.send(data, { binary }, () => resolve()));
    else ws.send(data, { binary });
  }
  await new Promise<void>((resolve) => ws.send(Buffer.alloc(0), { binary: true, fin: true }, () => resolve()));
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
}

function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

describe('wsprobe proxy', () => {
  it('relays 100 000 mixed messages each way with equal counts and SHA-256; path, query and headers arrive', async () => {
    const COUNT = 100_000;
    const server = await upstream();
    const proxy = await proxyTo(`${server.url}/base`, '-q');
    const client = await open(`${proxy.url}/chat?room=1`, {
      headers: { 'X-Custom': 'from the client', Cookie: 'a=1' },
    });
    const { ws: far, req } = await server.next();
    expect(req.url).toBe('/base/chat?room=1');
    expect(req.headers['x-custom']).toBe('from the client');
    expect(req.headers.cookie).toBe('a=1');
    expect(req.headers.host).toBe(new URL(server.url).host);

    const sentUp = new Digest();
    const sentDown = new Digest();
    const gotUp = new Digest();
    const gotDown = new Digest();
    // The last (empty binary) message of each stream marks its end, and is counted too.
    far.on('message', (data: Buffer, binary) => gotUp.add(data, binary));
    client.on('message', (data: Buffer, binary) => gotDown.add(data, binary));
    await Promise.all([sendMany(client, 1, COUNT, sentUp), sendMany(far, 2, COUNT, sentDown)]);
    sentUp.add(Buffer.alloc(0), true);
    sentDown.add(Buffer.alloc(0), true);
    await until('every message', () => gotUp.count === COUNT + 1 && gotDown.count === COUNT + 1, 120_000);
    expect(gotUp.hash.digest('hex')).toBe(sentUp.hash.digest('hex'));
    expect(gotDown.hash.digest('hex')).toBe(sentDown.hash.digest('hex'));

    const closed = new Promise<[number, string]>((resolve) => far.once('close', (c, r) => resolve([c, r.toString()])));
    client.close(4000, 'all done');
    expect(await closed).toEqual([4000, 'all done']);
    proxy.child.kill('SIGTERM');
    expect((await proxy.result).code).toBe(143);
  }, 180_000);

  it('on SIGTERM closes both sides of every pair with 1001 and records both closes before exiting 143', async () => {
    const server = await upstream();
    const proxy = await proxyTo(server.url, '--json');
    const client = await open(`${proxy.url}/x`);
    const { ws: far } = await server.next();
    const clientClosed = new Promise<[number, string]>((resolve) =>
      client.once('close', (c, r) => resolve([c, r.toString()])),
    );
    const farClosed = new Promise<[number, string]>((resolve) =>
      far.once('close', (c, r) => resolve([c, r.toString()])),
    );
    proxy.child.kill('SIGTERM');
    expect(await clientClosed).toEqual([1001, 'server shutting down']);
    expect(await farClosed).toEqual([1001, 'server shutting down']);
    const { out, code } = await proxy.result;
    expect(code).toBe(143);
    const tail = jsonLines(out)
      .filter((e) => ['interrupted', 'close', 'summary'].includes(e.event as string))
      .map((e) => [e.event, e.side ?? null, e.code ?? null]);
    expect(tail).toEqual([
      ['interrupted', null, null],
      ['close', 'client', 1001],
      ['close', 'upstream', 1001],
      ['summary', null, null],
    ]);
  });

  it('passes on what an upstream sends at once, and a close before the client is even paired', async () => {
    const server = await upstream();
    server.wss.on('connection', (ws, req) => {
      ws.send('greeting 1');
      ws.send(Buffer.from([1, 2, 3]));
      if (req.url === '/bye') ws.close(4002, 'at once');
    });
    const proxy = await proxyTo(server.url);
    const received = (ws: WebSocket) => {
      const got: string[] = [];
      ws.on('message', (data: Buffer, binary) => got.push(binary ? data.toString('hex') : data.toString()));
      return got;
    };
    const first = new WebSocket(`${proxy.url}/hi`, { perMessageDeflate: false });
    onCleanup(() => first.terminate());
    const firstGot = received(first);
    await until('both messages', () => firstGot.length === 2);
    expect(firstGot).toEqual(['greeting 1', '010203']);

    const second = new WebSocket(`${proxy.url}/bye`, { perMessageDeflate: false });
    onCleanup(() => second.terminate());
    const secondGot = received(second);
    const closed = await new Promise<[number, string]>((resolve) =>
      second.once('close', (c, r) => resolve([c, r.toString()])),
    );
    expect(closed).toEqual([4002, 'at once']);
    expect(secondGot).toEqual(['greeting 1', '010203']);
  });

  it("passes an upstream's 401 with its WWW-Authenticate and body to the client", async () => {
    const http = createServer();
    http.on('upgrade', (_req, socket) => {
      const body = 'token expired, log in again\n';
      socket.end(
        `HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="app"\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    onCleanup(() => new Promise<void>((resolve) => http.close(() => resolve())));
    const proxy = await proxyTo(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
    const refused = await refusedHandshake(`${proxy.url}/x`);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="app"');
    expect(refused.body).toBe('token expired, log in again\n');
    await proxy.waitForOutput('401');
    proxy.child.kill('SIGTERM');
    const { stderr } = await proxy.result;
    expect(stderr.split('\n').filter((l) => l.startsWith('[#1]'))).toEqual([
      expect.stringMatching(
        /^\[#1\] client: wsprobe: refused client #1 \(127\.0\.0\.1:\d+\): 401 Unauthorized: the upstream answered 401 Unauthorized$/,
      ),
    ]);
  });

  it('answers 502 with a one-line body, and logs one line, when the upstream cannot be reached', async () => {
    // A port nothing listens on: bound, then closed.
    const spare = await upstream();
    const deadUrl = spare.url;
    await new Promise<void>((resolve) => spare.wss.close(() => resolve()));
    const proxy = await proxyTo(deadUrl, '--json');
    const refused = await refusedHandshake(`${proxy.url}/x`);
    expect(refused.status).toBe(502);
    expect(refused.body).toMatch(/^Bad Gateway: cannot connect to ws:\/\/127\.0\.0\.1:\d+\/x: .*refused.*\n$/);
    expect(refused.body.split('\n')).toHaveLength(2);
    await proxy.waitForOutput('"kind":"handshake"');
    proxy.child.kill('SIGTERM');
    const { out, stderr } = await proxy.result;
    expect(stderr.trim().split('\n')).toEqual([
      `relaying to ${deadUrl}/`,
      expect.stringMatching(/^wsprobe: refused client #1 \(127\.0\.0\.1:\d+\): 502 Bad Gateway: cannot connect to/),
    ]);
    const errors = jsonLines(out).filter((e) => e.event === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ conn: 1, side: 'client', kind: 'handshake' });
  });

  it('keeps its memory bounded while a client does not read a flooding server, and loses nothing', async () => {
    const server = await upstream();
    const proxy = await proxyTo(server.url, '-q', '--binary-output', 'hex');
    const client = await open(`${proxy.url}/flood`);
    const { ws: far } = await server.next();
    const got = new Digest();
    client.on('message', (data: Buffer, binary) => got.add(data, binary));
    const before = rssKiB(proxy.child.pid!);
    // The client stops reading: TCP fills up, then the proxy stops reading the server.
    client.pause();
    const sent = new Digest();
    const CHUNK = 64 * 1024;
    const TOTAL = 1024; // 64 MiB
    let n = 0;
    let peak = before;
    const flood = (async () => {
      for (; n < TOTAL; n++) {
        const data = Buffer.alloc(CHUNK, n & 0xff);
        data.writeUInt32BE(n, 0);
        sent.add(data, true);
        if (far.bufferedAmount > 4 * 1024 * 1024) {
          await new Promise<void>((resolve) => far.send(data, () => resolve()));
        } else far.send(data);
      }
    })();
    // Until the server cannot write any more (the proxy has stopped reading it), watch the proxy's RSS.
    await until('the server to be held back', () => {
      peak = Math.max(peak, rssKiB(proxy.child.pid!));
      return far.bufferedAmount > 4 * 1024 * 1024;
    });
    for (let i = 0; i < 10; i++) {
      peak = Math.max(peak, rssKiB(proxy.child.pid!));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const held = n;
    expect(held).toBeLessThan(TOTAL);
    client.resume();
    await flood;
    await until('every message', () => got.count === TOTAL, 60_000);
    expect(got.hash.digest('hex')).toBe(sent.hash.digest('hex'));
    const growthMiB = (peak - before) / 1024;
    // The bound (docs/proxy.md): 1 MiB waiting per direction plus socket and parser buffers.
    expect(growthMiB).toBeLessThan(32);
    console.log(`proxy RSS ${before >> 10} MiB → peak ${peak >> 10} MiB while held after ${held} of ${TOTAL} messages`);
  }, 120_000);

  it('stops reading the upstream while its own stdout is backed up, and loses nothing', async () => {
    const server = await upstream();
    const proxy = await proxyTo(server.url, '-q', '--binary-output', 'hex');
    const client = await open(`${proxy.url}/out`);
    const { ws: far } = await server.next();
    let got = 0;
    client.on('message', () => got++);
    // Nobody reads the proxy's stdout: it fills up, and the proxy stops reading the server.
    proxy.child.stdout!.pause();
    const COUNT = 2000;
    const data = Buffer.alloc(32 * 1024, 7);
    for (let i = 0; i < COUNT; i++) far.send(data);
    // Held back: nothing more reaches the client (for 20 polls in a row) while the server still has
    // most of it to write.
    let last = -1;
    let steady = 0;
    await until('the server to be held back', () => {
      steady = got === last ? steady + 1 : 0;
      last = got;
      return steady >= 20 && far.bufferedAmount > 16 * 1024 * 1024;
    });
    expect(got).toBeLessThan(COUNT);
    proxy.child.stdout!.resume();
    await until('every message', () => got === COUNT, 60_000);
  }, 90_000);

  it('closes the client with 1011 and one log line when the upstream is killed, and the upstream with 1001 when the client is', async () => {
    const server = await upstream();
    const proxy = await proxyTo(server.url);
    const pid = proxy.child.pid!;
    const fdsBefore = fdCount(pid);

    // The upstream is killed (its socket destroyed, no close frame).
    const first = await open(`${proxy.url}/a`);
    const { ws: far1 } = await server.next();
    const firstClosed = new Promise<[number, string]>((resolve) =>
      first.once('close', (c, r) => resolve([c, r.toString()])),
    );
    (far1 as unknown as { _socket: { destroy(): void } })._socket.destroy();
    expect(await firstClosed).toEqual([1011, 'upstream connection lost']);

    // The client is killed: the upstream is closed with 1001.
    const second = await open(`${proxy.url}/b`);
    const { ws: far2 } = await server.next();
    const farClosed = new Promise<[number, string]>((resolve) =>
      far2.once('close', (c, r) => resolve([c, r.toString()])),
    );
    second.terminate();
    expect(await farClosed).toEqual([1001, 'client connection lost']);

    // Nothing is left behind: the proxy's descriptors come back, and it serves the next client.
    await until('the sockets to be given back', () => fdCount(pid) <= fdsBefore);
    const third = await open(`${proxy.url}/c`);
    const { ws: far3 } = await server.next();
    far3.on('message', (data: Buffer, binary) => far3.send(data, { binary }));
    const echoed = new Promise<string>((resolve) => third.once('message', (d: Buffer) => resolve(d.toString())));
    third.send('still here');
    expect(await echoed).toBe('still here');
    third.close(1000);
    await proxy.waitForOutput('[#3] upstream: closed 1000');

    proxy.child.kill('SIGTERM');
    const { stderr, code } = await proxy.result;
    expect(code).toBe(143);
    const lines = (id: number) =>
      stderr.split('\n').filter((l) => l.startsWith(`[#${id}]`) && !l.includes(' connected '));
    // One line says which side was lost; the other side's close line says how it was closed.
    expect(lines(1)).toEqual([
      '[#1] upstream: wsprobe: the upstream of #1 was lost (no close frame); closing the client with 1011',
      '[#1] client: closed 1011 (Internal Error) by server, reason "upstream connection lost", clean',
    ]);
    expect(lines(2)).toEqual([
      '[#2] client: connection lost: 1006 (Abnormal Closure), no close frame',
      '[#2] upstream: closed 1001 (Going Away) by client, reason "client connection lost", clean',
    ]);
  }, 60_000);
});
