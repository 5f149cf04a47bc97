/** Issue 19: --decode's codec table — zlib's three formats, MessagePack, CBOR, and `auto`. */
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { encode as msgpack } from '@msgpack/msgpack';
import { encode as cbor } from 'cbor-x';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Codecs, decodePayload, loadCodecs, needsLibraries } from '../../src/protocol/decode.js';

const LIMIT = 1024 * 1024;
const JSON_TEXT = '{"type":"trade","price":1.5}';
let codecs: Codecs;

beforeAll(async () => {
  codecs = await loadCodecs('auto');
});

describe('decodePayload', () => {
  it.each([
    ['gzip', gzipSync(JSON_TEXT)],
    ['deflate', deflateRawSync(JSON_TEXT)],
    ['zlib', deflateSync(JSON_TEXT)],
  ] as const)('%s: decompressed UTF-8 is text', (codec, data) => {
    expect(decodePayload(data, codec, codecs, LIMIT)).toEqual({
      ok: true,
      value: { codec, text: JSON_TEXT, size: JSON_TEXT.length },
    });
  });

  it('decompressed bytes that are not UTF-8 stay bytes', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const result = decodePayload(gzipSync(bytes), 'gzip', codecs, LIMIT);
    expect(result).toEqual({ ok: true, value: { codec: 'gzip', bytes, size: 4 } });
  });

  it('msgpack: the value as exact JSON text, and as JSON data for --json', () => {
    const data = Buffer.from(
      msgpack({ type: 'mp', big: 2n ** 63n - 1n, small: 7n, bin: new Uint8Array([1]) }, { useBigInt64: true }),
    );
    const result = decodePayload(data, 'msgpack', codecs, LIMIT);
    expect(result).toMatchObject({
      ok: true,
      value: {
        codec: 'msgpack',
        jsonText: '{"type":"mp","big":9223372036854775807,"small":7,"bin":{"$bytes":"AQ=="}}',
        json: { type: 'mp', big: '9223372036854775807', small: 7, bin: { $bytes: 'AQ==' } },
      },
    });
  });

  it('cbor: the value as JSON', () => {
    const result = decodePayload(Buffer.from(cbor({ type: 'cbor', list: [1, 'two', null] })), 'cbor', codecs, LIMIT);
    expect(result).toMatchObject({
      ok: true,
      value: { codec: 'cbor', json: { type: 'cbor', list: [1, 'two', null] } },
    });
  });

  it.each([
    ['gzip', Buffer.from('plain text')],
    ['zlib', Buffer.from([1, 2, 3])],
    ['msgpack', Buffer.from([0xc1])],
    ['cbor', Buffer.from([0xff, 0xff])],
  ] as const)('%s: a payload that does not decode says why in one line', (codec, data) => {
    const result = decodePayload(data, codec, codecs, LIMIT);
    expect(result?.ok).toBe(false);
    if (result && !result.ok) {
      expect(result.error).toMatch(new RegExp(`^not ${codec}: `));
      expect(result.error).not.toContain('\n');
    }
  });

  it('a decompression bomb stops at the limit, with one line naming it', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const result = decodePayload(bomb, 'gzip', codecs, LIMIT);
    expect(result).toEqual({
      ok: false,
      codec: 'gzip',
      bomb: true,
      error: 'decompresses to more than 1.0 MiB (--max-payload); not decoded',
    });
  });

  it.each([
    ['gzip', gzipSync(JSON_TEXT)],
    ['zlib', deflateSync(JSON_TEXT)],
    ['msgpack', Buffer.from(msgpack({ a: 1, b: [true] }))],
    ['msgpack', Buffer.from(msgpack([1, 2, 3]))],
    ['cbor', Buffer.from(cbor({ a: 1, b: [true] }))],
  ] as const)('auto recognises %s', (codec, data) => {
    expect(decodePayload(data, 'auto', codecs, LIMIT)).toMatchObject({ ok: true, value: { codec } });
  });

  it('auto: what it does not recognise is null (shown as binary, no note)', () => {
    expect(decodePayload(Buffer.from([0xc1, 0xc1, 0xc1]), 'auto', codecs, LIMIT)).toBeNull();
    expect(decodePayload(Buffer.alloc(0), 'auto', codecs, LIMIT)).toBeNull();
  });
});

describe('loadCodecs', () => {
  it('only msgpack, cbor and auto need the libraries', async () => {
    expect(['gzip', 'deflate', 'zlib', undefined].map((c) => needsLibraries(c as never))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(await loadCodecs('gzip')).toEqual({});
    expect(Object.keys(await loadCodecs('cbor'))).toEqual(['cbor']);
  });
});
