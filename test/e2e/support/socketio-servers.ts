/**
 * Real Socket.IO servers for the `--socketio` tests: the `socket.io` npm package, v4 (Engine.IO 4) and v2
 * (`socket.io-v2`, Engine.IO 3), on 127.0.0.1:0 with short heartbeat intervals. Each emits `welcome` on
 * connection, answers `chat` with an ack when asked, sends a binary attachment on `bin`, and records what
 * it received; `/admin` has an auth middleware that accepts the token `good` only. Closed after each test.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { onCleanup } from './cleanup.js';

export interface Received {
  ns: string;
  name: string;
  args: unknown[];
}

export interface SocketIoTestServer {
  url: string;
  port: number;
  received: Received[];
  /** Resolves once an event of that name has arrived (one already there counts). */
  waitForEvent(name: string): Promise<Received>;
  /** Resolves once `count` events in all have arrived. */
  waitForReceived(count: number): Promise<void>;
  /** Connections that reached the main namespace or /admin. */
  connections: number;
}

/** The bytes the server sends on `bin`. */
export const ATTACHMENT = Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]);

interface MinimalSocket {
  emit(name: string, ...args: unknown[]): void;
  onAny?: unknown;
  on(name: string, listener: (...args: unknown[]) => void): void;
  use?: unknown;
  handshake: { auth?: Record<string, unknown>; query: Record<string, unknown> };
}
interface MinimalNamespace {
  on(name: 'connection', listener: (s: MinimalSocket) => void): void;
  use(fn: (s: MinimalSocket, next: (err?: Error) => void) => void): void;
}
interface MinimalServer extends MinimalNamespace {
  of(name: string): MinimalNamespace;
  close(cb?: () => void): void;
}

const require = createRequire(import.meta.url);

export async function startSocketIoServer(
  version: 4 | 2,
  options: { pingInterval?: number; pingTimeout?: number } = {},
): Promise<SocketIoTestServer> {
  const http = createServer();
  const settings = { pingInterval: options.pingInterval ?? 25000, pingTimeout: options.pingTimeout ?? 20000 };
  let io: MinimalServer;
  if (version === 4) {
    const { Server } = require('socket.io') as { Server: new (h: unknown, o: unknown) => MinimalServer };
    io = new Server(http, settings);
  } else {
    const create = require('socket.io-v2') as (h: unknown, o: unknown) => MinimalServer;
    io = create(http, settings);
  }
  const received: Received[] = [];
  const waiters: Array<{ name: string; resolve: (r: Received) => void }> = [];
  const server: SocketIoTestServer = {
    url: '',
    port: 0,
    received,
    connections: 0,
    waitForEvent: (name) => {
      const found = received.find((r) => r.name === name);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ name, resolve }));
    },
    waitForReceived: (count) =>
      new Promise((resolve) => {
        const check = () => (received.length >= count ? resolve() : waiters.push({ name: '', resolve: check }));
        check();
      }),
  };
  const record = (ns: string, socket: MinimalSocket, name: string) =>
    socket.on(name, (...args: unknown[]) => {
      const ack = typeof args.at(-1) === 'function' ? (args.pop() as (...a: unknown[]) => void) : undefined;
      const r = { ns, name, args };
      received.push(r);
      for (const w of waiters.filter((w) => w.name === name || w.name === '')) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(r);
      }
      if (name === 'chat') ack?.('ok', args.length);
      if (name === 'bin') socket.emit('file', ATTACHMENT, 'report.bin');
    });
  io.on('connection', (socket) => {
    server.connections++;
    socket.emit('welcome', 'hello', { from: 'server', version });
    for (const name of ['chat', 'bin', 'ping-me']) record('/', socket, name);
  });
  const admin = io.of('/admin');
  admin.use((socket, next) => {
    const token = version === 4 ? socket.handshake.auth?.token : socket.handshake.query.token;
    next(token === 'good' ? undefined : new Error('bad token'));
  });
  admin.on('connection', (socket) => {
    server.connections++;
    socket.emit('welcome', 'admin');
    record('/admin', socket, 'chat');
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  server.port = (http.address() as AddressInfo).port;
  server.url = `http://127.0.0.1:${server.port}`;
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        io.close(() => resolve());
        http.closeAllConnections?.();
        setTimeout(resolve, 500).unref();
      }),
  );
  return server;
}
