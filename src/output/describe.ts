/** Plain-text descriptions shared by the renderers. Pure; colour is applied on top by `pretty`. */
import { closeCodeName } from '../protocol/close-codes.js';
import type {
  CloseEvent,
  CompareEvent,
  ErrorEvent,
  ExecExitEvent,
  ExecStartEvent,
  ExecStderrEvent,
  FrameEvent,
  HeaderList,
  InterruptedEvent,
  MessageEvent,
  NothingReceivedEvent,
  OpenEvent,
  ProxySide,
  ReconnectingEvent,
  ReplayEvent,
  ReplayPayload,
  RequestEvent,
  ResponseEvent,
  SessionEvent,
  TlsEvent,
} from './events.js';
import { escapeControl, maskHeaderValue, maskPath, maskSecretsInText, maskUrl } from './sanitize.js';

/** A URL as shown on one line: its password and token-like parameters masked unless `showSecrets`. */
export function urlText(url: string, showSecrets = false): string {
  return escapeControl(showSecrets ? url : maskUrl(url), false);
}

/** Running text that may hold URLs (an error message, a reason), as shown on one line. */
export function secretSafeText(text: string, showSecrets = false): string {
  return escapeControl(showSecrets ? text : maskSecretsInText(text), false);
}

export function openText(e: OpenEvent, showSecrets = false): string {
  return `connected to ${urlText(e.url, showSecrets)} (subprotocol: ${escapeControl(e.protocol, false) || 'none'}, extensions: ${escapeControl(e.extensions, false) || 'none'})`;
}

/**
 * A server's client, once its handshake is done: one line with where it came from, the path it asked
 * for and what was agreed — `connected from 127.0.0.1:51234 to /chat (subprotocol chat, permessage-deflate)`.
 */
export function clientOpenText(e: OpenEvent, showSecrets = false): string {
  const path = e.url.replace(/^[a-z]+:\/\/[^/]*/i, '') || '/';
  const agreed = [
    e.protocol ? `subprotocol ${escapeControl(e.protocol, false)}` : '',
    // The extensions by name; their parameters are in the 101 answer (`-v`).
    ...e.extensions.split(',').map((ext) => escapeControl(ext.split(';')[0], false).trim()),
  ].filter(Boolean);
  const shownPath = escapeControl(showSecrets ? path : maskPath(path), false);
  return `connected from ${escapeControl(e.remote ?? '?', false)} to ${shownPath}${agreed.length ? ` (${agreed.join(', ')})` : ''}`;
}

/**
 * `proxy`: which way a message, ping or pong went — `client>upstream` and `upstream>client` for what
 * was relayed (it came in on `side`), `proxy>client` and `proxy>upstream` for what was injected.
 */
export function flowOf(e: { side?: ProxySide; dir: 'in' | 'out' }): string | undefined {
  if (e.side === undefined) return undefined;
  if (e.dir === 'out') return `proxy>${e.side}`;
  return e.side === 'client' ? 'client>upstream' : 'upstream>client';
}

/** `proxy`: the label after `[#id]` — the flow of a message, ping or pong; the side of anything else. */
export function sideLabel(e: SessionEvent): string {
  if (e.side === undefined) return '';
  if (e.event === 'message' || e.event === 'ping' || e.event === 'pong') {
    return `${flowOf(e)!.replace('>', ' → ')} `;
  }
  return `${e.side}: `;
}

/** Who a server's message came from and went to, after its text: `  (from #1, to 3 clients)`. */
export function messageNote(e: MessageEvent): string {
  const parts: string[] = [];
  if (e.rule !== undefined) parts.push(`rule ${e.rule}`);
  if (e.from !== undefined) parts.push(`from #${e.from}`);
  if (e.to !== undefined) parts.push(`to ${e.to.length} client${e.to.length === 1 ? '' : 's'}`);
  return parts.length ? `  (${parts.join(', ')})` : '';
}

export function closeText(e: CloseEvent): string {
  const name = closeCodeName(e.code);
  if (e.by === 'none') return `connection lost: ${e.code} (${name}), no close frame`;
  const reason = e.reason ? `, reason "${escapeControl(e.reason, false)}"` : '';
  return `closed ${e.code} (${name}) by ${e.by}${reason}, ${e.clean ? 'clean' : 'not clean'}`;
}

const OPCODE_WIDTH = 'continuation'.length;

/**
 * The columns before the length (`< text         FIN RSV1 MASK `), made once per direction, flags and
 * opcode name: -vv writes a line per frame, and a session has a handful of kinds.
 */
