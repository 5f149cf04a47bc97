import { describe, expect, it } from 'vitest';
import * as ws from 'ws';
import {
  type FrameInfo,
  type FrameParseError,
  FrameParser,
  isControlOpcode,
  opcodeName,
} from '../../src/protocol/frames.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** The expected report of a frame: FIN set, RSV and mask clear unless said otherwise. */
function info(fields: Partial<FrameInfo> & Pick<FrameInfo, 'opcode' | 'length' | 'headerLength'>): FrameInfo {
  return {
    opcodeName: opcodeName(fields.opcode),
    fin: true,
    rsv1: false,
    rsv2: false,
    rsv3: false,
    masked: false,
    ...fields,
  };
}

interface Parsed {
  frames: FrameInfo[];
  error: FrameParseError | undefined;
}

/** Feeds the pieces, in order, to a fresh parser. */
function parsePieces(pieces: Buffer[]): Parsed {
  const parser = new FrameParser();
  const frames = pieces.flatMap((piece) => parser.push(piece));
  return { frames, error: parser.error };
}

/** Splits `bytes` at the given offsets (ascending). */
function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

/** mulberry32: a small seeded PRNG, so every "random" case is reproducible. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randomInt = (random: () => number, below: number): number => Math.floor(random() * below);

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = randomInt(random, 256);
  return bytes;
}

function randomCuts(random: () => number, length: number, count: number): number[] {
  return Array.from({ length: count }, () => randomInt(random, length + 1)).sort((a, b) => a - b);
}

interface FrameSpec {
  opcode: number;
  payload: Buffer;
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  mask?: Buffer;
  /** Defaults to the minimal encoding of the payload length. */
  lengthForm?: 7 | 16 | 64;
}

/** A test-side serializer (RFC 6455 §5.2), independent of the parser. */
function encodeFrame(spec: FrameSpec): Buffer {
  const { payload, mask } = spec;
  const length = payload.length;
  const form = spec.lengthForm ?? (length < 126 ? 7 : length < 65536 ? 16 : 64);
  const extended = form === 7 ? 0 : form === 16 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + (mask ? 4 : 0));
  header[0] =
    ((spec.fin ?? true) ? 0x80 : 0) |
    (spec.rsv1 ? 0x40 : 0) |
    (spec.rsv2 ? 0x20 : 0) |
    (spec.rsv3 ? 0x10 : 0) |
    spec.opcode;
  header[1] = (mask ? 0x80 : 0) | (form === 7 ? length : form === 16 ? 126 : 127);
  if (form === 16) header.writeUInt16BE(length, 2);
  if (form === 64) header.writeBigUInt64BE(BigInt(length), 2);
  const body = Buffer.from(payload);
  if (mask) {
    mask.copy(header, 2 + extended);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
  }
  return Buffer.concat([header, body]);
}

/** What the parser should report for a frame built by `encodeFrame`. */
function expectedInfo(spec: FrameSpec): FrameInfo {
  const length = spec.payload.length;
  const form = spec.lengthForm ?? (length < 126 ? 7 : length < 65536 ? 16 : 64);
  const expected = info({
    opcode: spec.opcode,
    fin: spec.fin ?? true,
    rsv1: spec.rsv1 ?? false,
    rsv2: spec.rsv2 ?? false,
    rsv3: spec.rsv3 ?? false,
    masked: spec.mask !== undefined,
    length,
    headerLength: 2 + (form === 7 ? 0 : form === 16 ? 2 : 8) + (spec.mask ? 4 : 0),
  });
  if (isControlOpcode(spec.opcode)) {
    expected.payload = Buffer.from(spec.payload);
    if (spec.opcode === 0x8 && length >= 2) {
      expected.closeCode = spec.payload.readUInt16BE(0);
      expected.closeReason = spec.payload.toString('utf8', 2);
    }
  }
  return expected;
}

/** Every Buffer (or other byte view) reachable from the parser's own fields. */
function retainedViews(value: unknown, seen = new Set<unknown>()): ArrayBufferView[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  if (ArrayBuffer.isView(value)) return [value];
  return Object.values(value).flatMap((field) => retainedViews(field, seen));
}

