/**
 * The rules file of `wsprobe mock`, `listen --rules` and `connect --rules`: scripted replies without a
 * recording. Pure: parsing and validating the file (one line naming the rule and the field when it is
 * wrong), matching a message, filling in a reply. The timers that carry the rules out are in rules/.
 *
 * ```json
 * { "rules": [
 *   { "on": "connect", "send": "hello" },
 *   { "match": "/^ping (\\d+)$/", "send": "pong {{$1}}", "delay": 0.2 },
 *   { "match": "type=ping", "send": { "type": "pong", "id": "{{id}}" } },
 *   { "every": 5, "send": { "type": "heartbeat" } },
 *   { "after": 3, "close": 4000, "reason": "enough" }
 * ] }
 * ```
 *
 * A rule has one trigger — `"on": "connect"`, `"match": <expression>` (the `--filter` language:
 * `/regex/flags`, `path=value`, or a plain substring; the first matching rule answers), `"every":
 * <seconds>`, `"after": <n messages>` — and one action: `"send"` (a string, sent as text; any other JSON
 * value, sent as compact JSON text) or `"close": <code>` (with `"reason"`). `"delay": <seconds>` waits
 * before the action (not with `every`).
 *
 * Templates, one syntax: `{{…}}` in what is sent. `{{$1}}`, `{{$name}}` are the regex's groups (`{{$0}}`
 * the whole match); `{{data.id}}` is a field of the incoming message parsed as JSON (a path as in
 * `--expect-json`). In a string a field that is a string goes in as it is, any other value as JSON; in a
 * JSON reply a string that is exactly one `{{field}}` becomes the field's value with its type.
 * A field or group that is missing gives the empty string (null as a whole JSON value).
 */
import { isSendableCloseCode, MAX_CLOSE_REASON_BYTES, type Parsed } from './close-codes.js';
import { type Expectation, matches, parseFilter, parseJsonPath, valueAt } from './expect.js';

export type RuleTrigger =
  | { kind: 'connect' }
  | { kind: 'match'; expectation: Expectation; regex?: RegExp }
  | { kind: 'every'; seconds: number }
  | { kind: 'after'; count: number };

export type RuleAction = { kind: 'send'; template: SendTemplate } | { kind: 'close'; code: number; reason: string };

/** What a `send` sends: text with placeholders, or a JSON value whose strings may hold them. */
export type SendTemplate = { kind: 'text'; parts: TemplatePart[] } | { kind: 'json'; value: unknown };

export type TemplatePart =
  | { kind: 'literal'; text: string }
  | { kind: 'group'; name: string | number }
  | { kind: 'field'; path: Array<string | number> };

export interface Rule {
  /** 1-based, as messages name it: `(rule 2)`. */
  number: number;
  trigger: RuleTrigger;
  action: RuleAction;
  delaySeconds: number;
}

/** What a message made happen: the rule that answers it and what it sends (or that it closes). */
export interface Answer {
  rule: Rule;
  /** For a `send`: the text to send. */
  text?: string;
}

export const RULE_FIELDS = ['on', 'match', 'every', 'after', 'send', 'close', 'reason', 'delay', 'comment'] as const;
const TOP_FIELDS = ['rules', '$schema', 'comment'];
/** At most this many rules, and `every` at least this often: a rules file cannot make a busy loop. */
export const MAX_RULES = 1000;
export const MIN_EVERY_SECONDS = 0.01;

class RuleProblem extends Error {}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function closest(word: string, words: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    const d = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      let prev = d[0];
      d[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const next = d[j];
        d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = next;
      }
    }
    return d[b.length];
  };
  return words.find((w) => distance(word.toLowerCase(), w.toLowerCase()) <= 2);
}

function seconds(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new RuleProblem(
      `"${field}": expected a number of seconds${min > 0 ? ` of at least ${min}` : ' (0 or more)'}, got ${describe(value)}`,
    );
  }
  return value;
}

