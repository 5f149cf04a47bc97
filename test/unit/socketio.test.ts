/**
 * The Engine.IO / Socket.IO codec (protocol/socketio.ts), with the packet examples of the protocol
 * documents (socketio/socket.io-protocol "Packet encoding", socketio/engine.io-protocol), and the
 * `socketio` event's three renderings.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { createJsonRenderer } from '../../src/output/json.js';
import { createPipeRenderer } from '../../src/output/pipe.js';
import { createPrettyRenderer } from '../../src/output/pretty.js';
import {
  authQuery,
  decodeEngine,
  decodeSio,
  encodeEngine,
  encodeEngineBinary,
  encodeSio,
  engineUrl,
  parseEmit,
  parseEventArray,
  parseJsonValues,
  SioDecoder,
  type SioPacket,
} from '../../src/protocol/socketio.js';
import { socketioEventIn } from './fixtures.js';

const BUF = Buffer.from([1, 2, 3, 4]);

/** The documented examples: the packet, and its encoding (without the Engine.IO `4`). */
const EXAMPLES: Array<[string, SioPacket, string]> = [
  ['CONNECT, main namespace', { type: 'CONNECT', nsp: '/' }, '0'],
  [
    'CONNECT, custom namespace, with its sid',
    { type: 'CONNECT', nsp: '/admin', data: { sid: 'oSO0OpakMV_3jnilAAAA' } },
    '0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}',
  ],
  [
    'CONNECT_ERROR',
    { type: 'CONNECT_ERROR', nsp: '/', data: { message: 'Not authorized' } },
    '4{"message":"Not authorized"}',
  ],
  ['EVENT, main namespace', { type: 'EVENT', nsp: '/', data: ['foo'] }, '2["foo"]'],
  ['EVENT, custom namespace', { type: 'EVENT', nsp: '/admin', data: ['bar'] }, '2/admin,["bar"]'],
  ['EVENT with an ack id', { type: 'EVENT', nsp: '/', data: ['foo'], id: 12 }, '212["foo"]'],
  ['ACK, custom namespace', { type: 'ACK', nsp: '/admin', data: ['bar'], id: 13 }, '3/admin,13["bar"]'],
  ['DISCONNECT, main namespace', { type: 'DISCONNECT', nsp: '/' }, '1'],
  ['DISCONNECT, custom namespace', { type: 'DISCONNECT', nsp: '/admin' }, '1/admin,'],
];

