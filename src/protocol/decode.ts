/**
 * `--decode`: what a received binary payload really is — gzip, zlib or raw deflate compressed bytes,
 * MessagePack or CBOR — decoded for display. One table, one row per codec. Pure: Node's zlib works in
 * memory; the MessagePack and CBOR libraries are loaded (`loadCodecs`) only when a choice needs them.
 *
 * Decompression is bounded by `limit` (`--max-payload`): zlib stops at that many bytes of output
 * (`maxOutputLength`), so a small bomb that would inflate to gigabytes is refused without the memory.
 */
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import { toJsonText } from './json-value.js';
import { humanSize } from './size.js';

export const CODECS = ['gzip', 'deflate', 'zlib', 'msgpack', 'cbor'] as const;
export type Codec = (typeof CODECS)[number];
export type DecodeChoice = Codec | 'auto';
export const DECODE_CHOICES: readonly DecodeChoice[] = [...CODECS, 'auto'];

/** What a payload decoded to: text (decompressed UTF-8), a value (as exact JSON text), or bytes. */
export interface DecodedPayload {
  codec: Codec;
  /** Decompressed bytes that are UTF-8 text. */
  text?: string;
  /** MessagePack or CBOR: the value as JSON text, integers exact (see `toJsonText`). */
  jsonText?: string;
  /** The value as plain JSON data for `--json` (integers beyond 2^53 as strings). */
  json?: unknown;
  /** Decompressed bytes that are not UTF-8. */
  bytes?: Buffer;
  /** The size of what the payload decoded to. */
  size: number;
}

export type DecodeResult =
  | { ok: true; value: DecodedPayload }
  /** `bomb`: it would decompress past the limit. */
  | { ok: false; codec: Codec | 'auto'; error: string; bomb?: boolean };

/** The MessagePack and CBOR decoders, once loaded. */
export interface Codecs {
  msgpack?: (data: Uint8Array) => unknown;
  cbor?: (data: Uint8Array) => unknown;
}

export function needsLibraries(choice: DecodeChoice | undefined): boolean {
  return choice === 'msgpack' || choice === 'cbor' || choice === 'auto';
}

/** A module's exports, whether the bundler gives them as named exports or under `default`. */
function withDefault<T extends object>(mod: T): T {
  return 'default' in mod && mod.default && !('Decoder' in mod) ? (mod.default as T) : mod;
}

/** Loads the libraries `choice` needs (nothing for the zlib codecs). */
export async function loadCodecs(choice: DecodeChoice | undefined): Promise<Codecs> {
  const codecs: Codecs = {};
  if (choice === 'msgpack' || choice === 'auto') {
    const { Decoder } = withDefault(await import('@msgpack/msgpack'));
    // int64/uint64 as bigint: written exactly, never rounded to a double.
    const decoder = new Decoder({ useBigInt64: true });
    codecs.msgpack = (data) => decoder.decode(data);
  }
  if (choice === 'cbor' || choice === 'auto') {
    const { Decoder } = withDefault(await import('cbor-x'));
    // mapsAsObjects: false keeps maps with non-string keys as Maps; int64 as bigint.
    const decoder = new Decoder({ mapsAsObjects: true, useRecords: false, int64AsType: 'bigint' } as never);
    codecs.cbor = (data) => decoder.decode(data);
  }
  return codecs;
}

const INFLATE: Record<'gzip' | 'deflate' | 'zlib', (data: Buffer, o: { maxOutputLength: number }) => Buffer> = {
  gzip: gunzipSync,
  deflate: inflateRawSync,
  zlib: inflateSync,
};

function decompressed(codec: Codec, bytes: Buffer): DecodedPayload {
  // Text when it is valid UTF-8: what the compressed JSON of most APIs is.
  const text = bytes.toString('utf8');
  if (Buffer.byteLength(text) === bytes.length && !text.includes('\ufffd')) {
    return { codec, text, size: bytes.length };
  }
  return { codec, bytes, size: bytes.length };
}

/** Plain JSON data for `--json`: bigints as numbers when exact, as strings otherwise. */
function jsonValue(jsonText: string): unknown {
  // Integers of 16+ digits are quoted before parsing so that none is rounded.
  return JSON.parse(
    jsonText.replace(/("(?:[^"\\]|\\.)*")|(?<![\d.eE+-])(-?\d{16,})(?![.\deE])/g, (m, str, big) => {
      if (str !== undefined) return m;
      return Number.isSafeInteger(Number(big)) ? big : `"${big}"`;
    }),
  );
}

function decodeWith(codec: Codec, data: Buffer, codecs: Codecs, limit: number): DecodeResult {
  try {
    if (codec === 'gzip' || codec === 'deflate' || codec === 'zlib') {
      return { ok: true, value: decompressed(codec, INFLATE[codec](data, { maxOutputLength: limit })) };
    }
    const decode = codecs[codec];
    if (!decode) return { ok: false, codec, error: `${codec} decoder not loaded` };
    const value = decode(data);
    const jsonText = toJsonText(value);
    return { ok: true, value: { codec, jsonText, json: jsonValue(jsonText), size: jsonText.length } };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || (e instanceof RangeError && /larger than/.test(e.message))) {
      return {
        ok: false,
        codec,
        bomb: true,
        error: `decompresses to more than ${humanSize(limit)} (--max-payload); not decoded`,
      };
    }
    const message = String(e.message ?? e)
      .split('\n')[0]
      .slice(0, 200);
    return { ok: false, codec, error: message };
  }
}

/** The gzip magic, and a zlib header (CMF 0x78 with a valid check: RFC 1950). */
function sniffCompressed(data: Buffer): Codec | null {
  if (data.length >= 3 && data[0] === 0x1f && data[1] === 0x8b && data[2] === 8) return 'gzip';
  if (data.length >= 2 && (data[0] & 0x0f) === 8 && data[0] >> 4 <= 7 && ((data[0] << 8) | data[1]) % 31 === 0) {
    return 'zlib';
  }
  return null;
}

/**
 * `auto`: gzip and zlib by their headers; then MessagePack and CBOR, each accepted only when it
 * decodes the whole payload. Both use 0x80–0x9f for small containers: a CBOR map (0xa0–0xbf, a short
 * string in MessagePack) or CBOR's self-describe tag is tried as CBOR first, anything else as
 * MessagePack first. Raw deflate has no header: it is never guessed. Null: nothing recognised.
 */
function decodeAuto(data: Buffer, codecs: Codecs, limit: number): DecodeResult | null {
  if (data.length === 0) return null;
  const compressed = sniffCompressed(data);
  if (compressed) return decodeWith(compressed, data, codecs, limit);
  const cborFirst = (data[0] >= 0xa0 && data[0] <= 0xbf) || (data[0] === 0xd9 && data[1] === 0xd9 && data[2] === 0xf7);
  const order: Codec[] = cborFirst ? ['cbor', 'msgpack'] : ['msgpack', 'cbor'];
  for (const codec of order) {
    const result = decodeWith(codec, data, codecs, limit);
    if (result.ok) return result;
  }
  return null;
}

/**
 * Decodes a received binary payload per `choice`. Null: `auto` recognised nothing (shown as binary,
 * without a note). An explicit codec that fails says why, in a few words.
 */
export function decodePayload(data: Buffer, choice: DecodeChoice, codecs: Codecs, limit: number): DecodeResult | null {
  if (choice === 'auto') return decodeAuto(data, codecs, limit);
  const result = decodeWith(choice, data, codecs, limit);
  if (!result.ok && !result.bomb) return { ...result, error: `not ${choice}: ${result.error}` };
  return result;
}
