/**
 * Who may open a WebSocket on our servers, and on what terms: the `--origin` allowlist, `--auth`
 * Basic credentials, `--max-clients`, the `-s` subprotocol choice, and the HTTP answer a refused
 * handshake gets. Pure: it reads request headers and returns decisions; no socket is touched here.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Credentials } from './credentials.js';

export type { Credentials } from './credentials.js';

function sameSecret(a: string, b: string): boolean {
  // Hashing first gives equal lengths, so the comparison takes the same time whatever was guessed.
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** True when `authorization` is `Basic base64(user:password)` with exactly these credentials. */
export function checkBasicAuth(authorization: string | undefined, expected: Credentials): boolean {
  const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userOk = sameSecret(decoded.slice(0, colon), expected.user);
  const passwordOk = sameSecret(decoded.slice(colon + 1), expected.password);
  return userOk && passwordOk;
}

/** An origin as browsers send it: `scheme://host[:port]`, lower-case, default port dropped. */
export function normalizeOrigin(text: string): string {
  const trimmed = text.trim();
  try {
    const origin = new URL(trimmed).origin;
    // Opaque origins (file:, data:) serialise as "null", which is also what browsers send for them.
    return origin === 'null' ? trimmed.toLowerCase() : origin;
  } catch {
    return trimmed.toLowerCase();
  }
}

/** On the --origin list: any origin, and requests without one. */
export const ANY_ORIGIN = '*';

/**
 * A page served from this machine's loopback: http(s)://localhost, 127.0.0.0/8 or [::1], any port —
 * the local-development case (`http://localhost:3000`). A name that merely resolves to 127.0.0.1
 * (DNS rebinding) is not one: only these literal hosts count.
 */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin.trim());
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The origin of a page this server serves itself (the `--console` page), for a connection that came in
 * on `localAddress:localPort`: `http://192.168.1.5:8080` when reached on that address. Built from the
 * address, never from the Host header, so a rebound DNS name cannot pass for it.
 */
export function ownOrigin(socket: { localAddress?: string; localPort?: number }, secure: boolean): string | undefined {
  const address = socket.localAddress?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  if (!address || socket.localPort === undefined) return undefined;
  const host = address.includes(':') ? `[${address}]` : address;
  return normalizeOrigin(`${secure ? 'https' : 'http'}://${host}:${socket.localPort}`);
}

/**
 * Whether a request with this `Origin` (undefined: none) may open a WebSocket. By default (empty list)
 * clients that send no Origin (command-line tools: only browsers send one, and a browser page cannot
 * leave it out) and pages from loopback origins; with a list, exactly the origins on it (`*`: any).
 * The server's own pages (`own`) are always allowed.
 */
export function originAllowed(origin: string | undefined, allowlist: readonly string[], own?: string): boolean {
  if (allowlist.includes(ANY_ORIGIN)) return true;
  if (origin === undefined) return allowlist.length === 0;
  const wanted = normalizeOrigin(origin);
  if (own !== undefined && wanted === own) return true;
  if (allowlist.length === 0) return isLoopbackOrigin(origin);
  return allowlist.some((allowed) => normalizeOrigin(allowed) === wanted);
}

/** Why an origin was refused, in one line that says how to let it in. */
export function originRefusal(origin: string | undefined, allowlist: readonly string[]): string {
  if (origin === undefined) return 'no Origin header is not on the --origin list';
  const shown = origin.length > 200 ? `${origin.slice(0, 200)}…` : origin;
  if (allowlist.length > 0) return `origin "${shown}" is not on the --origin list`;
  return (
    `origin "${shown}" is not allowed: by default only pages from localhost, 127.0.0.1 or [::1] and ` +
    `clients without Origin may connect (allow it with --origin ${normalizeOrigin(shown)}, or any with --origin '*')`
  );
}

/**
 * The subprotocol we answer with. Without `-s`, the first one the client offers (anything goes on a
 * debugging server); with `-s`, the first offered that is on our list, or none (RFC 6455 §4.2.2: then
 * no Sec-WebSocket-Protocol is sent and the client decides whether to go on).
 */
export function chooseSubprotocol(offered: Iterable<string>, accepted: readonly string[]): string | false {
  for (const protocol of offered) {
    if (accepted.length === 0 || accepted.includes(protocol)) return protocol;
  }
  return false;
}

export interface Policy {
  /** --origin: empty for the default (no Origin, or a loopback page); `*` for any. */
  origins: readonly string[];
  credentials?: Credentials;
  maxClients?: number;
}

export interface Refusal {
  status: number;
  /** Why, for the server's log and the response body. */
  reason: string;
  headers?: Record<string, string>;
}

export const AUTH_REALM = 'Basic realm="wsprobe", charset="UTF-8"';

/**
 * Decides whether an upgrade request may proceed: origin (403), then credentials (401), then room (503).
 * `own`: the origin of the pages this server serves (see ownOrigin).
 */
export function admit(
  headers: IncomingHttpHeaders,
  policy: Policy,
  connectedClients: number,
  own?: string,
): Refusal | null {
  // Protocol version 8 clients send Sec-WebSocket-Origin instead of Origin.
  const origin = headers.origin ?? (headers['sec-websocket-origin'] as string | undefined);
  if (!originAllowed(origin, policy.origins, own)) {
    return { status: 403, reason: originRefusal(origin, policy.origins) };
  }
  if (policy.credentials && !checkBasicAuth(headers.authorization, policy.credentials)) {
    const reason = headers.authorization === undefined ? 'no credentials' : 'wrong credentials';
    return { status: 401, reason, headers: { 'WWW-Authenticate': AUTH_REALM } };
  }
  if (policy.maxClients !== undefined && connectedClients >= policy.maxClients) {
    return {
      status: 503,
      reason: `--max-clients ${policy.maxClients} reached`,
      headers: { 'Retry-After': '1' },
    };
  }
  return null;
}

/** A complete HTTP/1.1 response that closes the connection, for writing straight to a socket. */
export function httpResponse(status: number, body: string, headers: Record<string, string> = {}): string {
  const all: Record<string, string> = {
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  };
  const lines = Object.entries(all).map(([name, value]) => `${name}: ${value}`);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
