/**
 * One client of a server: wraps its `ws` socket, reports what it sends and what we send it as session
 * events carrying its id, counts traffic, and keeps a misbehaving client from costing the server memory:
 * a client that does not read what it asked for (echoes, pongs) stops being read until it catches up;
 * one that does not read what others send it is closed with 1008.
 */
import WebSocket from 'ws';
import type { SessionEvent } from '../output/events.js';
import { classifyOpenError, sentCloseCode } from '../protocol/failures.js';
import type { CloseInfo } from '../protocol/outcome.js';

export interface Traffic {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export function emptyTraffic(): Traffic {
  return { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
}

/** Stop reading from a client once this much of what it asked for waits to be written to it… */
export const BACKLOG_HIGH_BYTES = 1024 * 1024;
/** …and read again once it is down to this. */
export const BACKLOG_LOW_BYTES = 256 * 1024;
/** A client with this much unread traffic from others is too slow to keep: it is closed with 1008. */
export const SLOW_CONSUMER_BYTES = 16 * 1024 * 1024;

/** Why reading from a client is paused: our stdout is backed up, or the client is not reading. */
export type PauseReason = 'output' | 'backlog';
const PAUSE_BIT: Readonly<Record<PauseReason, number>> = { output: 1, backlog: 2 };

export type Done = (err?: Error) => void;

export interface SendOptions {
  /**
   * The client caused this message (an echo): if such messages pile up, stop reading from the
   * client. Otherwise (broadcast, typed lines, greeting) a client that lets them pile up is dropped.
   */
  ownBacklog?: boolean;
}

/** What the server core does with a client's messages and its end (one object for all clients). */
export interface ClientOwner {
  clientMessage(client: ServerClient, data: Buffer, isBinary: boolean): void;
  /** Once, when the connection has closed (before `closed` settles). */
  clientClosed(client: ServerClient, close: CloseInfo): void;
}

const CLIENT = Symbol('wsprobe server client');
type Tagged = WebSocket & { [CLIENT]: ServerClient };

export class ServerClient {
  readonly stats: Traffic = emptyTraffic();
  readonly connectedAt: number;
  /** Settles once the connection is closed, with how it closed (made only when asked for). */
  get closed(): Promise<CloseInfo> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    this.closedPromise ??= new Promise((resolve) => {
      this.settleClosed = resolve;
    });
    return this.closedPromise;
  }
  /** Set by the keepalive: a ping is out and its pong has not come back. */
  awaitingPong = false;

  private closeInfo: CloseInfo | null = null;
  private closedPromise: Promise<CloseInfo> | null = null;
  private settleClosed: ((close: CloseInfo) => void) | null = null;
  private closeSent: { code: number; reason: string } | null = null;
  // Per-connection state is kept small (10 000 idle clients must cost little): the pause reasons are
  // bits, and the lists below exist only once used.
  private pauseBits = 0;
  private pingSentAt: number[] | null = null;
  private pendingDone: Set<Done> | null = null;

  constructor(
    readonly id: number,
    readonly remote: string,
    /** ws://host:port/path as the client asked for it. */
    readonly url: string,
    private readonly ws: WebSocket,
    private readonly emit: (e: SessionEvent) => void,
    private readonly now: () => number,
    private readonly totals: Traffic,
    private readonly owner: ClientOwner,
  ) {
    this.connectedAt = now();
    // Shared listeners (no closures per client): each finds its client through the socket.
    (ws as Tagged)[CLIENT] = this;
    ws.on('message', ServerClient.onWsMessage);
    ws.on('ping', ServerClient.onWsPing);
    ws.on('pong', ServerClient.onWsPong);
    ws.on('error', ServerClient.onWsError);
    ws.addEventListener('close', ServerClient.onWsClose);
  }

  private static onWsMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    (this as Tagged)[CLIENT].onMessage(data, isBinary);
  }

