/**
 * Real clients for the server tests: `ws` clients that record what they receive, raw TCP sockets for
 * hostile input, and a way to see the HTTP answer to a refused handshake. Everything opened here is
 * closed after each test.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { type Socket, connect as tcpConnect } from 'node:net';
import WebSocket, { type ClientOptions } from 'ws';
import { onCleanup } from './harness.js';

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

/** A raw TCP connection: write whatever we like, see everything that comes back. */
export interface RawSocket {
  socket: Socket;
  /** Everything received so far. */
  received(): Buffer;
  /** Resolves when the server has closed the connection, with all it sent. */
  ended: Promise<Buffer>;
  /** Resolves once what was received contains `text`. */
  waitFor(text: string | Buffer): Promise<Buffer>;
}

export async function rawConnect(port: number): Promise<RawSocket> {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => {});
  onCleanup(() => {
    socket.destroy();
  });
  const chunks: Buffer[] = [];
  const waiters: Array<{ text: Buffer; resolve: (b: Buffer) => void }> = [];
  const all = () => Buffer.concat(chunks);
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    const got = all();
    for (const w of waiters.slice()) {
      if (got.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(got);
      }
    }
  });
  const ended = new Promise<Buffer>((resolve) => socket.once('close', () => resolve(all())));
  await once(socket, 'connect');
  return {
    socket,
    received: all,
    ended,
    waitFor: (text) =>
      new Promise((resolve) => {
        const wanted = Buffer.isBuffer(text) ? text : Buffer.from(text);
        if (all().includes(wanted)) resolve(all());
        else waiters.push({ text: wanted, resolve });
      }),
  };
}

/** An opening handshake request as a client would send it. */
export function upgradeRequest(port: number, extra = ''): string {
  return (
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
  );
}

/** One WebSocket frame, masked unless `mask` is false, with a length field as large as needed (or as claimed). */
export function frame(
  opcode: number,
  payload: Buffer,
  options: { fin?: boolean; mask?: boolean; claimedLength?: bigint } = {},
): Buffer {
  const { fin = true, mask = true } = options;
  const length = options.claimedLength ?? BigInt(payload.length);
  const head: number[] = [(fin ? 0x80 : 0) | opcode];
  const maskBit = mask ? 0x80 : 0;
  let extended = Buffer.alloc(0);
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    extended = Buffer.alloc(2);
    extended.writeUInt16BE(Number(length));
  } else {
    head.push(maskBit | 127);
    extended = Buffer.alloc(8);
    extended.writeBigUInt64BE(length);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), extended, payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), extended, key, masked]);
}

/** The close code in the first close frame (opcode 8) a server sent after its 101 answer, if any. */
export function closeCodeSent(received: Buffer): number | undefined {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  let at = end + 4;
  while (at + 2 <= received.length) {
    const opcode = received[at] & 0x0f;
    let length = received[at + 1] & 0x7f;
    let offset = at + 2;
    if (length === 126) {
      length = received.readUInt16BE(offset);
      offset += 2;
    } else if (length === 127) {
      length = Number(received.readBigUInt64BE(offset));
      offset += 8;
    }
    if (opcode === 8) return length >= 2 ? received.readUInt16BE(offset) : 1005;
    at = offset + length;
  }
  return undefined;
}