const KEY = '37fa213d';

describe('FrameParser: RFC 6455 §5.7 examples', () => {
  const hello = Buffer.from('Hello');
  it.each([
    ['a single-frame unmasked text message', '81 05 48656c6c6f', [info({ opcode: 1, length: 5, headerLength: 2 })]],
    [
      'a single-frame masked text message',
      '81 85 37fa213d 7f9f4d5158',
      [info({ opcode: 1, masked: true, length: 5, headerLength: 6 })],
    ],
    [
      'a fragmented unmasked text message',
      '01 03 48656c 80 02 6c6f',
      [info({ opcode: 1, fin: false, length: 3, headerLength: 2 }), info({ opcode: 0, length: 2, headerLength: 2 })],
    ],
    ['an unmasked ping', '89 05 48656c6c6f', [info({ opcode: 9, length: 5, headerLength: 2, payload: hello })]],
    [
      'a masked pong (payload unmasked)',
      '8a 85 37fa213d 7f9f4d5158',
      [info({ opcode: 10, masked: true, length: 5, headerLength: 6, payload: hello })],
    ],
    [
      'a 256-byte binary message (16-bit length)',
      `82 7e 0100 ${'00'.repeat(256)}`,
      [info({ opcode: 2, length: 256, headerLength: 4 })],
    ],
    [
      'a 64 KiB binary message (64-bit length)',
      `82 7f 0000000000010000 ${'ab'.repeat(65536)}`,
      [info({ opcode: 2, length: 65536, headerLength: 10 })],
    ],
  ])('parses %s', (_, bytes, frames) => {
    expect(parsePieces([hex(bytes)])).toEqual({ frames, error: undefined });
  });
});

