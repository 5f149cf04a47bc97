/**
 * Raw clients on plain TCP (`node:net`), for tests that need a client able to break the protocol against
 * our servers. `RawClient` sends a proper opening handshake (a random 16-byte key, the answer's
 * `Sec-WebSocket-Accept` checked), writes frames built with frames.ts (masked with a fresh random key
 * unless told otherwise, any opcode, RSV bits and length), and reads the server's frames. `rawConnect`
 * is a bare socket: write anything (garbage, half a handshake), see every byte that comes back. Every
 * connection opened here is destroyed after each test.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { type Socket, connect as tcpConnect } from 'node:net';
import { onCleanup } from './cleanup.js';
import {
  type CloseRecord,
  clientFrame,
  FrameReader,
  type FrameSpec,
  Opcode,
  parseClosePayload,
  type ReceivedFrame,
} from './frames.js';
import {
  acceptKey,
  parseRequestHead,
  type UpgradeRequest,
  type UpgradeRequestOptions,
  upgradeRequest,
} from './handshake.js';

/** A TCP connection to 127.0.0.1:`port` (not yet connected), destroyed after the test. */
function tcpSocket(port: number): Socket {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => {});
  onCleanup(() => {
    socket.destroy();
  });
  return socket;
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
  const socket = tcpSocket(port);
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

export type RawClientOptions = Pick<UpgradeRequestOptions, 'path' | 'extensions'>;

/** The server's 101 answer. */
export interface UpgradeResponse {
  status: number;
  /** Header names lower-cased. */
  headers: UpgradeRequest['headers'];
}

export class RawClient extends FrameReader {
  private constructor(
    readonly socket: Socket,
    readonly response: UpgradeResponse,
    rest: Buffer,
  ) {
    super(socket);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    if (rest.length > 0) this.read(rest);
  }

  /**
   * Connects to 127.0.0.1:`port`, sends the opening handshake and resolves once a valid 101 answer
   * has arrived (rejects on any other answer, a wrong `Sec-WebSocket-Accept`, or the connection closing).
   */
  static async connect(port: number, options: RawClientOptions = {}): Promise<RawClient> {
    const socket = tcpSocket(port);
    await once(socket, 'connect');
    const key = randomBytes(16).toString('base64');
    socket.write(upgradeRequest(port, { ...options, key }));
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
  send(spec: FrameSpec): void {
    this.socket.write(clientFrame(spec));
  }

  /** Writes bytes exactly as given (several frames in one write, a close frame, anything). */
  write(...chunks: Buffer[]): void {
    this.socket.write(Buffer.concat(chunks));
  }

  /** Resolves with the server's close frame: its code (1005 when it carried none), reason and the frame. */
  async serverClose(): Promise<CloseRecord & { frame: ReceivedFrame }> {
    const f = await this.nextFrame((x) => x.opcode === Opcode.Close);
    return { ...parseClosePayload(f.payload), frame: f };
  }
}
