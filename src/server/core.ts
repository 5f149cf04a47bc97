/**
 * The server core shared by `listen` and `echo`: an HTTP(S) server on one address, WebSocket upgrades
 * vetted by the policy (origin, credentials, room), one `ServerClient` per accepted client with an id,
 * a keepalive that drops clients which stop answering pings, and defences against hostile peers:
 * garbage and stalled handshakes get an HTTP error and are dropped; protocol violations, oversized
 * messages and fragment floods are closed by `ws` with the matching code; permessage-deflate on the
 * terms of connection/deflate.ts; a memory budget over all clients (budget.ts) that large messages are
 * vetted against as they arrive. What to do with messages is the command's business (`onMessage`).
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { emptyTraffic, type Traffic } from '../connection/connection.js';
import { SERVER_DEFLATE } from '../connection/deflate.js';
import { tapFrames } from '../connection/frame-tap.js';
import { startKeepalive } from '../connection/keepalive.js';
import { endWith, ServerHandshakes } from '../connection/server-handshake.js';
import { WsprobeError } from '../errors.js';
import type { SessionEvent } from '../output/events.js';
import type { CloseInfo } from '../protocol/outcome.js';
import { BUDGET_CHECK_MIN_BYTES, budgetFor, MemoryBudget, makeRoom } from './budget.js';
import { ServerClient, type ServerClients } from './client.js';
import { admit, chooseSubprotocol, httpResponse, ownOrigin, type Policy, type Refusal } from './policy.js';

export interface CoreOptions {
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  /** `-s`: subprotocols we accept, in no particular order (the client's order decides). */
  subprotocols: readonly string[];
  policy: Policy;
  maxPayload: number;
  deflate: boolean;
  /** Bytes the server may hold for clients that have not taken them (default: budgetFor(maxPayload)). */
  memoryBudget?: number;
  /** Ping every client this often; drop one whose previous ping is still unanswered. */
  pingIntervalMs?: number;
  /** A connection must complete its opening handshake within this long. */
  handshakeTimeoutMs: number;
  /** How long a close handshake we start may take before the client is dropped. */
  closeTimeoutMs: number;
  /** -vv: report every frame of every client. */
  tapFrames?: boolean;
  /**
   * false: the output does not show the handshake trace (output/setup.ts tracesHandshakes), so its
   * events are not made. Refusals and errors are reported either way.
   */
  traceHandshakes?: boolean;
  /**
   * A relay (`proxy`): ws answers no ping by itself (they are passed on), and every event of a client
   * says it is the client's side of its pair (`side: 'client'`).
   */
  relay?: boolean;
}

/** A relay's answer to a client's handshake: accepted with the upstream's subprotocol, or refused. */
export type RelayAnswer = { protocol: string } | { refusal: Refusal; body?: string };

/** Plain HTTP requests (not upgrades) go here; the default answers 426 Upgrade Required. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

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

/** A relay's client-side events say so (its upstream's say `upstream`). */
function clientSide(emit: (e: SessionEvent) => void): (e: SessionEvent) => void {
  return (e) => {
    if (e.conn !== undefined && e.side === undefined) e.side = 'client';
    emit(e);
  };
}

export class ServerCore {
  readonly clients = new Map<number, ServerClient>();
  readonly totals: Traffic = emptyTraffic();
  readonly budget: MemoryBudget;
  /** ws://host:port once listening. */
  url = '';
  port = 0;

  /** A client's handshake completed and its `open` event was emitted. */
  onOpen?: (client: ServerClient) => void;
  onMessage?: (client: ServerClient, data: Buffer, isBinary: boolean) => void;
  /** A client has gone (after its `close` event). */
  onClosed?: (client: ServerClient, close: CloseInfo) => void;

  onHttpRequest?: HttpHandler;
  /**
   * A relay: a handshake the policy let in waits for this (its upstream's answer) before the client
   * gets its 101 — with the upstream's subprotocol — or the refusal.
   */
  onUpgrading?: (req: IncomingMessage, id: number) => Promise<RelayAnswer>;
  /** Reading every client was paused (stdout backed up) or resumed: a relay pauses its other sides too. */
  onPaused?: (paused: boolean) => void;
  /** Stopping, once every client has closed: what else must close first (a relay's upstreams). */
  onClientsClosed?: () => Promise<void>;

  /** Shared by every client: the clock, the output, the totals; passes its messages and its end on. */
  private readonly shared: ServerClients;

  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly handshakes: ServerHandshakes;
  private nextId = 1;
  private stopping = false;
  private pausedForOutput = false;
  private stopKeepalive = () => {};
  /** The incoming message just refused for the memory budget: not shown, not passed on. */
  private refused: Buffer | null = null;
  /** A relay: the subprotocol each accepted handshake answers with (the upstream's choice). */
  private readonly relayProtocols = new WeakMap<IncomingMessage, string>();
  private readonly emit: (e: SessionEvent) => void;

