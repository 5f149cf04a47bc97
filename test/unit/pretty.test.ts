import { stripVTControlCharacters } from 'node:util';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { type Rendered, render, type SessionEvent } from '../../src/output/events.js';
import { createPrettyRenderer, type PrettyOptions } from '../../src/output/pretty.js';
import * as f from './fixtures.js';

const DEFAULTS: PrettyOptions = {
  chalk: new Chalk({ level: 0 }),
  verbose: 0,
  showPingPong: false,
  timestamps: false,
  maxDisplay: 256,
  showSecrets: false,
  quiet: false,
};

function pretty(e: SessionEvent, options: Partial<PrettyOptions> = {}): Rendered | null {
  return render(createPrettyRenderer({ ...DEFAULTS, ...options }), e);
}

const REQUEST_LINES = [
  '> GET /chat HTTP/1.1',
  '> Host: 127.0.0.1:8080',
  '> Upgrade: websocket',
  '> Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
];
const RESPONSE_101_LINES = [
  '< HTTP/1.1 101 Switching Protocols',
  '< Upgrade: websocket',
  '< Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
];
const RESPONSE_401 =
  '< HTTP/1.1 401 Unauthorized\n' +
  '< WWW-Authenticate: Basic realm="chat"\n' +
  '< Content-Type: text/plain\n' +
  '\n' +
  'login first\n' +
  'bad \\x1b[2Jtoken…\n';
const ERROR =
  'wsprobe: cannot connect to ws://127.0.0.1:9/: connection refused (ECONNREFUSED) (is the server running?)\n';

describe('pretty renderer at colour level 0, default verbosity', () => {
  it.each<[string, SessionEvent, Rendered | null]>([
    ['nothing for connecting', f.connecting, null],
    ['nothing for the request', f.request, null],
    ['nothing for a 101 response', f.response101, null],
    [
      'a rejected handshake with its body, escaped and marked truncated, on stderr',
      f.response401,
      { err: RESPONSE_401 },
    ],
    [
      'the open line with subprotocol and extensions',
      f.open,
      { out: 'connected to ws://127.0.0.1:8080/chat (subprotocol: chat, extensions: permessage-deflate)\n' },
    ],
    [
      'none for a missing subprotocol and extensions',
      f.openPlain,
      { out: 'connected to ws://127.0.0.1:8080/chat (subprotocol: none, extensions: none)\n' },
    ],
    ['an incoming text message after <', f.textIn, { out: '< hello\n' }],
    ['an outgoing text message after >', f.textOut, { out: '> hi there\n' }],
    [
      'a multi-line message with continuation lines indented and control characters escaped',
      f.textInHostile,
      { out: '< line 1\n  line 2 \\x1b[2J\\x07\n' },
    ],
    [
      'an incoming binary message as size and hex dump',
      f.binaryIn,
      { out: '< binary 3 bytes\n  00000000  00 01 ff                                          |...|\n' },
    ],
    [
      'an outgoing binary message as size and hex dump',
      f.binaryOut,
      { out: '> binary 2 bytes\n  00000000  41 42                                             |AB|\n' },
    ],
    ['nothing for a ping without -P', f.pingIn, null],
    ['nothing for a pong without -P', f.pongIn, null],
    [
      'a close by the server with its reason',
      f.closeByServer,
      { out: 'closed 1000 (Normal Closure) by server, reason "bye", clean\n' },
    ],
    [
      'a close with another code, its reason escaped onto one line',
      f.closeByServer4001,
      { out: 'closed 4001 (Private Use) by server, reason "kicked\\x1b[2J\\nout", clean\n' },
    ],
    [
      'a close by the client without a reason',
      f.closeByClient,
      { out: 'closed 1000 (Normal Closure) by client, clean\n' },
    ],
    ['a lost connection', f.closeLost, { out: 'connection lost: 1006 (Abnormal Closure), no close frame\n' }],
    ['an error with its hint on stderr', f.error, { err: ERROR }],
    ['an error without a hint, escaped, on stderr', f.errorNoHint, { err: 'wsprobe: expected "pong"\\x1b[2J\n' }],
    ['the listening line on stderr', f.listening, { err: 'listening on ws://127.0.0.1:40123\n' }],
    ['nothing for a connection (its line comes with open)', f.connection, null],
    [
      "a server's client in one line: id, remote, path (token masked), subprotocol, extensions",
      f.clientOpen,
      { out: '[#3] connected from 127.0.0.1:51234 to /chat?token=**** (subprotocol chat, permessage-deflate)\n' },
    ],
    ['a relayed message with its sender', f.relayedToOne, { out: '[#2] > hello  (from #1)\n' }],
    ['a message to several clients once, with their count', f.toThree, { out: '> hello  (to 3 clients)\n' }],
    [
      'a relayed binary message with its sender and count',
      f.relayedBinary,
      {
        out: '> binary 2 bytes  (from #4, to 2 clients)\n  00000000  41 42                                             |AB|\n',
      },
    ],
    ['nothing for the summary', f.summary, null],
  ])('renders %s', (_, e, expected) => {
    expect(pretty(e)).toEqual(expected);
  });
});

