/**
 * One client connection: opens a `ws` WebSocket, reports everything it sees as session events,
 * counts traffic and timings, and settles `finished` with how the session ended. It decides
 * nothing about when to close; the connect command does.
 */
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import type { ErrorKind } from '../errors.js';
import type { SessionEvent, Timings } from '../output/events.js';
import { classifyConnectError, classifyOpenError, type Failure, sentCloseCode } from '../protocol/failures.js';
import { headerPairs } from '../protocol/headers.js';
import type { CloseInfo } from '../protocol/outcome.js';
import { tapFrames } from './frame-tap.js';
import type { OutMessage } from './outbox.js';

export interface ClientOptions {
  url: string;
  headers: Array<[string, string]>;
  subprotocols: string[];
  origin?: string;
  deflate: boolean;
  maxPayload?: number;
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  protocolVersion?: 8 | 13;
  /** -L: follow 3xx answers to the handshake, at most maxRedirects times. */
  followRedirects?: boolean;
  maxRedirects?: number;
  /** -vv: report every frame on the wire. */
  tapFrames?: boolean;
  /** Opens the connection through an HTTP CONNECT proxy. */
  agent?: Agent;
  /** Passed to `tls.connect` for wss:// (undefined members are left to Node's defaults). */
  tls?: {
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    passphrase?: string;
    rejectUnauthorized: boolean;
  };
}

export type ClientEnd = { type: 'closed'; close: CloseInfo } | { type: 'failed'; failure: Failure };

export type ReadyState = 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';

/** How much of a rejected handshake's body is kept to show. */
const BODY_PREVIEW_BYTES = 1024;

export interface Stats {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

export class ClientSession {
  readonly stats: Stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  protocol = '';
  extensions = '';
  lastRttMs?: number;
  /** Round trips of every answered ping, in order. */
  readonly rtts: number[] = [];
  readonly finished: Promise<ClientEnd>;

  private ws: WebSocket | null = null;
  private settle!: (end: ClientEnd) => void;
  private settled = false;
  private failure: Failure | null = null;
  private weClosed = false;
  private opened = false;
  private acceptedExtensions?: string;
  private upgradedSocket?: Socket;
  /** The close code ws sent after the peer broke the protocol. */
  private violationCode?: number;
  private pingSentAt: number[] = [];
  private readonly startedAt: number;
  private readonly timings: Omit<Timings, 'totalMs'> = {};

  constructor(
    private readonly options: ClientOptions,
    private readonly emit: (e: SessionEvent) => void,
    private readonly now: () => number,
  ) {
    this.startedAt = now();
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
  }

  get readyState(): ReadyState {
    if (!this.ws) return 'CONNECTING';
    return (['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'] as const)[this.ws.readyState];
  }

  get bufferedAmount(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  timingsSoFar(): Timings {
    return { ...this.timings, totalMs: this.now() - this.startedAt };
  }

  connect(): void {
    const o = this.options;
    this.emit({ event: 'connecting', time: this.now(), url: o.url });
    // Header names keep the case the user typed; a repeated name is sent as several header lines.
    const headers: Record<string, string | string[]> = {};
    const nameOf = new Map<string, string>();
    for (const [name, value] of o.headers) {
      const key = nameOf.get(name.toLowerCase()) ?? name;
      nameOf.set(name.toLowerCase(), key);
      const previous = headers[key];
      headers[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    const tls = Object.fromEntries(Object.entries(o.tls ?? {}).filter(([, v]) => v !== undefined));
    const wsOptions = {
      ...tls,
      headers,
      origin: o.origin,
      perMessageDeflate: o.deflate,
      maxPayload: o.maxPayload,
      handshakeTimeout: o.connectTimeoutMs,
      closeTimeout: o.closeTimeoutMs,
      protocolVersion: o.protocolVersion,
      followRedirects: o.followRedirects === true,
      maxRedirects: o.maxRedirects,
      agent: o.agent,
      finishRequest: (req: ClientRequest, ws: WebSocket) => this.onRequest(req, ws.url),
    } as WebSocket.ClientOptions;
    let ws: WebSocket;
    try {
      ws = new WebSocket(o.url, o.subprotocols, wsOptions);
    } catch (err) {
      this.fail({ kind: 'usage', message: `cannot connect to ${o.url}: ${(err as Error).message}` });
      return;
    }
    this.ws = ws;
    ws.on('upgrade', (res) => this.onResponse(res));
    ws.on('unexpected-response', (req, res) => this.onRejected(req, res));
    ws.on('open', () => this.handleOpen());
    ws.on('message', (data: Buffer, isBinary) => this.onMessage(data, isBinary));
    ws.on('ping', (data) => {
      this.emit({ event: 'ping', time: this.now(), dir: 'in', data });
      // ws answers every ping by itself (autoPong); show the answer it sent.
      this.emit({ event: 'pong', time: this.now(), dir: 'out', data });
    });
    ws.on('pong', (data) => this.handlePong(data));
    ws.on('error', (err) => this.onError(err));
    ws.addEventListener('close', (e) => this.onClose(e.code, e.reason, e.wasClean));
  }

  send(message: OutMessage, done: (err?: Error) => void): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      done(new Error('not open'));
      return;
    }
    this.stats.messagesOut++;
    this.stats.bytesOut += message.data.length;
    this.emit({ event: 'message', time: this.now(), dir: 'out', data: message.data, binary: message.binary });
    ws.send(message.data, { binary: message.binary }, done);
  }

  ping(data: Buffer = Buffer.alloc(0)): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.pingSentAt.push(this.now());
    this.ws.ping(data);
    this.emit({ event: 'ping', time: this.now(), dir: 'out', data });
  }

