/**
 * One client of a server: the connection core (connection/connection.ts, shared with our client
 * connection) with what only a server's client has: an id, the address it came from, and defences
 * that keep a misbehaving client from costing the server memory: a client that does not read what
 * it asked for (echoes, pongs) stops being read until it catches up; one that does not read what
 * others send it is closed with 1008; what it alone holds (large echoes, delayed echoes, compressed
 * copies) is counted in the server's memory budget (budget.ts), which drops the biggest holders.
 */
import WebSocket from 'ws';
import { addTraffic, Connection, type ConnectionContext, type Traffic } from '../connection/connection.js';
import { serverCompresses } from '../connection/deflate.js';
import type { CloseInfo } from '../protocol/outcome.js';
import { BUDGET_CHECK_MIN_BYTES, type MemoryBudget, mib } from './budget.js';
import { consoleHello, consoleMessage } from './console-page.js';

/** Stop reading from a client once this much of what it asked for waits to be written to it… */
export const BACKLOG_HIGH_BYTES = 1024 * 1024;
/** …and read again once it is down to this. */
export const BACKLOG_LOW_BYTES = 256 * 1024;
/**
 * A client with this much unread traffic from others queued behind the largest message being written
 * to it is too slow to keep: it is closed with 1008. (A 64 MiB message takes a while even for a client
 * that reads; only what piles up behind it counts.)
 */
export const SLOW_CONSUMER_BYTES = 16 * 1024 * 1024;

export type Done = (err?: Error) => void;

export interface SendOptions {
  /**
   * The client caused this message (an echo): if such messages pile up, stop reading from the
   * client. Otherwise (broadcast, typed lines, greeting) a client that lets them pile up is dropped.
   */
  ownBacklog?: boolean;
  /** false: counted, not shown — the caller shows a message sent to several clients once. */
  shown?: boolean;
  /** `--broadcast`: the client whose message this is (a `--console` page shows it). */
  from?: number;
}

/** What every client of one server shares: the context, and where its messages and its end go. */
export interface ServerClients extends ConnectionContext {
  readonly totals: Traffic;
  readonly budget: MemoryBudget;
  /** ws://host:port of the server. */
  serverUrl(): string;
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
  /** permessage-deflate was negotiated. */
  private readonly deflated: boolean;
  /** Bytes held for this client outside ws (`--delay`). */
  private delayedBytes = 0;
  /** Of the bytes in the budget, those on this client's account (delayed, and tracked sends unwritten). */
  private budgetBytes = 0;
  /** The account is closed (the client is gone or was dropped): late write callbacks change nothing. */
  private accountClosed = false;
  /** The largest message queued since the backlog was last down to BACKLOG_LOW_BYTES. */
  private largestQueued = 0;
  /** `afterWrite` as a write callback, made once a backlog first builds up (most clients never need it). */
  private afterWriteCallback: (() => void) | undefined = undefined;
  /** `--broadcast`: not read until the fastest recipient of its messages has caught up. */
  private heldForOthers = false;
  /** The `--console` page: messages go in envelopes (speakConsole). */
  private console = false;

  constructor(
    id: number,
    readonly remote: string,
    /** The path the client asked for (`/` and up). */
    readonly path: string,
    ws: WebSocket,
    ctx: ServerClients,
  ) {
    super(ctx, id);
    this.connectedAt = ctx.now();
    this.deflated = ws.extensions.includes('permessage-deflate');
    this.attach(ws);
    this.announceOpen(this.url, remote);
  }

  /** ws://host:port/path as the client asked for it. */
  get url(): string {
    return `${this.ctx.serverUrl()}${this.path}`;
  }

