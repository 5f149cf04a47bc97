/**
 * Our side of the opening handshake: the options ws opens the connection with, the request and
 * response events (every hop of -L too), the times of DNS, TCP, TLS and the upgrade, and what a
 * refusal (a non-101 answer) shows: its status, headers and the start of its body.
 */
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { SessionEvent, Timings } from '../output/events.js';
import type { Failure } from '../protocol/failures.js';
import { headerPairs } from '../protocol/headers.js';

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

/** How much of a rejected handshake's body is kept to show. */
const BODY_PREVIEW_BYTES = 1024;

export class ClientHandshake {
  readonly timings: Omit<Timings, 'totalMs'> = {};
  /** The socket the server upgraded (ws takes it over on `open`). */
  upgradedSocket?: Socket;
  /** Sec-WebSocket-Extensions as the server confirmed it, parameters and all. */
  acceptedExtensions?: string;
  private readonly startedAt: number;

  constructor(
    private readonly options: ClientOptions,
    private readonly emit: (e: SessionEvent) => void,
    private readonly now: () => number,
    /** A non-101 answer was shown in full: the handshake failed. */
    private readonly refused: (failure: Failure) => void,
  ) {
    this.startedAt = now();
  }

  /** Milliseconds since the connection attempt began. */
  elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** The options `new WebSocket(url, subprotocols, options)` takes. */
  wsOptions(): WebSocket.ClientOptions {
    const o = this.options;
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
    return {
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
  }

  /** ws's `upgrade` (the 101 answer), and each 3xx answer of -L. */
  onResponse(res: IncomingMessage, body?: Buffer, bodyTruncated?: boolean): void {
    if (res.statusCode === 101) {
      this.timings.upgradeMs = this.elapsedMs();
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

  /** ws's `unexpected-response` (a non-101 answer): keep the start of its body, show it all, fail. */
  onRejected(req: ClientRequest, res: IncomingMessage): void {
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
      this.refused({
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
        this.timings.dnsMs = this.elapsedMs();
      });
      socket.once('connect', () => {
        this.timings.connectMs = this.elapsedMs();
      });
      socket.once('secureConnect', () => {
        this.timings.tlsMs = this.elapsedMs();
      });
    });
    const headers: Array<[string, string]> = [];
    for (const name of req.getRawHeaderNames()) {
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
}
