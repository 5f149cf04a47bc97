/**
 * `wsprobe proxy` between a real browser and a server we did not write: headless Chromium (Debian's
 * /usr/bin/chromium via playwright-core) runs a page script that connects through the proxy to a
 * python3-websockets server. Subprotocol, text and ArrayBuffer each way, a server ping answered by
 * the browser itself, and the server's close 4001 "bye" all arrive unchanged, and --json records them
 * in order with `conn`, `side` and `flow`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onCleanup } from './support/cleanup.js';
import { jsonLines, startServerCli } from './support/cli.js';

const CHROMIUM = process.env.WSPROBE_TEST_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'];

/** Receives a text and a binary message, answers with one of each, pings, then closes 4001 "bye". */
const SERVER = `
import asyncio, json, sys
import websockets

async def handler(ws, path):
    got = []
    for _ in range(2):
        m = await ws.recv()
        got.append(["text", m] if isinstance(m, str) else ["binary", m.hex()])
    await ws.send("héllo from python ✓")
    await ws.send(bytes([0, 255, 16, 128, 1]))
    waiter = await ws.ping(b"py-ping")
    await asyncio.wait_for(waiter, 10)
    print(json.dumps({"path": path, "subprotocol": ws.subprotocol, "got": got, "pong": True}), flush=True)
    await ws.close(4001, "bye")

async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, subprotocols=["chat.v2"]) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()

asyncio.run(main())
`;

interface PythonServer {
  url: string;
  /** What the handler printed about its session. */
  report: Promise<Record<string, unknown>>;
}

async function pythonServer(): Promise<PythonServer> {
  const dir = mkdtempSync(join(tmpdir(), 'wsprobe-py-'));
  const script = join(dir, 'server.py');
  writeFileSync(script, SERVER);
  const py = spawn('/usr/bin/python3', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => {
    py.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  let errors = '';
  py.stderr.on('data', (d) => (errors += d));
  const lines: string[] = [];
  const waiting: Array<() => void> = [];
  let buffered = '';
  py.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    for (const w of waiting.splice(0)) w();
  });
  const line = (n: number) =>
    new Promise<string>((resolve, reject) => {
      const check = () => (lines.length > n ? resolve(lines[n]) : waiting.push(check));
      check();
      py.once('exit', () => reject(new Error(`python server exited: ${errors}`)));
    });
  const port = await line(0);
  return { url: `ws://127.0.0.1:${port}`, report: line(1).then((l) => JSON.parse(l) as Record<string, unknown>) };
}

let profile: string;
let browser: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install chromium (see .ci/run)`);
  profile = mkdtempSync(join(tmpdir(), 'wsprobe-chromium-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('proxy between Chromium and python3-websockets', () => {
  it('relays subprotocol, text and ArrayBuffer both ways, a ping the browser answers and close 4001 "bye"', async () => {
    const python = await pythonServer();
    const proxy = await startServerCli(['proxy', `${python.url}/base`, '0', '--json', '-P', '--no-stdin']);
    const page = await browser.newPage();
    onCleanup(() => page.close());
    // A page from the proxy's own origin (its 426 answer will do): a loopback origin is let in.
    await page.goto(proxy.url.replace('ws://', 'http://'));
    const result = await page.evaluate(async (url) => {
      const ws = new WebSocket(`${url}/room?x=1`, ['chat.v1', 'chat.v2']);
      ws.binaryType = 'arraybuffer';
      const got: Array<[string, unknown]> = [];
      ws.onmessage = (e) =>
        got.push(typeof e.data === 'string' ? ['text', e.data] : ['binary', Array.from(new Uint8Array(e.data))]);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = reject;
      });
      ws.send('héllo from the page');
      ws.send(new Uint8Array([0, 1, 2, 250, 255]).buffer);
      const close = await new Promise<{ code: number; reason: string; wasClean: boolean }>((resolve) => {
        ws.onclose = resolve;
      });
      return { protocol: ws.protocol, got, close: { code: close.code, reason: close.reason, clean: close.wasClean } };
    }, proxy.url);

    // The page's end.
    expect(result).toEqual({
      protocol: 'chat.v2',
      got: [
        ['text', 'héllo from python ✓'],
        ['binary', [0, 255, 16, 128, 1]],
      ],
      close: { code: 4001, reason: 'bye', clean: true },
    });
    // The server's end: what the page sent, on the path asked for, and the pong (matched by payload).
    expect(await python.report).toEqual({
      path: '/base/room?x=1',
      subprotocol: 'chat.v2',
      got: [
        ['text', 'héllo from the page'],
        ['binary', '000102faff'],
      ],
      pong: true,
    });

    await proxy.waitForOutput('"side":"client","code":4001');
    proxy.child.kill('SIGTERM');
    const events = jsonLines((await proxy.result).out);
    const relayed = events
      .filter((e) => ['message', 'ping', 'pong', 'close'].includes(e.event as string))
      .map((e) =>
        e.event === 'close'
          ? ['close', e.side, e.code, e.reason, e.conn]
          : [e.event, e.flow, e.type ?? null, e.encoding === 'base64' ? `b64:${e.data}` : e.data, e.conn],
      );
    expect(relayed).toEqual([
      ['message', 'client>upstream', 'text', 'héllo from the page', 1],
      ['message', 'client>upstream', 'binary', `b64:${Buffer.from([0, 1, 2, 250, 255]).toString('base64')}`, 1],
      ['message', 'upstream>client', 'text', 'héllo from python ✓', 1],
      ['message', 'upstream>client', 'binary', `b64:${Buffer.from([0, 255, 16, 128, 1]).toString('base64')}`, 1],
      ['ping', 'upstream>client', null, 'py-ping', 1],
      // The pong is the browser's, passed back: the proxy answers no ping itself.
      ['pong', 'client>upstream', null, 'py-ping', 1],
      ['close', 'upstream', 4001, 'bye', 1],
      ['close', 'client', 4001, 'bye', 1],
    ]);
    // Both handshakes are in the recording: the client's offer went upstream, the choice came back.
    const opens = events.filter((e) => e.event === 'open');
    expect(opens.map((e) => [e.side, e.protocol])).toEqual([
      ['upstream', 'chat.v2'],
      ['client', 'chat.v2'],
    ]);
  }, 60_000);
});
