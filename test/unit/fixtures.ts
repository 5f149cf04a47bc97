/** Sample session events shared by the renderer tests, and the defaults of the client's option objects. */
import type {
  CloseEvent,
  CompareEvent,
  ConnectingEvent,
  ConnectionEvent,
  ControlEvent,
  ErrorEvent,
  ExecExitEvent,
  ExecStartEvent,
  ExecStderrEvent,
  FrameEvent,
  InterruptedEvent,
  ListeningEvent,
  MessageEvent,
  NothingReceivedEvent,
  OpenEvent,
  ReconnectingEvent,
  ReplayEvent,
  RequestEvent,
  ResponseEvent,
  SocketIoEvent,
  SummaryEvent,
  TlsEvent,
} from '../../src/output/events.js';
import type { EndRules } from '../../src/protocol/end-policy.js';
import type { ClientOptions } from '../../src/session/client.js';

/** 2025-01-02T03:04:05.678Z */
export const TIME = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
export const ISO_TIME = '2025-01-02T03:04:05.678Z';

export const connecting: ConnectingEvent = { event: 'connecting', time: TIME, url: 'ws://127.0.0.1:8080/chat' };

export const request: RequestEvent = {
  event: 'request',
  time: TIME,
  method: 'GET',
  url: 'ws://127.0.0.1:8080/chat',
  path: '/chat',
  httpVersion: '1.1',
  headers: [
    ['Host', '127.0.0.1:8080'],
    ['Upgrade', 'websocket'],
    ['Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ=='],
    ['Authorization', 'Basic dXNlcjpwYXNz'],
    ['Cookie', 'session=abc'],
  ],
};

export const response101: ResponseEvent = {
  event: 'response',
  time: TIME,
  status: 101,
  statusText: 'Switching Protocols',
  httpVersion: '1.1',
  headers: [
    ['Upgrade', 'websocket'],
    ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='],
    ['Set-Cookie', 'id=1; HttpOnly'],
  ],
};

export const response401: ResponseEvent = {
  event: 'response',
  time: TIME,
  status: 401,
  statusText: 'Unauthorized',
  httpVersion: '1.1',
  headers: [
    ['WWW-Authenticate', 'Basic realm="chat"'],
    ['Content-Type', 'text/plain'],
  ],
  body: Buffer.from('login first\nbad \x1b[2Jtoken'),
  bodyTruncated: true,
};

export const open: OpenEvent = {
  event: 'open',
  time: TIME,
  url: 'ws://127.0.0.1:8080/chat',
  protocol: 'chat',
  extensions: 'permessage-deflate',
};

export const openPlain: OpenEvent = { ...open, protocol: '', extensions: '' };
/** A server's client, its handshake done: where it came from, the path, what was agreed. */
export const clientOpen: OpenEvent = {
  ...open,
  conn: 3,
  url: 'ws://127.0.0.1:8080/chat?token=abc',
  extensions: 'permessage-deflate; client_max_window_bits=15',
  remote: '127.0.0.1:51234',
};

export const textIn: MessageEvent = {
  event: 'message',
  time: TIME,
  dir: 'in',
  data: Buffer.from('hello'),
  binary: false,
};
export const textOut: MessageEvent = { ...textIn, dir: 'out', data: Buffer.from('hi there') };
/** Two lines, the second carrying an escape sequence a hostile server might send. */
export const textInHostile: MessageEvent = { ...textIn, data: Buffer.from('line 1\nline 2 \x1b[2J\x07') };
export const binaryIn: MessageEvent = {
  event: 'message',
  time: TIME,
  dir: 'in',
  data: Buffer.from([0x00, 0x01, 0xff]),
  binary: true,
};
export const binaryOut: MessageEvent = { ...binaryIn, dir: 'out', data: Buffer.from('AB') };
/** `listen --broadcast`: client #1's message relayed to client #2 alone. */
export const relayedToOne: MessageEvent = { ...textOut, conn: 2, from: 1, data: Buffer.from('hello') };
/** A typed line that went to three clients, shown once. */
export const toThree: MessageEvent = { ...textOut, data: Buffer.from('hello'), to: [1, 2, 4] };
/** Client #4's binary message relayed to two others. */
export const relayedBinary: MessageEvent = { ...binaryOut, from: 4, to: [1, 2] };

export const pingIn: ControlEvent<'ping'> = { event: 'ping', time: TIME, dir: 'in', data: Buffer.alloc(0) };
export const pingOut: ControlEvent<'ping'> = { event: 'ping', time: TIME, dir: 'out', data: Buffer.from('hb') };
export const pongIn: ControlEvent<'pong'> = {
  event: 'pong',
  time: TIME,
  dir: 'in',
  data: Buffer.from('hb'),
  rttMs: 12.3456,
};

export const closeByServer: CloseEvent = {
  event: 'close',
  time: TIME,
  code: 1000,
  reason: 'bye',
  by: 'server',
  clean: true,
};
export const closeByServer4001: CloseEvent = { ...closeByServer, code: 4001, reason: 'kicked\x1b[2J\nout' };
export const closeByClient: CloseEvent = {
  event: 'close',
  time: TIME,
  code: 1000,
  reason: '',
  by: 'client',
  clean: true,
};
export const closeLost: CloseEvent = { event: 'close', time: TIME, code: 1006, reason: '', by: 'none', clean: false };