  constructor(
    private readonly options: CoreOptions,
    show: (e: SessionEvent) => void,
    private readonly now: () => number,
  ) {
    const emit = options.relay ? clientSide(show) : show;
    this.emit = emit;
    this.budget = new MemoryBudget(options.memoryBudget ?? budgetFor(options.maxPayload));
    this.shared = {
      side: 'server',
      // A message is shown before anything else is done with it: that is where it is vetted.
      emit: (e) => {
        if (
          e.event === 'message' &&
          e.dir === 'in' &&
          e.data.length >= BUDGET_CHECK_MIN_BYTES &&
          !this.admitMessage(e)
        ) {
          return;
        }
        emit(e);
      },
      now,
      totals: this.totals,
      budget: this.budget,
      serverUrl: () => this.url,
      autoPong: options.relay ? false : undefined,
      clientMessage: (client, data, isBinary) => {
        if (data === this.refused) {
          this.refused = null;
          return;
        }
        this.onMessage?.(client, data, isBinary);
      },
      clientClosed: (client, close) => {
        this.clients.delete(client.id);
        this.onClosed?.(client, close);
      },
    };
    const timeout = options.handshakeTimeoutMs;
    const httpOptions = {
      // Node answers a request whose headers are not complete in time with 408 (see ServerHandshakes).
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
      perMessageDeflate: options.deflate ? SERVER_DEFLATE : false,
      closeTimeout: options.closeTimeoutMs,
      handleProtocols: (offered: Set<string>, req: IncomingMessage) => {
        const relayed = this.relayProtocols.get(req);
        if (relayed !== undefined) return relayed || false;
        return chooseSubprotocol(offered, options.subprotocols);
      },
      ...(options.relay ? { autoPong: false } : {}),
      verifyClient: (info, done) => {
        const { headers, socket } = info.req;
        // Our own origin matters only to judge an Origin header; asking the socket for its address
        // would keep that address with every connection.
        const judged = headers.origin !== undefined || headers['sec-websocket-origin'] !== undefined;
        const refusal = admit(
          headers,
          options.policy,
          this.clients.size,
          judged ? ownOrigin(socket, info.secure) : undefined,
        );
        const refuse = (no: Refusal, body = `${no.reason}\n`) => {
          this.handshakes.refuse(info.req, no);
          done(false, no.status, body, { 'Content-Type': 'text/plain; charset=utf-8', ...no.headers });
        };
        if (refusal) return refuse(refusal);
        const id = this.handshakes.attemptId(info.req);
        if (!this.onUpgrading || id === undefined) return done(true);
        void this.onUpgrading(info.req, id).then((answer) => {
          if ('refusal' in answer) return refuse(answer.refusal, answer.body);
          this.relayProtocols.set(info.req, answer.protocol);
          done(true);
        });
      },
    } as ConstructorParameters<typeof WebSocketServer>[0]);
    this.handshakes = new ServerHandshakes(emit, now, timeout, options.traceHandshakes !== false);
    this.handshakes.watch(this.http, this.wss);
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    this.http.on('request', (req: IncomingMessage, res: ServerResponse) =>
      (this.onHttpRequest ?? this.upgradeRequired)(req, res),
    );
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
    const intervalMs = this.options.pingIntervalMs;
    if (intervalMs) {
      // A client whose ping is still unanswered at the next one is gone.
      this.stopKeepalive = startKeepalive(
        { intervalMs, timeoutMs: intervalMs, now: this.now },
        () => this.clients.values(),
        (client) => client.drop('timeout', `no pong within ${intervalMs / 1000} s (--ping-interval)`),
      );
    }
    return this.url;
  }

  /** Our stdout is backed up: stop reading every client until it drains (TCP slows them down). */
  pauseAll(): void {
    this.pausedForOutput = true;
    for (const client of this.clients.values()) client.pause('output');
    this.onPaused?.(true);
  }

  resumeAll(): void {
    this.pausedForOutput = false;
    for (const client of this.clients.values()) client.resume('output');
    this.onPaused?.(false);
  }

  /**
   * Stops accepting, closes every client with `code` and waits for their answers; clients that do
   * not answer within the close timeout are dropped.
   */
  async shutdown(code: number, reason: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.stopKeepalive();
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
    // A relay's other sides answer their close frames too (each bounded by its own close timeout).
    await this.onClientsClosed?.();
    // Sockets still in a TLS handshake are not HTTP connections yet; do not wait on them for long.
    await Promise.race([serverClosed, new Promise((resolve) => setTimeout(resolve, 200).unref())]);
  }

  /** A large incoming message: false when it does not fit in the memory budget (it is then dropped). */
  private admitMessage(e: { conn?: number; data: Buffer }): boolean {
    const sender = e.conn === undefined ? undefined : this.clients.get(e.conn);
    if (!sender || makeRoom(this.budget, this.clients.values(), sender, e.data.length)) return true;
    this.refused = e.data;
    return false;
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
    const attempt = this.handshakes.begin(req, socket, this.nextId++, this.url);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.handshakes.done(socket);
      // ws has just taken the socket over and not yet read from it: the tap sees every byte.
      if (this.options.tapFrames) tapFrames(socket as Socket, this.emit, this.now, attempt.id);
      // Its `open` event is emitted as it is made.
      const client = new ServerClient(attempt.id, attempt.remote, attempt.path, ws, this.shared);
      this.clients.set(client.id, client);
      if (this.pausedForOutput) client.pause('output');
      this.onOpen?.(client);
    });
  }
}