const FRAME_HEADS: ReadonlyArray<Map<string, string>> = Array.from({ length: 16 }, () => new Map());

/** `< text         FIN RSV1 MASK  10240 bytes` — the columns of the -vv view. */
export function frameText(e: FrameEvent): string {
  const heads = FRAME_HEADS[(e.dir === 'in' ? 1 : 0) | (e.fin ? 2 : 0) | (e.rsv1 ? 4 : 0) | (e.masked ? 8 : 0)];
  let head = heads.get(e.opcodeName);
  if (head === undefined) {
    const flag = (on: boolean, name: string) => (on ? name : '-'.repeat(name.length));
    head = `${e.dir === 'in' ? '<' : '>'} ${e.opcodeName.padEnd(OPCODE_WIDTH)} ${flag(e.fin, 'FIN')} ${flag(e.rsv1, 'RSV1')} ${flag(e.masked, 'MASK')} `;
    // Opcode names come from a table; anything else is not kept.
    if (heads.size < 16) heads.set(e.opcodeName, head);
  }
  const close = e.closeCode !== undefined ? ` code ${e.closeCode}` : '';
  return `${head}${String(e.length).padStart(8)} bytes${close}`;
}

/** `2026-12-02 03:13:00 UTC` from an ISO time (as curl shows certificate dates). */
function dateText(iso: string): string {
  return escapeControl(iso, false)
    .replace('T', ' ')
    .replace(/(\.\d+)?Z$/, ' UTC');
}

/**
 * `-v` over wss://, after the TLS handshake, as curl -v shows it (the renderer puts `* ` before each
 * line). Every name in the certificate is the peer's: escaped.
 */
export function tlsLines(e: TlsEvent): string[] {
  const lines = [
    `TLS connection using ${escapeControl(e.protocol, false)} / ${escapeControl(e.cipher, false)}, ALPN: ${e.alpn === null ? 'none' : escapeControl(e.alpn, false)}`,
  ];
  const cert = e.certificate;
  if (cert) {
    lines.push(
      'server certificate:',
      ` subject: ${escapeControl(cert.subject, false) || '(empty)'}`,
      ` subjectAltName: ${cert.altNames.map((n) => escapeControl(n, false)).join(', ') || 'none'}`,
      ` issuer: ${escapeControl(cert.issuer, false) || '(empty)'}`,
      ` start date: ${dateText(cert.validFrom)}`,
      ` expire date: ${dateText(cert.validTo)}`,
      ` SHA-256 fingerprint: ${escapeControl(cert.fingerprint256, false)}`,
    );
  }
  lines.push(
    e.verified
      ? ' certificate verified'
      : ` certificate NOT verified (-k)${e.verifyError ? `: ${escapeControl(e.verifyError, false)}` : ''}`,
  );
  return lines;
}

/** -L: the line between a 3xx answer and the request it leads to. */
export function redirectText(url: string, showSecrets = false): string {
  return `following redirect to ${urlText(url, showSecrets)}`;
}

/** -w ended a session in which nothing arrived: the one hint line. */
export function nothingReceivedText(e: NothingReceivedEvent): string {
  const after = e.sent > 0 ? ' after sending' : '';
  return `wsprobe: nothing received within ${e.waitMs / 1000} s${after}; wait longer with -w SECONDS or keep the connection open with --keep-open`;
}

export function reconnectText(e: ReconnectingEvent, showSecrets = false): string {
  const of = e.of !== undefined ? ` of ${e.of}` : '';
  return `${secretSafeText(e.reason, showSecrets)}; reconnecting in ${(e.delayMs / 1000).toFixed(1)} s (attempt ${e.attempt}${of})`;
}

const SIGNAL_WORDS: Readonly<Record<string, string>> = {
  SIGINT: 'Ctrl+C, SIGINT',
  SIGTERM: 'SIGTERM',
  SIGHUP: 'SIGHUP, the terminal went away',
};

export function interruptedText(e: InterruptedEvent): string {
  return `interrupted (${SIGNAL_WORDS[e.signal] ?? e.signal})`;
}

/** The one error line. Messages quote URLs and what was typed: passwords and tokens are masked in them. */
export function errorText(e: ErrorEvent, showSecrets = false): string {
  const hint = e.hint ? ` (${secretSafeText(e.hint, showSecrets)})` : '';
  return `wsprobe: ${secretSafeText(e.message, showSecrets)}${hint}`;
}