  /** Starts the close handshake; `ws` bounds it with `closeTimeoutMs`. */
  close(code: number, reason: string): void {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    if (ws.readyState === WebSocket.CLOSING) return;
    this.weClosed = true;
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
      return;
    }
    ws.close(code, reason);
  }

  pong(data: Buffer = Buffer.alloc(0)): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.pong(data);
    this.emit({ event: 'pong', time: this.now(), dir: 'out', data });
  }

  /** Drops the connection at once (Ctrl+C): no close handshake. */
  terminate(): void {
    this.weClosed = true;
    if (this.ws) this.ws.terminate();
    else this.fail({ kind: 'connect', message: 'interrupted' });
  }

  /** Stop reading from the socket (our output is backed up); TCP then slows the peer down. */
  pause(): void {
    this.ws?.pause();
  }

  resume(): void {
    this.ws?.resume();
  }

  /** Ends the session now with `failure`, without waiting for a close handshake. */
  abort(failure: Failure): void {
    this.fail(failure);
    this.ws?.terminate();
  }

  private onRequest(req: ClientRequest, url: string): void {
    if (this.options.followRedirects) {
      // Each hop of -L is shown: its 3xx answer here, the next request when ws makes it.
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) this.onResponse(res);
      });
    }
    req.on('socket', (socket: Socket) => {
      socket.once('lookup', () => {
        this.timings.dnsMs = this.now() - this.startedAt;
      });
      socket.once('connect', () => {
        this.timings.connectMs = this.now() - this.startedAt;
      });
      socket.once('secureConnect', () => {
        this.timings.tlsMs = this.now() - this.startedAt;
      });
    });
    const rawNames = req.getRawHeaderNames();
    const headers: Array<[string, string]> = [];
    for (const name of rawNames) {
      const value = req.getHeader(name);
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [String(value)]) headers.push([name, v]);
    }
    this.emit({
      event: 'request',
      time: this.now(),
      method: req.method,
      url,
      path: req.path,
      httpVersion: '1.1',
      headers,
    });
    req.end();
  }

  private onResponse(res: IncomingMessage, body?: Buffer, bodyTruncated?: boolean): void {
    if (res.statusCode === 101) {
      this.timings.upgradeMs = this.now() - this.startedAt;
      const extensions = res.headers['sec-websocket-extensions'];
      this.acceptedExtensions = typeof extensions === 'string' ? extensions : undefined;
      this.upgradedSocket = res.socket as Socket;
    }
    this.emit({
      event: 'response',
      time: this.now(),
      status: res.statusCode ?? 0,
      statusText: res.statusMessage ?? '',
      httpVersion: res.httpVersion,
      headers: headerPairs(res.rawHeaders),
      body,
      bodyTruncated,
    });
  }

  /** A non-101 answer: keep the start of its body, show it all, and fail with "handshake". */
  private onRejected(req: ClientRequest, res: IncomingMessage): void {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const truncated = all.length > BODY_PREVIEW_BYTES || !res.complete;
      this.onResponse(res, all.subarray(0, BODY_PREVIEW_BYTES), truncated && all.length > 0);
      this.fail({
        kind: 'handshake',
        message: `handshake rejected by ${this.options.url}: ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd(),
        hint: res.statusCode === 401 || res.statusCode === 403 ? 'check --auth, -H and --origin' : undefined,
      });
      res.destroy();
      req.destroy();
    };
    // A server that keeps the body open must not hold the session: show what came within a second.
    const timer = setTimeout(finish, 1000);
    res.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > BODY_PREVIEW_BYTES) finish();
    });
    res.once('end', finish);
    res.once('error', finish);
    res.once('close', finish);
  }

  private handleOpen(): void {
    const ws = this.ws!;
    this.opened = true;
    // ws has just taken the socket over and not yet read from it: the tap sees every byte.
    if (this.options.tapFrames && this.upgradedSocket) tapFrames(this.upgradedSocket, this.emit, this.now);
    this.protocol = ws.protocol;
    // The negotiated parameters, as the server confirmed them (ws.extensions has only the names).
    this.extensions = ws.extensions ? (this.acceptedExtensions ?? ws.extensions) : '';
    this.emit({
      event: 'open',
      time: this.now(),
      url: ws.url,
      protocol: ws.protocol,
      extensions: this.extensions,
    });
    this.onOpen?.();
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.stats.messagesIn === 0) this.timings.firstMessageMs = this.now() - this.startedAt;
    this.stats.messagesIn++;
    this.stats.bytesIn += data.length;
    this.emit({ event: 'message', time: this.now(), dir: 'in', data, binary: isBinary });
    this.onIncoming?.(data, isBinary);
  }

  /** Called after each pong (the keepalive watches for answers). */
  onPong?: () => void;

  /** Called once the connection is open and the `open` event was emitted. */
  onOpen?: () => void;

  /** The connect command watches incoming messages (count, idle timer) through this hook. */
  onIncoming?: (data: Buffer, isBinary: boolean) => void;

  private handlePong(data: Buffer): void {
    const sentAt = this.pingSentAt.shift();
    const rttMs = sentAt !== undefined ? this.now() - sentAt : undefined;
    if (rttMs !== undefined) {
      this.lastRttMs = rttMs;
      this.rtts.push(rttMs);
    }
    this.onPong?.();
    this.emit({ event: 'pong', time: this.now(), dir: 'in', data, rttMs });
  }

  private onError(err: Error): void {
    if (this.settled || this.failure) return;
    const like = { name: err.name, code: (err as NodeJS.ErrnoException).code, message: err.message };
    // On an open connection ws answers a violation by closing with the matching code itself.
    if (this.opened) {
      this.weClosed = true;
      this.violationCode = sentCloseCode(err);
    }
    this.failure = this.opened
      ? classifyOpenError({ ...like, closeCode: this.violationCode })
      : classifyConnectError(like, this.options.url);
    this.emitError(this.failure.kind, this.failure.message, this.failure.hint);
  }

  private onClose(code: number, reason: string, wasClean: boolean): void {
    if (this.settled) return;
    if (!this.opened) {
      // ws reports a failed opening handshake as an error followed by a close; the error says it all.
      this.fail(this.failure ?? { kind: 'connect', message: `cannot connect to ${this.options.url}` });
      return;
    }
    const by = this.weClosed ? 'client' : code === 1006 ? 'none' : 'server';
    if (code === 1006 && !this.failure) {
      // ws reports a reset or a silent peer only as code 1006: say what happened in one line.
      this.failure = {
        kind: 'lost',
        message: this.weClosed
          ? `connection lost: the server did not answer our close frame within ${this.options.closeTimeoutMs / 1000} s`
          : 'connection lost: the connection closed without a close frame',
      };
      this.emitError(this.failure.kind, this.failure.message);
    }
    // After a violation ws stops reading, so it never sees the peer's answer: show the code we sent.
    const shownCode = code === 1006 && this.violationCode !== undefined ? this.violationCode : code;
    const close: CloseInfo = { code: shownCode, reason, by, clean: wasClean };
    this.emit({ event: 'close', time: this.now(), ...close });
    this.finish(this.failure ? { type: 'failed', failure: this.failure } : { type: 'closed', close });
  }

  private fail(failure: Failure): void {
    if (this.settled) return;
    if (!this.failure) {
      this.failure = failure;
      this.emitError(failure.kind, failure.message, failure.hint);
    }
    this.finish({ type: 'failed', failure: this.failure });
  }

  private emitError(kind: ErrorKind, message: string, hint?: string): void {
    this.emit({ event: 'error', time: this.now(), kind, message, hint });
  }

  private finish(end: ClientEnd): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(end);
  }
}
