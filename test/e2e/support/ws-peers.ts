/**
 * Well-behaved peers built on `ws`, which record what they receive: `startServer`, a server on
 * 127.0.0.1 port 0 for the client tests (echoing by default), and `openClient` for the server tests,
 * with a way to see the HTTP answer to a refused handshake. Everything opened here is closed after each test.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { type ClientOptions, type ServerOptions, WebSocketServer } from 'ws';
import { onCleanup } from './cleanup.js';

export interface Got {
  data: Buffer;
  isBinary: boolean;
}

export interface TestClient {
  ws: WebSocket;
  messages: Got[];
  /** Resolves with message number `index` (0-based) once it has arrived. */
  message(index: number): Promise<Got>;
  /** Resolves once `n` messages have arrived. */
  waitForMessages(n: number): Promise<Got[]>;
  /** The close code and reason this client saw. */
  closed: Promise<{ code: number; reason: string }>;
  /** Sends and resolves once written to the socket. */
  send(data: string | Buffer, options?: { binary?: boolean; fin?: boolean }): Promise<void>;
}

function record(ws: WebSocket): TestClient {
  const messages: Got[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  ws.on('message', (data: Buffer, isBinary) => {
    messages.push({ data, isBinary });
    for (const w of waiters.slice()) {
      if (messages.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const waitForMessages = (n: number) =>
    new Promise<Got[]>((resolve) => {
      if (messages.length >= n) resolve(messages);
      else waiters.push({ n, resolve: () => resolve(messages) });
    });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })),
  );
  ws.on('error', () => {});
  onCleanup(() => ws.terminate());
  return {
    ws,
    messages,
    message: async (index) => (await waitForMessages(index + 1))[index],
    waitForMessages,
    closed,
    send: (data, options = {}) =>
      new Promise<void>((resolve, reject) => ws.send(data, options, (err) => (err ? reject(err) : resolve()))),
  };
}

/** Opens a `ws` client and resolves once it is open (rejects if the handshake fails). */
export async function openClient(
  url: string,
  protocols: string[] = [],
  options: ClientOptions = {},
): Promise<TestClient> {
  const ws = new WebSocket(url, protocols, options);
  const client = record(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res: IncomingMessage) =>
      reject(new Error(`handshake refused: ${res.statusCode}`)),
    );
  });
  return client;
}

export interface Refused {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** Tries a handshake that should be refused; resolves with the HTTP answer. */
export function refusedHandshake(url: string, options: ClientOptions = {}, protocols: string[] = []): Promise<Refused> {
  const ws = new WebSocket(url, protocols, options);
  onCleanup(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the handshake was accepted')));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    ws.on('error', () => {});
  });
}

export interface Received {
  data: Buffer;
  isBinary: boolean;
}

export interface TestServer {
  wss: WebSocketServer;
  port: number;
  url: string;
  /** Messages received by the server, from every client, in order. */
  received: Received[];
  /** Close codes and reasons the server received. */
  closes: Array<{ code: number; reason: string }>;
  /** Handshake requests as the server saw them. */
  requests: IncomingMessage[];
  /** Resolves with the next client connection (or one already made and not yet taken). */
  nextConnection(): Promise<WebSocket>;
  /** Resolves when the server has seen `n` messages. */
  waitForMessages(n: number): Promise<void>;
  /** Resolves when a client's close frame has arrived. */
  waitForClose(): Promise<{ code: number; reason: string }>;
}

export interface ServerBehaviour extends Omit<ServerOptions, 'port' | 'host' | 'server' | 'noServer'> {
  /** Echo every message back with its type (default true). */
  echo?: boolean;
  onConnection?: (ws: WebSocket, req: IncomingMessage) => void;
}

export async function startServer(behaviour: ServerBehaviour = {}): Promise<TestServer> {
  const { echo = true, onConnection, ...wsOptions } = behaviour;
  const wss = new WebSocketServer({ ...wsOptions, host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const port = (wss.address() as AddressInfo).port;
  const received: Received[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const requests: IncomingMessage[] = [];
  const pending: WebSocket[] = [];
  const connectionWaiters: Array<(ws: WebSocket) => void> = [];
  const messageWaiters: Array<{ n: number; resolve: () => void }> = [];
  const closeWaiters: Array<(c: { code: number; reason: string }) => void> = [];
  wss.on('connection', (ws, req) => {
    requests.push(req);
    ws.on('message', (data: Buffer, isBinary) => {
      received.push({ data, isBinary });
      if (echo) ws.send(data, { binary: isBinary });
      for (const w of messageWaiters.slice()) {
        if (received.length >= w.n) {
          messageWaiters.splice(messageWaiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    ws.on('close', (code, reason) => {
      const c = { code, reason: reason.toString('utf8') };
      closes.push(c);
      for (const resolve of closeWaiters.splice(0)) resolve(c);
    });
    ws.on('error', () => {});
    onConnection?.(ws, req);
    const waiter = connectionWaiters.shift();
    if (waiter) waiter(ws);
    else pending.push(ws);
  });
  onCleanup(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return {
    wss,
    port,
    url: `ws://127.0.0.1:${port}`,
    received,
    closes,
    requests,
    nextConnection: () => {
      const ws = pending.shift();
      if (ws) return Promise.resolve(ws);
      return new Promise((resolve) => connectionWaiters.push(resolve));
    },
    waitForMessages: (n) =>
      received.length >= n ? Promise.resolve() : new Promise((resolve) => messageWaiters.push({ n, resolve })),
    waitForClose: () =>
      closes.length ? Promise.resolve(closes[0]) : new Promise((resolve) => closeWaiters.push(resolve)),
  };
}
