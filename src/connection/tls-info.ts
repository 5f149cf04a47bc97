/**
 * What `-v` shows about a wss:// connection once its TLS handshake is done, as curl -v does: the TLS
 * version, cipher, ALPN, and the server's certificate (subject, names, issuer, validity). Read from the
 * socket; shown (escaped) by the renderers. Also the probe that tells a TLS server behind a ws:// URL.
 */
import { isIP } from 'node:net';
import { connect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { CertificateInfo, TlsEvent } from '../output/events.js';
import { certificateProblem } from '../protocol/failures.js';

type Fields = Omit<TlsEvent, 'event' | 'time' | 'conn'>;

/** `CN=localhost, O=Example` from Node's object of a certificate's distinguished name. */
function distinguishedName(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${key}=${String(v)}`))
    .join(', ');
}

/** Node's `Dec  2 03:13:00 2026 GMT` as ISO 8601 (as given when it cannot be read). */
function isoDate(text: string): string {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}

export function certificateInfo(cert: PeerCertificate): CertificateInfo {
  return {
    subject: distinguishedName(cert.subject),
    // The names as the certificate types them (DNS:, IP Address:), as curl and openssl show them.
    altNames: cert.subjectaltname ? cert.subjectaltname.split(', ') : [],
    issuer: distinguishedName(cert.issuer),
    validFrom: isoDate(cert.valid_from),
    validTo: isoDate(cert.valid_to),
    fingerprint256: cert.fingerprint256,
  };
}

/** The TLS facts of a connected socket (after `secureConnect`). */
export function tlsInfo(socket: TLSSocket): Fields {
  const cipher = socket.getCipher();
  const cert = socket.getPeerCertificate();
  const problem = socket.authorizationError;
  const fields: Fields = {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
    alpn: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : null,
    verified: socket.authorized,
  };
  if (!socket.authorized && problem) {
    const code = typeof problem === 'string' ? problem : ((problem as { code?: string }).code ?? problem.message);
    const words = certificateProblem(code);
    fields.verifyError = words === code ? code : `${words} (${code})`;
  }
  if (cert && Object.keys(cert).length > 0) fields.certificate = certificateInfo(cert);
  return fields;
}

/** TLS alerts mean a TLS server answered (it refused us, but it speaks TLS). */
function isAlert(err: Error): boolean {
  return /ALERT/.test((err as { code?: string }).code ?? '');
}

/**
 * Whether the server at `url`'s host and port answers a TLS handshake (bounded by `timeoutMs`): asked
 * when a ws:// handshake was cut off without an answer. A plain server that just closes says no.
 */
export function speaksTls(url: string, timeoutMs: number): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'ws:') return Promise.resolve(false);
    host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    port = Number(parsed.port || 80);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port, rejectUnauthorized: false, servername: isIP(host) ? undefined : host });
    let settled = false;
    const done = (yes: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(yes);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => done(true));
    socket.on('error', (err) => done(isAlert(err)));
    socket.once('close', () => done(false));
  });
}
