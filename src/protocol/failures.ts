/**
 * Classifies an error from the network stack or from `ws` into the kinds of SPEC "Exit codes",
 * with a one-line message and, where one helps, a hint. Pure: it only reads `code` and `message`.
 */
import type { ErrorKind } from '../errors.js';

export interface Failure {
  kind: ErrorKind;
  message: string;
  hint?: string;
}

export interface ErrorLike {
  name?: string;
  code?: string;
  message: string;
  /** ws puts the close code it sent on protocol errors under a symbol; the caller reads it. */
  closeCode?: number;
  /** A host-name mismatch: the name we asked for, and the names the certificate is for. */
  host?: string;
  certNames?: string[];
  /** Node's HTTP parser could not read the answer: the bytes it got (the first byte tells TLS apart). */
  rawPacket?: Uint8Array;
}

const CONNECT_CODES: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EAI_FAIL: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'address not available',
  ENOENT: 'no such socket file',
  EACCES: 'permission denied',
};

const TLS_REASONS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unknown certificate authority',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unknown certificate authority',
  UNABLE_TO_GET_ISSUER_CERT: 'unknown certificate authority',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'host name does not match the certificate',
  CERT_REVOKED: 'certificate revoked',
};

/** Messages ws gives when a 101 answer is not a valid upgrade (RFC 6455 §4.1). */
const INVALID_UPGRADE =
  /^(Invalid Upgrade header|Invalid Sec-WebSocket-Accept header|Server sent|Invalid Sec-WebSocket-Extensions header|Server indicated an extension|Maximum redirects exceeded)/;

/** What OpenSSL says when the bytes that came back are not TLS at all (a plain-text answer). */
const NOT_TLS_REASONS: ReadonlySet<string> = new Set([
  'wrong version number',
  'packet length too long',
  'http request',
  'unknown protocol',
  'record layer failure',
]);

/** A certificate problem in words (`DEPTH_ZERO_SELF_SIGNED_CERT` → "self-signed certificate"). */
export function certificateProblem(code: string): string {
  return TLS_REASONS[code] ?? code;
}

/** The names a certificate is for, from Node's `subjectaltname` ("DNS:a, IP Address:1.2.3.4") or its CN. */
export function certificateNames(subjectAltName: string | undefined, commonName?: string): string[] {
  const names = (subjectAltName ?? '')
    .split(', ')
    .map((n) => n.replace(/^(DNS|IP Address):/, ''))
    .filter((n) => n !== '');
  return names.length > 0 || commonName === undefined ? names : [commonName];
}

/** `wss://h/p` → `ws://h/p` and the reverse: the scheme the server seems to speak. */
function otherScheme(target: string): string {
  return target.startsWith('wss:') ? `ws:${target.slice(4)}` : target.replace(/^ws:/, 'wss:');
}

/** ws:// to a server that answered in TLS (an alert record, or a TLS handshake to our probe). */
export function speaksTlsFailure(target: string): Failure {
  return {
    kind: 'handshake',
    message: `cannot connect to ${target}: this server speaks TLS`,
    hint: `try ${otherScheme(target)}`,
  };
}

/** A TLS record starts with its type (0x15 alert, 0x16 handshake) and version major 3. */
function isTlsRecord(bytes: Uint8Array | undefined): boolean {
  return bytes !== undefined && bytes.length >= 2 && (bytes[0] === 0x15 || bytes[0] === 0x16) && bytes[1] === 0x03;
}

/** OpenSSL's "…:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:…" → "wrong version number". */
function tlsReason(message: string): string {
  const parts = message.split(':');
  const routines = parts.findIndex((p) => p.endsWith('routines'));
  return routines >= 0 && parts[routines + 2] ? parts[routines + 2] : message;
}

function isTlsCode(code: string): boolean {
  return code in TLS_REASONS || code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code.includes('CERT');
}

