import { describe, expect, it } from 'vitest';
import { type Rendered, render, type SessionEvent } from '../../src/output/events.js';
import { createPipeRenderer, type PipeOptions } from '../../src/output/pipe.js';
import * as f from './fixtures.js';

const DEFAULTS: PipeOptions = {
  quiet: false,
  verbose: 0,
  showPingPong: false,
  showSecrets: false,
  binaryOutput: 'raw',
  separator: '\n',
};

function pipe(e: SessionEvent, options: Partial<PipeOptions> = {}): Rendered | null {
  return render(createPipeRenderer({ ...DEFAULTS, ...options }), e);
}

const ERROR =
  'wsprobe: cannot connect to ws://127.0.0.1:9/: connection refused (ECONNREFUSED) (is the server running?)\n';

describe('pipe renderer: stdout carries incoming payloads only', () => {
  it.each<[string, SessionEvent, Rendered]>([
    ['an incoming text message and the separator', f.textIn, { out: Buffer.from('hello\n') }],
    [
      'an incoming text message verbatim, control characters included',
      f.textInHostile,
      { out: Buffer.from('line 1\nline 2 \x1b[2J\x07\n') },
    ],
    ['an empty text message as just the separator', { ...f.textIn, data: Buffer.alloc(0) }, { out: Buffer.from('\n') }],
  ])('writes %s', (_, e, expected) => {
    expect(pipe(e)).toEqual(expected);
  });

  it.each([
    ['NUL', '\0', 'hello\0'],
    ['an empty separator', '', 'hello'],
    ['CRLF', '\r\n', 'hello\r\n'],
    ['a custom string', ' | ', 'hello | '],
  ])('writes the separator %s after a text message', (_, separator, out) => {
    // The message's bytes as they came (ws checked they are UTF-8), then the separator's.
    expect(pipe(f.textIn, { separator })).toEqual({ out: Buffer.from(out) });
  });

  it.each([
    ['a separator', '\n'],
    ['no separator', ''],
  ])('writes a text message as the bytes that came (multi-byte UTF-8, 72 KiB), then %s', (_, separator) => {
    const data = Buffer.from('é€😀'.repeat(8192));
    const r = pipe({ ...f.textIn, data }, { separator });
    expect(Buffer.isBuffer(r?.out)).toBe(true);
    expect(r?.out).toEqual(Buffer.concat([data, Buffer.from(separator)]));
  });

  it.each<[string, SessionEvent]>([
    ['an outgoing text message', f.textOut],
    ['an outgoing binary message', f.binaryOut],
  ])('writes nothing for %s', (_, e) => {
    expect(pipe(e)).toBeNull();
    expect(pipe(e, { verbose: 2, binaryOutput: 'hex' })).toBeNull();
  });

  it('writes an incoming binary message as the raw bytes without a separator with --binary-output raw', () => {
    const r = pipe(f.binaryIn, { binaryOutput: 'raw' });
    expect(Buffer.isBuffer(r?.out)).toBe(true);
    expect(r).toEqual({ out: Buffer.from([0x00, 0x01, 0xff]) });
  });

  it('writes an incoming binary message as hex and the separator with --binary-output hex', () => {
    expect(pipe(f.binaryIn, { binaryOutput: 'hex' })).toEqual({ out: '0001ff\n' });
  });

  it('writes an incoming binary message as base64 and the separator with --binary-output base64', () => {
    expect(pipe(f.binaryIn, { binaryOutput: 'base64', separator: '\0' })).toEqual({ out: 'AAH/\0' });
  });

  it.each<[string, SessionEvent]>(
    Object.entries(f).filter(
      // A received Socket.IO event is a payload too: one JSON array line (test/unit/socketio.test.ts).
      (entry): entry is [string, SessionEvent] =>
        typeof entry[1] === 'object' && entry[1].event !== 'message' && entry[1].event !== 'socketio',
    ),
  )('never writes %s to stdout, at any verbosity', (_, e) => {
    expect(pipe(e, { verbose: 2, showPingPong: true })?.out).toBeUndefined();
  });
});

