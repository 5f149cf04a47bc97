/**
 * The connection core shared by our client connection (`ClientSession`) and a server's client
 * (`ServerClient`): traffic counters, ping round trips, pause reasons, who closed and with what code,
 * error classification and the `close` event. The two differ only where the protocol makes them
 * differ: the client makes the opening handshake; a server's client has an id and a backlog.
 *
 * A server holds thousands of these, so each costs little: the listeners on the ws socket are
 * static (shared by every connection, each finding its connection through a tag on the socket),
 * what every connection of a server shares is one context object, and lists exist only once used.
 */
import WebSocket from 'ws';
import type { Direction, SessionEvent } from '../output/events.js';
import { classifyOpenError, errorLike, type Failure, pingFloodFailure, sentCloseCode } from '../protocol/failures.js';
import type { CloseInfo } from '../protocol/outcome.js';
import { type SentClose, whoClosed } from './close.js';

export interface Traffic {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export function emptyTraffic(): Traffic {
  return { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
}

/** Adds one connection's traffic to a running total (a server's, or `--reconnect`'s over connections). */
export function addTraffic(total: Traffic, more: Traffic): void {
  total.messagesIn += more.messagesIn;
  total.messagesOut += more.messagesOut;
  total.bytesIn += more.bytesIn;
  total.bytesOut += more.bytesOut;
}

function count(traffic: Traffic, dir: Direction, bytes: number): void {
  if (dir === 'in') {
    traffic.messagesIn++;
    traffic.bytesIn += bytes;
  } else {
    traffic.messagesOut++;
    traffic.bytesOut += bytes;
  }
}

/** What the connections of one side share (a server: one object for all its clients). */
export interface ConnectionContext {
  /** Which side we are: `by` of a close says `client`, `server` or `none`. */
  readonly side: 'client' | 'server';
  readonly emit: (e: SessionEvent) => void;
  readonly now: () => number;
  /** A server's totals over all its clients, counted along with each connection's own. */
  readonly totals?: Traffic;
  /** false: ws does not answer pings by itself (a relay passes them on); no pong is shown for it. */
  readonly autoPong?: boolean;
}

/**
 * Why reading from a connection is paused: our stdout is backed up, the peer is not reading, or an
 * `--exec` program is not reading its stdin.
 */
export type PauseReason = 'output' | 'backlog' | 'program';
const PAUSE_BIT: Readonly<Record<PauseReason, number>> = { output: 1, backlog: 2, program: 4 };

/** Omit over each member of a union (plain Omit would merge the members). */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What a connection knows of pings. */
interface PingState {
  /** Send times of our pings whose pongs have not come yet. */
  sentAt: number[];
  /** When the first ping since the last pong went out. */
  silentSince: number | undefined;
  /** Pings received: ws can only have dropped the peer for a ping flood after this many. */
  received: number;
  /** The socket was open when the last ping was seen. */
  openAtLast: boolean;
}

/** Writes in this tick: none yet, one written at once, or the socket holds them until the tick ends. */
const TICK_IDLE = 0;
const TICK_WROTE = 1;
const TICK_CORKED = 2;

type Corkable = { cork(): void; uncork(): void };

const CONNECTION = Symbol('wsprobe connection');
type Tagged = WebSocket & { [CONNECTION]: Connection };

/** ws drops a peer that pings without reading our pongs once this many wait (`maxPendingAutoPongs`). */
export const MAX_PENDING_PONGS = 60;

export abstract class Connection {
  readonly stats: Traffic = emptyTraffic();
  protected ws: WebSocket | undefined = undefined;
  /** The close frame we sent first, made when we close (or ws closes for us after a violation). */
  protected closeSent: SentClose | null = null;
  private pauseBits = 0;
  /** Pings either way, made at the first one (most connections never see one). */
  private pings: PingState | null = null;
  /** What was written in this tick (coalesceWrites, batchWrites): nothing, a message, or the socket is corked. */
  private tickWrites = TICK_IDLE;

  constructor(
    protected readonly ctx: ConnectionContext,
    /** A server's id for this client (events carry it as `conn`); none for our client connection. */
    protected readonly conn?: number,
  ) {}

  get protocol(): string {
    return this.ws?.protocol ?? '';
  }

  get extensions(): string {
    return this.ws?.extensions ?? '';
  }

