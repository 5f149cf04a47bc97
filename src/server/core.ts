/**
 * The server core shared by `listen` and `echo`: an HTTP(S) server on one address, WebSocket upgrades
 * vetted by the policy (origin, credentials, room), one `ServerClient` per accepted client with an id,
 * a keepalive that drops clients which stop answering pings, and defences against hostile peers:
 * garbage and stalled handshakes get an HTTP error and are dropped; protocol violations, oversized
 * messages and fragment floods are closed by `ws` with the matching code. What to do with messages
 * is the command's business (the `onMessage` hook).
 */
import { once } from 'node:events';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { WsprobeError } from '../errors.js';
import type { HeaderList, SessionEvent } from '../output/events.js';
import { headerPairs } from '../protocol/headers.js';
import type { CloseInfo } from '../protocol/outcome.js';
import { tapFrames } from '../session/frame-tap.js';
import { type ClientOwner, emptyTraffic, ServerClient, type Traffic } from './client.js';
import { admit, chooseSubprotocol, httpResponse, type Policy, type Refusal } from './policy.js';

export interface CoreOptions {
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  /** `-s`: subprotocols we accept, in no particular order (the client's order decides). */
  subprotocols: readonly string[];
  policy: Policy;
  maxPayload: number;
  deflate: boolean;
  /** Ping every client this often; drop one whose previous ping is still unanswered. */
  pingIntervalMs?: number;
  /** A connection must complete its opening handshake within this long. */
  handshakeTimeoutMs: number;
  /** How long a close handshake we start may take before the client is dropped. */
  closeTimeoutMs: number;
  /** -vv: report every frame of every client. */
  tapFrames?: boolean;
}

