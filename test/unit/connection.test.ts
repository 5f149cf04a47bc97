/**
 * The connection core in process: our client (`ClientSession`) against a server (`ServerCore`), both
 * on the same core, and `ClientSession.leave` (a signal: close best-effort, show nothing more).
 */
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { SessionEvent } from '../../src/output/events.js';
import type { ServerClient } from '../../src/server/client.js';
import { ServerCore } from '../../src/server/core.js';
import { ClientSession } from '../../src/session/client.js';
import { clientOptions } from './fixtures.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(url: string): { session: ClientSession; events: SessionEvent[] } {
  const events: SessionEvent[] = [];
  const session = new ClientSession(clientOptions(url), (e) => events.push(e), Date.now);
  cleanups.push(() => session.terminate());
  return { session, events };
}

async function server(): Promise<{ core: ServerCore; events: SessionEvent[] }> {
  const events: SessionEvent[] = [];
  const core = new ServerCore(
    {
      host: '127.0.0.1',
      port: 0,
      subprotocols: [],
      policy: { origins: [] },
      maxPayload: 1024 * 1024,
      deflate: true,
      handshakeTimeoutMs: 5000,
      closeTimeoutMs: 3000,
    },
    (e) => events.push(e),
    Date.now,
  );
  await core.listen();
  cleanups.push(() => core.shutdown(1001, ''));
  return { core, events };
}

function opened(session: ClientSession): Promise<void> {
  return new Promise((resolve) => {
    session.onOpen = resolve;
  });
}

const named = (events: SessionEvent[], name: SessionEvent['event']) => events.filter((e) => e.event === name);
const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

describe('one connection core for our client and a server’s client', () => {
  it('counts, times pings and says who closed the same way on both sides', async () => {
    const { core, events: serverEvents } = await server();
    core.onMessage = (c, data, isBinary) => c.send(data, isBinary);
    const closedOnServer = new Promise<ServerClient>((resolve) => {
      core.onClosed = resolve;
    });
    const { session, events } = client(core.url);
    const open = opened(session);
    session.connect();
    await open;

    const echoed = new Promise<void>((resolve) => {
      session.onIncoming = () => resolve();
    });
    session.send({ data: Buffer.from('hello'), binary: false }, () => {});
    await echoed;
    const ponged = new Promise<void>((resolve) => {
      session.onPong = resolve;
    });
    session.ping();
    await ponged;
    expect(session.rtts).toHaveLength(1);
    expect(session.lastRttMs).toBe(session.rtts[0]);
    expect(named(events, 'pong').at(-1)).toMatchObject({ dir: 'in', rttMs: session.rtts[0] });
    expect(session.stats).toEqual({ messagesIn: 1, messagesOut: 1, bytesIn: 5, bytesOut: 5 });

    const serverClient = [...core.clients.values()][0];
    expect(serverClient.stats).toEqual({ messagesIn: 1, messagesOut: 1, bytesIn: 5, bytesOut: 5 });
    expect(core.totals).toEqual(serverClient.stats);
    // The server showed our ping and the pong ws answered it with.
    expect(named(serverEvents, 'ping')).toMatchObject([{ conn: serverClient.id, dir: 'in' }]);

    session.close(4000, 'done');
    expect(await session.finished).toEqual({
      type: 'closed',
      close: { code: 4000, reason: 'done', by: 'client', clean: true },
    });
    expect(await (await closedOnServer).closed).toEqual({ code: 4000, reason: 'done', by: 'client', clean: true });
    expect(named(events, 'close')).toEqual([expect.objectContaining({ code: 4000, by: 'client' })]);
  });

  it('a protocol violation closes with the matching code, shown on the side that saw it', async () => {
    const { core, events: serverEvents } = await server();
    const closedOnServer = new Promise<ServerClient>((resolve) => {
      core.onClosed = resolve;
    });
    const { session } = client(core.url);
    const open = opened(session);
    session.connect();
    await open;
    // A text message that is not UTF-8, sent as ws would not: the server closes with 1007.
    session.send({ data: Buffer.from([0xc3, 0x28]), binary: false }, () => {});
    const closed = await (await closedOnServer).closed;
    expect(closed).toMatchObject({ code: 1007, by: 'server' });
    expect(named(serverEvents, 'error')).toEqual([
      expect.objectContaining({ kind: 'protocol', message: expect.stringMatching(/^client #1 broke the protocol: /) }),
    ]);
    expect(await session.finished).toMatchObject({ type: 'closed', close: { code: 1007, by: 'server' } });
  });
});

describe('ClientSession.leave', () => {
  it('on an open connection: sends the close frame, shows nothing more, settles at once', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    await once(wss, 'listening');
    const serverGot = new Promise<[number, string]>((resolve) => {
      wss.on('connection', (ws) => ws.on('close', (code, reason) => resolve([code, reason.toString()])));
    });
    const { session, events } = client(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    const open = opened(session);
    session.connect();
    await open;
    const shown = events.length;

    session.leave(1001, 'bye');
    expect(await session.finished).toEqual({
      type: 'closed',
      close: { code: 1001, reason: 'bye', by: 'client', clean: false },
    });
    // The socket was left to send the close frame: the server got it.
    expect(await serverGot).toEqual([1001, 'bye']);
    await settle();
    expect(events.slice(shown)).toEqual([]);
  });

  it('while connecting (a peer that never answers): gives up the attempt without a word', async () => {
    const sockets: Socket[] = [];
    const blackHole: Server = createServer((socket) => sockets.push(socket));
    blackHole.listen(0, '127.0.0.1');
    await once(blackHole, 'listening');
    cleanups.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => blackHole.close(resolve));
    });
    const { session, events } = client(`ws://127.0.0.1:${(blackHole.address() as { port: number }).port}`);
    session.connect();
    await once(blackHole, 'connection');
    const shown = events.length;

    session.leave(1001);
    expect(await session.finished).toEqual({
      type: 'closed',
      close: { code: 1001, reason: '', by: 'client', clean: false },
    });
    // The attempt's socket is gone.
    await once(sockets[0], 'close');
    await settle();
    expect(events.slice(shown)).toEqual([]);
    expect(session.readyState).toBe('CLOSED');
  });

  it('before connecting, and after the session ended: settles (or stays settled) quietly', async () => {
    const { session, events } = client('ws://127.0.0.1:9');
    session.leave(1001);
    expect(await session.finished).toMatchObject({ type: 'closed', close: { code: 1001, by: 'client' } });
    expect(events).toEqual([]);

    const refused = client('ws://127.0.0.1:9');
    refused.session.connect();
    const end = await refused.session.finished;
    expect(end).toMatchObject({ type: 'failed', failure: { kind: 'connect' } });
    const shown = refused.events.length;
    refused.session.leave(1001);
    expect(await refused.session.finished).toBe(end);
    expect(refused.events.length).toBe(shown);
  });
});