describe('FrameParser: frame types', () => {
  it.each([
    [0x0, 'continuation'],
    [0x1, 'text'],
    [0x2, 'binary'],
    [0x3, 'reserved'],
    [0x7, 'reserved'],
    [0x8, 'close'],
    [0x9, 'ping'],
    [0xa, 'pong'],
    [0xb, 'reserved'],
    [0xf, 'reserved'],
  ])('reports opcode %i as %s', (opcode, name) => {
    const { frames, error } = parsePieces([Buffer.from([0x80 | opcode, 0x00])]);
    expect(error).toBeUndefined();
    expect(frames).toHaveLength(1);
    expect(frames[0]!.opcode).toBe(opcode);
    expect(frames[0]!.opcodeName).toBe(name);
    expect(frames[0]!.length).toBe(0);
    expect(frames[0]!.headerLength).toBe(2);
  });

  it.each([
    ['text', '81 03 616263', 1],
    ['binary', '82 03 000102', 2],
    ['continuation', '80 03 616263', 0],
    ['reserved data opcode 3', '83 03 616263', 3],
  ])('reports no payload for a %s frame (data frames are only counted)', (_, bytes, opcode) => {
    const [frame] = parsePieces([hex(bytes)]).frames;
    expect(frame).toEqual(info({ opcode, length: 3, headerLength: 2 }));
    expect(frame).not.toHaveProperty('payload');
  });

  it.each([
    ['ping with no payload', '89 00', 9, ''],
    ['pong with no payload', '8a 00', 10, ''],
    ['ping with a payload', '89 04 70696e67', 9, 'ping'],
    ['pong with a payload', '8a 04 706f6e67', 10, 'pong'],
    ['reserved control opcode 11', '8b 02 6869', 11, 'hi'],
  ])('collects the payload of a %s', (_, bytes, opcode, payload) => {
    const [frame] = parsePieces([hex(bytes)]).frames;
    expect(frame).toEqual(
      info({ opcode, length: payload.length, headerLength: 2, payload: Buffer.from(payload, 'latin1') }),
    );
  });

  it.each([
    ['an empty close frame: no code', '88 00', { length: 0, payload: Buffer.alloc(0) }],
    ['a 1-byte close payload: no code', '88 01 03', { length: 1, payload: hex('03') }],
    ['a code without a reason', '88 02 03e8', { length: 2, payload: hex('03e8'), closeCode: 1000, closeReason: '' }],
    [
      'a code and a reason',
      '88 05 03e8 627965',
      { length: 5, payload: hex('03e8627965'), closeCode: 1000, closeReason: 'bye' },
    ],
    [
      'a private-use code and a UTF-8 reason',
      '88 05 0fa0 c3bc21',
      { length: 5, payload: hex('0fa0c3bc21'), closeCode: 4000, closeReason: 'ü!' },
    ],
    [
      'invalid UTF-8 in the reason (replaced, never thrown)',
      '88 04 03f3 ff61',
      { length: 4, payload: hex('03f3ff61'), closeCode: 1011, closeReason: '\ufffda' },
    ],
    [
      'a masked close frame (unmasked before reading the code)',
      '88 85 01020304 02ea617d64',
      { masked: true, length: 5, headerLength: 6, payload: hex('03e8627965'), closeCode: 1000, closeReason: 'bye' },
    ],
    [
      'a 125-byte close payload (the maximum)',
      `88 7d 0bb8 ${'78'.repeat(123)}`,
      { length: 125, payload: hex(`0bb8${'78'.repeat(123)}`), closeCode: 3000, closeReason: 'x'.repeat(123) },
    ],
  ])('reads %s', (_, bytes, fields) => {
    expect(parsePieces([hex(bytes)])).toEqual({
      frames: [info({ opcode: 8, headerLength: 2, ...fields })],
      error: undefined,
    });
  });

  it('reports RSV1 on a permessage-deflate "Hello" (RFC 7692 §7.2.3.1), compressed length on the wire', () => {
    const { frames } = parsePieces([hex('c1 07 f248cdc9c90700')]);
    expect(frames).toEqual([info({ opcode: 1, rsv1: true, length: 7, headerLength: 2 })]);
  });

  it('reports RSV1 only on the first frame of a compressed fragmented message', () => {
    const { frames } = parsePieces([hex('41 03 f248cd 80 04 c9c90700')]);
    expect(frames).toEqual([
      info({ opcode: 1, fin: false, rsv1: true, length: 3, headerLength: 2 }),
      info({ opcode: 0, length: 4, headerLength: 2 }),
    ]);
  });

  it.each([
    ['RSV2', 'a2 00', { rsv2: true }],
    ['RSV3', '92 00', { rsv3: true }],
    ['all three RSV bits', 'f2 00', { rsv1: true, rsv2: true, rsv3: true }],
  ])('reports %s as seen (extensions decide, not the parser)', (_, bytes, bits) => {
    expect(parsePieces([hex(bytes)])).toEqual({
      frames: [info({ opcode: 2, length: 0, headerLength: 2, ...bits })],
      error: undefined,
    });
  });

  it('reports a fragmented text message with a ping interleaved, masked as a client sends it', () => {
    const mask = hex(KEY);
    const specs: FrameSpec[] = [
      { opcode: 1, fin: false, payload: Buffer.from('Hel'), mask },
      { opcode: 0, fin: false, payload: Buffer.from('l'), mask },
      { opcode: 9, payload: Buffer.from('are you there?'), mask },
      { opcode: 0, fin: true, payload: Buffer.from('o'), mask },
    ];
    const { frames, error } = parsePieces([Buffer.concat(specs.map(encodeFrame))]);
    expect(error).toBeUndefined();
    expect(frames.map((f) => [f.opcodeName, f.fin, f.length])).toEqual([
      ['text', false, 3],
      ['continuation', false, 1],
      ['ping', true, 14],
      ['continuation', true, 1],
    ]);
    expect(frames[2]!.payload!.toString()).toBe('are you there?');
    expect(frames).toEqual(specs.map(expectedInfo));
  });

  it('returns nothing for an empty chunk', () => {
    const parser = new FrameParser();
    expect(parser.push(Buffer.alloc(0))).toEqual([]);
    expect(parser.inFrame).toBe(false);
  });

  it('reports frames in wire order when one chunk holds several', () => {
    const { frames } = parsePieces([hex('81 01 61 89 00 82 02 0001 8a 00 88 02 03e8')]);
    expect(frames.map((f) => f.opcodeName)).toEqual(['text', 'ping', 'binary', 'pong', 'close']);
  });
});