describe('Socket.IO packets', () => {
  it.each(EXAMPLES)('encodes and decodes the documented example: %s', (_, packet, text) => {
    expect(encodeSio(packet)).toEqual({ text, attachments: [] });
    expect(decodeSio(text)).toEqual({ ok: true, value: packet });
  });

  it('encodes binary arguments as placeholders and attachments: 51-["baz",{"_placeholder":true,"num":0}]', () => {
    expect(encodeSio({ type: 'EVENT', nsp: '/', data: ['baz', BUF] })).toEqual({
      text: '51-["baz",{"_placeholder":true,"num":0}]',
      attachments: [BUF],
    });
    expect(encodeSio({ type: 'EVENT', nsp: '/admin', data: ['baz', BUF.subarray(0, 2), BUF.subarray(2)] }).text).toBe(
      '52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]',
    );
    expect(encodeSio({ type: 'ACK', nsp: '/', data: ['bar', BUF], id: 15 }).text).toBe(
      '61-15["bar",{"_placeholder":true,"num":0}]',
    );
  });

  it('reassembles a BINARY_ACK from its packet and the binary frame after it (the sample session)', () => {
    const decoder = new SioDecoder();
    expect(decoder.text('61-/admin,1[{"_placeholder":true,"num":0}]')).toEqual({ ok: true, value: null });
    expect(decoder.waiting).toBe(true);
    expect(decoder.binary(BUF)).toEqual({
      ok: true,
      value: { type: 'BINARY_ACK', nsp: '/admin', id: 1, attachments: 1, data: [BUF] },
    });
    expect(decoder.waiting).toBe(false);
  });

  it('waits for every attachment of a BINARY_EVENT, in order', () => {
    const decoder = new SioDecoder();
    decoder.text('52-["baz",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]');
    expect(decoder.binary(Buffer.from('a'))).toEqual({ ok: true, value: null });
    const done = decoder.binary(Buffer.from('b'));
    expect(done.ok && done.value?.data).toEqual(['baz', Buffer.from('b'), Buffer.from('a')]);
  });

  it('reads a Socket.IO 2 CONNECT with a query on its namespace', () => {
    expect(decodeSio('0/admin?token=abc,')).toEqual({
      ok: true,
      value: { type: 'CONNECT', nsp: '/admin', query: 'token=abc' },
    });
    expect(encodeSio({ type: 'CONNECT', nsp: '/admin', query: 'token=abc' }).text).toBe('0/admin?token=abc,');
    expect(authQuery({ token: 'a b', n: 1, o: { x: 1 } })).toBe('token=a%20b&n=1&o=%7B%22x%22%3A1%7D');
  });

  it.each([
    ['9', 'unknown packet type'],
    ['2', 'an event must be a non-empty array'],
    ['2[]', 'an event must be a non-empty array'],
    ['2{"a":1}', 'an event must be a non-empty array'],
    ['2["a"', 'the payload is not JSON'],
    ['3["x"]', 'an ack needs an id and an array'],
    ['5["x"]', 'no attachment count'],
  ])('refuses %j: %s', (text, why) => {
    const r = decodeSio(text);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(why);
  });

  it('refuses a binary frame nothing announced, and a packet while attachments are awaited', () => {
    const decoder = new SioDecoder();
    expect(decoder.binary(BUF).ok).toBe(false);
    decoder.text('51-["x",{"_placeholder":true,"num":0}]');
    expect(decoder.text('2["y"]').ok).toBe(false);
  });
});

describe('Engine.IO packets over WebSocket', () => {
  it('decodes the open packet of the handshake', () => {
    const open =
      '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}';
    expect(decodeEngine(Buffer.from(open), false, 4)).toEqual({
      ok: true,
      value: {
        type: 'open',
        open: {
          sid: 'lv_VI97HAXpY6yYWAAAC',
          upgrades: ['websocket'],
          pingInterval: 25000,
          pingTimeout: 5000,
          maxPayload: 1000000,
        },
      },
    });
  });

  it.each([
    ['2', { type: 'ping', data: '' }],
    ['2probe', { type: 'ping', data: 'probe' }],
    ['3', { type: 'pong', data: '' }],
    ['42["hey","Jude"]', { type: 'message', data: '2["hey","Jude"]' }],
    ['1', { type: 'close' }],
    ['6', { type: 'noop' }],
  ])('decodes %j', (text, packet) => {
    expect(decodeEngine(Buffer.from(text), false, 4)).toEqual({ ok: true, value: packet });
  });

  it('encodes ping, pong and message packets', () => {
    expect(encodeEngine('ping')).toBe('2');
    expect(encodeEngine('pong', 'probe')).toBe('3probe');
    expect(encodeEngine('message', '2["hello"]')).toBe('42["hello"]');
  });

  it('binary frames: as they are in Engine.IO 4, after a 04 byte in Engine.IO 3', () => {
    expect(decodeEngine(BUF, true, 4)).toEqual({ ok: true, value: { type: 'binary', data: BUF } });
    expect(decodeEngine(Buffer.from([4, 9, 8]), true, 3)).toEqual({
      ok: true,
      value: { type: 'binary', data: Buffer.from([9, 8]) },
    });
    expect(decodeEngine(Buffer.from([9, 8]), true, 3).ok).toBe(false);
    expect(encodeEngineBinary(BUF, 4)).toEqual(BUF);
    expect(encodeEngineBinary(BUF, 3)).toEqual(Buffer.from([4, 1, 2, 3, 4]));
  });

  it.each(['', 'x', '0{"sid":1}', '0not json'])('refuses %j', (text) => {
    expect(decodeEngine(Buffer.from(text), false, 4).ok).toBe(false);
  });

  it('builds the Engine.IO URL; the URL path is the namespace, the query is kept', () => {
    expect(engineUrl('ws://h:3000/', '/socket.io/', 4)).toEqual({
      url: 'ws://h:3000/socket.io/?EIO=4&transport=websocket',
      namespace: undefined,
    });
    expect(engineUrl('wss://h/admin?x=1', '/io', 3)).toEqual({
      url: 'wss://h/io?x=1&EIO=3&transport=websocket',
      namespace: '/admin',
    });
  });
});

