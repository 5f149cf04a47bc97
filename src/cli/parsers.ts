/** Option-argument parsers for commander: each rejects bad input with a one-line message. */
import { InvalidArgumentError } from 'commander';
import { parseWriteOut, type WriteOut } from '../output/summary.js';
import { type Parsed, parseCloseCode, validateCloseReason } from '../protocol/close-codes.js';
import { type Expectation, parseExpectJson, parseExpectPattern } from '../protocol/expect.js';
import { parseHeader } from '../protocol/headers.js';

function unwrap<T>(result: Parsed<T>): T {
  if (!result.ok) throw new InvalidArgumentError(result.error);
  return result.value;
}

export function closeCodeArg(text: string): number {
  return unwrap(parseCloseCode(text));
}

export function closeReasonArg(text: string): string {
  return unwrap(validateCloseReason(text));
}

export function headerArg(text: string, previous: Array<[string, string]> = []): Array<[string, string]> {
  return [...previous, unwrap(parseHeader(text))];
}

export function collect(text: string, previous: string[] = []): string[] {
  return [...previous, text];
}

export function increment(_: string, previous = 0): number {
  return previous + 1;
}

/** Seconds as a non-negative decimal number: `0`, `1.5`. */
export function secondsArg(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number of seconds >= 0, got "${text}"`);
  }
  return n;
}

export function positiveSecondsArg(text: string): number {
  const n = secondsArg(text);
  if (n === 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return n;
}

export function positiveIntArg(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new InvalidArgumentError(`expected a whole number >= 1, got "${text}"`);
  }
  return Number(text);
}

/** Multipliers of a size's suffix: k, M, G are powers of 1024, as in curl; `B`, `iB` and case do not matter. */
const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * A number of bytes: `65536`, `64k`, `16M`, `1GiB`, `1.5MB`, `100B` (k = 1024; a fraction of a unit is
 * rounded down to whole bytes). `min` is the smallest accepted: 1 for limits, 0 where 0 means "none".
 */
export function parseSize(text: string, min = 1): Parsed<number> {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kmg]?)(i?b)?\s*$/i.exec(text);
  const unit = m
    ? m[3] && !m[2] && m[3].toLowerCase() === 'ib'
      ? undefined
      : SIZE_UNITS[m[2].toLowerCase()]
    : undefined;
  if (!m || unit === undefined) {
    return { ok: false, error: `expected a size in bytes such as 65536, 64k, 16M or 1G (k = 1024), got "${text}"` };
  }
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < min)
    return { ok: false, error: `expected a size of at least ${min} byte${min === 1 ? '' : 's'}, got "${text}"` };
  if (!Number.isSafeInteger(bytes)) return { ok: false, error: `size "${text}" is too large` };
  return { ok: true, value: bytes };
}

/** A byte limit: at least 1 byte, suffixes as `parseSize`. */
export function sizeArg(text: string): number {
  return unwrap(parseSize(text, 1));
}

/** A byte count where 0 means none: suffixes as `parseSize`. */
export function nonNegativeSizeArg(text: string): number {
  return unwrap(parseSize(text, 0));
}

export function nonNegativeIntArg(text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new InvalidArgumentError(`expected a whole number >= 0, got "${text}"`);
  return Number(text);
}

export function choiceArg<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    if (!(choices as readonly string[]).includes(text)) {
      throw new InvalidArgumentError(`expected one of ${choices.join(', ')}, got "${text}"`);
    }
    return text as T;
  };
}

/** `\n`, `\t`, `\r`, `\0` and `\\` in a separator mean what they say. */
export function separatorArg(text: string): string {
  return text.replace(
    /\\([ntr0\\])/g,
    (_, ch: string) => ({ n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\' })[ch] ?? ch,
  );
}

/** Parsers for --expect and --expect-json that share one ordered list. */
export function expectParsers(list: Expectation[]) {
  const add = (parsed: Parsed<Expectation>) => {
    list.push(unwrap(parsed));
    return list;
  };
  return {
    text: (text: string) => add(parseExpectPattern(text)),
    json: (text: string) => add(parseExpectJson(text)),
  };
}

/** A close code a peer can send: the sendable ones, and 1005 (a close frame without a code). */
export function expectCloseArg(text: string): number {
  if (text.trim() === '1005') return 1005;
  return closeCodeArg(text);
}

export function writeOutArg(text: string): WriteOut {
  return unwrap(parseWriteOut(text));
}
