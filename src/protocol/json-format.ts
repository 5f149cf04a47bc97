/**
 * JSON as pretty mode shows it: indented or compact, each token painted by the caller. Pure.
 *
 * The text is tokenized, never `JSON.parse`d: numbers stay exactly as they were written
 * (`12345678901234567890123` is not rounded to a double, `1.10` keeps its zero), strings keep their
 * escapes, and keys keep their order and duplicates. Only objects and arrays are formatted; anything
 * that is not valid JSON is left to the caller to show as it is (`formatJsonText` returns null).
 */

export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal' | 'punct';

/** `indent`: two spaces per level; `compact`: one line; `auto`: compact when it fits `width`. */
export type JsonLayout = 'auto' | 'indent' | 'compact';

export interface JsonFormatOptions {
  layout: JsonLayout;
  /** `auto`: the columns the compact form may take. */
  width?: number;
  /**
   * Applied to every string and key before painting. A JSON string may hold DEL, C1 and bidi
   * controls raw (only C0 must be escaped): the caller passes its terminal escaping here.
   */
  escape: (text: string) => string;
  /** Colour per kind; absent: plain. */
  paint?: Partial<Record<JsonTokenKind, (text: string) => string>>;
  /** Stop once this many characters (plain) are laid out; `cutAt` says where the source was cut. */
  limit?: number;
  /** `indent`: written at the start of every line after the first (e.g. a margin), before the indent. */
  margin?: '' | '  ';
}

/** The laid-out text, and when `limit` cut it, how far into the source it got. */
export interface JsonLayoutResult {
  text: string;
  /** Characters of the source text shown (the end of the last token laid out); absent: all of it. */
  cutAt?: number;
}

function skipSpace(text: string, at: number): number {
  for (;;) {
    const c = text.charCodeAt(at);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return at;
    at++;
  }
}

const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** The end of the string starting at `at` (a `"`), or -1: unterminated, a raw control character, a bad escape. */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        if (!(isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3)))) return -1;
        if (!(isHex(text.charCodeAt(i + 4)) && isHex(text.charCodeAt(i + 5)))) return -1;
        i += 6;
      } else if (
        e === 0x22 ||
        e === 0x5c ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
      } else return -1;
    } else if (c < 0x20 || Number.isNaN(c)) return -1;
    else i++;
  }
}

