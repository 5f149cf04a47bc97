/** Parsing of `-H "Name: value"` arguments. Pure. */
import type { Parsed } from './close-codes.js';

/** RFC 7230 token characters. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const ASCII_SPACE_AT_ENDS = /^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g;

export function parseHeader(text: string): Parsed<[string, string]> {
  const colon = text.indexOf(':');
  if (colon <= 0) {
    return { ok: false, error: `invalid header "${text}": expected "Name: value"` };
  }
  const name = text.slice(0, colon).trim();
  // Only ASCII white space is trimmed: trim() would also drop U+00A0, a valid byte (0xA0) of a value.
  const value = text.slice(colon + 1).replace(ASCII_SPACE_AT_ENDS, '');
  if (!TOKEN.test(name)) {
    return { ok: false, error: `invalid header name "${name}"` };
  }
  if (/[\r\n\0]/.test(value)) {
    return { ok: false, error: `invalid value for header "${name}": contains a line break or NUL` };
  }
  return { ok: true, value: [name, value] };
}

/** Node's `rawHeaders` (name, value, name, value, …) as pairs, names in the case they were sent. */
export function headerPairs(raw: readonly string[]): Array<[string, string]> {
  const list: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i], raw[i + 1]]);
  return list;
}