/** `pong {{$1}} for {{user.name}}` → its parts; a placeholder that cannot be filled is a problem. */
export function parseTemplate(text: string, field: string, regex: RegExp | undefined): TemplatePart[] {
  const parts: TemplatePart[] = [];
  const placeholder = /\{\{([^{}]*)\}\}/g;
  let at = 0;
  for (let m = placeholder.exec(text); m; m = placeholder.exec(text)) {
    if (m.index > at) parts.push({ kind: 'literal', text: text.slice(at, m.index) });
    at = placeholder.lastIndex;
    const inner = m[1].trim();
    if (inner.startsWith('$')) {
      const name = inner.slice(1);
      if (!regex) throw new RuleProblem(`"${field}": {{${inner}}} needs a "match" that is a /regex/`);
      // An alternative that matches the empty string: its result has a slot for every group.
      const empty = new RegExp(`(?:${regex.source})|`, regex.flags).exec('')!;
      if (/^\d+$/.test(name)) {
        const groups = empty.length - 1;
        if (Number(name) > groups) {
          throw new RuleProblem(`"${field}": {{${inner}}} but the regex has ${groups} group${groups === 1 ? '' : 's'}`);
        }
        parts.push({ kind: 'group', name: Number(name) });
      } else {
        if (!Object.hasOwn(empty.groups ?? {}, name)) {
          throw new RuleProblem(`"${field}": {{${inner}}} but the regex has no group named "${name}"`);
        }
        parts.push({ kind: 'group', name });
      }
      continue;
    }
    const path = parseJsonPath(inner);
    if (!path.ok) throw new RuleProblem(`"${field}": {{${inner}}}: ${path.error}`);
    parts.push({ kind: 'field', path: path.value });
  }
  if (at < text.length) parts.push({ kind: 'literal', text: text.slice(at) });
  return parts;
}

/** Every string in a JSON reply is a template: checked now, filled in per message. */
function checkJsonTemplates(value: unknown, regex: RegExp | undefined): void {
  if (typeof value === 'string') parseTemplate(value, 'send', regex);
  else if (Array.isArray(value)) for (const v of value) checkJsonTemplates(v, regex);
  else if (value !== null && typeof value === 'object')
    for (const v of Object.values(value)) checkJsonTemplates(v, regex);
}

function parseTrigger(raw: Record<string, unknown>): RuleTrigger {
  const given = (['on', 'match', 'every', 'after'] as const).filter((k) => raw[k] !== undefined);
  if (given.length === 0) {
    throw new RuleProblem('no trigger: give one of "on": "connect", "match", "every" or "after"');
  }
  if (given.length > 1) throw new RuleProblem(`"${given[0]}" and "${given[1]}": a rule has one trigger`);
  const key = given[0];
  const value = raw[key];
  switch (key) {
    case 'on':
      if (value !== 'connect') throw new RuleProblem(`"on": expected "connect", got ${describe(value)}`);
      return { kind: 'connect' };
    case 'match': {
      if (typeof value !== 'string')
        throw new RuleProblem(`"match": expected a string (/regex/, path=value or text), got ${describe(value)}`);
      const parsed = parseFilter(value, 'match');
      if (!parsed.ok) throw new RuleProblem(`"match": ${parsed.error.replace(/^match:? ?/, '')}`);
      const regex = /^\/(.*)\/([a-z]*)$/s.exec(value);
      return {
        kind: 'match',
        expectation: parsed.value,
        ...(regex ? { regex: new RegExp(regex[1], regex[2].replace('g', '')) } : {}),
      };
    }
    case 'every':
      return { kind: 'every', seconds: seconds(value, 'every', MIN_EVERY_SECONDS) };
    default:
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        throw new RuleProblem(`"after": expected a number of messages (1 or more), got ${describe(value)}`);
      }
      return { kind: 'after', count: value };
  }
}

function parseAction(raw: Record<string, unknown>, trigger: RuleTrigger): RuleAction {
  const hasSend = raw.send !== undefined;
  const hasClose = raw.close !== undefined;
  if (hasSend && hasClose) throw new RuleProblem('"send" and "close": a rule does one of them');
  if (!hasSend && !hasClose) throw new RuleProblem('no action: give "send" or "close"');
  const regex = trigger.kind === 'match' ? trigger.regex : undefined;
  if (hasClose) {
    if (trigger.kind === 'every') throw new RuleProblem('"close" with "every": use "after" or "delay" to close');
    const code = raw.close;
    if (typeof code !== 'number' || !Number.isInteger(code) || !isSendableCloseCode(code)) {
      throw new RuleProblem(`"close": invalid close code ${describe(code)}: use 1000-1003, 1007-1014 or 3000-4999`);
    }
    const reason = raw.reason ?? '';
    if (typeof reason !== 'string') throw new RuleProblem(`"reason": expected a string, got ${describe(reason)}`);
    if (Buffer.byteLength(reason) > MAX_CLOSE_REASON_BYTES) {
      throw new RuleProblem(`"reason": at most ${MAX_CLOSE_REASON_BYTES} bytes fit in a close frame`);
    }
    return { kind: 'close', code: code as number, reason };
  }
  if (raw.reason !== undefined) throw new RuleProblem('"reason" goes with "close"');
  const send = raw.send;
  if (typeof send === 'string')
    return { kind: 'send', template: { kind: 'text', parts: parseTemplate(send, 'send', regex) } };
  checkJsonTemplates(send, regex);
  return { kind: 'send', template: { kind: 'json', value: send } };
}