describe('FrameParser: payload lengths', () => {
  it.each([
    [0, '00', 2],
    [1, '01', 2],
    [125, '7d', 2],
    [126, '7e 007e', 4],
    [127, '7e 007f', 4],
    [65535, '7e ffff', 4],
    [65536, '7f 0000000000010000', 10],
    [65537, '7f 0000000000010001', 10],
  ])('reads a %i-byte payload length (length bytes %s)', (length, lengthBytes, headerLength) => {
    const unmasked = hex(`82 ${lengthBytes}`);
    const payload = Buffer.alloc(length, 0x5a);
    expect(parsePieces([unmasked, payload])).toEqual({
      frames: [info({ opcode: 2, length, headerLength })],
      error: undefined,
    });

    const masked = hex(`82 ${lengthBytes} ${KEY}`);
    masked[1]! |= 0x80;
    expect(parsePieces([masked, payload])).toEqual({
      frames: [info({ opcode: 2, masked: true, length, headerLength: headerLength + 4 })],
      error: undefined,
    });
  });

  it.each([
    ['a 16-bit field', '82 7e 0005', 4],
    ['a 64-bit field', '82 7f 0000000000000005', 10],
  ])('accepts a non-minimal length encoding in %s and reports its header size', (_, header, headerLength) => {
    expect(parsePieces([hex(header), hex('0102030405'), hex('81 00')]).frames).toEqual([
      info({ opcode: 2, length: 5, headerLength }),
      info({ opcode: 1, length: 0, headerLength: 2 }),
    ]);
  });

  it('waits for every payload byte before reporting a frame, and says it is mid-frame meanwhile', () => {
    const parser = new FrameParser();
    expect(parser.inFrame).toBe(false);
    expect(parser.push(hex('82'))).toEqual([]);
    expect(parser.inFrame).toBe(true);
    expect(parser.push(hex('7e 01'))).toEqual([]);
    expect(parser.push(hex('00'))).toEqual([]);
    expect(parser.push(Buffer.alloc(255))).toEqual([]);
    expect(parser.inFrame).toBe(true);
    expect(parser.push(Buffer.alloc(1))).toEqual([info({ opcode: 2, length: 256, headerLength: 4 })]);
    expect(parser.inFrame).toBe(false);
  });

  it('counts a 64-bit length beyond 32 bits exactly (5 GiB in 1 MiB chunks) and finds the next frame', () => {
    const parser = new FrameParser();
    const length = 5 * 2 ** 30;
    const chunk = Buffer.alloc(2 ** 20);
    const frames = parser.push(hex('82 7f 0000000140000000'));
    for (let sent = 0; sent < length; sent += chunk.length) frames.push(...parser.push(chunk));
    frames.push(...parser.push(hex('81 02 6f6b')));
    expect(frames).toEqual([
      info({ opcode: 2, length, headerLength: 10 }),
      info({ opcode: 1, length: 2, headerLength: 2 }),
    ]);
    expect(parser.error).toBeUndefined();
  });

  it('accepts the largest countable length, 2^53 - 1', () => {
    const parser = new FrameParser();
    expect(parser.push(hex('82 7f 001fffffffffffff'))).toEqual([]);
    expect(parser.push(Buffer.alloc(1000))).toEqual([]);
    expect(parser.error).toBeUndefined();
    expect(parser.inFrame).toBe(true);
  });
});

