/**
 * The opening handshake written and read by hand (RFC 6455 §4), for the raw peers: the request a client
 * sends, the head of a request or answer parsed, `Sec-WebSocket-Accept` computed, a 101 answer built.
 */
import { createHash } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** RFC 6455 §4.2.2: base64(SHA-1(key + GUID)). */
export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

export interface UpgradeRequest {
  method: string;
  path: string;
  /** Header names lower-cased; a repeated header's values joined with `, `. */
  headers: Record<string, string>;
  /** The request head as received, up to and including the blank line. */
  raw: string;
}

/**
 * Parses an HTTP/1.1 head (everything before the blank line). Also reads an answer's head: `method` is
 * then the HTTP version and `path` the status code.
 */
export function parseRequestHead(head: string): UpgradeRequest {
  const [requestLine, ...lines] = head.split('\r\n');
  const [method = '', path = ''] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { method, path, headers, raw: `${head}\r\n\r\n` };
}

export interface UpgradeRequestOptions {
  /** The request path (default `/`). */
  path?: string;
  /** `Sec-WebSocket-Key` (default: RFC 6455's sample nonce). */
  key?: string;
  /** A `Sec-WebSocket-Extensions` offer, e.g. `permessage-deflate` (default: none). */
  extensions?: string;
}

/** An opening handshake request as a client would send it to 127.0.0.1:`port`. */
export function upgradeRequest(port: number, options: UpgradeRequestOptions = {}): string {
  const lines = [
    `GET ${options.path ?? '/'} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${options.key ?? 'dGhlIHNhbXBsZSBub25jZQ=='}`,
    'Sec-WebSocket-Version: 13',
  ];
  if (options.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export interface AcceptOptions {
  /** A `Sec-WebSocket-Protocol` to answer with (whether or not the client asked for it). */
  protocol?: string;
  /** A `Sec-WebSocket-Extensions` to answer with (whether or not the client offered it). */
  extensions?: string;
  /** Overrides the computed `Sec-WebSocket-Accept`. */
  accept?: string;
}

/** The text of a 101 answer to `request`; valid unless the options make it otherwise. */
export function switchingProtocols(request: UpgradeRequest, options: AcceptOptions = {}): string {
  const lines = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${options.accept ?? acceptKey(request.headers['sec-websocket-key'] ?? '')}`,
  ];
  if (options.protocol !== undefined) lines.push(`Sec-WebSocket-Protocol: ${options.protocol}`);
  if (options.extensions !== undefined) lines.push(`Sec-WebSocket-Extensions: ${options.extensions}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