function parseRule(raw: unknown, number: number): Rule {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new RuleProblem(`expected an object, got ${describe(raw)}`);
  }
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if ((RULE_FIELDS as readonly string[]).includes(key)) continue;
    const near = closest(key, RULE_FIELDS);
    throw new RuleProblem(`unknown field "${key}"${near ? ` (did you mean "${near}"?)` : ''}`);
  }
  const trigger = parseTrigger(fields);
  const action = parseAction(fields, trigger);
  if (fields.delay !== undefined && trigger.kind === 'every') {
    throw new RuleProblem('"delay" with "every": the interval is the delay');
  }
  const delaySeconds = fields.delay === undefined ? 0 : seconds(fields.delay, 'delay', 0);
  return { number, trigger, action, delaySeconds };
}

/** The rules file's text → its rules, or one line saying what is wrong and where (`rule 3 (rules[2]): …`). */
export function parseRules(text: string): Parsed<Rule[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON: ${(err as Error).message}` };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return { ok: false, error: 'expected an object with "rules": [...]' };
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_FIELDS.includes(key)) return { ok: false, error: `unknown field "${key}" (expected "rules")` };
  }
  const list = (doc as { rules?: unknown }).rules;
  if (!Array.isArray(list)) return { ok: false, error: `"rules": expected an array, got ${describe(list)}` };
  if (list.length === 0) return { ok: false, error: '"rules": no rules' };
  if (list.length > MAX_RULES) return { ok: false, error: `"rules": more than ${MAX_RULES} rules` };
  const rules: Rule[] = [];
  for (let i = 0; i < list.length; i++) {
    try {
      rules.push(parseRule(list[i], i + 1));
    } catch (err) {
      if (!(err instanceof RuleProblem)) throw err;
      return { ok: false, error: `rule ${i + 1} (rules[${i}]): ${err.message}` };
    }
  }
  return { ok: true, value: rules };
}

/** The values placeholders are filled from: the regex's groups and the message parsed as JSON. */
interface Sources {
  groups?: RegExpExecArray;
  json: { parsed: boolean; value?: unknown };
}

function sourcesOf(text: string, regex?: RegExp): Sources {
  const json: Sources['json'] = { parsed: false };
  // Parsed on first use only (a rule without fields never parses the message).
  return {
    groups: regex?.exec(text) ?? undefined,
    get json() {
      if (!json.parsed) {
        json.parsed = true;
        try {
          json.value = JSON.parse(text);
        } catch {
          json.value = undefined;
        }
      }
      return json;
    },
  } as Sources;
}

function lookup(part: Exclude<TemplatePart, { kind: 'literal' }>, src: Sources): { found: boolean; value?: unknown } {
  if (part.kind === 'group') {
    const value = typeof part.name === 'number' ? src.groups?.[part.name] : src.groups?.groups?.[part.name];
    return value === undefined ? { found: false } : { found: true, value };
  }
  return src.json.value === undefined ? { found: false } : valueAt(src.json.value, part.path);
}

function fillText(parts: readonly TemplatePart[], src: Sources): string {
  return parts
    .map((part) => {
      if (part.kind === 'literal') return part.text;
      const at = lookup(part, src);
      if (!at.found) return '';
      return typeof at.value === 'string' ? at.value : JSON.stringify(at.value);
    })
    .join('');
}

function fillJson(value: unknown, src: Sources, regex: RegExp | undefined): unknown {
  if (typeof value === 'string') {
    const parts = parseTemplate(value, 'send', regex);
    if (parts.length === 1 && parts[0].kind !== 'literal') {
      const at = lookup(parts[0], src);
      return at.found ? at.value : null;
    }
    return fillText(parts, src);
  }
  if (Array.isArray(value)) return value.map((v) => fillJson(v, src, regex));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, src, regex)]));
  }
  return value;
}

/** What a `send` rule sends, filled in from `incoming` (the message that triggered it, if any). */
export function renderSend(rule: Rule, incoming = ''): string {
  if (rule.action.kind !== 'send') return '';
  const regex = rule.trigger.kind === 'match' ? rule.trigger.regex : undefined;
  const src = sourcesOf(incoming, regex);
  const t = rule.action.template;
  return t.kind === 'text' ? fillText(t.parts, src) : JSON.stringify(fillJson(t.value, src, regex));
}

/** The first `match` rule an incoming text message meets, with what it sends; none: undefined. */
export function answerTo(rules: readonly Rule[], text: string): Answer | undefined {
  for (const rule of rules) {
    if (rule.trigger.kind !== 'match' || !matches(rule.trigger.expectation, text)) continue;
    return rule.action.kind === 'send' ? { rule, text: renderSend(rule, text) } : { rule };
  }
  return undefined;
}