describe('pretty renderer with -v', () => {
  it("shows where a server's client connects from, before its request", () => {
    expect(pretty(f.connection, { verbose: 1 })).toEqual({ out: '[#1] * connection from 127.0.0.1:51234\n' });
  });

  it('shows connecting', () => {
    expect(pretty(f.connecting, { verbose: 1 })).toEqual({ out: '* connecting to ws://127.0.0.1:8080/chat\n' });
  });

  it('shows the request line and every header, secrets masked', () => {
    expect(pretty(f.request, { verbose: 1 })).toEqual({
      out: `${[...REQUEST_LINES, '> Authorization: Basic ****', '> Cookie: ****'].join('\n')}\n`,
    });
  });

  it('shows the 101 status line and every header on stdout, Set-Cookie masked', () => {
    expect(pretty(f.response101, { verbose: 1 })).toEqual({
      out: `${[...RESPONSE_101_LINES, '< Set-Cookie: ****'].join('\n')}\n`,
    });
  });

  it('shows secret header values with --show-secrets', () => {
    expect(pretty(f.request, { verbose: 1, showSecrets: true })).toEqual({
      out: `${[...REQUEST_LINES, '> Authorization: Basic dXNlcjpwYXNz', '> Cookie: session=abc'].join('\n')}\n`,
    });
    expect(pretty(f.response101, { verbose: 1, showSecrets: true })).toEqual({
      out: `${[...RESPONSE_101_LINES, '< Set-Cookie: id=1; HttpOnly'].join('\n')}\n`,
    });
  });
});

describe('pretty renderer with -P', () => {
  it.each<[string, SessionEvent, string]>([
    ['an empty incoming ping', f.pingIn, '< ping 0 bytes\n'],
    ['an outgoing ping with its payload', f.pingOut, '> ping 2 bytes "hb"\n'],
    ['a pong with its round trip to one decimal', f.pongIn, '< pong 2 bytes, rtt 12.3 ms "hb"\n'],
  ])('renders %s', (_, e, out) => {
    expect(pretty(e, { showPingPong: true })).toEqual({ out });
  });

  it('escapes control characters in a ping payload', () => {
    const e: SessionEvent = { ...f.pingIn, data: Buffer.from('\x1b]0;t\x07\n') };
    expect(pretty(e, { showPingPong: true })).toEqual({ out: '< ping 7 bytes "\\x1b]0;t\\x07\\n"\n' });
  });
});

describe('pretty renderer with -q', () => {
  it.each<[string, SessionEvent]>([
    ['open', f.open],
    ['close', f.closeByServer],
    ['a lost connection', f.closeLost],
    ['connection', f.connection],
  ])('hides the %s status line', (_, e) => {
    expect(pretty(e, { quiet: true })).toBeNull();
  });

  it.each<[string, SessionEvent, Rendered]>([
    ['messages', f.textIn, { out: '< hello\n' }],
    ['errors', f.error, { err: ERROR }],
    ['the listening line', f.listening, { err: 'listening on ws://127.0.0.1:40123\n' }],
  ])('still shows %s', (_, e, expected) => {
    expect(pretty(e, { quiet: true })).toEqual(expected);
  });
});

describe('pretty renderer prefixes', () => {
  const local = new Date(2025, 0, 2, 3, 4, 5, 6).getTime();

  it('prefixes every line of a message with the local time when -t is given', () => {
    expect(pretty({ ...f.textInHostile, time: local }, { timestamps: true })).toEqual({
      out: '03:04:05.006 < line 1\n03:04:05.006   line 2 \\x1b[2J\\x07\n',
    });
  });

  it('prefixes server events with the client id', () => {
    expect(pretty({ ...f.textIn, conn: 2 })).toEqual({ out: '[#2] < hello\n' });
  });

  it('puts the time before the client id', () => {
    expect(pretty({ ...f.closeByClient, time: local, conn: 7 }, { timestamps: true })).toEqual({
      out: '03:04:05.006 [#7] closed 1000 (Normal Closure) by client, clean\n',
    });
  });
});

