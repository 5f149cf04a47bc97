/**
 * `--expect` and `--expect-json`: what incoming text messages must contain, in order. Pure.
 *
 * `--expect <pattern>`: `/regex/flags` is a regular expression, anything else a plain substring.
 * `--expect-json <path>=<value>`: the message parses as JSON and the value at `path` equals `value`.
 * Path syntax: names separated by dots, `[n]` for an array index — `type`, `data.items[0].id`,
 * `a.b[2][0]`; a name with other characters is written `["na.me"]`. The value is read as JSON when it
 * parses (`7`, `true`, `null`, `"7"`, `{"a":1}`), otherwise as a string (`type=pong`).
 *
 * `--expect-event <name>` (`connect --socketio`): a Socket.IO event of that name arrives; against an
 * event, `--expect-json` looks at its first argument and `--expect` at its JSON array line.
 */
import type { Parsed } from './close-codes.js';

export type Expectation =
  | { kind: 'text'; source: string; test: (text: string) => boolean }
  | { kind: 'json'; source: string; path: Array<string | number>; value: unknown }
  | { kind: 'event'; source: string; name: string };

/** A Socket.IO event, as --expect-event and --expect-json see it. */
export interface ReceivedEvent {
  name: string;
  args: readonly unknown[];
}

export function parseExpectEvent(text: string): Parsed<Expectation> {
  if (text === '') return { ok: false, error: '--expect-event: empty event name' };
  return { ok: true, value: { kind: 'event', source: text, name: text } };
}

export function parseExpectPattern(text: string): Parsed<Expectation> {
  const regex = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (regex) {
    try {
      const re = new RegExp(regex[1], regex[2].replace('g', ''));
      return { ok: true, value: { kind: 'text', source: text, test: (s) => re.test(s) } };
    } catch (err) {
      return { ok: false, error: `invalid --expect regex ${text}: ${(err as Error).message}` };
    }
  }
  if (text === '') return { ok: false, error: '--expect: empty pattern' };
  return { ok: true, value: { kind: 'text', source: text, test: (s) => s.includes(text) } };
}

/** `data.items[0].id` → ['data', 'items', 0, 'id']. */
export function parseJsonPath(text: string): Parsed<Array<string | number>> {
  const path: Array<string | number> = [];
  const token = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let at = 0;
  while (at < text.length) {
    token.lastIndex = at;
    const m = token.exec(text);
    if (!m || (m[1] !== undefined && at === 0 && text[0] === '.')) {
      return { ok: false, error: `invalid JSON path "${text}" at character ${at + 1}` };
    }
    if (m[1] !== undefined) path.push(m[1]);
    else if (m[2] !== undefined) path.push(Number(m[2]));
    else path.push(JSON.parse(m[3]) as string);
    at = token.lastIndex;
  }
  if (path.length === 0) return { ok: false, error: 'invalid JSON path: empty' };
  return { ok: true, value: path };
}

export function parseExpectJson(text: string): Parsed<Expectation> {
  const eq = text.indexOf('=');
  if (eq <= 0) return { ok: false, error: `--expect-json "${text}": expected <path>=<value>, e.g. type=pong` };
  const path = parseJsonPath(text.slice(0, eq));
  if (!path.ok) return { ok: false, error: `--expect-json: ${path.error}` };
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Not JSON: compare as a string.
  }
  return { ok: true, value: { kind: 'json', source: text, path: path.value, value } };
}

/**
 * `--filter`, `--filter-out` and `/filter`: one expression of the same language — `/regex/flags`; a
 * JSON path and a value, `<path>=<value>`, as `--expect-json` (when what comes before the first `=` is a
 * path); otherwise a plain substring.
 */
export function parseFilter(text: string, flag = '--filter'): Parsed<Expectation> {
  const named = (r: Parsed<Expectation>): Parsed<Expectation> =>
    r.ok ? r : { ok: false, error: r.error.replace(/--expect(-json)?/, flag) };
  if (text === '') return { ok: false, error: `${flag}: empty expression` };
  if (/^\/.*\/[a-z]*$/s.test(text)) return named(parseExpectPattern(text));
  const eq = text.indexOf('=');
  if (eq > 0 && parseJsonPath(text.slice(0, eq)).ok) return named(parseExpectJson(text));
  return { ok: true, value: { kind: 'text', source: text, test: (s) => s.includes(text) } };
}

export function valueAt(root: unknown, path: ReadonlyArray<string | number>): { found: boolean; value?: unknown } {
  let node = root;
  for (const key of path) {
    if (typeof key === 'number') {
      if (!Array.isArray(node) || key >= node.length) return { found: false };
      node = node[key];
    } else {
      if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) {
        return { found: false };
      }
      node = (node as Record<string, unknown>)[key];
    }
  }
  return { found: true, value: node };
}

/** Deep equality of JSON values (key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as never)[k], (b as never)[k]));
}

export function matches(e: Expectation, text: string, event?: ReceivedEvent): boolean {
  if (e.kind === 'text') return e.test(text);
  if (e.kind === 'event') return event?.name === e.name;
  if (event) {
    const at = valueAt(event.args[0], e.path);
    return at.found && jsonEqual(at.value, e.value);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  const at = valueAt(parsed, e.path);
  return at.found && jsonEqual(at.value, e.value);
}

/**
 * Tracks a list of expectations met in order. A message can meet several consecutive ones
 * (`--expect pong --expect '"id":1'` against `{"type":"pong","id":1}`).
 */
export class ExpectationList {
  private next = 0;
  constructor(readonly items: readonly Expectation[]) {}

  /** Feeds an incoming text message; true once every expectation has been met. */
  feed(text: string, event?: ReceivedEvent): boolean {
    while (this.next < this.items.length && matches(this.items[this.next], text, event)) this.next++;
    return this.done;
  }

  get done(): boolean {
    return this.next >= this.items.length;
  }

  /** The first expectation not met yet. */
  get pending(): Expectation | undefined {
    return this.items[this.next];
  }

  get metCount(): number {
    return this.next;
  }
}
