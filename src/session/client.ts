/**
 * Our client connection: opens a `ws` WebSocket (the opening handshake is in
 * connection/client-handshake.ts), reports everything it sees as session events, and settles
 * `finished` with how the session ended. Counters, ping round trips, who closed and error
 * classification are the connection core's (connection/connection.ts), shared with a server's
 * clients. It decides nothing about when to close; the connect command does.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { ClientHandshake, type ClientOptions, type Hop } from '../connection/client-handshake.js';
import { PausableTimer, whenWritten } from '../connection/closing.js';
import { Connection, type PauseReason, type Traffic } from '../connection/connection.js';
import { tapFrames } from '../connection/frame-tap.js';
import type { Direction, SessionEvent, Timings } from '../output/events.js';
import { retryable } from '../protocol/end-policy.js';
import type { Failure } from '../protocol/failures.js';
import type { CloseInfo, SessionEnd } from '../protocol/outcome.js';
import type { HeapKeeper } from './heap.js';
import type { OutMessage } from './outbox.js';

export type { ClientOptions } from '../connection/client-handshake.js';

export type ClientEnd = SessionEnd;

/**
 * After our close frame, a peer that keeps sending (what it answers to messages we sent before the
 * close) is waited for up to this many close timeouts in all, as long as it is never silent for one.
 */
const CLOSE_LIMIT_FACTOR = 10;

/** Messages shorter than this that are sent in one tick go out in one socket write. */
const BATCHED_MAX_BYTES = 16 * 1024;

export type ReadyState = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

export type Stats = Traffic;

export class ClientSession extends Connection {
  lastRttMs?: number;
  /** Round trips of every answered ping, in order. */
  readonly rtts: number[] = [];
  readonly finished: Promise<ClientEnd>;

  /** Called after each pong. */
  onPong?: () => void;
  /** Called once the connection is open and the `open` event was emitted. */
  onOpen?: () => void;
  /** The connect command watches incoming messages (count, idle timer) through this hook. */
  onIncoming?: (data: Buffer, isBinary: boolean) => void;
  /**
   * --reconnect: a failure worth another try (a lost connection, a failed connect) is not shown here
   * but kept in `heldFailure`: the run shows it once, as the reason of its `reconnecting` line or as
   * the last error.
   */
  holdRetryable = false;
  heldFailure?: Failure;
  /**
   * Told the size of every message, both ways (session/heap.ts): set by `connect` and `replay`, one
   * session per process; not by the proxy, whose upstreams are many, like a server's clients.
   */
  heap?: HeapKeeper;

  private settle!: (end: ClientEnd) => void;
  private settled = false;
  private failure: Failure | null = null;
  private opened = false;
  /** `on`: set by `leave`, nothing more is shown; `lossTold`: a failure says why the connection is lost. */
  private readonly shown: { on: boolean; lossTold: boolean };
  /** Finding out why an attempt failed (a probe of the server): the failure comes when it is done. */
  private explaining = false;
  private readonly handshake: ClientHandshake;
  /** Bounds the whole opening handshake (ws's own timer starts again with every byte received). */
  private connectTimer: NodeJS.Timeout | undefined = undefined;
  /**
   * How long we wait for the close handshake to finish: the peer's silence, counted only while we read
   * the socket, at most CLOSE_LIMIT_FACTOR times that while the peer keeps talking.
   */
  private readonly closeTimer: PausableTimer;
  /** The close timer ran out while the peer kept sending (not silent): the error says so. */
  private closeCapped = false;