  /**
   * The `--console` page: told which client it is, and from now on every message to it goes in an
   * envelope that says who sent it (console-page.ts). The envelopes are the page's own protocol: not
   * shown as messages (what they carry is).
   */
  speakConsole(): void {
    if (!this.isOpen) return;
    this.console = true;
    this.ws!.send(consoleHello(this.id), { binary: false });
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

  /** Bytes of the server's memory budget this client holds. */
  get heldBytes(): number {
    return this.budgetBytes;
  }

  /** What this client asked for and has not taken: unwritten output plus delayed echoes. */
  get backlog(): number {
    return this.bufferedAmount + this.delayedBytes;
  }

  /**
   * Sends one message. `done` is called exactly once: when it has been written, or with an error
   * when it cannot be (the client is gone or was dropped as too slow). Returns false in that case.
   */
  send(message: Buffer, isBinary: boolean, done?: Done, options: SendOptions = {}): boolean {
    const ws = this.ws!;
    if (!this.isOpen) {
      done?.(new Error(`client #${this.id} is not connected`));
      return false;
    }
    // Every echo of one read of the client's socket (a burst of messages) goes out in one write.
    this.coalesceWrites();
    const own = options.ownBacklog === true;
    if (!own && ws.bufferedAmount - this.largestQueued >= SLOW_CONSUMER_BYTES) {
      this.dropSlowConsumer();
      done?.(new Error(`client #${this.id} is too slow`));
      return false;
    }
    if (options.shown === false) {
      const size = message.length;
      addTraffic(this.stats, { messagesIn: 0, bytesIn: 0, messagesOut: 1, bytesOut: size });
      if (this.ctx.totals) addTraffic(this.ctx.totals, { messagesIn: 0, bytesIn: 0, messagesOut: 1, bytesOut: size });
    } else {
      this.countMessage('out', message, isBinary);
    }
    // What goes on the wire: the message, or (the console page) its envelope.
    const data = this.console ? consoleMessage(message, isBinary, options.from) : message;
    const binary = this.console ? false : isBinary;
    const size = data.length;
    if (size > this.largestQueued && size > BACKLOG_LOW_BYTES) this.largestQueued = size;
    // A compressed copy is this client's alone; without room for it, the shared buffer goes as it is.
    const compress = this.deflated && serverCompresses(size) && this.ctx.budget.fits(size);
    if (compress || (own && size >= BUDGET_CHECK_MIN_BYTES)) {
      this.sendTracked(data, binary, compress, done);
    } else if (done) {
      this.sendWithDone(data, binary, compress, done);
    } else if (this.backlog + size > BACKLOG_LOW_BYTES) {
      // The hot path (echo): no per-message closure. A write callback is only needed once a backlog
      // builds up: the last write before a pause then carries one, and resumes reading when done.
      this.afterWriteCallback ??= () => this.afterWrite();
      ws.send(data, { binary, compress }, this.afterWriteCallback);
    } else {
      ws.send(data, { binary, compress });
    }
    if (own && this.backlog > BACKLOG_HIGH_BYTES) this.pause('backlog');
    return true;
  }

  /**
   * Sends made in `fn` go out in one socket write (`--exec`: the messages of one read of a program's
   * output) instead of one write per frame.
   */
  batch(fn: () => void): void {
    const socket = (this.ws as unknown as { _socket?: { cork(): void; uncork(): void } } | undefined)?._socket;
    socket?.cork();
    try {
      fn();
    } finally {
      socket?.uncork();
    }
  }

  /** `--delay`: `bytes` of this client's messages wait before they are echoed (paused past the limit). */
  hold(bytes: number): void {
    this.delayedBytes += bytes;
    this.charge(bytes);
    if (this.backlog > BACKLOG_HIGH_BYTES) this.pause('backlog');
  }

  /** Held bytes are echoed (or dropped); the client is read again once it has caught up. */
  release(bytes: number): void {
    this.delayedBytes -= bytes;
    this.refund(bytes);
    this.afterWrite();
  }

  /** `--broadcast`: stop reading this client until the others have taken what it sent (releaseForOthers). */
  holdForOthers(): void {
    this.heldForOthers = true;
    this.pause('backlog');
  }

  releaseForOthers(): void {
    this.heldForOthers = false;
    this.afterWrite();
  }

  /** Drops the connection without a close handshake, saying why. */
  drop(kind: 'lost' | 'timeout', why: string): void {
    this.closeAccount();
    if (this.ws!.readyState === WebSocket.CLOSED) return;
    this.event({ event: 'error', kind, message: `client #${this.id} dropped: ${why}` });
    this.terminate();
  }

  /** The server's memory budget is full and this client holds the most of it: dropped at once. */
  dropForBudget(limit: number): void {
    const held = mib(this.budgetBytes);
    this.drop(
      'lost',
      `it holds ${held} it has not read, the most of any client, and the server's memory budget (${mib(limit)}) is full`,
    );
  }

  /** A message that does not fit in the memory budget: not kept, and the client is closed with 1013. */
  refuseForBudget(size: number): void {
    if (this.closeSent) return;
    const { limit, held } = this.ctx.budget;
    this.event({
      event: 'error',
      kind: 'protocol',
      message: `client #${this.id} sent ${mib(size)}, which does not fit in the server's memory budget (${mib(held)} of ${mib(limit)} held); closing with 1013`,
    });
    this.sendClose(1013, 'server busy: memory budget full', true);
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
    this.closeAccount();
    this.closeInfo = close;
    this.ctx.clientClosed(this, close);
    this.settleClosed?.(close);
  }

  private sendWithDone(data: Buffer, binary: boolean, compress: boolean, done: Done): void {
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
    this.ws!.send(data, { binary, compress }, callback);
  }

  /** A copy only this client holds: on its account in the budget until it is written. */
  private sendTracked(data: Buffer, binary: boolean, compress: boolean, done?: Done): void {
    const size = data.length;
    this.charge(size);
    this.sendWithDone(data, binary, compress, (err) => {
      this.refund(size);
      done?.(err);
    });
  }

  private charge(bytes: number): void {
    if (this.accountClosed) return;
    this.budgetBytes += bytes;
    this.ctx.budget.take(bytes);
  }

  private refund(bytes: number): void {
    if (this.accountClosed) return;
    this.budgetBytes -= bytes;
    this.ctx.budget.give(bytes);
  }

  /** Gives everything on this client's account back to the budget (its buffers go with its socket). */
  private closeAccount(): void {
    if (this.accountClosed) return;
    this.ctx.budget.give(this.budgetBytes);
    this.budgetBytes = 0;
    this.accountClosed = true;
  }

  private dropSlowConsumer(): void {
    if (this.closeSent) return;
    this.event({
      event: 'error',
      kind: 'protocol',
      message: `client #${this.id} is not reading (${mib(this.bufferedAmount)} wait for it); closing with 1008`,
    });
    this.sendClose(1008, 'too slow: not reading', true);
  }

  /** After each write: a client paused for its own backlog is read again once it has caught up. */
  private afterWrite(): void {
    if (this.backlog > BACKLOG_LOW_BYTES) return;
    this.largestQueued = 0;
    if (this.isPausedFor('backlog') && !this.heldForOthers) this.resume('backlog');
  }
}