describe('FrameParser: masking', () => {
  it.each([
    ['text', 1, 'Hello'],
    ['binary', 2, '\u0000\u0001\u00ff'],
  ])('consumes the masking key of a masked %s frame and keeps counting correctly', (_, opcode, text) => {
    const payload = Buffer.from(text, 'latin1');
    const bytes = Buffer.concat([encodeFrame({ opcode, payload, mask: hex(KEY) }), hex('8a 00')]);
    expect(parsePieces([bytes]).frames).toEqual([
      info({ opcode, masked: true, length: payload.length, headerLength: 6 }),
      info({ opcode: 10, length: 0, headerLength: 2, payload: Buffer.alloc(0) }),
    ]);
  });

  it.each([
    ['an all-zero key', '00000000'],
    ['an all-ones key', 'ffffffff'],
    ['the RFC key', KEY],
    ['a key with distinct bytes', '01020304'],
  ])('unmasks control payloads with %s, whatever their length modulo 4', (_, key) => {
    for (let length = 0; length <= 125; length++) {
      const payload = Buffer.from(Array.from({ length }, (_, i) => (i * 7 + 3) & 0xff));
      const spec: FrameSpec = { opcode: 9, payload, mask: hex(key) };
      expect(parsePieces([encodeFrame(spec)]).frames).toEqual([expectedInfo(spec)]);
    }
  });

  it('neither modifies the chunk it reads nor shares it with the payload it returns', () => {
    const chunk = hex('89 85 37fa213d 7f9f4d5158');
    const copy = Buffer.from(chunk);
    const [frame] = new FrameParser().push(chunk);
    expect(chunk).toEqual(copy);
    chunk.fill(0);
    expect(frame!.payload!.toString()).toBe('Hello');
  });
});

/** Frames of all kinds, lengths and masks, back to back: the input for the split tests. */
const SEQUENCE_SPECS: FrameSpec[] = [
  { opcode: 1, fin: false, payload: Buffer.from('Hel'), mask: hex(KEY) },
  { opcode: 0, fin: false, payload: Buffer.from('l'), mask: hex(KEY) },
  { opcode: 9, payload: Buffer.from('ping!'), mask: hex('01020304') },
  { opcode: 0, fin: true, payload: Buffer.from('o'), mask: hex(KEY) },
  { opcode: 1, rsv1: true, payload: hex('f248cdc9c90700') },
  { opcode: 2, payload: Buffer.alloc(300, 0x11) },
  { opcode: 10, payload: Buffer.alloc(0) },
  { opcode: 2, payload: Buffer.alloc(70, 0x22), lengthForm: 64, mask: hex('a1b2c3d4') },
  { opcode: 1, payload: Buffer.alloc(0), mask: hex(KEY) },
  { opcode: 8, payload: hex('03e8 627965'), mask: hex('deadbeef') },
];
const SEQUENCE = Buffer.concat(SEQUENCE_SPECS.map(encodeFrame));

/** A short sequence (so every pair of cut points stays cheap) that ends in a forbidden header. */
const FAILING = hex('81 02 6869 89 85 37fa213d 7f9f4d5158 82 7e 0003 000102 09 00 81 00');

describe('FrameParser: input split at any byte boundary', () => {
  const oneShot = parsePieces([SEQUENCE]);

  it('parses the whole sequence in one chunk', () => {
    expect(oneShot).toEqual({ frames: SEQUENCE_SPECS.map(expectedInfo), error: undefined });
  });

  it('gives the one-shot result for a split at every byte boundary', () => {
    for (let cut = 0; cut <= SEQUENCE.length; cut++) {
      expect(parsePieces(splitAt(SEQUENCE, [cut])), `cut at ${cut}`).toEqual(oneShot);
    }
  });

  it('gives the one-shot result fed one byte at a time', () => {
    const bytes = Array.from({ length: SEQUENCE.length }, (_, i) => SEQUENCE.subarray(i, i + 1));
    expect(parsePieces(bytes)).toEqual(oneShot);
  });

  it('gives the one-shot result for every pair of cut points, also when the input ends in an error', () => {
    const failing = parsePieces([FAILING]);
    expect(failing.frames.map((f) => f.opcodeName)).toEqual(['text', 'ping', 'binary']);
    expect(failing.error).toMatchObject({ code: 'control-fragmented', offset: 22 });
    for (let a = 0; a <= FAILING.length; a++) {
      for (let b = a; b <= FAILING.length; b++) {
        expect(parsePieces(splitAt(FAILING, [a, b])), `cuts at ${a} and ${b}`).toEqual(failing);
      }
    }
  });
});