  constructor(
    private readonly options: ClientOptions,
    emit: (e: SessionEvent) => void,
    now: () => number,
  ) {
    const shown = { on: false, lossTold: false };
    super({
      side: 'client',
      emit: (e) => {
        if (shown.on) return;
        // A lost connection (no close frame back: 1006) is one line: the error, or the run's
        // reconnecting line, that says why.
        if (e.event === 'close' && e.code === 1006 && shown.lossTold) emit({ ...e, reported: true });
        else emit(e);
      },
      now,
      autoPong: options.autoPong,
    });
    this.shown = shown;
    this.handshake = new ClientHandshake(options, this.ctx.emit, now, (failure) => this.fail(failure));
    this.closeTimer = new PausableTimer((capped) => {
      this.closeCapped = capped;
      this.ws?.terminate();
    }, now);
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get readyState(): ReadyState {
    if (!this.ws) return 'CONNECTING';
    return (['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const)[this.ws.readyState];
  }

  /** The negotiated parameters, as the server confirmed them (ws.extensions has only the names). */
  override get extensions(): string {
    const names = super.extensions;
    return names ? (this.handshake.acceptedExtensions ?? names) : '';
  }

  timingsSoFar(): Timings {
    return { ...this.handshake.timings, totalMs: this.handshake.elapsedMs() };
  }

  connect(): void {
    const url = this.options.url;
    this.event({ event: 'connecting', url });
    const ms = this.options.connectTimeoutMs;
    this.connectTimer = setTimeout(
      () =>
        this.abort({
          kind: 'connect',
          message: `cannot connect to ${url}: timed out after ${ms / 1000} s (the opening handshake was not complete)`,
          hint: 'see --connect-timeout',
        }),
      ms,
    );
    this.open({ url, redirects: 0, sameHost: true });
  }

  /** One attempt of the opening handshake: the URL given, or a hop of -L. */
  private open(hop: Hop): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(hop.url, this.handshake.subprotocols(hop), this.handshake.wsOptions(hop));
    } catch (err) {
      this.fail({ kind: 'usage', message: `cannot connect to ${hop.url}: ${(err as Error).message}` });
      return;
    }
    this.attach(ws);
    // ws starts every close handshake through close() — ours, its answer to the peer's close frame, its
    // close after a violation: our close timer starts there (ws's own is set never to fire).
    const close = ws.close.bind(ws);
    ws.close = (code?: number, data?: string | Buffer) => {
      close(code, data);
      if (ws.readyState !== WebSocket.CLOSING || this.closeTimer.started) return;
      const ms = this.options.closeTimeoutMs;
      this.closeTimer.start(ms, ms * CLOSE_LIMIT_FACTOR);
      // Only from now on is every read watched: the peer may still be answering what we sent before
      // our close frame (an echo server behind 1 MiB of our messages), its close frame behind them.
      this.handshake.upgradedSocket?.on('data', this.heardPeer);
    };
    ws.on('upgrade', (res) => this.handshake.onResponse(res));
    ws.on('unexpected-response', (req, res) => this.unexpectedResponse(ws, hop, req, res));
    ws.on('open', () => this.handleOpen(ws));
  }

  /** A non-101 answer: a redirect -L follows (to the next hop, or refused), or a refusal. */
  private unexpectedResponse(ws: WebSocket, hop: Hop, req: ClientRequest, res: IncomingMessage): void {
    const redirect = this.handshake.redirect(hop, res);
    if (redirect === undefined) {
      this.handshake.onRejected(req, res);
      return;
    }
    res.destroy();
    if ('failure' in redirect) {
      this.abort(redirect.failure);
      return;
    }
    this.detach(ws);
    ws.terminate();
    this.open(redirect.next);
  }

  /** A client's messages also tell the heap keeper when the session has become a bulk transfer. */
  protected override countMessage(dir: Direction, data: Buffer, binary: boolean): void {
    this.heap?.carried(data.length);
    super.countMessage(dir, data, binary);
  }

  send(message: OutMessage, done: (err?: Error) => void): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      done(new Error('not open'));
      return;
    }
    this.countMessage('out', message.data, message.binary);
    // The outbox sends what stdin gave in one go (a 64 KiB read is ~1 600 short lines): one write. A
    // large message is a write of its own anyway; held until the tick ends, it would only wait.
    if (message.data.length < BATCHED_MAX_BYTES) this.batchWrites();
    ws.send(message.data, { binary: message.binary }, done);
  }

  /** Starts the close handshake (bounded by `closeTimeoutMs`); while connecting, gives up the attempt. */
  override close(code: number, reason: string): void {
    if (this.ws?.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else super.close(code, reason);
  }

  private readonly heardPeer = (): void => this.closeTimer.heard();

  /** Drops the connection at once: no close handshake. */
  override terminate(): void {
    if (this.ws) this.ws.terminate();
    else this.fail({ kind: 'connect', message: 'interrupted' });
  }

  /** Ends the session now with `failure`, without waiting for a close handshake. */
  abort(failure: Failure): void {
    this.fail(failure);
    this.ws?.terminate();
  }

  /**
   * We cannot take what the peer sent (a message too large to show): `failure` ends the session, and
   * the connection is closed with `code` (1009), as ws does when a message is over --max-payload.
   */
  refuse(failure: Failure, code: number): void {
    if (this.settled || this.failure) return;
    this.failed(failure);
    this.sendClose(code, '', true);
  }

  protected override get hasSocket(): boolean {
    return this.opened;
  }

  override pause(reason: PauseReason = 'output'): void {
    super.pause(reason);
    if (reason === 'output') this.closeTimer.pause();
  }

  override resume(reason: PauseReason = 'output'): void {
    super.resume(reason);
    if (!this.isPausedFor('output')) this.closeTimer.resume();
  }

  /**
   * We are exiting now (a signal): an open connection gets a close frame with `code`, best-effort (the
   * socket is left to send it), an attempt still connecting is given up; nothing more is shown, and
   * `finished` settles at once as a close by us.
   */
  leave(code: number, reason = ''): void {
    this.shown.on = true;
    const ws = this.ws;
    this.finish({ type: 'closed', close: { code, reason, by: 'client', clean: false } });
    if (ws?.readyState === WebSocket.OPEN) this.sendClose(code, reason, false);
    else if (ws?.readyState === WebSocket.CONNECTING) ws.terminate();
    // Nothing more is shown, so read on whatever stdout is doing: a peer that stopped reading us
    // until we read it (wsprobe echo does) must be able to take what we sent, our close frame last.
    this.resume('output');
  }

  /** Resolves once everything handed to the socket, a close frame included, has been written (or it closed). */
  written(): Promise<void> {
    return whenWritten(this.ws, this.handshake.upgradedSocket);
  }

  protected override received(data: Buffer, isBinary: boolean): void {
    if (this.stats.messagesIn === 1) this.handshake.timings.firstMessageMs = this.handshake.elapsedMs();
    this.onIncoming?.(data, isBinary);
  }

  protected override ponged(rttMs: number | undefined): void {
    if (rttMs !== undefined) {
      this.lastRttMs = rttMs;
      this.rtts.push(rttMs);
    }
    this.onPong?.();
  }

  protected override handleError(err: Error): void {
    if (this.settled || this.failure || this.explaining) return;
    // On an open connection ws answers a violation by closing with the matching code itself.
    if (this.opened) {
      super.handleError(err);
      return;
    }
    const failure = this.handshake.explain(err, this.ws?.url ?? this.options.url);
    if (failure instanceof Promise) {
      this.explaining = true;
      void failure.then((f) => this.fail(f));
    } else this.failed(failure);
  }

  protected override failed(failure: Failure): void {
    this.failure = failure;
    this.shown.lossTold = true;
    if (this.holdRetryable && retryable(failure)) this.heldFailure = failure;
    else super.failed(failure);
  }

  protected override closing(close: CloseInfo, code: number): boolean {
    if (this.settled) return false;
    if (!this.opened) {
      // ws reports a failed opening handshake as an error followed by a close; the error says it all
      // (once it is known: a probe may still be finding out why).
      if (this.explaining) return false;
      this.fail(this.failure ?? { kind: 'connect', message: `cannot connect to ${this.options.url}` });
      return false;
    }
    if (code === 1006 && !this.failure) {
      // ws reports a reset or a silent peer only as code 1006: say what happened in one line.
      this.failed({
        kind: 'lost',
        message:
          close.by === 'client'
            ? this.unansweredClose()
            : 'connection lost: the connection closed without a close frame',
      });
    }
    return true;
  }

  private unansweredClose(): string {
    const s = this.options.closeTimeoutMs / 1000;
    return this.closeCapped
      ? `connection lost: the server kept sending for ${s * CLOSE_LIMIT_FACTOR} s but did not answer our close frame`
      : `connection lost: the server did not answer our close frame within ${s} s`;
  }

  protected override ended(close: CloseInfo): void {
    this.finish(this.failure ? { type: 'failed', failure: this.failure } : { type: 'closed', close });
  }

  private handleOpen(ws: WebSocket): void {
    clearTimeout(this.connectTimer);
    this.opened = true;
    // Paused before it opened (stdout backed up while connecting): ws can only pause an open socket.
    if (this.isPausedFor('output')) ws.pause();
    // ws has just taken the socket over and not yet read from it: the tap sees every byte.
    const socket = this.handshake.upgradedSocket;
    if (this.options.tapFrames && socket) tapFrames(socket, this.ctx.emit, this.ctx.now);
    this.announceOpen(ws.url);
    this.onOpen?.();
  }

  private fail(failure: Failure): void {
    if (this.settled) return;
    if (!this.failure) this.failed(failure);
    this.finish({ type: 'failed', failure: this.failure! });
  }

  private finish(end: ClientEnd): void {
    if (this.settled) return;
    this.settled = true;
    clearTimeout(this.connectTimer);
    this.closeTimer.stop();
    this.settle(end);
  }
}
