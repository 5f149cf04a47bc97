/**
 * Everything a session can show is one of these events. Sessions (client and servers) emit them;
 * the pretty, pipe and json renderers turn each into text. `event` is the JSON `event` key.
 */
import type { ErrorKind } from '../errors.js';
import type { DecodedPayload } from '../protocol/decode.js';
import type { ClosedBy, StopSignal } from '../protocol/outcome.js';

export type Direction = 'in' | 'out';
/** `proxy`: which connection of a pair an event belongs to — the client's to us, or ours to the upstream. */
export type ProxySide = 'client' | 'upstream';
export type HeaderList = ReadonlyArray<readonly [string, string]>;

interface Base {
  /** Milliseconds since the epoch. */
  time: number;
  /** Server sessions: the client's id. */
  conn?: number;
  /** `proxy`: the connection of the pair it happened on (a message: the one it came in on). */
  side?: ProxySide;
}

export interface ConnectingEvent extends Base {
  event: 'connecting';
  url: string;
}
export interface RequestEvent extends Base {
  event: 'request';
  method: string;
  url: string;
  /** e.g. `/chat?x=1` */
  path: string;
  httpVersion: string;
  headers: HeaderList;
}
export interface ResponseEvent extends Base {
  event: 'response';
  status: number;
  statusText: string;
  httpVersion: string;
  headers: HeaderList;
  /** First bytes of the body of a rejected handshake. */
  body?: Buffer;
  bodyTruncated?: boolean;
  /** -L: a redirect that is followed, to this URL (the next `request` goes there). */
  redirect?: string;
}
/** The server's certificate, as shown by `-v` (every string as the peer sent it: escape to show). */
export interface CertificateInfo {
  /** `CN=localhost, O=Example` */
  subject: string;
  /** `DNS:localhost`, `IP Address:127.0.0.1`, … */
  altNames: string[];
  issuer: string;
  /** ISO 8601 */
  validFrom: string;
  validTo: string;
  /** SHA-256 fingerprint, `AB:CD:…` */
  fingerprint256: string;
}
/** wss://: the TLS handshake is done (before the HTTP request is written). */
export interface TlsEvent extends Base {
  event: 'tls';
  /** `TLSv1.3` */
  protocol: string;
  /** `TLS_AES_256_GCM_SHA384` */
  cipher: string;
  /** The protocol agreed by ALPN; null when none was (a WebSocket client offers none). */
  alpn: string | null;
  /** The certificate was verified (false only with -k: then `verifyError` says what was wrong). */
  verified: boolean;
  verifyError?: string;
  certificate?: CertificateInfo;
}
export interface OpenEvent extends Base {
  event: 'open';
  url: string;
  protocol: string;
  extensions: string;
  /** Servers: the address the client came from. */
  remote?: string;
}
export interface MessageEvent extends Base {
  event: 'message';
  dir: Direction;
  data: Buffer;
  binary: boolean;
  /** `listen --broadcast`: the client whose message this is, relayed to others. */
  from?: number;
  /** `--rules`: the rule (1-based) that sent this message. */
  rule?: number;
  /**
   * Servers: one message sent to several clients (typed to all, or relayed), shown once: the ids of
   * those it went to. `conn` is then absent (a message to one client carries `conn` as usual).
   */
  to?: readonly number[];
  /** `--decode`: what the binary payload decoded to (shown in pretty mode, beside the original in json). */
  decoded?: DecodedPayload;
  /** `--decode`: why the payload did not decode (it is shown as it came, with this note). */
  decodeNote?: string;
}
export interface ControlEvent<K extends 'ping' | 'pong'> extends Base {
  event: K;
  dir: Direction;
  data: Buffer;
  /** A pong answering our ping: the round trip. */
  rttMs?: number;
}
/**
 * `connect --socketio`: one Engine.IO or Socket.IO happening — an event or an ack (with its arguments,
 * binary ones as Buffers), the Engine.IO open, a namespace connect, refusal or disconnect, a heartbeat.
 */
