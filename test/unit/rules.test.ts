import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  answerTo,
  MAX_RULES,
  MIN_EVERY_SECONDS,
  parseRules,
  RULE_FIELDS,
  type Rule,
  renderSend,
} from '../../src/protocol/rules.js';
import { RulesRunner } from '../../src/rules/runner.js';

function rules(...list: unknown[]): Rule[] {
  const parsed = parseRules(JSON.stringify({ rules: list }));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

function problem(doc: unknown): string {
  const parsed = parseRules(typeof doc === 'string' ? doc : JSON.stringify(doc));
  if (parsed.ok) throw new Error('expected the rules to be refused');
  return parsed.error;
}

describe('parseRules: every rule kind is read', () => {
  it('reads a trigger, an action and a delay per rule, numbered from 1', () => {
    const list = rules(
      { on: 'connect', send: 'hello' },
      { match: '/^ping (\\d+)$/', send: 'pong {{$1}}', delay: 0.5 },
      { match: 'type=ping', send: { type: 'pong', id: '{{id}}' } },
      { every: 5, send: { type: 'heartbeat' } },
      { after: 3, close: 4000, reason: 'enough' },
      { match: 'bye', close: 1000, comment: 'a plain substring' },
    );
    expect(list.map((r) => [r.number, r.trigger.kind, r.action.kind, r.delaySeconds])).toEqual([
      [1, 'connect', 'send', 0],
      [2, 'match', 'send', 0.5],
      [3, 'match', 'send', 0],
      [4, 'every', 'send', 0],
      [5, 'after', 'close', 0],
      [6, 'match', 'close', 0],
    ]);
    expect(list[4].action).toEqual({ kind: 'close', code: 4000, reason: 'enough' });
  });
});

describe('parseRules: an invalid file is one line naming the rule and the field', () => {
  it.each([
    ['not JSON', '{"rules": [', /^not JSON: /],
    ['not an object', '[]', /^expected an object with "rules": \[\.\.\.\]$/],
    ['no rules array', { rule: [] }, /^unknown field "rule" \(expected "rules"\)$/],
    ['an empty list', { rules: [] }, /^"rules": no rules$/],
    ['a rule that is not an object', { rules: ['hello'] }, /^rule 1 \(rules\[0\]\): expected an object, got "hello"$/],
    [
      'a misspelt field',
      {
        rules: [
          { on: 'connect', send: 'a' },
          { match: 'x', sned: 'y' },
        ],
      },
      /^rule 2 \(rules\[1\]\): unknown field "sned" \(did you mean "send"\?\)$/,
    ],
    ['no trigger', { rules: [{ send: 'x' }] }, /^rule 1 \(rules\[0\]\): no trigger: give one of/],
    [
      'two triggers',
      { rules: [{ on: 'connect', every: 1, send: 'x' }] },
      /^rule 1 \(rules\[0\]\): "on" and "every": a rule has one trigger$/,
    ],
    ['no action', { rules: [{ on: 'connect' }] }, /^rule 1 \(rules\[0\]\): no action: give "send" or "close"$/],
    ['two actions', { rules: [{ after: 1, send: 'x', close: 1000 }] }, /"send" and "close": a rule does one of them$/],
    [
      'an unknown "on"',
      { rules: [{ on: 'open', send: 'x' }] },
      /^rule 1 \(rules\[0\]\): "on": expected "connect", got "open"$/,
    ],
    ['a bad regex', { rules: [{ match: '/(/', send: 'x' }] }, /^rule 1 \(rules\[0\]\): "match": invalid match regex/],
    ['a match that is not a string', { rules: [{ match: 7, send: 'x' }] }, /"match": expected a string/],
    [
      'a negative delay',
      { rules: [{ on: 'connect', send: 'x', delay: -1 }] },
      /^rule 1 \(rules\[0\]\): "delay": expected a number of seconds \(0 or more\), got -1$/,
    ],
    [
      'a delay in words',
      { rules: [{ on: 'connect', send: 'x', delay: 'soon' }] },
      /"delay": expected a number of seconds/,
    ],
    [
      'an interval of 0',
      { rules: [{ every: 0, send: 'x' }] },
      /^rule 1 \(rules\[0\]\): "every": expected a number of seconds of at least 0\.01, got 0$/,
    ],
    ['a delay on an interval', { rules: [{ every: 1, send: 'x', delay: 1 }] }, /"delay" with "every"/],
    ['a close on an interval', { rules: [{ every: 1, close: 1000 }] }, /"close" with "every"/],
    [
      'after 0 messages',
      { rules: [{ after: 0, close: 1000 }] },
      /^rule 1 \(rules\[0\]\): "after": expected a number of messages \(1 or more\), got 0$/,
    ],
    [
      'a close code that cannot be sent',
      { rules: [{ after: 1, close: 1005 }] },
      /^rule 1 \(rules\[0\]\): "close": invalid close code 1005: use 1000-1003/,
    ],
    [
      'a reason too long',
      { rules: [{ after: 1, close: 1000, reason: 'x'.repeat(124) }] },
      /"reason": at most 123 bytes/,
    ],
    ['a reason without a close', { rules: [{ on: 'connect', send: 'x', reason: 'y' }] }, /"reason" goes with "close"/],
    [
      'a group without a regex',
      { rules: [{ match: 'type=ping', send: '{{$1}}' }] },
      /"send": \{\{\$1\}\} needs a "match" that is a \/regex\/$/,
    ],
    [
      'a group the regex lacks',
      { rules: [{ match: '/^ping (\\d+)$/', send: '{{$2}}' }] },
      /"send": \{\{\$2\}\} but the regex has 1 group$/,
    ],
    [
      'a named group the regex lacks',
      { rules: [{ match: '/^(?<n>\\d+)$/', send: '{{$id}}' }] },
      /no group named "id"$/,
    ],
    [
      'a bad field path',
      { rules: [{ match: 'x', send: { a: '{{a..b}}' } }] },
      /^rule 1 \(rules\[0\]\): "send": \{\{a\.\.b\}\}: invalid JSON path/,
    ],
  ])('%s', (_name, doc, message) => {
    const error = problem(doc);
    expect(error).toMatch(message);
    expect(error).not.toContain('\n');
  });
});

describe('matching and templates', () => {
  const list = rules(
    { match: '/^ping (\\d+)$/', send: 'pong {{$1}} ({{$0}})' },
    { match: '/^(?<user>\\w+) says (?<what>.+)$/', send: '{{$what}}, {{$user}}!' },
    {
      match: 'type=ping',
      send: { type: 'pong', id: '{{id}}', echo: 'id {{id}} of {{data.name}}', missing: '{{nope}}' },
    },
    { match: 'op=sum', send: 'sum of {{args}} for {{user.name}}: {{none}}' },
    { match: 'bye', close: 1000 },
  );

  it.each([
    ['regex groups by number', 'ping 42', 1, 'pong 42 (ping 42)'],
    ['regex groups by name', 'ada says hi there', 2, 'hi there, ada!'],
    [
      'JSON fields keep their type as a whole value, and go in as text inside a string',
      '{"type":"ping","id":7,"data":{"name":"x"}}',
      3,
      '{"type":"pong","id":7,"echo":"id 7 of x","missing":null}',
    ],
    [
      'a string field goes in as it is, others as JSON, a missing one as nothing',
      '{"op":"sum","args":[1,2],"user":{"name":"bo"}}',
      4,
      'sum of [1,2] for bo: ',
    ],
  ])('%s', (_name, incoming, number, sent) => {
    const answer = answerTo(list, incoming);
    expect(answer?.rule.number).toBe(number);
    expect(answer?.text).toBe(sent);
  });

  it('the first matching rule answers; a close rule has no text; nothing matches: undefined', () => {
    expect(answerTo(list, 'say bye')?.rule.number).toBe(5);
    expect(answerTo(list, 'say bye')?.text).toBeUndefined();
    expect(answerTo(list, 'nothing here')).toBeUndefined();
    expect(answerTo(list, '{"type":"pong"}')).toBeUndefined();
  });

  it('a JSON reply is sent compact; a rule without a message fills fields with nothing', () => {
    const [hello] = rules({ on: 'connect', send: { greeting: 'hi {{name}}', n: [1, { a: true }] } });
    expect(renderSend(hello)).toBe('{"greeting":"hi ","n":[1,{"a":true}]}');
  });
});

describe('RulesRunner: the rules of one connection, on fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function start(list: Rule[]) {
    const log: string[] = [];
    const runner = new RulesRunner(list, {
      send: (text, rule, reply) => log.push(`send ${text} (rule ${rule.number}${reply ? ', reply' : ''})`),
      close: (code, reason, rule) => log.push(`close ${code} ${reason} (rule ${rule.number})`),
    });
    return { runner, log, text: (s: string) => runner.message(Buffer.from(s), false) };
  }

  it('sends on connect, answers after the delay, beats every N s, closes after K and clears every timer', () => {
    const { runner, log, text } = start(
      rules(
        { on: 'connect', send: 'hello' },
        { match: '/^ping (\\d+)$/', send: 'pong {{$1}}', delay: 0.5 },
        { every: 2, send: 'beat' },
        { after: 3, close: 4000, reason: 'enough', delay: 1 },
      ),
    );
    runner.opened();
    expect(log).toEqual(['send hello (rule 1)']);
    text('ping 1');
    text('ping 2');
    expect(log).toHaveLength(1);
    vi.advanceTimersByTime(500);
    expect(log.slice(1)).toEqual(['send pong 1 (rule 2, reply)', 'send pong 2 (rule 2, reply)']);
    vi.advanceTimersByTime(1500);
    expect(log.slice(3)).toEqual(['send beat (rule 3)']);
    text('third');
    vi.advanceTimersByTime(1000);
    expect(log.slice(4)).toEqual(['close 4000 enough (rule 4)']);
    expect(runner.pendingTimers).toBe(0);
    vi.advanceTimersByTime(10_000);
    text('ping 9');
    vi.advanceTimersByTime(10_000);
    expect(log).toHaveLength(5);
  });

  it('a connection that closes takes its timers with it: a delayed reply is never sent', () => {
    const { runner, log, text } = start(rules({ match: '//', send: 'late', delay: 1 }, { every: 1, send: 'beat' }));
    runner.opened();
    text('x');
    expect(runner.pendingTimers).toBe(2);
    runner.closed();
    expect(runner.pendingTimers).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(log).toEqual([]);
  });

  it('binary messages count toward "after" but are not matched', () => {
    const { runner, log } = start(rules({ match: '//', send: 'text seen' }, { after: 2, send: 'two' }));
    runner.opened();
    runner.message(Buffer.from([0, 1]), true);
    runner.message(Buffer.from('a'), false);
    expect(log).toEqual(['send text seen (rule 1, reply)', 'send two (rule 2, reply)']);
  });
});

describe('docs/rules.schema.json says what the parser accepts', () => {
  const schema = JSON.parse(readFileSync(new URL('../../docs/rules.schema.json', import.meta.url), 'utf8'));
  it('names the same rule fields and limits', () => {
    expect(Object.keys(schema.$defs.rule.properties).sort()).toEqual([...RULE_FIELDS].sort());
    expect(schema.properties.rules.maxItems).toBe(MAX_RULES);
    expect(schema.$defs.rule.properties.every.minimum).toBe(MIN_EVERY_SECONDS);
  });
});
