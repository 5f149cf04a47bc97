/**
 * Comparing what a server answered with what a recording says it answered: message by message, in
 * order — equal, differing (with a diff), missing, extra. JSON text is compared as JSON (key order does
 * not matter) with `--ignore-json-path` fields left out; other text and binary byte for byte. Pure.
 */

import type { Parsed } from './close-codes.js';
import { jsonEqual, parseJsonPath } from './expect.js';

export type JsonPath = ReadonlyArray<string | number>;

export interface Payload {
  data: Buffer;
  binary: boolean;
}

export type CompareResult = 'equal' | 'differing' | 'missing' | 'extra';

export interface Comparison {
  /** 1-based: the n-th message the server sent. */
  index: number;
  result: CompareResult;
  /** 1-based index of the client message it answered (the last one sent before it), if any. */
  after?: number;
  expected?: Payload;
  actual?: Payload;
  /** One line per difference: `data.id: 7 → 8`, `text differs at byte 12`, … */
  diff?: string[];
}

/** `--ignore-json-path data.items[0].id`: the path, as --expect-json reads it. */
export function parseIgnorePath(text: string): Parsed<JsonPath> {
  const parsed = parseJsonPath(text);
  return parsed.ok ? parsed : { ok: false, error: `--ignore-json-path: ${parsed.error}` };
}

function pathText(path: JsonPath): string {
  let s = '';
  for (const key of path) {
    if (typeof key === 'number') s += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) s += s === '' ? key : `.${key}`;
    else s += `[${JSON.stringify(key)}]`;
  }
  return s === '' ? '(the whole value)' : s;
}

/** JSON whitespace, `{` and `[`: only a text starting with an object or array is compared as JSON. */
const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const OPENING = new Set([0x7b, 0x5b]);

function parseJson(data: Buffer): { ok: true; value: unknown } | { ok: false } {
  // Looked at before any decoding: most text that is not JSON is told by its first byte.
  let at = 0;
  while (at < data.length && SPACE.has(data[at])) at++;
  if (!OPENING.has(data[at])) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(data.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function isIgnored(path: JsonPath, ignore: readonly JsonPath[]): boolean {
  return ignore.some((p) => p.length === path.length && p.every((k, i) => k === path[i]));
}

const MAX_DIFF_LINES = 20;

function short(value: unknown): string {
  const s = value === undefined ? '(absent)' : JSON.stringify(value);
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

/** The differing JSON paths of two values, ignored ones left out. */
function jsonDiff(a: unknown, b: unknown, ignore: readonly JsonPath[], path: Array<string | number>, out: string[]) {
  if (out.length > MAX_DIFF_LINES || isIgnored(path, ignore)) return;
  const objA = a !== null && typeof a === 'object';
  const objB = b !== null && typeof b === 'object';
  if (objA && objB && Array.isArray(a) === Array.isArray(b)) {
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) jsonDiff(a[i], b[i], ignore, [...path, i], out);
      return;
    }
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = [...Object.keys(ra), ...Object.keys(rb).filter((k) => !Object.hasOwn(ra, k))];
    for (const k of keys) {
      jsonDiff(
        Object.hasOwn(ra, k) ? ra[k] : undefined,
        Object.hasOwn(rb, k) ? rb[k] : undefined,
        ignore,
        [...path, k],
        out,
      );
    }
    return;
  }
  if (a === undefined && b === undefined) return;
  if (!jsonEqual(a, b)) out.push(`${pathText(path)}: ${short(a)} → ${short(b)}`);
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** What differs between the recorded message and the one that came; empty when they are equal. */
export function diffMessages(expected: Payload, actual: Payload, ignore: readonly JsonPath[] = []): string[] {
  if (expected.binary !== actual.binary) {
    return [`type: ${expected.binary ? 'binary' : 'text'} → ${actual.binary ? 'binary' : 'text'}`];
  }
  if (!expected.binary) {
    const a = parseJson(expected.data);
    const b = a.ok ? parseJson(actual.data) : { ok: false as const };
    if (a.ok && b.ok) {
      const out: string[] = [];
      jsonDiff(a.value, b.value, ignore, [], out);
      return out.slice(0, MAX_DIFF_LINES);
    }
  }
  if (expected.data.equals(actual.data)) return [];
  const at = firstDifference(expected.data, actual.data);
  const what = expected.binary ? 'bytes' : 'text';
  const sizes =
    expected.data.length === actual.data.length ? '' : ` (${expected.data.length} → ${actual.data.length} bytes)`;
  return [`${what} differ at byte ${at}${sizes}`];
}

/**
 * `expected`: the server's recorded messages, each with the client message it followed (`after`);
 * `actual`: what the server sent this time. Matched by position.
 */
export function compareConversation(
  expected: ReadonlyArray<Payload & { after?: number }>,
  actual: readonly Payload[],
  ignore: readonly JsonPath[] = [],
): Comparison[] {
  const out: Comparison[] = [];
  for (let i = 0; i < actual.length; i++) out.push(compareReply(i + 1, expected[i], actual[i], ignore));
  for (let i = actual.length; i < expected.length; i++) out.push(missingReply(i + 1, expected[i]));
  return out;
}

/** The server's `index`-th message (1-based) as it came, against the recording's (none: extra). */
export function compareReply(
  index: number,
  e: (Payload & { after?: number }) | undefined,
  a: Payload,
  ignore: readonly JsonPath[] = [],
): Comparison {
  if (!e) return { index, result: 'extra', actual: a };
  const diff = diffMessages(e, a, ignore);
  return diff.length === 0
    ? { index, result: 'equal', after: e.after, expected: e, actual: a }
    : { index, result: 'differing', after: e.after, expected: e, actual: a, diff };
}

/** A recorded answer that never came. */
export function missingReply(index: number, e: Payload & { after?: number }): Comparison {
  return { index, result: 'missing', after: e.after, expected: e };
}

export interface CompareTotals {
  equal: number;
  differing: number;
  missing: number;
  extra: number;
  /** The index of the first comparison that was not equal. */
  first?: number;
}

export function compareTotals(comparisons: readonly Comparison[]): CompareTotals {
  const totals: CompareTotals = { equal: 0, differing: 0, missing: 0, extra: 0 };
  for (const c of comparisons) countComparison(totals, c);
  return totals;
}

/** Adds one comparison to running totals. */
export function countComparison(totals: CompareTotals, c: Comparison): void {
  totals[c.result]++;
  if (c.result !== 'equal' && totals.first === undefined) totals.first = c.index;
}