/** The end of the number starting at `at`, or -1. */
function numberEnd(text: string, at: number): number {
  let i = at;
  if (text.charCodeAt(i) === 0x2d) i++;
  if (text.charCodeAt(i) === 0x30) i++;
  else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
  else return -1;
  if (text.charCodeAt(i) === 0x2e) {
    if (!isDigit(text.charCodeAt(++i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45) {
    const sign = text.charCodeAt(++i);
    if (sign === 0x2b || sign === 0x2d) i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/**
 * The length of `text`'s compact form (`{"a": 1}`: a space after each comma and colon) when it is a
 * JSON object or array, or -1. The check of `formatJsonText`: JSON's grammar,
 * without making a token.
 */
export function compactJsonLength(text: string, maxDepth = 1000): number {
  let at = skipSpace(text, 0);
  const first = text.charCodeAt(at);
  if (first !== 0x7b && first !== 0x5b) return -1;
  let length = 0;
  // Open containers as character codes: `{` 0x7b, `[` 0x5b.
  const stack: number[] = [];
  let expect: 'value' | 'key-or-close' | 'value-or-close' | 'after-value' = 'value';
  const key = (): boolean => {
    if (text.charCodeAt(at) !== 0x22) return false;
    const end = stringEnd(text, at);
    if (end < 0) return false;
    length += end - at + 2;
    at = skipSpace(text, end);
    if (text.charCodeAt(at) !== 0x3a) return false;
    at++;
    return true;
  };
  for (;;) {
    at = skipSpace(text, at);
    const c = text.charCodeAt(at);
    if (expect === 'after-value') {
      const top = stack.length === 0 ? -1 : stack[stack.length - 1];
      if (top === -1) break;
      if (c === 0x2c) {
        at = skipSpace(text, at + 1);
        length += 2;
        if (top === 0x7b && !key()) return -1;
        expect = 'value';
      } else if ((top === 0x7b && c === 0x7d) || (top === 0x5b && c === 0x5d)) {
        at++;
        length++;
        stack.pop();
      } else return -1;
      continue;
    }
    if (expect === 'key-or-close' && c === 0x7d) {
      at++;
      length++;
      stack.pop();
      expect = 'after-value';
      continue;
    }
    if (expect === 'key-or-close') {
      if (!key()) return -1;
      expect = 'value';
      continue;
    }
    if (expect === 'value-or-close' && c === 0x5d) {
      at++;
      length++;
      stack.pop();
      expect = 'after-value';
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      if (stack.length >= maxDepth) return -1;
      at++;
      length++;
      stack.push(c);
      expect = c === 0x7b ? 'key-or-close' : 'value-or-close';
      continue;
    }
    const end = scalarEnd(text, at);
    if (end < 0) return -1;
    length += end - at;
    at = end;
    expect = 'after-value';
  }
  return skipSpace(text, at) === text.length ? length : -1;
}

/** The end of the string, number or literal at `at`, or -1. */
function scalarEnd(text: string, at: number): number {
  const c = text.charCodeAt(at);
  if (c === 0x22) return stringEnd(text, at);
  if (c === 0x2d || isDigit(c)) return numberEnd(text, at);
  const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : null;
  return word !== null && text.startsWith(word, at) ? at + word.length : -1;
}

/** Newline and indent per depth, made once. */
const INDENTS = Array.from({ length: 32 }, (_, depth) => `\n${'  '.repeat(depth)}`);

/**
 * `text` laid out, or null when it is not a JSON object or array: what pretty mode calls for every
 * text message. Two passes over the characters (check, then write), no token objects; `cutAt` (with
 * `limit`) is exact.
 */
export function formatJsonText(text: string, o: JsonFormatOptions): JsonLayoutResult | null {
  const compactLength = compactJsonLength(text);
  if (compactLength < 0) return null;
  const compact = o.layout === 'compact' || (o.layout === 'auto' && compactLength <= (o.width ?? 80));
  const paint = o.paint ?? {};
  const escapeText = o.escape;
  const limit = o.limit ?? Number.POSITIVE_INFINITY;
  const base = o.margin === '  ' ? 1 : 0;
  let out = '';
  let depth = 0;
  let plain = 0;
  const newline = () => {
    out += INDENTS[depth + base] ?? `\n${'  '.repeat(depth + base)}`;
    plain += 1 + 2 * depth;
  };
  const paintKey = paint.key;
  const paintString = paint.string;
  const paintNumber = paint.number;
  const paintLiteral = paint.literal;
  let at = skipSpace(text, 0);
  while (at < text.length) {
    if (plain >= limit) return { text: out, cutAt: at };
    const c = text.charCodeAt(at);
    switch (c) {
      case 0x7b:
      case 0x5b: {
        const next = skipSpace(text, at + 1);
        if (text.charCodeAt(next) === c + 2) {
          // `{}` and `[]` (0x7d and 0x5d are two after their openers).
          out += c === 0x7b ? '{}' : '[]';
          plain += 2;
          at = next + 1;
        } else {
          out += c === 0x7b ? '{' : '[';
          plain++;
          depth++;
          if (!compact) newline();
          at = next;
        }
        break;
      }
      case 0x7d:
      case 0x5d:
        depth--;
        if (!compact) newline();
        out += c === 0x7d ? '}' : ']';
        plain++;
        at++;
        break;
      case 0x2c:
        out += ',';
        plain++;
        if (compact) out += ' ';
        else newline();
        at++;
        break;
      case 0x3a:
        out += ': ';
        plain += 2;
        at++;
        break;
      case 0x22: {
        const end = stringEnd(text, at);
        const token = escapeText(text.slice(at, end));
        const after = skipSpace(text, end);
        const p = text.charCodeAt(after) === 0x3a ? paintKey : paintString;
        out += p ? p(token) : token;
        plain += end - at;
        at = end;
        break;
      }
      default: {
        const end = scalarEnd(text, at);
        const token = text.slice(at, end);
        const p = c === 0x2d || isDigit(c) ? paintNumber : paintLiteral;
        out += p ? p(token) : token;
        plain += end - at;
        at = end;
      }
    }
    at = skipSpace(text, at);
  }
  return { text: out };
}

/**
 * A value decoded from MessagePack or CBOR as JSON text: integers of any size written exactly (the
 * decoders give big ones as bigint), byte strings as `{"$bytes":"<base64>"}`, maps with other keys
 * than strings with their keys written as JSON text, dates as ISO strings, CBOR tags as
 * `{"$tag":n,"value":…}`, NaN and the infinities as strings.
 */
export function toJsonText(value: unknown, depth = 0): string {
  if (depth > 1000) return '"…"';
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return String(value);
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : JSON.stringify(String(value));
    case 'string':
      return JSON.stringify(value);
    case 'object':
      break;
    default:
      return JSON.stringify(String(value));
  }
  if (value instanceof Uint8Array) {
    return `{"$bytes":${JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'))}}`;
  }
  if (value instanceof Date)
    return JSON.stringify(Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => toJsonText(v, depth + 1)).join(',')}]`;
  if (value instanceof Map) {
    const entries = [...value.entries()].map(
      ([k, v]) => `${JSON.stringify(typeof k === 'string' ? k : toJsonText(k, depth + 1))}:${toJsonText(v, depth + 1)}`,
    );
    return `{${entries.join(',')}}`;
  }
  if (value instanceof Set) return toJsonText([...value], depth);
  const tagged = value as { tag?: unknown; value?: unknown };
  if (value.constructor?.name === 'Tag' && typeof tagged.tag === 'number') {
    return `{"$tag":${tagged.tag},"value":${toJsonText(tagged.value, depth + 1)}}`;
  }
  const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v, depth + 1)}`);
  return `{${entries.join(',')}}`;
}