  get isOpen(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Bytes handed to the socket and not yet written to the network. */
  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  /**
   * A relay (proxy): every ping and pong that arrives, after it is shown, to pass it on. Declared
   * only: the connections of a relay alone get the property.
   */
  declare onControl?: (kind: 'ping' | 'pong', data: Buffer) => void;

  /** The clock every time of this connection is read from. */
  get now(): () => number {
    return this.ctx.now;
  }

  /** When the first ping not answered by a pong went out (undefined when every ping was answered). */
  get unansweredPingSince(): number | undefined {
    return this.pings?.silentSince;
  }

  ping(data: Buffer = Buffer.alloc(0)): void {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    const now = this.ctx.now();
    const pings = this.pingState;
    pings.sentAt.push(now);
    pings.silentSince ??= now;
    ws.ping(data);
    this.event({ event: 'ping', dir: 'out', data });
  }

  pong(data: Buffer = Buffer.alloc(0)): void {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    ws.pong(data);
    this.event({ event: 'pong', dir: 'out', data });
  }

  /**
   * A relay (proxy) passes on a message from the other side: counted as sent, not shown (it was shown
   * once, as it came in). `done`, when given, is called once it has been written. False: not open.
   */
  forward(data: Buffer, binary: boolean, done?: (err?: Error) => void): boolean {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    count(this.stats, 'out', data.length);
    if (this.ctx.totals) count(this.ctx.totals, 'out', data.length);
    ws.send(data, { binary }, done);
    return true;
  }

  /**
   * A relay forwards many small messages per read, and ws writes each frame at once: what is forwarded
   * until the end of this tick is held in the socket and goes out in one write.
   */
  batchWrites(): void {
    const socket = this.socket;
    if (this.tickWrites === TICK_CORKED || !socket) return;
    if (this.tickWrites === TICK_IDLE) process.nextTick(Connection.endTick, this, socket);
    this.tickWrites = TICK_CORKED;
    socket.cork();
  }

  /**
   * Messages sent one after another in one tick (the lines of one read of stdin, the echoes of one
   * read of a client) go out in one socket write: the first is written at once, as it would be alone,
   * and what follows it in the same tick is held until the end of the tick.
   */
  protected coalesceWrites(): void {
    const socket = this.socket;
    if (this.tickWrites === TICK_CORKED || !socket) return;
    if (this.tickWrites === TICK_IDLE) {
      this.tickWrites = TICK_WROTE;
      process.nextTick(Connection.endTick, this, socket);
      return;
    }
    this.tickWrites = TICK_CORKED;
    socket.cork();
  }

  private get socket(): Corkable | undefined {
    return (this.ws as unknown as { _socket?: Corkable } | undefined)?._socket;
  }

  /** A relay passes a ping or pong on as it came (not shown: it was, as it came in). */
  forwardControl(kind: 'ping' | 'pong', data: Buffer): void {
    const ws = this.ws;
    if (ws?.readyState === WebSocket.OPEN) ws[kind](data);
  }

  /** Starts the close handshake; ws drops the connection if the peer does not answer within its close timeout. */
  close(code: number, reason: string): void {
    this.sendClose(code, reason, false);
  }

  /** Drops the connection at once, without a close handshake. */
  terminate(): void {
    this.ws?.terminate();
  }

  /** Stops reading from the socket (TCP then slows the peer down) until every reason is gone. */
  pause(reason: PauseReason = 'output'): void {
    this.pauseBits |= PAUSE_BIT[reason];
    if (this.hasSocket) this.ws?.pause();
  }

  resume(reason: PauseReason = 'output'): void {
    this.pauseBits &= ~PAUSE_BIT[reason];
    if (this.pauseBits === 0 && this.hasSocket) this.ws?.resume();
  }

  /** ws has a socket to pause (a client's attempt that never opened has none, even once closing). */
  protected get hasSocket(): boolean {
    return true;
  }

  isPausedFor(reason: PauseReason): boolean {
    return (this.pauseBits & PAUSE_BIT[reason]) !== 0;
  }

  private get pingState(): PingState {
    this.pings ??= { sentAt: [], silentSince: undefined, received: 0, openAtLast: true };
    return this.pings;
  }

  /** Takes `ws` over with the listeners every connection shares. */
  protected attach(ws: WebSocket): void {
    this.ws = ws;
    (ws as Tagged)[CONNECTION] = this;
    ws.on('message', Connection.onWsMessage);
    ws.on('ping', Connection.onWsPing);
    ws.on('pong', Connection.onWsPong);
    ws.on('error', Connection.onWsError);
    ws.on('close', Connection.onWsClose);
  }

  /** Gives `ws` up (a -L hop that was answered with a redirect): what it still reports is not ours. */
  protected detach(ws: WebSocket): void {
    ws.off('message', Connection.onWsMessage);
    ws.off('ping', Connection.onWsPing);
    ws.off('pong', Connection.onWsPong);
    ws.off('error', Connection.onWsError);
    ws.off('close', Connection.onWsClose);
    ws.on('error', () => {});
    if (this.ws === ws) this.ws = undefined;
  }

  /** Sends a close frame; `fault`: because the peer broke a rule (then its code is what the close shows). */
  protected sendClose(code: number, reason: string, fault: boolean): void {
    const ws = this.ws;
    if (ws?.readyState !== WebSocket.OPEN) return;
    this.closeSent = { code, reason, fault };
    ws.close(code, reason);
  }

  /** Counts a message (for a server, in its totals too) and shows it; the caller sends or delivers it. */
  protected countMessage(dir: Direction, data: Buffer, binary: boolean): void {
    count(this.stats, dir, data.length);
    if (this.ctx.totals) count(this.ctx.totals, dir, data.length);
    this.ctx.emit({ event: 'message', time: this.ctx.now(), conn: this.conn, dir, data, binary });
  }

  protected event(e: DistributiveOmit<SessionEvent, 'time' | 'conn'>): void {
    this.ctx.emit({ ...e, time: this.ctx.now(), conn: this.conn } as SessionEvent);
  }

  /**
   * Shows the connection as open (after its opening handshake); a server's client says where it came
   * from. Made as one object: a server makes one per client.
   */
  protected announceOpen(url: string, remote?: string): void {
    const { protocol, extensions } = this;
    const time = this.ctx.now();
    this.ctx.emit(
      remote === undefined
        ? { event: 'open', time, conn: this.conn, url, protocol, extensions }
        : { event: 'open', time, conn: this.conn, url, protocol, extensions, remote },
    );
  }

  /** A message arrived (already counted and shown). */
  protected abstract received(data: Buffer, isBinary: boolean): void;

  /** A pong arrived; `rttMs` when it answers a ping of ours. Called before the pong is shown. */
  protected ponged(_rttMs: number | undefined): void {}

  /** An error on the connection, classified; shown as an `error` event unless overridden. */
  protected failed(failure: Failure): void {
    this.event({ event: 'error', kind: failure.kind, message: failure.message, hint: failure.hint });
  }

  /** Before the close is shown: false hides it (and skips `ended`). */
  protected closing(_close: CloseInfo, _code: number): boolean {
    return true;
  }

  /** The connection has closed and its `close` event was emitted. */
  protected abstract ended(close: CloseInfo): void;

  /** How the peer is named in error messages (undefined: "the peer"). */
  protected get peerName(): string | undefined {
    return undefined;
  }

  protected handleError(err: Error): void {
    const closeCode = sentCloseCode(err);
    // ws answers a protocol violation by closing with the matching code (1002, 1007, 1008, 1009) itself,
    // unless we had closed first.
    if (closeCode !== undefined) {
      if (this.closeSent) this.closeSent.fault = true;
      else this.closeSent = { code: closeCode, reason: '', fault: true };
    }
    this.failed(classifyOpenError(errorLike(err, closeCode), this.peerName));
  }

  private handleMessage(data: Buffer, isBinary: boolean): void {
    this.countMessage('in', data, isBinary);
    this.received(data, isBinary);
  }

  private handlePing(ws: WebSocket, data: Buffer): void {
    const pings = this.pingState;
    pings.received++;
    const open = ws.readyState === WebSocket.OPEN;
    const wasOpen = pings.openAtLast;
    pings.openAtLast = open;
    this.event({ event: 'ping', dir: 'in', data });
    this.onControl?.('ping', data);
    // ws answers every ping by itself (autoPong) while the connection is open; show the answer it sent.
    if (open && this.ctx.autoPong === false) return;
    if (open) {
      this.event({ event: 'pong', dir: 'out', data });
      return;
    }
    // Open at the last ping, closing after this one, and not by anyone's close: ws dropped the peer as
    // our pongs piled up unread (a ping flood). Say so, instead of "no close frame".
    if (wasOpen && !this.closeSent && pings.received >= MAX_PENDING_PONGS) {
      this.failed(pingFloodFailure(this.ctx.side, MAX_PENDING_PONGS, this.peerName));
    }
  }

  private handlePong(data: Buffer): void {
    const pings = this.pings;
    if (pings) pings.silentSince = undefined;
    const sentAt = pings?.sentAt.shift();
    const rttMs = sentAt !== undefined ? this.ctx.now() - sentAt : undefined;
    this.ponged(rttMs);
    this.event({ event: 'pong', dir: 'in', data, rttMs });
    this.onControl?.('pong', data);
  }

  private handleClose(code: number, reason: string, wasClean: boolean): void {
    const close = whoClosed(this.closeSent, { code, reason, wasClean }, this.ctx.side);
    if (!this.closing(close, code)) return;
    this.ctx.emit({ event: 'close', time: this.ctx.now(), conn: this.conn, ...close });
    this.ended(close);
  }

  /** The tick of coalesceWrites or batchWrites is over: what the socket holds goes out. */
  private static endTick(connection: Connection, socket: Corkable): void {
    if (connection.tickWrites === TICK_CORKED) socket.uncork();
    connection.tickWrites = TICK_IDLE;
  }

  // Shared listeners: `this` is the ws socket they are called on; its tag leads to the connection.
  private static onWsMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    (this as Tagged)[CONNECTION].handleMessage(data, isBinary);
  }

  private static onWsPing(this: WebSocket, data: Buffer): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    (this as Tagged)[CONNECTION].handlePing(this, data);
  }

  private static onWsPong(this: WebSocket, data: Buffer): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    (this as Tagged)[CONNECTION].handlePong(data);
  }

  private static onWsError(this: WebSocket, err: Error): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    (this as Tagged)[CONNECTION].handleError(err);
  }

  private static onWsClose(this: WebSocket, code: number, reason: Buffer): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    const ws = this as Tagged & { _closeFrameReceived: boolean; _closeFrameSent: boolean };
    // wasClean as ws's own CloseEvent has it (through addEventListener, every connection would hold a
    // wrapper function): both close frames went through.
    ws[CONNECTION].handleClose(code, reason.toString(), ws._closeFrameReceived && ws._closeFrameSent);
  }
}