describe('events typed or piped', () => {
  it.each([
    ['chat "hi" {"from":"ann"}', ['chat', 'hi', { from: 'ann' }]],
    ['chat', ['chat']],
    ['chat 1, 2,3', ['chat', 1, 2, 3]],
    ['chat "a \\" b" [1, [2]] {"x":"}"} null true', ['chat', 'a " b', [1, [2]], { x: '}' }, null, true]],
    ['["chat","hi"]', ['chat', 'hi']],
  ])('--emit %s', (text, event) => {
    expect(parseEmit(text)).toEqual({ ok: true, value: event });
  });

  it('names the argument that is not JSON', () => {
    expect(parseEmit('chat hi')).toEqual({ ok: false, error: 'argument 1 is not JSON: hi' });
    expect(parseJsonValues('1 {"a":')).toMatchObject({ ok: false });
  });

  it.each([
    ['["chat","hi",{"from":"ann"}]', true],
    ['[]', false],
    ['[1,2]', false],
    ['{"a":1}', false],
    ['chat', false],
  ])('a pipe line %s is an event: %s', (line, ok) => {
    expect(parseEventArray(line).ok).toBe(ok);
  });
});

describe('the socketio event, rendered', () => {
  const chalk = new Chalk({ level: 0 });
  const pretty = createPrettyRenderer({
    chalk,
    verbose: 0,
    showPingPong: false,
    timestamps: false,
    maxDisplay: 256,
    showSecrets: false,
    quiet: false,
  });
  const pipe = createPipeRenderer({
    quiet: false,
    verbose: 0,
    showPingPong: false,
    showSecrets: false,
    binaryOutput: 'raw',
    separator: '\n',
  });
  const json = createJsonRenderer({ showSecrets: false });

  it('pretty: `< ns name args (ack id)`', () => {
    expect(pretty.socketio(socketioEventIn)?.out).toBe(
      '< /admin chat ["hi",{"from":"ann"},{"$binary":"AQID"}] (ack id 4)\n',
    );
    expect(pretty.socketio({ ...socketioEventIn, type: 'ack', ns: '/', args: ['ok'], rttMs: 1.25 })?.out).toBe(
      '< ack ["ok"] (id 4, rtt 1.3 ms)\n',
    );
  });

  it('pipe: one JSON array line on stdout per received event, binary as {"$binary":…}', () => {
    expect(pipe.socketio(socketioEventIn)).toEqual({ out: '["chat","hi",{"from":"ann"},{"$binary":"AQID"}]\n' });
    expect(pipe.socketio({ ...socketioEventIn, dir: 'out' })).toBeNull();
  });

  it('json: ns, name, args (binary as {"$binary":…}) and ackId', () => {
    expect(JSON.parse(String(json.socketio(socketioEventIn)?.out))).toEqual({
      event: 'socketio',
      time: '2025-01-02T03:04:05.678Z',
      dir: 'in',
      type: 'event',
      ns: '/admin',
      name: 'chat',
      args: ['hi', { from: 'ann' }, { $binary: 'AQID' }],
      ackId: 4,
    });
  });

  it('heartbeats only with -P', () => {
    const ping = { ...socketioEventIn, type: 'ping' as const, ns: '/' };
    expect(pretty.socketio(ping)).toBeNull();
    expect(pipe.socketio(ping)).toBeNull();
    const withP = createPrettyRenderer({
      chalk,
      verbose: 0,
      showPingPong: true,
      timestamps: false,
      maxDisplay: 256,
      showSecrets: false,
      quiet: true,
    });
    expect(withP.socketio(ping)).toEqual({ out: '< engine.io ping\n' });
    expect(withP.socketio({ ...ping, type: 'pong', dir: 'out' })).toEqual({ out: '> engine.io pong\n' });
  });
});