describe('pipe renderer: status on stderr, plain', () => {
  it.each<[string, SessionEvent, Rendered | null]>([
    ['nothing for connecting', f.connecting, null],
    ['nothing for the request', f.request, null],
    ['nothing for a 101 response', f.response101, null],
    [
      'a rejected handshake with headers and the escaped start of its body',
      f.response401,
      {
        err:
          '< HTTP/1.1 401 Unauthorized\n' +
          '< WWW-Authenticate: Basic realm="chat"\n' +
          '< Content-Type: text/plain\n' +
          '\n' +
          'login first\n' +
          'bad \\x1b[2Jtoken…\n',
      },
    ],
    [
      'the open line',
      f.open,
      { err: 'connected to ws://127.0.0.1:8080/chat (subprotocol: chat, extensions: permessage-deflate)\n' },
    ],
    ['nothing for a ping without -P', f.pingIn, null],
    ['nothing for a pong without -P', f.pongIn, null],
    [
      'a close by the server',
      f.closeByServer,
      { err: 'closed 1000 (Normal Closure) by server, reason "bye", clean\n' },
    ],
    [
      'a close with an escaped one-line reason',
      f.closeByServer4001,
      { err: 'closed 4001 (Private Use) by server, reason "kicked\\x1b[2J\\nout", clean\n' },
    ],
    ['a close by the client', f.closeByClient, { err: 'closed 1000 (Normal Closure) by client, clean\n' }],
    ['a lost connection', f.closeLost, { err: 'connection lost: 1006 (Abnormal Closure), no close frame\n' }],
    ['an error with its hint', f.error, { err: ERROR }],
    ['an escaped error without a hint', f.errorNoHint, { err: 'wsprobe: expected "pong"\\x1b[2J\n' }],
    ['the listening line', f.listening, { err: 'listening on ws://127.0.0.1:40123\n' }],
    ['nothing for a connection (its line comes with open)', f.connection, null],
    [
      "a server's client in one line",
      f.clientOpen,
      { err: '[#3] connected from 127.0.0.1:51234 to /chat?token=**** (subprotocol chat, permessage-deflate)\n' },
    ],
    ['nothing for a relayed message (what we send is not output)', f.relayedToOne, null],
    ['nothing for the summary', f.summary, null],
  ])('writes %s', (_, e, expected) => {
    expect(pipe(e)).toEqual(expected);
  });

  it('prefixes a server status line with the client id', () => {
    expect(pipe({ ...f.closeByClient, conn: 3 })).toEqual({
      err: '[#3] closed 1000 (Normal Closure) by client, clean\n',
    });
  });

  it('writes connecting, the request and the 101 response with -v, secrets masked', () => {
    expect(pipe(f.connecting, { verbose: 1 })).toEqual({ err: 'connecting to ws://127.0.0.1:8080/chat\n' });
    expect(pipe(f.request, { verbose: 1 })).toEqual({
      err:
        '> GET /chat HTTP/1.1\n' +
        '> Host: 127.0.0.1:8080\n' +
        '> Upgrade: websocket\n' +
        '> Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n' +
        '> Authorization: Basic ****\n' +
        '> Cookie: ****\n',
    });
    expect(pipe(f.response101, { verbose: 1 })).toEqual({
      err:
        '< HTTP/1.1 101 Switching Protocols\n' +
        '< Upgrade: websocket\n' +
        '< Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n' +
        '< Set-Cookie: ****\n',
    });
  });

  it('shows secret header values with --show-secrets', () => {
    const request = pipe(f.request, { verbose: 1, showSecrets: true })?.err;
    expect(request).toContain('> Authorization: Basic dXNlcjpwYXNz\n');
    expect(request).toContain('> Cookie: session=abc\n');
    expect(pipe(f.response101, { verbose: 1, showSecrets: true })?.err).toContain('< Set-Cookie: id=1; HttpOnly\n');
  });

  it.each<[string, SessionEvent, string]>([
    ['an incoming ping', f.pingIn, 'ping in 0 bytes\n'],
    ['an outgoing ping', f.pingOut, 'ping out 2 bytes\n'],
    ['a pong with its round trip', f.pongIn, 'pong in 2 bytes, rtt 12.3 ms\n'],
  ])('writes %s with -P', (_, e, err) => {
    expect(pipe(e, { showPingPong: true })).toEqual({ err });
  });
});

describe('pipe renderer with -q', () => {
  it.each<[string, SessionEvent]>([
    ['connecting', f.connecting],
    ['the request', f.request],
    ['the 101 response', f.response101],
    ['open', f.open],
    ['a ping', f.pingIn],
    ['a pong', f.pongIn],
    ['a close', f.closeByServer],
    ['a lost connection', f.closeLost],
    ['a connection', f.connection],
  ])('hides %s even with -v and -P', (_, e) => {
    expect(pipe(e, { quiet: true, verbose: 1, showPingPong: true })).toBeNull();
  });

  it.each<[string, SessionEvent, Rendered]>([
    ['errors', f.error, { err: ERROR }],
    ['the listening line', f.listening, { err: 'listening on ws://127.0.0.1:40123\n' }],
    ['incoming messages', f.textIn, { out: Buffer.from('hello\n') }],
  ])('still writes %s', (_, e, expected) => {
    expect(pipe(e, { quiet: true })).toEqual(expected);
  });
});

describe('pipe renderer: a rejected handshake is part of the error report', () => {
  it('still shows the 401 status line and headers with -q', () => {
    const r = pipe(f.response401, { quiet: true });
    expect(r?.err).toContain('< HTTP/1.1 401 Unauthorized\n');
  });

  it('hides the 101 answer with -q even at -v', () => {
    expect(pipe(f.response101, { quiet: true, verbose: 1 })).toBeNull();
  });
});

describe('pipe renderer: -t', () => {
  it('prefixes status lines on stderr with the time, and never the payload on stdout', () => {
    const status = pipe(f.closeByServer, { timestamps: true });
    expect(status?.err).toMatch(/^\d\d:\d\d:\d\d\.\d{3} closed 1000/);
    expect(pipe(f.textIn, { timestamps: true })).toEqual({ out: Buffer.from('hello\n') });
  });
});

describe('pipe: interrupted', () => {
  it('is one status line on stderr, silenced by -q', () => {
    expect(pipe(f.interrupted)).toEqual({ err: 'interrupted (Ctrl+C, SIGINT)\n' });
    expect(pipe(f.interrupted, { quiet: true })).toBeNull();
  });
});
