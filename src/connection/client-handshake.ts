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
import { redirectTarget } from '../protocol/redirect.js';
import { MAX_PENDING_PONGS } from './connection.js';
import { CLIENT_DEFLATE } from './deflate.js';

export interface ClientOptions {
  url: string;
  headers: Array<[string, string]>;
  subprotocols: string[];
  origin?: string;
  deflate: boolean;
  /** The largest incoming message accepted (larger: close 1009). */
  maxPayload: number;
  /** Bounds the whole opening handshake: TCP, proxy, TLS, every -L hop, until the 101 answer. */
  connectTimeoutMs: number;
  closeTimeoutMs: number;
  protocolVersion?: 8 | 13;
  /** -L: follow 3xx answers to the handshake, at most maxRedirects times. */
  followRedirects?: boolean;
  maxRedirects?: number;
  /** -vv: report every frame on the wire. */
  tapFrames?: boolean;
  /** The HTTP CONNECT proxy agent for a URL (each -L hop is asked again), if any. */
  agentFor?: (url: string) => Agent | undefined;
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

/**
 * ws's own close timer is replaced by ours, which does not count the time we do not read because our
 * output is backed up (session/client.ts): ws's is set to the longest a Node timer can wait.
 */
const NEVER_MS = 2 ** 31 - 1;

/** One attempt of the opening handshake: the URL the user gave, or a hop of -L. */
export interface Hop {
  url: string;
  /** How many redirects led here (0: the URL the user gave). */
  redirects: number;
  /** The same host as the URL the user gave: its headers, credentials and subprotocols go along. */
  sameHost: boolean;
}

/** Drops the members that are undefined: ws takes a present `undefined` as the value, not as "default". */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

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

  /** The subprotocols offered on `hop` (none to another host). */
  subprotocols(hop: Hop): string[] {
    return hop.sameHost ? this.options.subprotocols : [];
  }

  /** The options `new WebSocket(url, subprotocols, options)` takes for `hop`; none of them undefined. */
  wsOptions(hop: Hop): WebSocket.ClientOptions {
    const o = this.options;
    // Header names keep the case the user typed; a repeated name is sent as several header lines.
    const headers: Record<string, string | string[]> = {};
    const nameOf = new Map<string, string>();
    // To another host, none of the user's headers (-H, --auth) go along.
    for (const [name, value] of hop.sameHost ? o.headers : []) {
      const key = nameOf.get(name.toLowerCase()) ?? name;
      nameOf.set(name.toLowerCase(), key);
      const previous = headers[key];
      headers[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
    }
    return defined({
      ...defined(o.tls ?? {}),
      headers,
      origin: o.origin,
      perMessageDeflate: o.deflate ? CLIENT_DEFLATE : false,
      maxPayload: o.maxPayload,
      maxPendingAutoPongs: MAX_PENDING_PONGS,
      handshakeTimeout: o.connectTimeoutMs,
      closeTimeout: NEVER_MS,
      protocolVersion: o.protocolVersion ?? 13,
      // -L is carried out here (`redirect`), hop by hop, not by ws.
      followRedirects: false,
      agent: o.agentFor?.(hop.url),
      finishRequest: (req: ClientRequest, ws: WebSocket) => this.onRequest(req, ws.url),
    }) as WebSocket.ClientOptions;
  }

  /**
   * A 3xx answer to `hop` with -L: the next hop, or why not (the answer has been shown either way).
   * Undefined: not a redirect to follow (no -L, not 3xx, no Location): a refusal like any other.
   */
  redirect(hop: Hop, res: IncomingMessage): { next: Hop } | { failure: Failure } | undefined {
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!this.options.followRedirects || status < 300 || status >= 400 || !location) return undefined;
    this.onResponse(res);
    const first = this.options.url;
    const max = this.options.maxRedirects ?? 10;
    const answer = `${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd();
    if (hop.redirects + 1 > max) {
      return {
        failure: {
          kind: 'handshake',
          message: `handshake rejected by ${first}: Maximum redirects exceeded (${max}, see --max-redirects)`,
        },
      };
    }
    const target = redirectTarget(first, hop.url, location);
    if (!target.ok) {
      return {
        failure: {
          kind: 'handshake',
          message: `redirect from ${hop.url} (${answer}) refused: ${target.message}`,
        },
      };
    }
    return { next: { url: target.url, redirects: hop.redirects + 1, sameHost: target.sameHost } };
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
