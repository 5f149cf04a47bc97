/**
 * Raw WebSocket peers on plain TCP (`node:net`), for tests that need a server able to break the
 * protocol: it reads the HTTP upgrade request itself, computes `Sec-WebSocket-Accept` with
 * `node:crypto`, builds frames by hand (any opcode, RSV bits, masks, lengths) and records the
 * frames the client sends, close frames included. Every server started here is closed after each test.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { onCleanup } from './harness.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

/** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)). */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

export interface UpgradeRequest {
  method: string;
  path: string;
  /** Header names lower-cased; a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  /** The request head as received, up to and including the blank line. */
  raw: string;
}

/** Parses an HTTP/1.1 request head (everything before the blank line). */
export function parseRequestHead(head: string): UpgradeRequest {
  const [requestLine, ...lines] = head.split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { method, path, headers, raw: `${head}\r\n\r\n` };
}

export interface AcceptOptions {
  /** A `Sec-WebSocket-Protocol` to answer with (whether or not the client asked for it). */
  protocol?: string;
  /** A `Sec-WebSocket-Extensions` to answer with (whether or not the client offered it). */
  extensions?: string;
  /** Overrides the computed `Sec-WebSocket-Accept`. */
  accept?: string;
}

/** The text of a 101 answer to `request`; valid unless the options make it otherwise. */
export function switchingProtocols(request: UpgradeRequest, options: AcceptOptions = {}): string {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${options.accept ?? acceptKey(request.headers['sec-websocket-key'] ?? '')}`,
  ];
  if (options.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${options.protocol}`);
  if (options.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface FrameSpec {
  opcode: number;
  payload?: Buffer | string;
  /** Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** Mask the payload with this 4-byte key (servers must not; clients must). */
  mask?: Buffer;
}

/** One frame's bytes, exactly as specified: nothing is checked, so any rule can be broken. */
export function frame(spec: FrameSpec): Buffer {
  const payload =
    typeof spec.payload === 'string' ? Buffer.from(spec.payload, 'utf8') : (spec.payload ?? Buffer.alloc(0));
  const first =
    (spec.fin === false ? 0 : 0x80) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    (spec.opcode & 0x0f);
  const maskBit = spec.mask ? 0x80 : 0;
  let head: Buffer;
  if (payload.length < 126) {
    head = Buffer.from([first, maskBit | payload.length]);
  } else if (payload.length < 0x10000) {
    head = Buffer.alloc(4);
    head[0] = first;
    head[1] = maskBit | 126;
    head.writeUInt16BE(payload.length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = first;
    head[1] = maskBit | 127;
    head.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  if (!spec.mask) return Buffer.concat([head, payload]);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = payload[i] ^ spec.mask[i % 4];
  return Buffer.concat([head, spec.mask, masked]);
}

export const textFrame = (text: string | Buffer): Buffer => frame({ opcode: Opcode.Text, payload: text });

/** A close frame: `code` in two bytes, then `reason`; no code at all when `code` is undefined. */
export function closeFrame(code?: number, reason = ''): Buffer {
  if (code === undefined) return frame({ opcode: Opcode.Close });
  const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
  payload.writeUInt16BE(code, 0);
  payload.write(reason, 2, 'utf8');
  return frame({ opcode: Opcode.Close, payload });
}

export interface ReceivedFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  /** Unmasked. */
  payload: Buffer;
}

/** Incremental parser for frames arriving on a socket (any length encoding, masked or not). */
export class FrameParser {
  private buffer = Buffer.alloc(0);

  push(chunk: Buffer): ReceivedFrame[] {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    const frames: ReceivedFrame[] = [];
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) break;
      const masked = (b[1] & 0x80) !== 0;
      let length = b[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) break;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) break;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (b.length < offset + length) break;
      const payload = Buffer.from(b.subarray(offset, offset + length));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[maskAt + (i % 4)];
      frames.push({ fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 0x7, opcode: b[0] & 0x0f, masked, payload });
      this.buffer = b.subarray(offset + length);
    }
    return frames;
  }
}

export interface CloseRecord {
  /** 1005 when the close frame carried no code. */
  code: number;
  reason: string;
}

