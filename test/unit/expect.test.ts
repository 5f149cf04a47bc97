import { describe, expect, it } from 'vitest';
import {
  ExpectationList,
  jsonEqual,
  matches,
  parseExpectJson,
  parseExpectPattern,
  parseJsonPath,
  valueAt,
} from '../../src/protocol/expect.js';

function pattern(text: string) {
  const parsed = parseExpectPattern(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}
function json(text: string) {
  const parsed = parseExpectJson(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

describe('parseExpectPattern', () => {
  it.each<[string, string, boolean]>([
    ['pong', 'status: pong!', true],
    ['pong', 'PONG', false],
    ['/pong/i', 'PONG', true],
    ['/^a.c$/', 'abc', true],
    ['/^a.c$/', 'xabc', false],
    ['/a/g', 'a', true],
    ['/two\\nlines/', 'two\nlines', true],
    ['a/b', 'xa/by', true],
    ['/', 'a/b', true],
  ])('%s against %j → %s', (source, text, expected) => {
    expect(matches(pattern(source), text)).toBe(expected);
  });

  it('a /g regex matches every time (no lastIndex carried over)', () => {
    const p = pattern('/a/g');
    expect([matches(p, 'a'), matches(p, 'a'), matches(p, 'a')]).toEqual([true, true, true]);
  });

  it.each(['/(/', '/a/z', ''])('rejects %j', (source) => {
    expect(parseExpectPattern(source).ok).toBe(false);
  });
});

describe('JSON paths', () => {
  it.each<[string, Array<string | number>]>([
    ['type', ['type']],
    ['data.items[0].id', ['data', 'items', 0, 'id']],
    ['a[2][0]', ['a', 2, 0]],
    ['["na.me"].x', ['na.me', 'x']],
    ['$meta.v-1', ['$meta', 'v-1']],
  ])('parses %s', (text, path) => {
    expect(parseJsonPath(text)).toEqual({ ok: true, value: path });
  });

  it.each(['', '.a', 'a..b', 'a[x]', 'a[', 'a b'])('rejects %j', (text) => {
    expect(parseJsonPath(text).ok).toBe(false);
  });

  it('finds values and reports missing ones', () => {
    const doc = { data: { items: [{ id: 7 }] }, list: [1, 2] };
    expect(valueAt(doc, ['data', 'items', 0, 'id'])).toEqual({ found: true, value: 7 });
    expect(valueAt(doc, ['data', 'items', 1])).toEqual({ found: false });
    expect(valueAt(doc, ['list', 'length'])).toEqual({ found: false });
    expect(valueAt(doc, ['toString'])).toEqual({ found: false });
  });
});

describe('parseExpectJson', () => {
  it.each<[string, string, boolean]>([
    ['type=pong', '{"type":"pong"}', true],
    ['type=pong', '{"type":"ping"}', false],
    ['data.items[0].id=7', '{"data":{"items":[{"id":7}]}}', true],
    ['data.items[0].id=7', '{"data":{"items":[{"id":"7"}]}}', false],
    ['id="7"', '{"id":"7"}', true],
    ['ok=true', '{"ok":true}', true],
    ['v=null', '{"v":null}', true],
    ['v=null', '{}', false],
    ['o={"b":2,"a":1}', '{"o":{"a":1,"b":2}}', true],
    ['type=pong', 'not json', false],
    ['msg=a=b', '{"msg":"a=b"}', true],
  ])('%s against %s → %s', (source, text, expected) => {
    expect(matches(json(source), text)).toBe(expected);
  });

  it.each(['type', '=x', 'a..b=1'])('rejects %j', (source) => {
    expect(parseExpectJson(source).ok).toBe(false);
  });

  it('compares JSON values deeply', () => {
    expect(jsonEqual([1, { a: [2] }], [1, { a: [2] }])).toBe(true);
    expect(jsonEqual([1], { 0: 1 })).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});

describe('ExpectationList', () => {
  it('meets expectations in order, several with one message, and tells what is pending', () => {
    const list = new ExpectationList([pattern('hello'), pattern('pong'), json('id=1'), pattern('done')]);
    expect(list.feed('pong')).toBe(false);
    expect(list.metCount).toBe(0);
    expect(list.feed('hello')).toBe(false);
    expect(list.feed('{"type":"pong","id":1}')).toBe(false);
    expect(list.metCount).toBe(3);
    expect(list.pending?.source).toBe('done');
    expect(list.feed('done')).toBe(true);
    expect(list.done).toBe(true);
  });

  it('is done at once when empty', () => {
    expect(new ExpectationList([]).done).toBe(true);
  });
});