export const error: ErrorEvent = {
  event: 'error',
  time: TIME,
  kind: 'connect',
  message: 'cannot connect to ws://127.0.0.1:9/: connection refused (ECONNREFUSED)',
  hint: 'is the server running?',
};
export const errorNoHint: ErrorEvent = {
  event: 'error',
  time: TIME,
  kind: 'expect',
  message: 'expected "pong"\x1b[2J',
};

export const listening: ListeningEvent = { event: 'listening', time: TIME, url: 'ws://127.0.0.1:40123' };
export const connection: ConnectionEvent = { event: 'connection', time: TIME, conn: 1, remote: '127.0.0.1:51234' };

export const summary: SummaryEvent = {
  event: 'summary',
  time: TIME,
  exitCode: 0,
  messagesIn: 3,
  messagesOut: 2,
  bytesIn: 15,
  bytesOut: 10,
  timings: { connectMs: 1.5, upgradeMs: 2, totalMs: 1003 },
};

export const interrupted: InterruptedEvent = { event: 'interrupted', time: TIME, signal: 'SIGINT' };

/** wss:// with -v: a certificate whose names carry escapes (a hostile server's). */
export const tls: TlsEvent = {
  event: 'tls',
  time: TIME,
  protocol: 'TLSv1.3',
  cipher: 'TLS_AES_256_GCM_SHA384',
  alpn: null,
  verified: true,
  certificate: {
    subject: 'CN=localhost\x1b[2J',
    altNames: ['DNS:localhost', 'IP Address:127.0.0.1'],
    issuer: 'CN=wsprobe test CA',
    validFrom: '2025-01-01T00:00:00.000Z',
    validTo: '2025-01-03T00:00:00.000Z',
    fingerprint256: 'AB:CD',
  },
};

export const nothingReceived: NothingReceivedEvent = { event: 'nothing-received', time: TIME, waitMs: 2000, sent: 1 };

export const reconnecting: ReconnectingEvent = {
  event: 'reconnecting',
  time: TIME,
  attempt: 2,
  of: 3,
  delayMs: 480,
  reason: 'connection lost',
};

export const frameIn: FrameEvent = {
  event: 'frame',
  time: TIME,
  dir: 'in',
  opcode: 1,
  opcodeName: 'text',
  fin: false,
  rsv1: true,
  masked: false,
  length: 1234,
};

/** --socketio: an event with a binary argument and an ack id, on a namespace. */
export const socketioEventIn: SocketIoEvent = {
  event: 'socketio',
  time: TIME,
  dir: 'in',
  type: 'event',
  ns: '/admin',
  name: 'chat',
  args: ['hi', { from: 'ann' }, Buffer.from([1, 2, 3])],
  ackId: 4,
};

/** --exec: a client's program started, failed, and wrote to its stderr. */
export const execStart: ExecStartEvent = { event: 'exec-start', time: TIME, conn: 3, pid: 4242, command: 'cat -n' };
export const execExitFailed: ExecExitEvent = {
  event: 'exec-exit',
  time: TIME,
  conn: 3,
  pid: 4242,
  code: 3,
  signal: null,
  failed: true,
  durationMs: 1234,
};
export const execStderr: ExecStderrEvent = {
  event: 'exec-stderr',
  time: TIME,
  conn: 3,
  pid: 4242,
  data: Buffer.from('warning: \x1b[2Jlow disk'),
};

/** replay: a reply that differs from the recording's, and the verdict. */
export const compareDiffering: CompareEvent = {
  event: 'compare',
  time: TIME,
  index: 2,
  result: 'differing',
  after: 2,
  answered: { data: Buffer.from('{"op":"get"}'), binary: false },
  expected: { data: Buffer.from('{"id":7,"ts":1}'), binary: false },
  actual: { data: Buffer.from('{"id":8,"ts":2}'), binary: false },
  diff: ['id: 7 → 8'],
};
export const replayMismatch: ReplayEvent = {
  event: 'replay',
  time: TIME,
  matched: false,
  expected: 3,
  equal: 2,
  differing: 1,
  missing: 0,
  extra: 0,
  first: 2,
};

/** The end rules of a plain `connect` (-w 1 s, close 1000), with `over` changed. */
export const endRules = (over: Partial<EndRules> = {}): EndRules => ({
  waitMs: 1000,
  waitGiven: false,
  keepOpen: false,
  expect: [],
  closeCode: 1000,
  closeReason: '',
  interactive: false,
  ...over,
});

/** A client's connection options to `url` (deflate offered, 1 MiB messages), with `over` changed. */
export const clientOptions = (url: string, over: Partial<ClientOptions> = {}): ClientOptions => ({
  url,
  headers: [],
  subprotocols: [],
  deflate: true,
  protocolVersion: 13,
  maxPayload: 1024 * 1024,
  connectTimeoutMs: 5000,
  closeTimeoutMs: 3000,
  ...over,
});
