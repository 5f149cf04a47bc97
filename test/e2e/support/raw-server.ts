/**
 * The e2e suite's one raw WebSocket server, on plain TCP (`node:net`), for tests that need a server able
 * to break the protocol: it reads the HTTP upgrade request itself and hands each connection to a scenario
 * that answers as it likes (handshake.ts for the 101, frames.ts for frames: any opcode, RSV bits, masks,
 * lengths); it records the frames the client sends, close frames included. Every server started here is
 * closed after each test. Also `deadPort`, a port where nothing listens.
 */
import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { onCleanup } from './cleanup.js';
import { type CloseRecord, closeFrame, FrameReader, frame, Opcode, parseClosePayload } from './frames.js';
import { type AcceptOptions, parseRequestHead, switchingProtocols, type UpgradeRequest } from './handshake.js';

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
export class RawPeer extends FrameReader {
  /** Close frames the client sent. */
  readonly closes: CloseRecord[] = [];
  private closeAnswered = false;

  constructor(
    readonly socket: Socket,
    readonly request: UpgradeRequest,
    rest: Buffer,
    private readonly options: RawPeerOptions,
  ) {
    super(socket);
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

  /** Resolves with the client's close frame. */
  async waitForClose(): Promise<CloseRecord> {
    return parseClosePayload((await this.nextFrame((f) => f.opcode === Opcode.Close)).payload);
  }

  private onData(chunk: Buffer): void {
    for (const f of this.read(chunk)) {
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

/** A port on 127.0.0.1 with nothing listening: bind port 0, note it, close it. */
export async function deadPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
