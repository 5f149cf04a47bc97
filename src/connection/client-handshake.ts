/**
 * Our side of the opening handshake: the options ws opens the connection with, the TLS, request and
 * response events (every hop of -L too, in the order they happen on the wire: a request is shown once
 * it is written, never when TLS failed before it), the times of DNS, TCP, TLS and the upgrade, what a
 * refusal (a non-101 answer) shows — its status, headers and the start of its body — and why an
 * attempt failed, in words.
 */
import type { Agent, ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type WebSocket from 'ws';
import type { RequestEvent, SessionEvent, Timings } from '../output/events.js';
import { classifyConnectError, errorLike, type Failure, speaksTlsFailure } from '../protocol/failures.js';
import { headerPairs } from '../protocol/headers.js';
import { redirectTarget } from '../protocol/redirect.js';
import { MAX_PENDING_PONGS } from './connection.js';
import { CLIENT_DEFLATE } from './deflate.js';
import { speaksTls, tlsInfo } from './tls-info.js';

/** How long the probe that tells a TLS server behind a ws:// URL may take. */
const TLS_PROBE_MS = 2000;

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
  /** false: pings are not answered by ws (a relay passes them on to its other side). */
  autoPong?: boolean;
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
  /** The request of the current hop, until it has been written (then it is shown). */
  private pendingRequest?: RequestEvent;

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
      autoPong: o.autoPong,
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
    const first = this.options.url;
    const max = this.options.maxRedirects ?? 10;
    const answer = `${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd();
    if (hop.redirects + 1 > max) {
      this.onResponse(res);
      return {
        failure: {
          kind: 'handshake',
          message: `handshake rejected by ${first}: Maximum redirects exceeded (${max}, see --max-redirects)`,
        },
      };
    }
    const target = redirectTarget(first, hop.url, location);
    if (!target.ok) {
      this.onResponse(res);
      return {
        failure: {
          kind: 'handshake',
          message: `redirect from ${hop.url} (${answer}) refused: ${target.message}`,
        },
      };
    }
    // The answer, then "following redirect to …", then (next hop) the request it leads to.
    this.onResponse(res, undefined, undefined, target.url);
    return { next: { url: target.url, redirects: hop.redirects + 1, sameHost: target.sameHost } };
  }

  /** ws's `upgrade` (the 101 answer), and each 3xx answer of -L. */
  onResponse(res: IncomingMessage, body?: Buffer, bodyTruncated?: boolean, redirect?: string): void {
    // An answer came: the request went out, whatever the socket has told us so far.
    this.showRequest();
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
      redirect,
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
      const status = res.statusCode ?? 0;
      const answer = `${status} ${res.statusMessage ?? ''}`.trimEnd();
      const location = res.headers.location;
      // A redirect we did not follow (no -L): where it leads, and how to go there.
      const unfollowed = status >= 300 && status < 400 && location !== undefined && !this.options.followRedirects;
      this.refused({
        kind: 'handshake',
        message: `handshake rejected by ${this.options.url}: ${answer}${unfollowed ? ` → Location: ${location}` : ''}`,
        hint: unfollowed
          ? 'use -L to follow'
          : status === 401 || status === 403
            ? 'check --auth, -H and --origin'
            : undefined,
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

  /**
   * Why an attempt failed before it opened, in words. A ws:// handshake cut off without an answer may
   * have reached a TLS server: then the server is asked for a TLS handshake (no proxy in between) and
   * the answer is a promise.
   */
  explain(err: Error, hopUrl: string): Failure | Promise<Failure> {
    const failure = classifyConnectError(errorLike(err), this.options.url);
    const code = (err as { code?: string }).code;
    const cutOff = code === 'ECONNRESET' || code === 'EPIPE' || err.message === 'socket hang up';
    if (!cutOff || !hopUrl.startsWith('ws:') || this.options.agentFor?.(hopUrl) !== undefined) return failure;
    return speaksTls(hopUrl, TLS_PROBE_MS).then((yes) => (yes ? speaksTlsFailure(this.options.url) : failure));
  }

  /** The request of this hop, shown now that it has been written (once). */
  private showRequest(): void {
    const request = this.pendingRequest;
    if (!request) return;
    this.pendingRequest = undefined;
    this.emit({ ...request, time: this.now() });
  }

  private onRequest(req: ClientRequest, url: string): void {
    const headers: Array<[string, string]> = [];
    for (const name of req.getRawHeaderNames()) {
      const value = req.getHeader(name);
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [String(value)]) headers.push([name, v]);
    }
    const request: RequestEvent = {
      event: 'request',
      time: this.now(),
      method: req.method,
      url,
      path: req.path,
      httpVersion: '1.1',
      headers,
    };
    this.pendingRequest = request;
    const show = () => {
      if (this.pendingRequest === request) this.showRequest();
    };
    req.on('socket', (socket: Socket) => {
      socket.once('lookup', () => {
        this.timings.dnsMs = this.elapsedMs();
      });
      socket.once('connect', () => {
        this.timings.connectMs = this.elapsedMs();
      });
      if ((socket as TLSSocket).encrypted) {
        // wss://: the request is written once TLS is up; a TLS failure means it never was.
        socket.once('secureConnect', () => {
          this.timings.tlsMs = this.elapsedMs();
          this.emit({ event: 'tls', time: this.now(), ...tlsInfo(socket as TLSSocket) });
          show();
        });
      } else {
        // ws://: shown once written to the socket (the write waits for TCP to connect).
        req.once('finish', show);
      }
    });
    req.end();
  }
}
