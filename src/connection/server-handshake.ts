/**
 * A server's side of opening handshakes, before there is a connection: who is trying (an id and an
 * address per attempt), the request and the 101 answer as events (-v), refusals by the admission
 * policy or by ws's own checks, and the defences at the HTTP level: garbage, oversized headers and
 * handshakes that never finish get an HTTP error and are dropped; failed TLS handshakes are reported.
 */
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { HeaderList, SessionEvent } from '../output/events.js';
import { headerPairs } from '../protocol/headers.js';
import { httpResponse, type Refusal } from '../server/policy.js';

export interface Attempt {
  id: number;
  remote: string;
  path: string;
}

export function remoteOf(socket: { remoteAddress?: string; remotePort?: number }): string {
  const address = socket.remoteAddress ?? 'unknown';
  return `${address.includes(':') ? `[${address}]` : address}:${socket.remotePort ?? 0}`;
}

export function httpStatusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

/** Writes a last answer and closes; a peer that does not read it is cut off after a second. */
export function endWith(socket: Duplex, response: string): void {
  socket.on('error', () => {});
  socket.once('finish', () => socket.destroy());
  socket.end(response);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** A socket error is reported through the connection's close; one listener for every socket. */
function ignoreError(): void {}

export class ServerHandshakes {
  private readonly attempts = new WeakMap<IncomingMessage, Attempt>();

  constructor(
    private readonly emit: (e: SessionEvent) => void,
    private readonly now: () => number,
    /** A connection must complete its opening handshake within this long. */
    private readonly timeoutMs: number,
    /** The output shows the trace (`connection`, `request`, the 101 `response`): else they are not made. */
    private readonly traced = true,
  ) {}

  /** Reports (and answers) what goes wrong before a handshake reaches the policy. */
  watch(http: Server, wss: WebSocketServer): void {
    // The 101 answer is about to be written: show it (-v).
    if (this.traced) wss.on('headers', (lines: string[], req: IncomingMessage) => this.accepting(lines, req));
    // ws's own checks (method, Upgrade, key, version): log them, answer as ws would.
    wss.on('wsClientError', (err: Error, socket: Duplex, req: IncomingMessage) => {
      const status = err.message === 'Invalid HTTP method' ? 405 : 400;
      const headers: Record<string, string> = /Version/.test(err.message) ? { 'Sec-WebSocket-Version': '13, 8' } : {};
      this.refuse(req, { status, reason: err.message, headers });
      endWith(socket, httpResponse(status, `${err.message}\n`, headers));
    });
    http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => this.clientError(err, socket));
    http.on('tlsClientError', (err: NodeJS.ErrnoException, socket: Socket) => {
      if (socket.bytesRead > 0 && err.code !== 'ECONNRESET') {
        this.error('tls', `TLS handshake with ${remoteOf(socket)} failed: ${err.message.split('\n')[0]}`);
      }
      socket.destroy();
    });
  }

  /** An upgrade request came: it gets its id, and its `connection` and `request` events. */
  begin(req: IncomingMessage, socket: Duplex, id: number, baseUrl: string): Attempt {
    const attempt: Attempt = { id, remote: remoteOf(req.socket), path: req.url ?? '/' };
    this.attempts.set(req, attempt);
    // A client that resets the connection mid-handshake must not crash us.
    socket.on('error', ignoreError);
    if (!this.traced) return attempt;
    const time = this.now();
    this.emit({ event: 'connection', time, conn: attempt.id, remote: attempt.remote });
    this.emit({
      event: 'request',
      time,
      conn: attempt.id,
      method: req.method ?? 'GET',
      url: `${baseUrl}${attempt.path}`,
      path: attempt.path,
      httpVersion: req.httpVersion,
      headers: headerPairs(req.rawHeaders),
    });
    return attempt;
  }

  /**
   * The handshake succeeded: ws listens for the socket's errors from now on. The attempt's `remote`
   * has the peer's address as text; net.Socket would keep the object it read it from (`_peername`,
   * ~110 bytes) for the connection's whole life, and reads it again if ever asked.
   */
  done(socket: Duplex): void {
    socket.off('error', ignoreError);
    const peer = socket as Duplex & { _peername?: unknown };
    if (peer._peername !== undefined) peer._peername = undefined;
  }

  /** The id given to the handshake of `req` (undefined: not one that reached `begin`). */
  attemptId(req: IncomingMessage): number | undefined {
    return this.attempts.get(req)?.id;
  }

  refuse(req: IncomingMessage, refusal: Refusal): void {
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

  private accepting(lines: string[], req: IncomingMessage): void {
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

  /** Not HTTP at all, headers too large, or a handshake that never finished. */
  private clientError(err: NodeJS.ErrnoException, socket: Duplex): void {
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
        const seconds = this.timeoutMs / 1000;
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

  private error(kind: 'protocol' | 'timeout' | 'tls', message: string): void {
    this.emit({ event: 'error', time: this.now(), kind, message });
  }
}