/** Plain HTTP requests (not upgrades) go here; the default answers 426 Upgrade Required. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface Attempt {
  id: number;
  remote: string;
  path: string;
}

export function remoteOf(socket: { remoteAddress?: string; remotePort?: number }): string {
  const address = socket.remoteAddress ?? 'unknown';
  return `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? 0}`;
}

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

const LISTEN_ERRORS: Readonly<Record<string, [string, string | undefined]>> = {
  EADDRINUSE: ['address already in use', 'pick another port, or 0 for a free one'],
  EACCES: ['permission denied', 'ports below 1024 need privileges; pick a higher port'],
  EADDRNOTAVAIL: ['address not available', '--host must be an address of this machine'],
  ENOTFOUND: ['host not found', undefined],
  EAI_AGAIN: ['host name lookup failed', undefined],
};

export class ServerCore {
  readonly clients = new Map<number, ServerClient>();
  readonly totals: Traffic = emptyTraffic();
  /** ws://host:port once listening. */
  url = '';
  port = 0;

  /** A client's handshake completed and its `open` event was emitted. */
  onOpen?: (client: ServerClient) => void;
  onMessage?: (client: ServerClient, data: Buffer, isBinary: boolean) => void;
  /** A client has gone (after its `close` event). */
  onClosed?: (client: ServerClient, close: CloseInfo) => void;

  /** Shared by every client: passes its messages and its end on to the handlers above. */
  private readonly owner: ClientOwner = {
    clientMessage: (client, data, isBinary) => this.onMessage?.(client, data, isBinary),
    clientClosed: (client, close) => {
      this.clients.delete(client.id);
      this.onClosed?.(client, close);
    },
  };
  onHttpRequest?: HttpHandler;

  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly attempts = new WeakMap<IncomingMessage, Attempt>();
  private nextId = 1;
  private stopping = false;
  private pausedForOutput = false;
  private keepalive?: NodeJS.Timeout;

  constructor(
    private readonly options: CoreOptions,
    private readonly emit: (e: SessionEvent) => void,
    private readonly now: () => number,
  ) {
    const timeout = options.handshakeTimeoutMs;
    const httpOptions = {
      // Node answers a request whose headers are not complete in time with 408 (see onClientError).
      headersTimeout: timeout,
      requestTimeout: timeout,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeout / 4))),
      // Bytes before a complete request are bounded too (431 beyond).
      maxHeaderSize: 16 * 1024,
    };
    this.http = options.tls
      ? createHttpsServer({ ...httpOptions, cert: options.tls.cert, key: options.tls.key, handshakeTimeout: timeout })
      : createHttpServer(httpOptions);
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload,
      perMessageDeflate: options.deflate ? {} : false,
      closeTimeout: options.closeTimeoutMs,
      handleProtocols: (offered) => chooseSubprotocol(offered, options.subprotocols),
      verifyClient: (info, done) => {
        const refusal = admit(info.req.headers, options.policy, this.clients.size);
        if (!refusal) return done(true);
        this.logRefusal(info.req, refusal);
        done(false, refusal.status, `${refusal.reason}\n`, {
          'Content-Type': 'text/plain; charset=utf-8',
          ...refusal.headers,
        });
      },
    } as ConstructorParameters<typeof WebSocketServer>[0]);
    this.wss.on('headers', (lines: string[], req: IncomingMessage) => this.onAccepting(lines, req));
    // ws's own checks (method, Upgrade, key, version): log them, answer as ws would.
    this.wss.on('wsClientError', (err: Error, socket: Duplex, req: IncomingMessage) => {
      const status = err.message === 'Invalid HTTP method' ? 405 : 400;
      const headers: Record<string, string> = /Version/.test(err.message) ? { 'Sec-WebSocket-Version': '13, 8' } : {};
      this.logRefusal(req, { status, reason: err.message, headers });
      endWith(socket, httpResponse(status, `${err.message}\n`, headers));
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.http.on('request', (req: IncomingMessage, res: ServerResponse) =>
      (this.onHttpRequest ?? this.upgradeRequired)(req, res),
    );
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.onClientError(err, socket));
    this.http.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (socket.bytesRead > 0 && err.code !== 'ECONNRESET') {
        this.error('tls', `TLS handshake with ${remoteOf(socket)} failed: ${err.message.split('\n')[0]}`);
      }
      socket.destroy();
    });
  }

  get scheme(): 'ws' | 'wss' {
    return this.options.tls ? 'wss' : 'ws';
  }

  /** Binds and starts accepting; the URL once ready. Throws a `connect` error when it cannot bind. */
  async listen(): Promise<string> {
    const { host, port } = this.options;
    try {
      this.http.listen(port, host);
      await once(this.http, 'listening');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const [what, hint] = LISTEN_ERRORS[code] ?? [(err as Error).message, undefined];
      throw new WsprobeError(
        'connect',
        `cannot listen on ${hostForUrl(host)}:${port}: ${what}${code ? ` (${code})` : ''}`,
        hint,
      );
    }
    const address = this.http.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    this.url = `${this.scheme}://${hostForUrl(host)}:${this.port}`;
    if (this.options.pingIntervalMs) {
      this.keepalive = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    }
    return this.url;
  }

  /** Our stdout is backed up: stop reading every client until it drains (TCP slows them down). */
  pauseAll(): void {
    this.pausedForOutput = true;
    for (const client of this.clients.values()) client.pause('output');
  }

  resumeAll(): void {
    this.pausedForOutput = false;
    for (const client of this.clients.values()) client.resume('output');
  }

  /**
   * Stops accepting, closes every client with `code` and waits for their answers; clients that do
   * not answer within the close timeout are dropped.
   */
  async shutdown(code: number, reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.keepalive);
    const serverClosed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    const clients = [...this.clients.values()];
    for (const client of clients) {
      // Their answers to our close frames must be read, whatever paused them.
      client.resume('output');
      client.resume('backlog');
      client.close(code, reason);
    }
    const allClosed = Promise.all(clients.map((c) => c.closed));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeTimeoutMs);
    });
    await Promise.race([allClosed, late]);
    for (const client of clients) client.terminate();
    await allClosed;
    clearTimeout(timer);
    // Sockets still in a TLS handshake are not HTTP connections yet; do not wait on them for long.
    await Promise.race([serverClosed, new Promise((resolve) => setTimeout(resolve, 200).unref())]);
  }

  private upgradeRequired: HttpHandler = (_req, res) => {
    const body = `This is a WebSocket server (wsprobe). Connect with a WebSocket client to ${this.url}/\n`;
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
    res.end(body);
  };

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.stopping) {
      endWith(socket, httpResponse(503, 'shutting down\n'));
      return;
    }
    const attempt: Attempt = { id: this.nextId++, remote: remoteOf(req.socket), path: req.url ?? '/' };
    this.attempts.set(req, attempt);
    const time = this.now();
    this.emit({ event: 'connection', time, conn: attempt.id, remote: attempt.remote });
    this.emit({
      event: 'request',
      time,
      conn: attempt.id,
      method: req.method ?? 'GET',
      url: `${this.url}${attempt.path}`,
      path: attempt.path,
      httpVersion: req.httpVersion,
      headers: headerPairs(req.rawHeaders),
    });
    // A client that resets the connection mid-handshake must not crash us.
    socket.on('error', ignoreError);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // ws has just taken the socket over and not yet read from it: the tap sees every byte.
      if (this.options.tapFrames) tapFrames(socket as Socket, this.emit, this.now, attempt.id);
      const client = new ServerClient(
        attempt.id,
        attempt.remote,
        `${this.url}${attempt.path}`,
        ws,
        this.emit,
        this.now,
        this.totals,
        this.owner,
      );
      this.clients.set(client.id, client);
      if (this.pausedForOutput) client.pause('output');
      this.emit({
        event: 'open',
        time: this.now(),
        conn: client.id,
        url: client.url,
        protocol: client.protocol,
        extensions: client.extensions,
      });
      this.onOpen?.(client);
    });
  }

  /** The 101 answer is about to be written: show it (-v). */
  private onAccepting(lines: string[], req: IncomingMessage): void {
    const attempt = this.attempts.get(req);
    const [statusLine, ...rest] = lines;
    const status = /^HTTP\/(\S+) (\d{3}) (.*)$/.exec(statusLine);
    const headers: HeaderList = rest.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as const;
    });
    this.emit({
      event: 'response',
      time: this.now(),
      conn: attempt?.id,
      status: Number(status?.[2] ?? 101),
      statusText: status?.[3] ?? 'Switching Protocols',
      httpVersion: status?.[1] ?? '1.1',
      headers,
    });
  }

  private logRefusal(req: IncomingMessage, refusal: Refusal): void {
    const attempt = this.attempts.get(req);
    const who = attempt ? `client #${attempt.id} (${attempt.remote})` : remoteOf(req.socket);
    this.emit({
      event: 'error',
      time: this.now(),
      conn: attempt?.id,
      kind: 'handshake',
      message: `refused ${who}: ${refusal.status} ${httpStatusText(refusal.status)}: ${refusal.reason}`,
    });
  }

  /** Not HTTP at all, headers too large, or a handshake that never finished. */
  private onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
    const tcp = socket as Socket;
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const remote = remoteOf(tcp);
    let status = 400;
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      status = 408;
      // Browsers open spare connections and never use them: only a started request is worth a line.
      if (tcp.bytesRead > 0) {
        const seconds = this.options.handshakeTimeoutMs / 1000;
        this.error(
          'timeout',
          `dropped ${remote}: handshake not complete within ${seconds} s (see --handshake-timeout)`,
        );
      }
    } else if (err.code === 'HPE_HEADER_OVERFLOW') {
      status = 431;
      this.error('protocol', `dropped ${remote}: request headers over 16 KiB`);
    } else {
      this.error('protocol', `dropped ${remote}: not a valid HTTP request (${err.code ?? err.message})`);
    }
    endWith(socket, httpResponse(status, `${httpStatusText(status)}\n`));
  }

  private pingAll(): void {
    const seconds = (this.options.pingIntervalMs ?? 0) / 1000;
    for (const client of this.clients.values()) {
      if (!client.isOpen) continue;
      if (client.awaitingPong) {
        // Not its fault if we stopped reading it because our own output is backed up.
        if (this.pausedForOutput) continue;
        client.drop('timeout', `no pong within ${seconds} s (--ping-interval)`);
        continue;
      }
      client.awaitingPong = true;
      client.ping();
    }
  }

  private error(kind: 'protocol' | 'timeout' | 'tls', message: string): void {
    this.emit({ event: 'error', time: this.now(), kind, message });
  }
}

function httpStatusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** Writes a last answer and closes; a peer that does not read it is cut off after a second. */
function endWith(socket: Duplex, response: string): void {
  socket.on('error', () => {});
  socket.once('finish', () => socket.destroy());
  socket.end(response);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** A socket error is reported through the connection's close; one listener for every socket. */
function ignoreError(): void {}
