/** `listen` on a terminal (the shared prompt, through a real pty), and the -vv wire view on servers. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { jsonLines, startServerCli } from './support/cli.js';
import { startPty } from './support/pty.js';

const home = () => mkdtempSync(join(tmpdir(), 'wsprobe-home-'));

/** Opens a ws client and collects what it receives. */
async function client(url: string) {
  const ws = new WebSocket(url);
  const received: string[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    received.push(data.toString());
    for (const w of waiters.splice(0)) w();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const waitFor = async (n: number) => {
    while (received.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { ws, received, waitFor };
}

describe('listen on a terminal', () => {
  it('sends typed lines to the client, keeps a half-typed line intact, and /quit stops with exit 0', async () => {
    const cli = startPty(['listen', '0'], { HOME: home() });
    const screen = await cli.waitForScreen(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    const url = /listening on (ws:\/\/\S+)/.exec(screen.join('\n'))![1];
    const peer = await client(url);
    await cli.waitForScreen('[#1] connected from');
    cli.type('hello client\r');
    await peer.waitFor(1);
    expect(peer.received).toEqual(['hello client']);

    cli.type('half typ');
    await cli.waitForScreen(/^> half typ$/m);
    peer.ws.send('from the client');
    // The message lands above the prompt, which is redrawn with what was typed so far.
    const after = await cli.waitForScreen(/< from the client\n> half typ$/m);
    expect(after.filter((row) => row !== '').at(-1)).toBe('> half typ');
    cli.type('ed\r');
    await peer.waitFor(2);
    expect(peer.received[1]).toBe('half typed');

    const closed = new Promise<number>((resolve) => peer.ws.once('close', (code) => resolve(code)));
    cli.type('/quit\r');
    expect(await closed).toBe(1000);
    expect(await cli.exit).toBe(0);
  });

  it('stops with 1001 on Ctrl+C and exits 130, as on SIGINT', async () => {
    const cli = startPty(['listen', '0', '--no-history'], { HOME: home() });
    const screen = await cli.waitForScreen(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    const peer = await client(/listening on (ws:\/\/\S+)/.exec(screen.join('\n'))![1]);
    const closed = new Promise<number>((resolve) => peer.ws.once('close', (code) => resolve(code)));
    await cli.waitForScreen('[#1] connected from');
    cli.type('\x03');
    expect(await closed).toBe(1001);
    expect(await cli.exit).toBe(130);
  });
});

describe('-vv on servers', () => {
  it('shows each client frame (masked) and each answer (not masked) with the client id', async () => {
    const server = await startServerCli(['echo', '0', '-vv', '--json', '--no-deflate']);
    const peer = await client(server.url);
    peer.ws.send('hi there');
    await peer.waitFor(1);
    peer.ws.close(1000);
    await new Promise((resolve) => peer.ws.once('close', resolve));
    server.child.kill('SIGTERM');
    const result = await server.result;
    const frames = jsonLines(result.out).filter((e) => e.event === 'frame');
    expect(frames.map((f) => [f.conn, f.dir, f.type, f.masked, f.length])).toEqual([
      [1, 'in', 'text', true, 8],
      [1, 'out', 'text', false, 8],
      [1, 'in', 'close', true, 2],
      [1, 'out', 'close', false, 2],
    ]);
  });
});
