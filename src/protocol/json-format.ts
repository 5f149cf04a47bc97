/**
 * JSON as pretty mode shows it: indented or compact, each token painted by the caller. Pure.
 *
 * The text is tokenized, never `JSON.parse`d: numbers stay exactly as they were written
 * (`12345678901234567890123` is not rounded to a double, `1.10` keeps its zero), strings keep their
 * escapes, and keys keep their order and duplicates. Only objects and arrays are formatted; anything
 * that is not valid JSON is left to the caller to show as it is (`formatJson` returns null).
 */

export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal' | 'punct';

export interface JsonToken {
  kind: JsonTokenKind;
  /** The source text of the token (a string with its quotes and escapes). */
  text: string;
  /** Where the token ends in the source. */
  end: number;
}

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
  /** Stop once this many characters (plain) are laid out; `layoutJson` says where the source was cut. */
  limit?: number;
}

/** What `layoutJson` made: the text, and when `limit` cut it, how far into the source it got. */
export interface JsonLayoutResult {
  text: string;
  /** Characters of the source text shown (the end of the last token laid out); absent: all of it. */
  cutAt?: number;
}

const WS = /[ \t\r\n]*/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/**
 * The tokens of a JSON object or array, or null when `text` is not one (invalid JSON, or a bare
 * string, number or literal, which are shown as they are). `maxDepth` bounds the nesting.
 */
export function tokenizeJson(text: string, maxDepth = 1000): JsonToken[] | null {
  const tokens: JsonToken[] = [];
  let at = 0;
  const skip = () => {
    WS.lastIndex = at;
    WS.exec(text);
    at = WS.lastIndex;
  };
  const take = (re: RegExp, kind: JsonTokenKind): boolean => {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return false;
    at = re.lastIndex;
    tokens.push({ kind, text: m[0], end: at });
    return true;
  };
  const punct = (ch: string) => {
    at++;
    tokens.push({ kind: 'punct', text: ch, end: at });
  };
  // An explicit stack (no recursion): a hostile peer's [[[[…]]]] cannot overflow ours.
  const stack: Array<'{' | '['> = [];
  skip();
  const first = text[at];
  if (first !== '{' && first !== '[') return null;
  // expect: what may come next — a value, a key (or `}` after `{`), or `,`/close after a value.
  let expect: 'value' | 'key-or-close' | 'value-or-close' | 'after-value' = 'value';
  for (;;) {
    skip();
    const ch = text[at];
    if (expect === 'after-value') {
      const top = stack[stack.length - 1];
      if (top === undefined) break;
      if (ch === ',') {
        punct(',');
        skip();
        if (top === '{') {
          if (!take(STRING, 'key')) return null;
          skip();
          if (text[at] !== ':') return null;
          punct(':');
        }
        expect = 'value';
        continue;
      }
      if ((top === '{' && ch === '}') || (top === '[' && ch === ']')) {
        punct(ch);
        stack.pop();
        continue;
      }
      return null;
    }
    if (expect === 'key-or-close') {
      if (ch === '}') {
        punct('}');
        stack.pop();
        expect = 'after-value';
        continue;
      }
      if (!take(STRING, 'key')) return null;
      skip();
      if (text[at] !== ':') return null;
      punct(':');
      expect = 'value';
      continue;
    }
    if (expect === 'value-or-close' && ch === ']') {
      punct(']');
      stack.pop();
      expect = 'after-value';
      continue;
    }
    // A value.
    if (ch === '{' || ch === '[') {
      if (stack.length >= maxDepth) return null;
      punct(ch);
      stack.push(ch);
      expect = ch === '{' ? 'key-or-close' : 'value-or-close';
      continue;
    }
    if (!(take(STRING, 'string') || take(NUMBER, 'number') || take(LITERAL, 'literal'))) return null;
    expect = 'after-value';
  }
  skip();
  return at === text.length ? tokens : null;
}

/** The compact form's length in characters, plain (`{"a": 1, "b": [1, 2]}`). */
function compactLength(tokens: readonly JsonToken[]): number {
  let n = 0;
  for (const t of tokens) n += t.text.length + (t.text === ',' || t.text === ':' ? 1 : 0);
  return n;
}

/**
 * `text` formatted for a terminal, or null when it is not a JSON object or array. Never changes a
 * token: only whitespace is added or taken away.
 */
export function formatJson(text: string, o: JsonFormatOptions): string | null {
  const tokens = tokenizeJson(text);
  if (tokens === null) return null;
  return layoutJson(tokens, o).text;
}

export function layoutJson(tokens: readonly JsonToken[], o: JsonFormatOptions): JsonLayoutResult {
  const compact = o.layout === 'compact' || (o.layout === 'auto' && compactLength(tokens) <= (o.width ?? 80));
  const paint = o.paint ?? {};
  const show = (t: JsonToken): string => {
    const text = t.kind === 'key' || t.kind === 'string' ? o.escape(t.text) : t.text;
    const p = paint[t.kind];
    return p ? p(text) : text;
  };
  const parts: string[] = [];
  let depth = 0;
  let plain = 0;
  const newline = () => {
    parts.push(`\n${'  '.repeat(depth)}`);
    plain += 1 + 2 * depth;
  };
  const limit = o.limit ?? Number.POSITIVE_INFINITY;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (plain >= limit) return { text: parts.join(''), cutAt: tokens[i - 1].end };
    plain += t.text.length;
    if (t.kind !== 'punct') {
      parts.push(show(t));
      continue;
    }
    switch (t.text) {
      case '{':
      case '[': {
        const close = t.text === '{' ? '}' : ']';
        if (tokens[i + 1]?.text === close && tokens[i + 1].kind === 'punct') {
          parts.push(show({ kind: 'punct', text: t.text + close, end: tokens[i + 1].end }));
          i++;
        } else {
          parts.push(show(t));
          depth++;
          if (!compact) newline();
        }
        break;
      }
      case '}':
      case ']':
        depth--;
        if (!compact) newline();
        parts.push(show(t));
        break;
      case ',':
        parts.push(show(t));
        if (compact) parts.push(' ');
        else newline();
        break;
      default:
        parts.push(show(t), ' ');
    }
  }
  return { text: parts.join('') };
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