describe('FrameParser: errors', () => {
  it.each([
    ['a 64-bit length with its most significant bit set', '82 7f 8000000000000000', 'length-msb-set', 0],
    ['a 64-bit length of all ones', '81 ff ffffffffffffffff 00000000', 'length-msb-set', 0],
    ['a 64-bit length of 2^53', '82 7f 0020000000000000', 'length-too-large', 0],
    ['a ping with a 16-bit length', '89 7e 007d', 'control-too-long', 0],
    ['a close frame with a 64-bit length', '88 7f 0000000000000002', 'control-too-long', 0],
    ['a masked pong with a 16-bit length', '8a fe 0005 00000000', 'control-too-long', 0],
    ['a fragmented ping', '09 00', 'control-fragmented', 0],
    ['a fragmented close frame', '08 02 03e8', 'control-fragmented', 0],
    ['a fragmented reserved control opcode', '0c 00', 'control-fragmented', 0],
    ['a forbidden frame after valid ones', '81 00 89 01 78 89 7e 0100', 'control-too-long', 5],
    [
      'a bad length after a large frame',
      `82 7e 0100 ${'00'.repeat(256)} 82 7f ff00000000000000`,
      'length-msb-set',
      260,
    ],
  ])('reports %s once and stops', (_, bytes, code, offset) => {
    const parser = new FrameParser();
    parser.push(hex(bytes));
    const error = parser.error;
    expect(error).toMatchObject({ code, offset });
    expect(error!.message).toMatch(/\S/);
    expect(error!.message).not.toContain('\n');
    expect(parser.inFrame).toBe(false);
    expect(parser.push(hex('81 00 81 00'))).toEqual([]);
    expect(parser.error).toBe(error);
  });

  it('returns the frames completed before the error in the same chunk', () => {
    const parser = new FrameParser();
    expect(parser.push(hex('81 01 61 0a 00 81 00'))).toEqual([info({ opcode: 1, length: 1, headerLength: 2 })]);
    expect(parser.error).toEqual({
      code: 'control-fragmented',
      message: 'control frame (pong) with FIN clear: control frames must not be fragmented',
      offset: 3,
    });
  });

  it.each([
    ['89 7e 007e', 'control frame (ping) with a 16-bit payload length: at most 125 bytes allowed'],
    ['8f 7f', 'control frame (reserved opcode 15) with a 64-bit payload length: at most 125 bytes allowed'],
    ['82 7f 8000000000000000', 'invalid 64-bit payload length: its most significant bit must be 0'],
    ['82 7f 0020000000000000', 'unsupported payload length 0x0020000000000000: above 2^53 - 1'],
  ])('explains %s as "%s"', (bytes, message) => {
    const parser = new FrameParser();
    parser.push(hex(bytes));
    expect(parser.error?.message).toBe(message);
  });

  it('never throws on random garbage, split anywhere, and parses it as it would in one chunk', () => {
    const random = prng(0x5eed);
    let failed = 0;
    for (let iteration = 0; iteration < 1000; iteration++) {
      const garbage = randomBytes(random, randomInt(random, 1024));
      const oneShot = parsePieces([garbage]);
      const split = parsePieces(splitAt(garbage, randomCuts(random, garbage.length, randomInt(random, 8))));
      expect(split, `iteration ${iteration}`).toEqual(oneShot);
      for (const frame of oneShot.frames) {
        expect([2, 4, 6, 8, 10, 14]).toContain(frame.headerLength);
        if (isControlOpcode(frame.opcode)) {
          expect(frame.fin).toBe(true);
          expect(frame.payload).toHaveLength(frame.length);
        }
      }
      if (oneShot.error) failed++;
    }
    // Random bytes break the framing rules quickly: most streams of up to 1 KiB end in an error.
    expect(failed).toBeGreaterThan(500);
  });
});