export function parseClosePayload(payload: Buffer): CloseRecord {
  if (payload.length < 2) return { code: 1005, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}

export interface RawPeerOptions {
  /**
   * Answer the client's close frame with a close frame carrying the same code, then end the TCP
   * connection, as a well-behaved server does (default true). False: record it and stay silent.
   */
  answerClose?: boolean;
  /** Send every text and binary message the client sends back, as one unmasked frame (default false). */
  echo?: boolean;
}

/** One client connection to a raw server, from the point where its upgrade request has been read. */
export class RawPeer {
  /** Frames the client sent after the handshake, in order. */
  readonly frames: ReceivedFrame[] = [];
  /** Close frames the client sent. */
  readonly closes: CloseRecord[] = [];
  /** Resolves when the TCP connection is fully closed. */
  readonly ended: Promise<void>;
  private readonly parser = new FrameParser();
  private readonly waiters: Array<{ test: (f: ReceivedFrame) => boolean; resolve: (f: ReceivedFrame) => void }> = [];
  private closeAnswered = false;

  constructor(
    readonly socket: Socket,
    readonly request: UpgradeRequest,
    rest: Buffer,
    private readonly options: RawPeerOptions,
  ) {
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (rest.length > 0) queueMicrotask(() => this.onData(rest));
  }

  /** Writes a valid 101 answer (or the invalid one the options ask for). */
  accept(options: AcceptOptions = {}): void {
    this.socket.write(switchingProtocols(this.request, options));
  }

  write(...chunks: Array<Buffer | string>): void {
    for (const chunk of chunks) this.socket.write(chunk);
  }

  /** Writes `data` one byte at a time, `gapMs` apart, each byte in its own TCP segment. */
  async drip(data: Buffer | string, gapMs: number): Promise<void> {
    this.socket.setNoDelay(true);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    for (let i = 0; i < bytes.length; i++) {
      await new Promise<void>((resolve, reject) =>
        this.socket.write(bytes.subarray(i, i + 1), (err) => (err ? reject(err) : resolve())),
      );
      if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  }

  /** Resolves with the first frame (already received or to come) that passes `test`. */
  nextFrame(test: (f: ReceivedFrame) => boolean = () => true): Promise<ReceivedFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** Resolves with the client's close frame. */
  async waitForClose(): Promise<CloseRecord> {
    return parseClosePayload((await this.nextFrame((f) => f.opcode === Opcode.Close)).payload);
  }

  private onData(chunk: Buffer): void {
    for (const f of this.parser.push(chunk)) {
      this.frames.push(f);
      for (const w of this.waiters.slice()) {
        if (w.test(f)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
      if (f.opcode === Opcode.Close) {
        const close = parseClosePayload(f.payload);
        this.closes.push(close);
        if (this.options.answerClose !== false && !this.closeAnswered && !this.socket.destroyed) {
          this.closeAnswered = true;
          this.socket.end(closeFrame(close.code === 1005 ? undefined : close.code));
        }
      } else if (this.options.echo && (f.opcode === Opcode.Text || f.opcode === Opcode.Binary)) {
        if (!this.socket.destroyed && !this.closeAnswered)
          this.socket.write(frame({ opcode: f.opcode, payload: f.payload }));
      }
    }
  }
}

export interface RawServer {
  url: string;
  port: number;
  /** Every connection whose upgrade request was read, in order. */
  peers: RawPeer[];
  /** Resolves with the next peer (or one already connected and not yet taken). */
  nextPeer(): Promise<RawPeer>;
}

/**
 * A TCP server on 127.0.0.1 that reads each connection's upgrade request, then hands the
 * connection to `scenario`, which decides what to answer (nothing is written for it).
 */
export async function startRawServer(
  scenario: (peer: RawPeer) => void | Promise<void>,
  options: RawPeerOptions = {},
): Promise<RawServer> {
  const peers: RawPeer[] = [];
  const pending: RawPeer[] = [];
  const waiters: Array<(peer: RawPeer) => void> = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.removeListener('data', onHead);
      const request = parseRequestHead(head.subarray(0, end).toString('latin1'));
      const peer = new RawPeer(socket, request, head.subarray(end + 4), options);
      peers.push(peer);
      const waiter = waiters.shift();
      if (waiter) waiter(peer);
      else pending.push(peer);
      // A scenario that fails (the client went away mid-drip, say) just drops the connection.
      new Promise<void>((resolve) => resolve(scenario(peer))).catch(() => socket.destroy());
    };
    socket.on('data', onHead);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  onCleanup(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    peers,
    nextPeer: () => {
      const peer = pending.shift();
      if (peer) return Promise.resolve(peer);
      return new Promise((resolve) => waiters.push(resolve));
    },
  };
}