/** `GET /chat?token=**** HTTP/1.1`; a server shows what a client sent, so it is escaped. */
export function requestLine(e: RequestEvent, showSecrets = false): string {
  const path = showSecrets ? e.path : maskPath(e.path);
  return `${escapeControl(e.method, false)} ${escapeControl(path, false)} HTTP/${escapeControl(e.httpVersion, false)}`;
}

export function statusLine(e: ResponseEvent): string {
  return `HTTP/${escapeControl(e.httpVersion, false)} ${e.status} ${escapeControl(e.statusText, false)}`;
}

export function headerLines(headers: HeaderList, showSecrets: boolean): Array<[string, string]> {
  return headers.map(([name, value]) => [
    escapeControl(name, false),
    escapeControl(showSecrets ? value : maskHeaderValue(name, value), false),
  ]);
}

/** The start of a rejected handshake's body, as printable text. */
export function bodyPreview(e: ResponseEvent): string | null {
  if (!e.body || e.body.length === 0) return null;
  const text = escapeControl(e.body.toString('utf8'));
  return e.bodyTruncated ? `${text}…` : text;
}

export function clock(time: number): string {
  const d = new Date(time);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Headers as a JSON object: lower-case names; repeated names joined with ", ". */
export function headerObject(headers: HeaderList, showSecrets: boolean): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const shown = showSecrets ? value : maskHeaderValue(name, value);
    result[key] = key in result ? `${result[key]}, ${shown}` : shown;
  }
  return result;
}

/** The client's mark for a handshake line, reversed for a server's events (they carry `conn`). */
export function inMark(e: SessionEvent, clientMark: '>' | '<'): '>' | '<' {
  // A proxy's upstream connection is ours as a client.
  if (e.conn === undefined || e.side === 'upstream') return clientMark;
  return clientMark === '>' ? '<' : '>';
}

/** `--exec`: `started cat -n (pid 4242)`. */
export function execStartText(e: ExecStartEvent): string {
  return `program started: ${escapeControl(e.command, false)} (pid ${e.pid})`;
}

/** `--exec`: `program exited: exit 3 (pid 4242, 1.2 s)`; `signal SIGTERM` for one we ended. */
export function execExitText(e: ExecExitEvent): string {
  const how = e.signal ? `signal ${e.signal}` : `exit ${e.code ?? 0}`;
  return `program exited: ${how} (pid ${e.pid}, ${(e.durationMs / 1000).toFixed(1)} s)`;
}

/** `--exec`: one line of the program's stderr, escaped: `stderr: …`. */
export function execStderrText(e: ExecStderrEvent): string {
  return `stderr: ${escapeControl(e.data.toString('utf8'), false)}`;
}

/** A message of a replay on one line: text quoted and escaped (cut past 60 characters), binary by size. */
export function replayPayloadText(p: ReplayPayload): string {
  if (p.binary) return `binary ${p.data.length} bytes`;
  const text = p.data.toString('utf8');
  return escapeControl(JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text), false);
}

/** `replay`: a comparison that was not equal, the lines that show it (an equal one shows nothing). */
export function compareLines(e: CompareEvent): string[] {
  const to = e.answered ? ` (answer to sent message #${e.after} ${replayPayloadText(e.answered)})` : '';
  const expected = e.expected ? replayPayloadText(e.expected) : '';
  const actual = e.actual ? replayPayloadText(e.actual) : '';
  switch (e.result) {
    case 'equal':
      return [`reply #${e.index}${to} as recorded`];
    case 'differing':
      return [
        `reply #${e.index}${to} differs:`,
        `  - ${expected}`,
        `  + ${actual}`,
        ...(e.diff ?? []).map((d) => `  ${escapeControl(d, false)}`),
      ];
    case 'missing':
      return [`reply #${e.index}${to} missing: expected ${expected}`];
    case 'extra':
      return [`reply #${e.index} extra (not in the recording): ${actual}`];
    case 'unexpected':
      return [
        `unexpected message #${e.index} ${actual}; ` +
          (e.expected ? `the recording has ${expected} here` : 'the recording has no more client messages'),
      ];
  }
}

/** `replay`: the verdict line. */
export function replayText(e: ReplayEvent): string {
  if (e.matched) return `replay: the conversation matched the recording (${e.equal} of ${e.expected} replies)`;
  const counts = `${e.equal} equal, ${e.differing} differing, ${e.missing} missing, ${e.extra} extra`;
  return `replay: the conversation did not match the recording: ${counts}; first at reply #${e.first}`;
}
