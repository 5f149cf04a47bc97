/** `wsprobe proxy` on a terminal: `/client` and `/server` inject into one side of a pair; `/clients` lists pairs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { onCleanup } from './support/cleanup.js';
import { startPty } from './support/pty.js';

const home = () => mkdtempSync(join(tmpdir(), 'wsprobe-home-'));

/** Collects what a socket receives: [type, text or hex], and pings. */
function recorder(ws: WebSocket) {
  const got: string[] = [];
  const waiters: Array<() => void> = [];
  const push = (item: string) => {
    got.push(item);
    for (const w of waiters.splice(0)) w();
  };
  ws.on('message', (data: Buffer, binary) => push(binary ? `binary ${data.toString('hex')}` : `text ${data}`));
  ws.on('ping', (data: Buffer) => push(`ping ${data}`));
  const waitFor = async (n: number) => {
    while (got.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { got, waitFor };
}

describe('proxy on a terminal', () => {
  it('injects messages, pings and a close into either side of one pair', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    onCleanup(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    const far = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    const upstream = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;

    const cli = startPty(['proxy', upstream, '0'], { HOME: home() });
    const screen = await cli.waitForScreen(/listening on ws:\/\/127\.0\.0\.1:\d+/);
    const url = /listening on (ws:\/\/\S+)/.exec(screen.join('\n'))![1];
    const client = new WebSocket(`${url}/room`);
    onCleanup(() => client.terminate());
    const atClient = recorder(client);
    await new Promise((resolve) => client.once('open', resolve));
    const server = await far;
    const atServer = recorder(server);
    await cli.waitForScreen('[#1] client: connected from');

    cli.type('/client 1 /hex 00ff\r');
    await atClient.waitFor(1);
    cli.type('/server 1 {"op":"ping"}\r');
    await atServer.waitFor(1);
    cli.type('/server 1 /ping hi\r');
    await atServer.waitFor(2);
    expect(atClient.got).toEqual(['binary 00ff']);
    expect(atServer.got).toEqual(['text {"op":"ping"}', 'ping hi']);
    await cli.waitForLines((lines) => lines.some((l) => l.includes('[#1] proxy → upstream {"op"')));

    cli.type('/clients\r');
    await cli.waitForLines((lines) => lines.some((l) => /^#1 ⇄ ws:\/\/127\.0\.0\.1:\d+\/room \(open\)$/.test(l)));
    cli.type('hello\r');
    await cli.waitForLines((lines) => lines.some((l) => l.includes('a line goes to one side of one pair')));

    const clientClosed = new Promise<[number, string]>((resolve) =>
      client.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    const serverClosed = new Promise<[number, string]>((resolve) =>
      server.once('close', (code, reason) => resolve([code, reason.toString()])),
    );
    cli.type('/server 1 /close 4000 bye\r');
    expect(await serverClosed).toEqual([4000, 'bye']);
    expect(await clientClosed).toEqual([4000, 'bye']);
    cli.type('/quit\r');
    expect(await cli.exit).toBe(0);
  }, 30_000);
});