  private static onWsPing(this: WebSocket, data: Buffer): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    const client = (this as Tagged)[CLIENT];
    client.event({ event: 'ping', dir: 'in', data });
    // ws answers every ping by itself (autoPong); show the answer it sent.
    client.event({ event: 'pong', dir: 'out', data });
  }

  private static onWsPong(this: WebSocket, data: Buffer): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    (this as Tagged)[CLIENT].onPong(data);
  }

  private static onWsError(this: WebSocket, err: Error): void {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the ws socket the listener is called on (declared above)
    (this as Tagged)[CLIENT].onError(err);
  }

  private static onWsClose(this: void, e: WebSocket.CloseEvent): void {
    (e.target as Tagged)[CLIENT].onClose(e.code, e.reason, e.wasClean);
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  get extensions(): string {
    return this.ws.extensions;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Bytes handed to this client's socket and not yet written to the network. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Sends one message. `done` is called exactly once: when it has been written, or with an error
   * when it cannot be (the client is gone or was dropped as too slow). Returns false in that case.
   */
  send(data: Buffer, binary: boolean, done?: Done, options: SendOptions = {}): boolean {
    if (!this.isOpen) {
      done?.(new Error(`client #${this.id} is not connected`));
      return false;
    }
    if (!options.ownBacklog && this.ws.bufferedAmount >= SLOW_CONSUMER_BYTES) {
      this.dropSlowConsumer();
      done?.(new Error(`client #${this.id} is too slow`));
      return false;
    }
    this.stats.messagesOut++;
    this.stats.bytesOut += data.length;
    this.totals.messagesOut++;
    this.totals.bytesOut += data.length;
    this.emit({ event: 'message', time: this.now(), conn: this.id, dir: 'out', data, binary });
    if (!done) {
      // The hot path (echo): no per-message closure. A write callback is only needed once a backlog
      // builds up: the last write before a pause then carries one, and resumes reading when done.
      if (this.ws.bufferedAmount + data.length > BACKLOG_LOW_BYTES) this.ws.send(data, { binary }, this.afterWrite);
      else this.ws.send(data, { binary });
      if (options.ownBacklog && this.ws.bufferedAmount > BACKLOG_HIGH_BYTES) this.pause('backlog');
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
    this.ws.send(data, { binary }, callback);
    if (options.ownBacklog && this.ws.bufferedAmount > BACKLOG_HIGH_BYTES) this.pause('backlog');
    return true;
  }

  ping(data: Buffer = Buffer.alloc(0)): void {
    if (!this.isOpen) return;
    this.pingSentAt ??= [];
    this.pingSentAt.push(this.now());
    this.ws.ping(data);
    this.event({ event: 'ping', dir: 'out', data });
  }

  pong(data: Buffer = Buffer.alloc(0)): void {
    if (!this.isOpen) return;
    this.ws.pong(data);
    this.event({ event: 'pong', dir: 'out', data });
  }

  /** Starts the close handshake; ws drops the client if it does not answer within its close timeout. */
  close(code: number, reason: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.closeSent = { code, reason };
    this.ws.close(code, reason);
  }

  /** Drops the connection without a close handshake, saying why. */
  drop(kind: 'lost' | 'timeout', why: string): void {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.event({ event: 'error', kind, message: `client #${this.id} dropped: ${why}` });
    this.ws.terminate();
  }

  terminate(): void {
    this.ws.terminate();
  }

  pause(reason: PauseReason): void {
    this.pauseBits |= PAUSE_BIT[reason];
    this.ws.pause();
  }

  resume(reason: PauseReason): void {
    this.pauseBits &= ~PAUSE_BIT[reason];
    if (this.pauseBits === 0) this.ws.resume();
  }

  isPausedFor(reason: PauseReason): boolean {
    return (this.pauseBits & PAUSE_BIT[reason]) !== 0;
  }

  private dropSlowConsumer(): void {
    if (this.closeSent) return;
    const mib = (this.ws.bufferedAmount / (1024 * 1024)).toFixed(1);
    this.event({
      event: 'error',
      kind: 'protocol',
      message: `client #${this.id} is not reading (${mib} MiB wait for it); closing with 1008`,
    });
    this.close(1008, 'too slow: not reading');
  }

  /** After each write: a client paused for its own backlog is read again once it has caught up. */
  private readonly afterWrite = (): void => {
    if (this.isPausedFor('backlog') && this.ws.bufferedAmount <= BACKLOG_LOW_BYTES) this.resume('backlog');
  };

  private event(e: DistributiveOmit<SessionEvent, 'time' | 'conn'>): void {
    this.emit({ ...e, time: this.now(), conn: this.id } as SessionEvent);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.stats.messagesIn++;
    this.stats.bytesIn += data.length;
    this.totals.messagesIn++;
    this.totals.bytesIn += data.length;
    this.emit({ event: 'message', time: this.now(), conn: this.id, dir: 'in', data, binary: isBinary });
    this.owner.clientMessage(this, data, isBinary);
  }

  private onPong(data: Buffer): void {
    this.awaitingPong = false;
    const sentAt = this.pingSentAt?.shift();
    this.event({ event: 'pong', dir: 'in', data, rttMs: sentAt !== undefined ? this.now() - sentAt : undefined });
  }

  private onError(err: Error): void {
    const code = sentCloseCode(err);
    // ws answers a protocol violation by closing with the matching code (1002, 1007, 1008, 1009) itself.
    if (code !== undefined && !this.closeSent) this.closeSent = { code, reason: '' };
    const failure = classifyOpenError({
      name: err.name,
      code: (err as NodeJS.ErrnoException).code,
      message: err.message,
      closeCode: code,
    });
    const message = failure.message.replace(/^protocol violation by the peer/, `client #${this.id} broke the protocol`);
    this.event({
      event: 'error',
      kind: failure.kind,
      message: failure.kind === 'lost' ? `client #${this.id}: ${message}` : message,
    });
  }

  private onClose(code: number, reason: string, wasClean: boolean): void {
    for (const done of [...(this.pendingDone ?? [])]) done(new Error(`client #${this.id} is gone`));
    const close: CloseInfo = this.closeSent
      ? { code: this.closeSent.code, reason: this.closeSent.reason, by: 'server', clean: wasClean }
      : code === 1006
        ? { code, reason, by: 'none', clean: false }
        : { code, reason, by: 'client', clean: wasClean };
    this.event({ event: 'close', ...close });
    this.closeInfo = close;
    this.owner.clientClosed(this, close);
    this.settleClosed?.(close);
  }
}

/** Omit over each member of a union (plain Omit would merge the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
