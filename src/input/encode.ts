/**
 * Sending encoded: `--send-msgpack <json>`, `--send-cbor <json>`, `/msgpack <json>` and `/cbor <json>`
 * encode a JSON value as one binary message, with the same libraries `--decode` uses. They are
 * required synchronously, and only when such a message is given (`createRequire` is not followed by
 * the bundler: the package is loaded from node_modules at that moment, never at start-up).
 */
import { createRequire } from 'node:module';
import type { Parsed } from '../protocol/close-codes.js';

export type EncodeCodec = 'msgpack' | 'cbor';

let required: NodeJS.Require | undefined;
/** A require() of our own, made at the first encoded message (`node:module` costs start-up otherwise). */
const load = (id: string): unknown => {
  required ??= createRequire(import.meta.url);
  return required(id);
};
const encoders: Partial<Record<EncodeCodec, (value: unknown) => Uint8Array>> = {};

function encoder(codec: EncodeCodec): (value: unknown) => Uint8Array {
  let encode = encoders[codec];
  if (!encode) {
    if (codec === 'msgpack') {
      const { Encoder } = load('@msgpack/msgpack') as typeof import('@msgpack/msgpack');
      const e = new Encoder();
      encode = (value) => e.encode(value);
    } else {
      const { Encoder } = load('cbor-x') as typeof import('cbor-x');
      // Plain CBOR maps and arrays, as any decoder reads them (no cbor-x record extension).
      const e = new Encoder({ useRecords: false });
      encode = (value) => e.encode(value);
    }
    encoders[codec] = encode;
  }
  return encode;
}

/**
 * `json` as a MessagePack or CBOR binary message. Numbers are read as JSON.parse reads them (doubles:
 * integers beyond 2^53 are rounded); whole numbers are encoded as integers.
 */
export function encodeJson(codec: EncodeCodec, json: string): Parsed<Buffer> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    return { ok: false, error: `invalid JSON: ${(err as Error).message}` };
  }
  const bytes = encoder(codec)(value);
  return { ok: true, value: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}