describe('FrameParser: memory', () => {
  it.each([
    ['unmasked', false],
    ['masked', true],
  ])('reports one 10 MiB %s frame fed in 64 KiB chunks, retaining nothing bigger than a header', (_, masked) => {
    const parser = new FrameParser();
    const length = 10 * 2 ** 20;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const header = masked ? hex(`82 ff 0000000000a00000 ${KEY}`) : hex('82 7f 0000000000a00000');
    const frames = parser.push(header);
    for (let sent = 0; sent < length; sent += chunk.length) {
      frames.push(...parser.push(chunk));
      for (const view of retainedViews(parser)) {
        expect(view.byteLength).toBeLessThanOrEqual(14);
        expect(view.buffer).not.toBe(chunk.buffer);
      }
    }
    expect(frames).toEqual([info({ opcode: 2, masked, length, headerLength: masked ? 14 : 10 })]);
    expect(parser.inFrame).toBe(false);
  });
});

describe('FrameParser: agrees with ws', () => {
  /** ws's own serializer (untyped in @types/ws), as the real peer of the parser in wsprobe. */
  const Sender = (ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender;

  it.each([
    [0, false],
    [125, false],
    [126, true],
    [65535, false],
    [65536, true],
    [70000, true],
  ])('reads a %i-byte binary message framed by ws (masked: %s)', (length, mask) => {
    const bytes = Buffer.concat(
      Sender.frame(Buffer.alloc(length, 0x42), { opcode: 2, fin: true, mask, readOnly: true, rsv1: false }),
    );
    expect(parsePieces(splitAt(bytes, [1, 3, 7]))).toEqual({
      frames: [info({ opcode: 2, masked: mask, length, headerLength: bytes.length - length })],
      error: undefined,
    });
  });

  it('reads control frames framed by ws, masked, with their payload unmasked', () => {
    const close = Buffer.concat([hex('0fa0'), Buffer.from('going away')]);
    const bytes = Buffer.concat([
      ...Sender.frame(Buffer.from('tick'), { opcode: 9, fin: true, mask: true, readOnly: true }),
      ...Sender.frame(close, { opcode: 8, fin: true, mask: true, readOnly: true }),
    ]);
    const { frames, error } = parsePieces([bytes]);
    expect(error).toBeUndefined();
    expect(frames.map((f) => [f.opcodeName, f.payload?.toString('latin1')])).toEqual([
      ['ping', 'tick'],
      ['close', close.toString('latin1')],
    ]);
    expect(frames[1]).toMatchObject({ closeCode: 4000, closeReason: 'going away', masked: true });
  });
});

describe('FrameParser: property', () => {
  function randomSpec(random: () => number): FrameSpec {
    const control = random() < 0.3;
    const opcode = control ? [8, 9, 10, 11, 15][randomInt(random, 5)]! : [0, 1, 2, 3, 7][randomInt(random, 5)]!;
    const sizeClass = control ? 0 : randomInt(random, 3);
    const length = [randomInt(random, 126), 126 + randomInt(random, 65536 - 126), 65536 + randomInt(random, 2000)][
      sizeClass
    ]!;
    // Data frames sometimes use a longer length field than needed; control frames never may.
    const minimal = length < 126 ? 7 : length < 65536 ? 16 : 64;
    const lengthForm = control || random() < 0.8 ? minimal : (([7, 16, 64] as const).find((f) => f > minimal) ?? 64);
    return {
      opcode,
      payload: randomBytes(random, length),
      fin: control || random() < 0.7,
      rsv1: random() < 0.2,
      rsv2: random() < 0.05,
      rsv3: random() < 0.05,
      ...(random() < 0.5 ? { mask: randomBytes(random, 4) } : {}),
      lengthForm,
    };
  }

  it('parses random valid frame sequences, split at random points, back into what was serialized', () => {
    const random = prng(20240609);
    for (let iteration = 0; iteration < 200; iteration++) {
      const specs = Array.from({ length: 1 + randomInt(random, 8) }, () => randomSpec(random));
      const bytes = Buffer.concat(specs.map(encodeFrame));
      const pieces = splitAt(bytes, randomCuts(random, bytes.length, randomInt(random, 12)));
      expect(parsePieces(pieces), `iteration ${iteration}`).toEqual({
        frames: specs.map(expectedInfo),
        error: undefined,
      });
    }
  });
});
