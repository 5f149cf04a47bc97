/**
 * The JSON renderer writes its hot events (message, frame, ping, pong) from templates with
 * `safeJsonString`, and every other event from its head and `safeJson` of its fields. Both must be byte
 * for byte what `safeJson` of the whole event object wrote before (the reference below is that code):
 * random and hostile strings, lone surrogates, C0, DEL, C1 and bidi controls, odd numbers.
 */
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flowOf } from '../../src/output/describe.js';
import {
  type CloseEvent,
  type ControlEvent,
  type FrameEvent,
  type MessageEvent,
  render,
  type SessionEvent,
  type SocketIoEvent,
} from '../../src/output/events.js';
import { createJsonRenderer } from '../../src/output/json.js';
import { safeJson, safeJsonString } from '../../src/output/sanitize.js';
import { socketioFields } from '../../src/output/socketio.js';
import type { DecodedPayload } from '../../src/protocol/decode.js';

const RUNS = { numRuns: 1000 };

const BIDI_CODES = [0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069];
const char = (c: number) => String.fromCharCode(c);

/** Strings rich in everything JSON or a terminal treats specially, lone and paired surrogates included. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0, max: 0x20 }).map(char),
    fc.integer({ min: 0x7e, max: 0xa0 }).map(char),
    fc.constantFrom(...BIDI_CODES).map(char),
    fc.integer({ min: 0xd800, max: 0xdfff }).map(char),
    fc.constantFrom('"', '\\', '/', '\u2028', '\u2029', '\ufeff', '\ufffd', '😀', '\x1b[2J', '\x9b1;1H', '\\u0000'),
    fc.constantFrom('a', 'Z', '0', ' ', '{', '}', ':', ',', 'é', '中'),
  ),
});
const anyString = fc.oneof(
  hostile,
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map(char) }),
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.nat(),
  fc.double(),
  fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 1e21, 1e-7),
);
const time = fc.oneof(
  fc.integer({ min: 0, max: 4_102_444_800_000 }),
  fc.constantFrom(0, Date.UTC(2025, 0, 2, 3, 4, 5, 678), -1, 8.64e15),
);
const dir = fc.constantFrom<'in' | 'out'>('in', 'out');
const side = fc.option(fc.constantFrom<'client' | 'upstream'>('client', 'upstream'), { nil: undefined });
const conn = fc.option(fc.nat(), { nil: undefined });
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  anyString.map((s) => Buffer.from(s, 'utf8')),
);

const decoded: fc.Arbitrary<DecodedPayload> = fc.oneof(
  fc.record({ codec: fc.constantFrom('gzip', 'deflate'), text: anyString, size: fc.nat() }),
  fc.record({
    codec: fc.constantFrom('msgpack', 'cbor'),
    jsonText: anyString,
    json: fc.jsonValue(),
    size: fc.nat(),
  }),
  fc.record({ codec: fc.constant('gzip'), bytes, size: fc.nat() }),
) as fc.Arbitrary<DecodedPayload>;

const message: fc.Arbitrary<MessageEvent> = fc.record(
  {
    event: fc.constant('message' as const),
    time,
    conn,
    side,
    dir,
    data: bytes,
    binary: fc.boolean(),
    from: fc.nat(),
    rule: fc.nat(),
    to: fc.array(fc.nat(), { maxLength: 5 }),
    decoded,
    decodeNote: anyString,
  },
  { requiredKeys: ['event', 'time', 'dir', 'data', 'binary'] },
);

const frame: fc.Arbitrary<FrameEvent> = fc.record({
  event: fc.constant('frame' as const),
  time,
  conn,
  dir,
  opcode: fc.oneof(fc.integer({ min: 0, max: 15 }), anyNumber),
  opcodeName: fc.oneof(fc.constantFrom('continuation', 'text', 'binary', 'close', 'ping', 'pong'), anyString),
  fin: fc.boolean(),
  rsv1: fc.boolean(),
  masked: fc.boolean(),
  length: fc.oneof(fc.nat(), anyNumber),
  closeCode: fc.option(fc.oneof(fc.integer({ min: 1000, max: 4999 }), anyNumber), { nil: undefined }),
});

const control: fc.Arbitrary<ControlEvent<'ping' | 'pong'>> = fc.record(
  {
    event: fc.constantFrom('ping' as const, 'pong' as const),
    time,
    conn,
    side,
    dir,
    data: bytes,
    rttMs: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), anyNumber),
  },
  { requiredKeys: ['event', 'time', 'dir', 'data'] },
) as fc.Arbitrary<ControlEvent<'ping' | 'pong'>>;

const close: fc.Arbitrary<CloseEvent> = fc.record({
  event: fc.constant('close' as const),
  time,
  conn,
  side,
  code: anyNumber,
  reason: anyString,
  by: fc.constantFrom('client', 'server', 'none') as fc.Arbitrary<CloseEvent['by']>,
  clean: fc.boolean(),
});

const socketio: fc.Arbitrary<SocketIoEvent> = fc.record(
  {
    event: fc.constant('socketio' as const),
    time,
    conn,
    dir,
    type: fc.constantFrom('event', 'ack', 'connect', 'disconnect') as fc.Arbitrary<SocketIoEvent['type']>,
    ns: anyString,
    name: anyString,
    args: fc.array(fc.oneof(anyString, fc.jsonValue(), bytes)),
    ackId: fc.nat(),
    message: anyString,
  },
  { requiredKeys: ['event', 'time', 'dir', 'type', 'ns'] },
);

// The reference: how every line was written before the templates (one object, one safeJson).
type Fields = Record<string, unknown>;
function referenceLine(e: SessionEvent, fields: Fields): string {
  const head: Fields = { event: e.event, time: new Date(e.time).toISOString() };
  if (e.conn !== undefined) head.conn = e.conn;
  if (e.side !== undefined) head.side = e.side;
  return `${safeJson({ ...head, ...fields })}\n`;
}
const flowField = (e: { side?: 'client' | 'upstream'; dir: 'in' | 'out' }): Fields => {
  const flow = flowOf(e);
  return flow === undefined ? {} : { flow };
};
const payload = (data: Buffer, binary: boolean): Fields =>
  binary
    ? { data: data.toString('base64'), encoding: 'base64', size: data.length }
    : { data: data.toString('utf8'), size: data.length };
function decodedField(d: DecodedPayload): Fields {
  if (d.text !== undefined) return { codec: d.codec, text: d.text, size: d.size };
  if (d.jsonText !== undefined) return { codec: d.codec, json: d.json };
  return { codec: d.codec, data: d.bytes?.toString('base64') ?? '', encoding: 'base64', size: d.size };
}
function reference(e: SessionEvent): string {
  switch (e.event) {
    case 'message': {
      const fields: Fields = {
        dir: e.dir,
        ...flowField(e),
        type: e.binary ? 'binary' : 'text',
        ...payload(e.data, e.binary),
      };
      if (e.from !== undefined) fields.from = e.from;
      if (e.rule !== undefined) fields.rule = e.rule;
      if (e.to !== undefined) {
        fields.recipients = e.to.length;
        fields.to = e.to;
      }
      if (e.decoded) fields.decoded = decodedField(e.decoded);
      if (e.decodeNote !== undefined) fields.decodeError = e.decodeNote;
      return referenceLine(e, fields);
    }
    case 'frame': {
      const fields: Fields = {
        dir: e.dir,
        opcode: e.opcode,
        type: e.opcodeName,
        fin: e.fin,
        rsv1: e.rsv1,
        masked: e.masked,
        length: e.length,
      };
      if (e.closeCode !== undefined) fields.closeCode = e.closeCode;
      return referenceLine(e, fields);
    }
    case 'ping':
    case 'pong': {
      const fields: Fields = { dir: e.dir, ...flowField(e), ...payload(e.data, !isUtf8(e.data)) };
      if (e.rttMs !== undefined) fields.rttMs = Math.round(e.rttMs * 1000) / 1000;
      return referenceLine(e, fields);
    }
    case 'close':
      return referenceLine(e, { code: e.code, reason: e.reason, by: e.by, clean: e.clean });
    case 'socketio':
      return referenceLine(e, socketioFields(e));
    default:
      throw new Error(`no reference for ${e.event}`);
  }
}

const renderer = createJsonRenderer({ showSecrets: true });
const out = (e: SessionEvent): string => render(renderer, e)?.out as string;

describe('safeJsonString: safeJson of a string, without the general serializer', () => {
  it('is safeJson exactly, for random and hostile strings', () => {
    fc.assert(
      fc.property(anyString, (text) => {
        expect(safeJsonString(text)).toBe(safeJson(text));
      }),
      { numRuns: 5000 },
    );
  });

  it('is safeJson exactly for every single code unit, alone and between letters', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      expect(safeJsonString(ch)).toBe(safeJson(ch));
      expect(safeJsonString(`a${ch}b`)).toBe(safeJson(`a${ch}b`));
    }
  });

  it('handles lone and paired surrogates, the empty string and long text', () => {
    for (const text of [
      '',
      '\ud800',
      '\udfff',
      '\udc00\ud800',
      '😀',
      'a\ud83d',
      '\ude00b',
      '\u202eevil',
      '\x7f\x80\x9f',
      '"\\"',
      'x'.repeat(100_000),
      `${'y'.repeat(50_000)}\u0085`,
    ]) {
      expect(safeJsonString(text)).toBe(safeJson(text));
    }
  });
});

describe('json renderer templates: byte for byte the object serializer', () => {
  it.each([
    ['message', message],
    ['frame', frame],
    ['ping and pong', control],
    ['close (head + fields)', close],
    ['socketio (head + fields)', socketio],
  ] as Array<[string, fc.Arbitrary<SessionEvent>]>)('%s', (_name, events) => {
    fc.assert(
      fc.property(events, (e) => {
        expect(out(e)).toBe(reference(e));
      }),
      RUNS,
    );
  });

  it('frames as the tap emits them: explicit undefined conn and closeCode', () => {
    const e: FrameEvent = {
      event: 'frame',
      time: 0,
      conn: undefined,
      dir: 'out',
      opcode: 1,
      opcodeName: 'text',
      fin: true,
      rsv1: false,
      masked: true,
      length: 40,
      closeCode: undefined,
    };
    expect(out(e)).toBe(reference(e));
    expect(out(e)).toBe(
      '{"event":"frame","time":"1970-01-01T00:00:00.000Z","dir":"out","opcode":1,"type":"text","fin":true,"rsv1":false,"masked":true,"length":40}\n',
    );
  });
});
