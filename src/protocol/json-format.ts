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

/** A run of characters that stand for themselves in a JSON string (sticky: matched where `lastIndex` is). */
const PLAIN_RUN = /[^"\\\x00-\x1f]*/y;

/** The end of the string starting at `at` (a `"`), or -1: unterminated, a raw control character, a bad escape. */
function stringEnd(text: string, at: number): number {
  let i = at + 1;
  // A short string (a key, most values) ends before the regexp below would pay for its call.
  const short = Math.min(text.length, i + 24);
  for (; i < short; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c || c < 0x20) break;
  }
  for (;;) {
    // Most of a long string is plain: skipped by the regexp engine, not a character at a time.
    PLAIN_RUN.lastIndex = i;
    PLAIN_RUN.test(text);
    i = PLAIN_RUN.lastIndex;
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

/** A newline and the indent of `depth` (with `base` levels of margin); it counts `1 + 2 * depth` plain. */
function newline(depth: number, base: number): string {
  return INDENTS[depth + base] ?? `\n${'  '.repeat(depth + base)}`;
}

/** What the parser expects next. */
const VALUE = 0;
/** Just after `[`: a value or `]`. */
const VALUE_OR_CLOSE = 1;
const KEY = 2;
const COLON = 3;
/** A `,` or the close of the container (or, at the top, the end of the text). */
const AFTER_VALUE = 4;

/** `layOut`'s answer when the compact form is longer than its budget. */
const TOO_LONG = 'too long';

interface Writing {
  compact: boolean;
  /** Give up (TOO_LONG) once the compact form is longer than this. */
  budget: number;
  /** Absent: check only. */
  format: JsonFormatOptions | undefined;
  /**
   * Set by `layOut` when the text is such JSON: the length of its compact form (-1 until then). Every
   * Writing is made with all four fields, in this order: one shape for `layOut` to read (setting a
   * field the object was made without made laying out 100 000 messages take 185 ms instead of 80).
   */
  compactLength: number;
}

/**
 * The one pass over the characters: JSON's grammar checked token by token (only an object or array
 * at the top, nesting at most `maxDepth`), the compact length counted, and — when `w.format` is given
 * — the text laid out as it goes (`cutAt` once `limit` is reached; the rest is still checked). Null
 * when the text is not such JSON. Returns the compact length when only checking.
 */
function layOut(text: string, w: Writing, maxDepth: number): JsonLayoutResult | number | null | typeof TOO_LONG {
  let at = skipSpace(text, 0);
  const first = text.charCodeAt(at);
  if (first !== 0x7b && first !== 0x5b) return null;
  const o = w.format;
  let writing = o !== undefined;
  const compact = w.compact;
  const budget = w.budget;
  const paint = o?.paint ?? {};
  const paintKey = paint.key;
  const paintString = paint.string;
  const paintNumber = paint.number;
  const paintLiteral = paint.literal;
  const escapeText = o?.escape;
  const limit = o?.limit ?? Number.POSITIVE_INFINITY;
  const base = o?.margin === '  ' ? 1 : 0;
  let out = '';
  let plain = 0;
  let cutAt = -1;
  /** The compact form's length so far (`{"a": 1, "b": 2}`: a space after each comma and colon). */
  let length = 0;
  // Open containers as character codes: `{` 0x7b, `[` 0x5b.
  const stack: number[] = [];
  let expect = VALUE;
  for (;;) {
    if (at >= text.length) break;
    if (writing && plain >= limit) {
      writing = false;
      cutAt = at;
    }
    const c = text.charCodeAt(at);
    switch (c) {
      case 0x7b:
      case 0x5b: {
        if (expect !== VALUE && expect !== VALUE_OR_CLOSE) return null;
        if (stack.length >= maxDepth) return null;
        const next = skipSpace(text, at + 1);
        if (text.charCodeAt(next) === c + 2) {
          // `{}` and `[]` (0x7d and 0x5d are two after their openers).
          length += 2;
          if (writing) {
            out += c === 0x7b ? '{}' : '[]';
            plain += 2;
          }
          at = next + 1;
          expect = AFTER_VALUE;
        } else {
          length++;
          stack.push(c);
          if (writing) {
            out += c === 0x7b ? '{' : '[';
            plain++;
            if (!compact) {
              out += newline(stack.length, base);
              plain += 1 + 2 * stack.length;
            }
          }
          at = next;
          expect = c === 0x7b ? KEY : VALUE_OR_CLOSE;
        }
        break;
      }
      case 0x7d:
      case 0x5d:
        // An empty container was taken whole at its opener: a close follows a value.
        if (expect !== AFTER_VALUE || stack.length === 0 || stack[stack.length - 1] !== c - 2) return null;
        stack.pop();
        length++;
        if (writing) {
          if (!compact) {
            out += newline(stack.length, base);
            plain += 1 + 2 * stack.length;
          }
          out += c === 0x7d ? '}' : ']';
          plain++;
        }
        at++;
        break;
      case 0x2c:
        if (expect !== AFTER_VALUE || stack.length === 0) return null;
        length += 2;
        if (writing) {
          out += ',';
          plain++;
          if (compact) out += ' ';
          else {
            out += newline(stack.length, base);
            plain += 1 + 2 * stack.length;
          }
        }
        at++;
        expect = stack[stack.length - 1] === 0x7b ? KEY : VALUE;
        break;
      case 0x3a:
        if (expect !== COLON) return null;
        length += 2;
        if (writing) {
          out += ': ';
          plain += 2;
        }
        at++;
        expect = VALUE;
        break;
      case 0x22: {
        const key = expect === KEY;
        if (!key && expect !== VALUE && expect !== VALUE_OR_CLOSE) return null;
        const end = stringEnd(text, at);
        if (end < 0) return null;
        length += end - at;
        if (writing) {
          const token = escapeText!(text.slice(at, end));
          const p = key ? paintKey : paintString;
          out += p ? p(token) : token;
          plain += end - at;
        }
        at = end;
        expect = key ? COLON : AFTER_VALUE;
        break;
      }
      default: {
        if (expect !== VALUE && expect !== VALUE_OR_CLOSE) return null;
        const end = scalarEnd(text, at);
        // A string was handled above: what ends here is a number or a literal.
        if (end < 0) return null;
        length += end - at;
        if (writing) {
          const token = text.slice(at, end);
          const p = c === 0x2d || isDigit(c) ? paintNumber : paintLiteral;
          out += p ? p(token) : token;
          plain += end - at;
        }
        at = end;
        expect = AFTER_VALUE;
      }
    }
    if (length > budget) return TOO_LONG;
    at = skipSpace(text, at);
    // The top container closed: only white space may follow.
    if (stack.length === 0 && expect === AFTER_VALUE) break;
  }
  if (at < text.length || stack.length > 0 || expect !== AFTER_VALUE) return null;
  w.compactLength = length;
  if (o === undefined) return length;
  return cutAt < 0 ? { text: out } : { text: out, cutAt };
}

/**
 * The length of `text`'s compact form (`{"a": 1}`: a space after each comma and colon) when it is a
 * JSON object or array, or -1: the check of `formatJsonText`, without laying anything out.
 */
export function compactJsonLength(text: string, maxDepth = 1000): number {
  const length = layOut(
    text,
    { compact: true, budget: Number.POSITIVE_INFINITY, format: undefined, compactLength: -1 },
    maxDepth,
  );
  return typeof length === 'number' ? length : -1;
}

/**
 * `text` laid out, or null when it is not a JSON object or array: what pretty mode calls for every
 * text message. One pass over the characters checks, counts and writes, with no token objects.
 * `auto` is compact when the compact form fits `width`: a text that short is laid out compact at once
 * (and again, indented, if it turns out longer); a longer one is laid out indented at once, its compact
 * length counted on the way, and again compact only when that fits (white space dropped from a text
 * laid out by hand). Either way a message is read once in the usual case. `cutAt` (with `limit`) is exact.
 */
export function formatJsonText(text: string, o: JsonFormatOptions): JsonLayoutResult | null {
  const unbounded = Number.POSITIVE_INFINITY;
  let compact = o.layout === 'compact';
  if (o.layout === 'auto') {
    const width = o.width ?? 80;
    if (text.length <= width) {
      const fits = layOut(text, { compact: true, budget: width, format: o, compactLength: -1 }, 1000);
      if (fits === null) return null;
      if (typeof fits === 'object') return fits;
      compact = false;
    } else {
      const indented: Writing = { compact: false, budget: unbounded, format: o, compactLength: -1 };
      const laid = layOut(text, indented, 1000);
      if (laid === null || typeof laid !== 'object') return null;
      if (indented.compactLength > width) return laid;
      compact = true;
    }
  }
  const laid = layOut(text, { compact, budget: unbounded, format: o, compactLength: -1 }, 1000);
  return typeof laid === 'object' ? laid : null;
}
