/** Decoding of user-supplied payloads (hex, base64) into bytes. Pure. */
import type { Parsed } from './close-codes.js';

const HEX_BODY = /^[0-9a-fA-F]*$/;

/**
 * Hex: pairs of digits; white space and `:` between bytes are ignored, an optional `0x` prefix is
 * allowed, so `00ff0a`, `00 ff 0a`, `00:ff:0a` and `0x00ff0a` are the same three bytes.
 */
export function parseHex(text: string): Parsed<Buffer> {
  let body = text.replace(/[\s:]/g, '');
  if (body.startsWith('0x') || body.startsWith('0X')) body = body.slice(2);
  if (!HEX_BODY.test(body)) {
    const bad = body.match(/[^0-9a-fA-F]/)?.[0] ?? '?';
    return { ok: false, error: `invalid hex: unexpected character ${JSON.stringify(bad)}` };
  }
  if (body.length % 2 !== 0) {
    return { ok: false, error: `invalid hex: odd number of digits (${body.length})` };
  }
  return { ok: true, value: Buffer.from(body, 'hex') };
}

const BASE64_BODY = /^[A-Za-z0-9+/]*$/;
const BASE64URL_BODY = /^[A-Za-z0-9_-]*$/;

/** Base64 (standard or URL-safe alphabet, padding optional but correct when present). Strict. */
export function parseBase64(text: string): Parsed<Buffer> {
  const trimmed = text.trim();
  const body = trimmed.replace(/=+$/, '');
  const padding = trimmed.length - body.length;
  const urlSafe = !BASE64_BODY.test(body);
  if (urlSafe && !BASE64URL_BODY.test(body)) {
    return { ok: false, error: 'invalid base64: unexpected character' };
  }
  if (body.length % 4 === 1) {
    return { ok: false, error: 'invalid base64: wrong length' };
  }
  if (padding > 0 && padding !== (4 - (body.length % 4)) % 4) {
    return { ok: false, error: 'invalid base64: wrong padding' };
  }
  return { ok: true, value: Buffer.from(body, urlSafe ? 'base64url' : 'base64') };
}
