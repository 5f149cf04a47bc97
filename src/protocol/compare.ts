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

function parseJson(data: Buffer): { ok: true; value: unknown } | { ok: false } {
  const text = data.toString('utf8');
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
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
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    const index = i + 1;
    if (e && !a) out.push({ index, result: 'missing', after: e.after, expected: e });
    else if (!e && a) out.push({ index, result: 'extra', actual: a });
    else {
      const diff = diffMessages(e, a, ignore);
      out.push(
        diff.length === 0
          ? { index, result: 'equal', after: e.after, expected: e, actual: a }
          : { index, result: 'differing', after: e.after, expected: e, actual: a, diff },
      );
    }
  }
  return out;
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
  for (const c of comparisons) {
    totals[c.result]++;
    if (c.result !== 'equal' && totals.first === undefined) totals.first = c.index;
  }
  return totals;
}
