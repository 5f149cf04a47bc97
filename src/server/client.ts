/**
 * One client of a server: the connection core (connection/connection.ts, shared with our client
 * connection) with what only a server's client has: an id, the address it came from, and defences
 * that keep a misbehaving client from costing the server memory: a client that does not read what
 * it asked for (echoes, pongs) stops being read until it catches up; one that does not read what
 * others send it is closed with 1008.
 */
import WebSocket from 'ws';
import { Connection, type ConnectionContext, type Traffic } from '../connection/connection.js';
import type { CloseInfo } from '../protocol/outcome.js';

/** Stop reading from a client once this much of what it asked for waits to be written to it… */
export const BACKLOG_HIGH_BYTES = 1024 * 1024;
/** …and read again once it is down to this. */
export const BACKLOG_LOW_BYTES = 256 * 1024;
/** A client with this much unread traffic from others is too slow to keep: it is closed with 1008. */
export const SLOW_CONSUMER_BYTES = 16 * 1024 * 1024;

export type Done = (err?: Error) => void;

export interface SendOptions {
  /**
   * The client caused this message (an echo): if such messages pile up, stop reading from the
   * client. Otherwise (broadcast, typed lines, greeting) a client that lets them pile up is dropped.
   */
  ownBacklog?: boolean;
}

/** What every client of one server shares: the context, and where its messages and its end go. */
export interface ServerClients extends ConnectionContext {
  readonly totals: Traffic;
  clientMessage(client: ServerClient, data: Buffer, isBinary: boolean): void;
  /** Once, when the connection has closed (before `closed` settles). */
  clientClosed(client: ServerClient, close: CloseInfo): void;
}

export class ServerClient extends Connection {
  readonly connectedAt: number;
  declare protected readonly ctx: ServerClients;

  private closeInfo: CloseInfo | null = null;
  private closedPromise: Promise<CloseInfo> | null = null;
  private settleClosed: ((close: CloseInfo) => void) | null = null;
  private pendingDone: Set<Done> | null = null;

  constructor(
    id: number,
    readonly remote: string,
    /** ws://host:port/path as the client asked for it. */
    readonly url: string,
    ws: WebSocket,
    ctx: ServerClients,
  ) {
    super(ctx, id);
    this.connectedAt = ctx.now();
    this.attach(ws);
    this.announceOpen(url);
  }

  get id(): number {
    return this.conn!;
  }

  /** Settles once the connection is closed, with how it closed (made only when asked for). */
  get closed(): Promise<CloseInfo> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    this.closedPromise ??= new Promise((resolve) => {
      this.settleClosed = resolve;
    });
    return this.closedPromise;
  }

  /**
   * Sends one message. `done` is called exactly once: when it has been written, or with an error
   * when it cannot be (the client is gone or was dropped as too slow). Returns false in that case.
   */
  send(data: Buffer, binary: boolean, done?: Done, options: SendOptions = {}): boolean {
    const ws = this.ws!;
    if (!this.isOpen) {
      done?.(new Error(`client #${this.id} is not connected`));
      return false;
    }
    if (!options.ownBacklog && ws.bufferedAmount >= SLOW_CONSUMER_BYTES) {
      this.dropSlowConsumer();
      done?.(new Error(`client #${this.id} is too slow`));
      return false;
    }
    this.countMessage('out', data, binary);
    if (!done) {
      // The hot path (echo): no per-message closure. A write callback is only needed once a backlog
      // builds up: the last write before a pause then carries one, and resumes reading when done.
      if (ws.bufferedAmount + data.length > BACKLOG_LOW_BYTES) ws.send(data, { binary }, this.afterWrite);
      else ws.send(data, { binary });
      if (options.ownBacklog && ws.bufferedAmount > BACKLOG_HIGH_BYTES) this.pause('backlog');
      return true;
    }
    let called = false;
    const callback: Done = (err) => {
      if (called) return;
      called = true;
      this.pendingDone?.delete(callback);
      this.afterWrite();
      done(err);
    };
    this.pendingDone ??= new Set();
    this.pendingDone.add(callback);
    ws.send(data, { binary }, callback);
    if (options.ownBacklog && ws.bufferedAmount > BACKLOG_HIGH_BYTES) this.pause('backlog');
    return true;
  }

  /** Drops the connection without a close handshake, saying why. */
  drop(kind: 'lost' | 'timeout', why: string): void {
    if (this.ws!.readyState === WebSocket.CLOSED) return;
    this.event({ event: 'error', kind, message: `client #${this.id} dropped: ${why}` });
    this.terminate();
  }

  protected override get peerName(): string {
    return `client #${this.id}`;
  }

  protected override received(data: Buffer, isBinary: boolean): void {
    this.ctx.clientMessage(this, data, isBinary);
  }

  protected override closing(): boolean {
    for (const done of [...(this.pendingDone ?? [])]) done(new Error(`client #${this.id} is gone`));
    return true;
  }

  protected override ended(close: CloseInfo): void {
    this.closeInfo = close;
    this.ctx.clientClosed(this, close);
    this.settleClosed?.(close);
  }

  private dropSlowConsumer(): void {
    if (this.closeSent) return;
    const mib = (this.bufferedAmount / (1024 * 1024)).toFixed(1);
    this.event({
      event: 'error',
      kind: 'protocol',
      message: `client #${this.id} is not reading (${mib} MiB wait for it); closing with 1008`,
    });
    this.sendClose(1008, 'too slow: not reading', true);
  }

  /** After each write: a client paused for its own backlog is read again once it has caught up. */
  private readonly afterWrite = (): void => {
    if (this.isPausedFor('backlog') && this.bufferedAmount <= BACKLOG_LOW_BYTES) this.resume('backlog');
  };
}