/** An error raised while connecting or during the opening handshake. */
export function classifyConnectError(err: ErrorLike, target: string): Failure {
  const code = err.code ?? '';
  const firstLine = err.message.split('\n')[0].trim();
  // Our CONNECT agent's errors name the proxy already: it was the proxy we could not get through.
  if (err.name === 'ProxyError') return { kind: 'connect', message: `cannot connect to ${target}: ${firstLine}` };
  if (code in CONNECT_CODES) {
    return { kind: 'connect', message: `cannot connect to ${target}: ${CONNECT_CODES[code]} (${code})` };
  }
  if ((code !== '' && isTlsCode(code)) || (code === 'EPROTO' && /SSL|TLS/.test(firstLine))) {
    const reason = TLS_REASONS[code] ?? tlsReason(firstLine);
    if (NOT_TLS_REASONS.has(reason)) {
      // We spoke TLS and the answer was not TLS: a plain ws:// server.
      return {
        kind: 'tls',
        message: `TLS handshake with ${target} failed: this server does not speak TLS (${reason})`,
        hint: `try ${otherScheme(target)}`,
      };
    }
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      // Trusting another CA would not help: the certificate is for other names.
      const names = err.certNames?.length ? err.certNames.join(', ') : 'other names';
      const host = err.host ? `host name ${err.host}` : 'the host name';
      return {
        kind: 'tls',
        message: `TLS handshake with ${target} failed: ${host} does not match the certificate, which is for ${names}`,
        hint: 'connect with a name the certificate lists, or use -k to skip verification',
      };
    }
    // The server refused us (a TLS alert), or we refused the server's certificate.
    const clientCertWanted = /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE)/.test(code);
    const serverCertRefused = !code.includes('ALERT') && (code in TLS_REASONS || code.includes('CERT'));
    return {
      kind: 'tls',
      message: `TLS handshake with ${target} failed: ${reason}`,
      hint: clientCertWanted
        ? 'the server may want a client certificate: use --cert and --key'
        : serverCertRefused
          ? 'use --ca <file> to trust its CA, or -k to skip verification'
          : undefined,
    };
  }
  if (err.message === 'Opening handshake has timed out') {
    return { kind: 'connect', message: `cannot connect to ${target}: timed out`, hint: 'see --connect-timeout' };
  }
  if (code.startsWith('HPE_') && isTlsRecord(err.rawPacket)) return speaksTlsFailure(target);
  if (code.startsWith('HPE_')) {
    // Node's HTTP parser could not read the answer: not HTTP at all, or a malformed header.
    return { kind: 'handshake', message: `invalid HTTP answer to the handshake from ${target}: ${firstLine}` };
  }
  if (INVALID_UPGRADE.test(err.message)) {
    return { kind: 'handshake', message: `invalid WebSocket upgrade from ${target}: ${err.message}` };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || err.message === 'socket hang up') {
    return { kind: 'connect', message: `cannot connect to ${target}: connection closed during the handshake` };
  }
  if (code.startsWith('ERR_INVALID_') || err.name === 'SyntaxError') {
    return { kind: 'usage', message: err.message };
  }
  return { kind: 'connect', message: `cannot connect to ${target}: ${firstLine}${code ? ` (${code})` : ''}` };
}

/**
 * An error raised on an open connection: a protocol violation by the peer, or the socket failing.
 * `peer` names the peer in the message (a server's "client #3"); without it, "the peer".
 */
export function classifyOpenError(err: ErrorLike, peer?: string): Failure {
  if ((err.code ?? '').startsWith('WS_ERR_')) {
    const sent = err.closeCode !== undefined ? `; closing with ${err.closeCode}` : '';
    const who = peer ? `${peer} broke the protocol` : 'protocol violation by the peer';
    return { kind: 'protocol', message: `${who}: ${err.message}${sent}` };
  }
  const lost = `connection lost: ${err.message}${err.code ? ` (${err.code})` : ''}`;
  return { kind: 'lost', message: peer ? `${peer}: ${lost}` : lost };
}

/**
 * ws dropped the peer (no close frame) because `pending` of our pongs waited unread: a ping flood.
 * `side` is ours; `peer` names a server's client (`client #3`).
 */
export function pingFloodFailure(side: 'client' | 'server', pending: number, peer?: string): Failure {
  const who = side === 'client' ? 'the server' : 'the client';
  const lost = `connection lost: dropped for a ping flood (${who} sent pings without reading our pongs; ${pending} pongs waiting)`;
  return { kind: 'lost', message: peer ? `${peer}: ${lost}` : lost };
}

/** The parts of an Error (from Node or ws) the classifiers read. */
export function errorLike(err: Error, closeCode?: number): ErrorLike {
  const more = err as {
    code?: string;
    host?: unknown;
    cert?: { subjectaltname?: unknown; subject?: { CN?: unknown } };
    rawPacket?: unknown;
  };
  const like: ErrorLike = { name: err.name, code: more.code, message: err.message, closeCode };
  if (typeof more.host === 'string') like.host = more.host;
  if (more.cert) {
    const san = more.cert.subjectaltname;
    const cn = more.cert.subject?.CN;
    like.certNames = certificateNames(
      typeof san === 'string' ? san : undefined,
      typeof cn === 'string' ? cn : undefined,
    );
  }
  if (more.rawPacket instanceof Uint8Array) like.rawPacket = more.rawPacket;
  return like;
}

/** ws keeps the close code it sent for a protocol error under a symbol named "status-code". */
export function sentCloseCode(err: Error): number | undefined {
  const key = Object.getOwnPropertySymbols(err).find((s) => s.description === 'status-code');
  const value = key ? (err as unknown as Record<symbol, unknown>)[key] : undefined;
  return typeof value === 'number' ? value : undefined;
}