describe('pretty renderer binary display', () => {
  it('truncates the hex dump at --max-display and says how much was left out', () => {
    const e: SessionEvent = { ...f.binaryIn, data: Buffer.from('0123456789abcdefXYZ') };
    expect(pretty(e, { maxDisplay: 16 })).toEqual({
      out:
        '< binary 19 bytes\n' +
        '  00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n' +
        '  … 3 more bytes (--max-display to show more)\n',
    });
  });

  it('shows only the size and the truncation line with --max-display 0', () => {
    expect(pretty(f.binaryIn, { maxDisplay: 0 })).toEqual({
      out: '< binary 3 bytes\n  … 3 more bytes (--max-display to show more)\n',
    });
  });
});

describe('pretty renderer safety', () => {
  const hostile = '\x1b[2J\x1b]0;title\x07\x9b31m\r\x7f\x00';
  const events: SessionEvent[] = [
    { ...f.textIn, data: Buffer.from(`a${hostile}\nb${hostile}`) },
    { ...f.pingIn, data: Buffer.from(hostile) },
    { ...f.pongIn, data: Buffer.from(hostile) },
    { ...f.closeByServer, reason: hostile },
    { ...f.open, protocol: hostile, extensions: hostile },
    { ...f.errorNoHint, message: hostile },
    { ...f.response101, statusText: hostile, headers: [[`X${hostile}`, hostile]] },
    { ...f.response401, body: Buffer.from(hostile) },
  ];

  it.each(events.map((e) => [e.event, e] as const))(
    'never lets a raw control character other than TAB or LF through in a %s event',
    (_, e) => {
      const r = pretty(e, { verbose: 2, showPingPong: true });
      const text = `${r?.out ?? ''}${r?.err ?? ''}`;
      expect(text).not.toBe('');
      expect(text).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    },
  );
});

describe('pretty renderer at colour level 1', () => {
  const options: Partial<PrettyOptions> = { verbose: 1, showPingPong: true };
  const all: Array<[string, SessionEvent]> = Object.entries(f).filter(
    (entry): entry is [string, SessionEvent] => typeof entry[1] === 'object' && entry[1].event !== 'summary',
  );

  it.each(all)('colours %s and, without the colour codes, prints the level-0 text', (_, e) => {
    const plain = pretty(e, options);
    const coloured = pretty(e, { ...options, chalk: new Chalk({ level: 1 }) });
    expect(plain).not.toBeNull();
    const text = (r: Rendered | null) => `${r?.out ?? ''}|${r?.err ?? ''}`;
    expect(text(coloured)).toMatch(/\x1b\[\d+m/);
    expect(stripVTControlCharacters(text(coloured))).toBe(text(plain));
  });

  it('keeps a rendered event on the same stream at both levels', () => {
    for (const [, e] of all) {
      const plain = pretty(e, options);
      const coloured = pretty(e, { ...options, chalk: new Chalk({ level: 1 }) });
      expect(Object.keys(coloured ?? {})).toEqual(Object.keys(plain ?? {}));
    }
  });
});

describe('pretty: interrupted and the colour of the last line', () => {
  const coloured = { chalk: new Chalk({ level: 1 }) };
  const isYellow = (r: Rendered | null) => !String(r?.out ?? '').includes('\x1b[31m');

  it('prints one interrupted line on stderr', () => {
    expect(pretty(f.interrupted)).toEqual({ err: 'interrupted (Ctrl+C, SIGINT)\n' });
  });

  it('colours a close as the exit decision sees it, from the side that shows it', () => {
    // The client (connect): a server's 4001 is exit 7 (red); a server's 1000 is 0 (yellow).
    expect(isYellow(pretty(f.closeByServer4001, coloured))).toBe(false);
    expect(isYellow(pretty(f.closeByServer, coloured))).toBe(true);
    // A server (listen --once): a client closing with 4000 is exit 7, so red — not a normal end.
    const clientClosed4000 = { ...f.closeByServer4001, conn: 1, code: 4000, by: 'client' as const };
    expect(isYellow(pretty(clientClosed4000, coloured))).toBe(false);
    expect(isYellow(pretty({ ...clientClosed4000, code: 1000 }, coloured))).toBe(true);
  });
});
