/**
 * A raw WebSocket client on plain TCP (`node:net`), for tests that need a client able to break the
 * protocol against our servers: it sends a proper opening handshake (a random 16-byte key, the answer's
 * `Sec-WebSocket-Accept` checked), writes frames built by hand with raw-peer's `frame()` (masked with a
 * fresh random key unless told otherwise, any opcode, RSV bits and length), and reads the server's
 * frames with raw-peer's `FrameParser`. Every connection opened here is destroyed after each test.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type Socket, connect as tcpConnect } from 'node:net';
import { onCleanup } from './harness.js';
import {
  acceptKey,
  type CloseRecord,
  FrameParser,
  type FrameSpec,
  frame,
  Opcode,
  parseClosePayload,
  parseRequestHead,
  type ReceivedFrame,
  type UpgradeRequest,
} from './raw-peer.js';

export interface RawClientOptions {
  /** The request path (default `/`). */
  path?: string;
  /** A `Sec-WebSocket-Extensions` offer, e.g. `permessage-deflate` (default: none). */
  extensions?: string;
}

/** The server's 101 answer. */
export interface UpgradeResponse {
  status: number;
  /** Header names lower-cased. */
  headers: UpgradeRequest['headers'];
}

/** What a frame to send is made of; `mask` defaults to a fresh random key, `null` sends it unmasked. */
export type ClientFrameSpec = Omit<FrameSpec, 'mask'> & { mask?: Buffer | null };

/** One frame as a client must send it: masked (with a random key unless `mask` says otherwise). */
export function clientFrame(spec: ClientFrameSpec): Buffer {
  const { mask, ...rest } = spec;
  return frame(mask === null ? rest : { ...rest, mask: mask ?? randomBytes(4) });
}

/** A client close frame: `code` in two bytes, then `reason` (raw bytes allowed); no payload without a code. */
export function clientCloseFrame(code?: number, reason: Buffer | string = ''): Buffer {
  if (code === undefined) return clientFrame({ opcode: Opcode.Close });
  const reasonBytes = typeof reason === 'string' ? Buffer.from(reason, 'utf8') : reason;
  const payload = Buffer.alloc(2 + reasonBytes.length);
  payload.writeUInt16BE(code, 0);
  reasonBytes.copy(payload, 2);
  return clientFrame({ opcode: Opcode.Close, payload });
}

export class RawClient {
  /** Frames the server sent after its 101 answer, in order. */
  readonly frames: ReceivedFrame[] = [];
  /** Resolves when the TCP connection is fully closed. */
  readonly ended: Promise<void>;
  private readonly parser = new FrameParser();
  private readonly waiters: Array<{ test: (f: ReceivedFrame) => boolean; resolve: (f: ReceivedFrame) => void }> = [];
  private endedYet = false;
  private readonly endWaiters: Array<() => void> = [];

  private constructor(
    readonly socket: Socket,
    readonly response: UpgradeResponse,
    rest: Buffer,
  ) {
    this.ended = new Promise((resolve) =>
      socket.once('close', () => {
        this.endedYet = true;
        for (const reject of this.endWaiters.splice(0)) reject();
        resolve();
      }),
    );
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (rest.length > 0) this.onData(rest);
  }

  /**
   * Connects to 127.0.0.1:`port`, sends the opening handshake and resolves once a valid 101 answer
   * has arrived (rejects on any other answer, a wrong `Sec-WebSocket-Accept`, or the connection closing).
   */
  static async connect(port: number, options: RawClientOptions = {}): Promise<RawClient> {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.on('error', () => {});
    onCleanup(() => {
      socket.destroy();
    });
    await once(socket, 'connect');
    const key = randomBytes(16).toString('base64');
    const lines = [
      `GET ${options.path ?? '/'} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${key}`,
      'Sec-WebSocket-Version: 13',
    ];
    if (options.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    const { head, rest } = await new Promise<{ head: string; rest: Buffer }>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        const end = got.indexOf('\r\n\r\n');
        if (end === -1) return;
        socket.off('data', onData);
        socket.off('close', onClose);
        // Stop the flow until the client's own listener is attached: no frame may be missed.
        socket.pause();
        resolve({ head: got.subarray(0, end).toString('latin1'), rest: got.subarray(end + 4) });
      };
      const onClose = () =>
        reject(new Error(`connection closed before the handshake answer: ${JSON.stringify(got.toString('latin1'))}`));
      socket.on('data', onData);
      socket.once('close', onClose);
    });
    const parsed = parseRequestHead(head);
    const status = Number(parsed.path);
    if (parsed.method !== 'HTTP/1.1' || status !== 101) throw new Error(`handshake refused: ${head.split('\r\n')[0]}`);
    if (parsed.headers['sec-websocket-accept'] !== acceptKey(key)) {
      throw new Error(`wrong Sec-WebSocket-Accept: ${parsed.headers['sec-websocket-accept']}`);
    }
    const client = new RawClient(socket, { status, headers: parsed.headers }, rest);
    socket.resume();
    return client;
  }

  /** Writes one frame, masked with a random key unless `spec.mask` says otherwise. */
  send(spec: ClientFrameSpec): void {
    this.socket.write(clientFrame(spec));
  }

  /** Writes bytes exactly as given (several frames in one write, a close frame, anything). */
  write(...chunks: Buffer[]): void {
    this.socket.write(Buffer.concat(chunks));
  }

  /**
   * Resolves with the first frame (already received or to come) that passes `test`; rejects if the
   * connection closes without one.
   */
  nextFrame(test: (f: ReceivedFrame) => boolean = () => true): Promise<ReceivedFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    if (this.endedYet) return Promise.reject(new Error('the connection closed without such a frame'));
    return new Promise((resolve, reject) => {
      const waiter = { test, resolve };
      this.waiters.push(waiter);
      this.endWaiters.push(() => {
        const at = this.waiters.indexOf(waiter);
        if (at === -1) return;
        this.waiters.splice(at, 1);
        reject(new Error('the connection closed without such a frame'));
      });
    });
  }

  /** Resolves with the server's close frame: its code (1005 when it carried none), reason and the frame. */
  async serverClose(): Promise<CloseRecord & { frame: ReceivedFrame }> {
    const f = await this.nextFrame((x) => x.opcode === Opcode.Close);
    return { ...parseClosePayload(f.payload), frame: f };
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
    }
  }
}