export interface SocketIoEvent extends Base {
  event: 'socketio';
  dir: Direction;
  type: 'event' | 'ack' | 'open' | 'connect' | 'connect-error' | 'disconnect' | 'ping' | 'pong';
  /** The namespace (`/` for the main one). */
  ns: string;
  name?: string;
  args?: readonly unknown[];
  ackId?: number;
  /** An ack answering our emit: the round trip. */
  rttMs?: number;
  /** `open`: what the Engine.IO open packet said. */
  open?: { sid: string; upgrades: string[]; pingInterval: number; pingTimeout: number; maxPayload?: number };
  /** `connect`: the namespace session id. */
  sid?: string;
  /** `connect-error`: the server's message. */
  message?: string;
}
export interface CloseEvent extends Base {
  event: 'close';
  code: number;
  reason: string;
  by: ClosedBy;
  clean: boolean;
  /**
   * A lost connection whose `error` (or `reconnecting`) event says why: the renderers that show one
   * line per happening show no line for this close (json keeps the event).
   */
  reported?: boolean;
}
export interface ErrorEvent extends Base {
  event: 'error';
  kind: ErrorKind;
  message: string;
  hint?: string;
}
/** -vv: one frame as seen on the wire (headers only). */
export interface FrameEvent extends Base {
  event: 'frame';
  dir: Direction;
  opcode: number;
  opcodeName: string;
  fin: boolean;
  /** permessage-deflate: the message is compressed (set on its first frame). */
  rsv1: boolean;
  masked: boolean;
  /** Payload length on the wire (compressed size when rsv1). */
  length: number;
  closeCode?: number;
}
/** --reconnect: the connection was lost; the next attempt starts after `delayMs`. */
export interface ReconnectingEvent extends Base {
  event: 'reconnecting';
  attempt: number;
  /** The most attempts that will be made; undefined without a limit. */
  of?: number;
  delayMs: number;
  reason: string;
}
/** -w ended the session and nothing was received in it: a hint (not shown in json or with -q). */
export interface NothingReceivedEvent extends Base {
  event: 'nothing-received';
  waitMs: number;
  /** Messages we sent (the hint says "after sending" when there were some). */
  sent: number;
}
/** A signal (Ctrl+C, SIGTERM, SIGHUP) stopped the session: not a failure, and never reported as one. */
export interface InterruptedEvent extends Base {
  event: 'interrupted';
  signal: StopSignal;
}
export interface ListeningEvent extends Base {
  event: 'listening';
  url: string;
}
export interface ConnectionEvent extends Base {
  event: 'connection';
  remote: string;
}
/** `--exec`: a program started, for one client (`conn`), for the whole server, or as our client's input. */
export interface ExecStartEvent extends Base {
  event: 'exec-start';
  pid: number;
  command: string;
}
/** `--exec`: a program ended: `code` or `signal`; `failed` unless it exited 0 or we ended it. */
export interface ExecExitEvent extends Base {
  event: 'exec-exit';
  pid: number;
  code: number | null;
  signal: string | null;
  failed: boolean;
  durationMs: number;
}
/** `--exec`: one line the program wrote to its stderr. */
export interface ExecStderrEvent extends Base {
  event: 'exec-stderr';
  pid: number;
  data: Buffer;
}
/** `replay`: a message the server sent, compared with the recording's (`unexpected`: `--serve`, a client's message). */
export interface CompareEvent extends Base {
  event: 'compare';
  /** 1-based: the server's n-th message (`unexpected`: the client's n-th). */
  index: number;
  result: 'equal' | 'differing' | 'missing' | 'extra' | 'unexpected';
  /** 1-based index of the client message it answered. */
  after?: number;
  /** That client message. */
  answered?: ReplayPayload;
  expected?: ReplayPayload;
  actual?: ReplayPayload;
  /** `data.id: 7 → 8`, `text differs at byte 12`, … */
  diff?: readonly string[];
}
export interface ReplayPayload {
  data: Buffer;
  binary: boolean;
}
/** `replay`: the verdict, once the conversation is over. */
export interface ReplayEvent extends Base {
  event: 'replay';
  matched: boolean;
  /** The server messages the recording has. */
  expected: number;
  equal: number;
  differing: number;
  missing: number;
  extra: number;
  /** The first comparison that was not equal. */
  first?: number;
}
export interface Timings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  upgradeMs?: number;
  firstMessageMs?: number;
  totalMs: number;
}
export interface SummaryEvent extends Base {
  event: 'summary';
  exitCode: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  timings: Timings;
  /** Round trips of our pings that were answered. */
  rtt?: { count: number; minMs: number; avgMs: number; maxMs: number };
  /** How the connection closed, when it had opened. */
  close?: { code: number; reason: string; by: ClosedBy };
  url?: string;
  protocol?: string;
  extensions?: string;
  /** `--filter`/`--filter-out`: received messages not shown. */
  filtered?: number;
}

export type SessionEvent =
  | ConnectingEvent
  | RequestEvent
  | ResponseEvent
  | TlsEvent
  | OpenEvent
  | MessageEvent
  | SocketIoEvent
  | ControlEvent<'ping'>
  | ControlEvent<'pong'>
  | CloseEvent
  | ErrorEvent
  | FrameEvent
  | ReconnectingEvent
  | NothingReceivedEvent
  | InterruptedEvent
  | ListeningEvent
  | ConnectionEvent
  | ExecStartEvent
  | ExecExitEvent
  | ExecStderrEvent
  | CompareEvent
  | ReplayEvent
  | SummaryEvent;

export type EventName = SessionEvent['event'];

/** What a renderer makes of one event: bytes for stdout, text for stderr, or nothing. */
export interface Rendered {
  out?: string | Buffer;
  err?: string;
}

/** The compiler insists on a formatter for every kind of event. */
export type Renderer = {
  [K in EventName]: (e: Extract<SessionEvent, { event: K }>) => Rendered | null;
};

export function render(renderer: Renderer, e: SessionEvent): Rendered | null {
  return (renderer[e.event] as (e: SessionEvent) => Rendered | null)(e);
}
