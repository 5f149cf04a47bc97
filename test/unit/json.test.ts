import { describe, expect, it } from 'vitest';
import { type Rendered, render, type SessionEvent } from '../../src/output/events.js';
import { createJsonRenderer } from '../../src/output/json.js';
import * as f from './fixtures.js';

function json(e: SessionEvent, showSecrets = false): Rendered {
  const r = render(createJsonRenderer({ showSecrets }), e);
  if (r === null) throw new Error(`no output for ${e.event}`);
  return r;
}

/** The one line a JSON event renders to, parsed. */
function parsed(e: SessionEvent, showSecrets = false): Record<string, unknown> {
  const { out } = json(e, showSecrets);
  expect(typeof out).toBe('string');
  const text = out as string;
  expect(text.endsWith('\n')).toBe(true);
  expect(text.slice(0, -1)).not.toContain('\n');
  return JSON.parse(text) as Record<string, unknown>;
}

const head = (event: string) => ({ event, time: f.ISO_TIME });

describe('json renderer', () => {
  it.each<[string, SessionEvent, Record<string, unknown>]>([
    ['connecting', f.connecting, { ...head('connecting'), url: 'ws://127.0.0.1:8080/chat' }],
    [
      'the request with lower-case header names and secrets masked',
      f.request,
      {
        ...head('request'),
        method: 'GET',
        url: 'ws://127.0.0.1:8080/chat',
        headers: {
          host: '127.0.0.1:8080',
          upgrade: 'websocket',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          authorization: 'Basic ****',
          cookie: '****',
        },
      },
    ],
    [
      'a 101 response without a body',
      f.response101,
      {
        ...head('response'),
        status: 101,
        statusText: 'Switching Protocols',
        headers: { upgrade: 'websocket', 'sec-websocket-accept': 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'set-cookie': '****' },
      },
    ],
    [
      'a 401 response with its body',
      f.response401,
      {
        ...head('response'),
        status: 401,
        statusText: 'Unauthorized',
        headers: { 'www-authenticate': 'Basic realm="chat"', 'content-type': 'text/plain' },
        body: 'login first\nbad \x1b[2Jtoken',
        bodyTruncated: true,
      },
    ],
    [
      'open',
      f.open,
      { ...head('open'), url: 'ws://127.0.0.1:8080/chat', protocol: 'chat', extensions: 'permessage-deflate' },
    ],
    [
      'open without subprotocol or extensions',
      f.openPlain,
      { ...head('open'), url: 'ws://127.0.0.1:8080/chat', protocol: '', extensions: '' },
    ],
    [
      "a server's client's open, with its remote address",
      f.clientOpen,
      {
        ...head('open'),
        conn: 3,
        url: 'ws://127.0.0.1:8080/chat?token=****',
        protocol: 'chat',
        extensions: 'permessage-deflate; client_max_window_bits=15',
        remote: '127.0.0.1:51234',
      },
    ],
    [
      'a relayed message with its sender',
      f.relayedToOne,
      { ...head('message'), conn: 2, dir: 'out', type: 'text', data: 'hello', size: 5, from: 1 },
    ],
    [
      'a message to several clients, once, with their count and ids',
      f.toThree,
      { ...head('message'), dir: 'out', type: 'text', data: 'hello', size: 5, recipients: 3, to: [1, 2, 4] },
    ],
    ['an incoming text message', f.textIn, { ...head('message'), dir: 'in', type: 'text', data: 'hello', size: 5 }],
    [
      'an outgoing text message',
      f.textOut,
      { ...head('message'), dir: 'out', type: 'text', data: 'hi there', size: 8 },
    ],
    [
      'a text message with control characters, unescaped',
      f.textInHostile,
      { ...head('message'), dir: 'in', type: 'text', data: 'line 1\nline 2 \x1b[2J\x07', size: 19 },
    ],
    [
      'an incoming binary message in base64',
      f.binaryIn,
      { ...head('message'), dir: 'in', type: 'binary', data: 'AAH/', encoding: 'base64', size: 3 },
    ],
    [
      'an outgoing binary message in base64',
      f.binaryOut,
      { ...head('message'), dir: 'out', type: 'binary', data: 'QUI=', encoding: 'base64', size: 2 },
    ],
    ['an empty ping', f.pingIn, { ...head('ping'), dir: 'in', data: '', size: 0 }],
    ['an outgoing ping', f.pingOut, { ...head('ping'), dir: 'out', data: 'hb', size: 2 }],
    ['a pong with its round trip', f.pongIn, { ...head('pong'), dir: 'in', data: 'hb', size: 2, rttMs: 12.346 }],
    [
      'a close by the server',
      f.closeByServer,
      { ...head('close'), code: 1000, reason: 'bye', by: 'server', clean: true },
    ],
    ['a close by the client', f.closeByClient, { ...head('close'), code: 1000, reason: '', by: 'client', clean: true }],
    ['a lost connection', f.closeLost, { ...head('close'), code: 1006, reason: '', by: 'none', clean: false }],
    [
      'an error with its hint',
      f.error,
      {
        ...head('error'),
        kind: 'connect',
        message: 'cannot connect to ws://127.0.0.1:9/: connection refused (ECONNREFUSED)',
        hint: 'is the server running?',
      },
    ],
    ['an error without a hint', f.errorNoHint, { ...head('error'), kind: 'expect', message: 'expected "pong"\x1b[2J' }],
    ['listening', f.listening, { ...head('listening'), url: 'ws://127.0.0.1:40123' }],
    ['a connection with conn and remote', f.connection, { ...head('connection'), conn: 1, remote: '127.0.0.1:51234' }],
    [
      'the summary',
      f.summary,
      {
        ...head('summary'),
        exitCode: 0,
        messagesIn: 3,
        messagesOut: 2,
        bytesIn: 15,
        bytesOut: 10,
        timings: { connectMs: 1.5, upgradeMs: 2, totalMs: 1003 },
      },
    ],
  ])('renders %s as one JSON line with the SPEC keys', (_, e, expected) => {
    expect(parsed(e)).toEqual(expected);
  });

  it('writes an incoming text message exactly as in the SPEC, event and time first', () => {
    expect(json(f.textIn)).toEqual({
      out: '{"event":"message","time":"2025-01-02T03:04:05.678Z","dir":"in","type":"text","data":"hello","size":5}\n',
    });
  });

  it('writes an outgoing binary message exactly as in the SPEC', () => {
    expect(json({ ...f.binaryOut, data: Buffer.from([0x00, 0x01, 0xff]) })).toEqual({
      out: '{"event":"message","time":"2025-01-02T03:04:05.678Z","dir":"out","type":"binary","data":"AAH/","encoding":"base64","size":3}\n',
    });
  });

  it('writes a close exactly as in the SPEC', () => {
    expect(json(f.closeByServer)).toEqual({
      out: '{"event":"close","time":"2025-01-02T03:04:05.678Z","code":1000,"reason":"bye","by":"server","clean":true}\n',
    });
  });

  it('writes an error as JSON on stdout and as one plain line on stderr', () => {
    expect(json(f.error).err).toBe(
      'wsprobe: cannot connect to ws://127.0.0.1:9/: connection refused (ECONNREFUSED) (is the server running?)\n',
    );
    expect(json(f.errorNoHint).err).toBe('wsprobe: expected "pong"\\x1b[2J\n');
  });

  it.each<[string, SessionEvent]>(
    Object.entries(f).filter(
      (entry): entry is [string, SessionEvent] =>
        typeof entry[1] === 'object' && entry[1].event !== 'error' && entry[1].event !== 'nothing-received',
    ),
  )('writes nothing to stderr for %s', (_, e) => {
    expect(json(e).err).toBeUndefined();
  });

  it.each<[string, SessionEvent]>(
    Object.entries(f).filter(
      // The -w hint is for people: json has no line for it.
      (entry): entry is [string, SessionEvent] => typeof entry[1] === 'object' && entry[1].event !== 'nothing-received',
    ),
  )('gives %s an event name and an ISO 8601 time', (_, e) => {
    const obj = parsed(e);
    expect(obj.event).toBe(e.event);
    expect(obj.time).toBe(f.ISO_TIME);
    expect(new Date(obj.time as string).getTime()).toBe(e.time);
  });

  it('adds conn to server events and leaves it out of client events', () => {
    expect(parsed({ ...f.textIn, conn: 4 })).toMatchObject({ event: 'message', conn: 4 });
    expect(parsed(f.textIn)).not.toHaveProperty('conn');
  });

  it('shows secret header values with --show-secrets', () => {
    expect(parsed(f.request, true).headers).toMatchObject({
      authorization: 'Basic dXNlcjpwYXNz',
      cookie: 'session=abc',
    });
    expect(parsed(f.response101, true).headers).toMatchObject({ 'set-cookie': 'id=1; HttpOnly' });
  });

  it('joins repeated headers with ", ", each masked', () => {
    const e: SessionEvent = {
      ...f.response101,
      headers: [
        ['Set-Cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['X-Multi', 'one'],
        ['x-multi', 'two'],
      ],
    };
    expect(parsed(e).headers).toEqual({ 'set-cookie': '****, ****', 'x-multi': 'one, two' });
    expect(parsed(e, true).headers).toEqual({ 'set-cookie': 'a=1, b=2', 'x-multi': 'one, two' });
  });

  it('writes a ping payload that is not UTF-8 as base64', () => {
    expect(parsed({ ...f.pingIn, data: Buffer.from([0xff, 0xfe]) })).toEqual({
      ...head('ping'),
      dir: 'in',
      data: '//4=',
      encoding: 'base64',
      size: 2,
    });
  });

  it('marks a response body that is not truncated as such', () => {
    expect(parsed({ ...f.response401, bodyTruncated: undefined })).toMatchObject({
      body: 'login first\nbad \x1b[2Jtoken',
      bodyTruncated: false,
    });
  });

  it('counts the size of a text message in bytes', () => {
    expect(parsed({ ...f.textIn, data: Buffer.from('héllo €') })).toMatchObject({ data: 'héllo €', size: 10 });
  });

  it('never puts a raw control character in a JSON line', () => {
    for (const e of [f.textInHostile, f.closeByServer4001, f.errorNoHint, f.response401]) {
      expect((json(e).out as string).slice(0, -1)).not.toMatch(/[\x00-\x1f]/);
    }
  });
});

describe('the interrupted event', () => {
  it('is written exactly as in the SPEC', async () => {
    const { createJsonRenderer } = await import('../../src/output/json.js');
    const { render } = await import('../../src/output/events.js');
    expect(render(createJsonRenderer({ showSecrets: false }), f.interrupted)).toEqual({
      out: '{"event":"interrupted","time":"2025-01-02T03:04:05.678Z","signal":"SIGINT"}\n',
    });
  });
});
