import { describe, expect, it } from 'vitest';
import { compareConversation, compareTotals, diffMessages, parseIgnorePath } from '../../src/protocol/compare.js';

const text = (s: string) => ({ data: Buffer.from(s), binary: false });
const bin = (hex: string) => ({ data: Buffer.from(hex, 'hex'), binary: true });
const path = (p: string) => {
  const parsed = parseIgnorePath(p);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('diffMessages', () => {
  it.each([
    ['equal text', text('hello'), text('hello'), [], []],
    ['JSON with keys in another order', text('{"a":1,"b":[1,2]}'), text('{"b":[1,2],"a":1}'), [], []],
    ['a JSON value that changed', text('{"id":7,"v":"x"}'), text('{"id":8,"v":"x"}'), [], ['id: 7 → 8']],
    [
      'a nested field',
      text('{"data":{"items":[{"id":1}]}}'),
      text('{"data":{"items":[{"id":2}]}}'),
      [],
      ['data.items[0].id: 1 → 2'],
    ],
    ['an ignored timestamp', text('{"ts":1,"v":2}'), text('{"ts":9,"v":2}'), ['ts'], []],
    [
      'an ignored nested id',
      text('{"data":{"items":[{"id":1}]}}'),
      text('{"data":{"items":[{"id":2}]}}'),
      ['data.items[0].id'],
      [],
    ],
    ['a field that went missing', text('{"a":1,"b":2}'), text('{"a":1}'), [], ['b: 2 → (absent)']],
    ['text', text('hello'), text('help!'), [], ['text differ at byte 3']],
    ['binary, byte for byte', bin('0001ff'), bin('0001fe00'), [], ['bytes differ at byte 2 (3 → 4 bytes)']],
    ['equal binary', bin('00ff'), bin('00ff'), [], []],
    ['the type', text('AA'), bin('4141'), [], ['type: text → binary']],
  ])('%s', (_, expected, actual, ignore, diff) => {
    expect(diffMessages(expected, actual, ignore.map(path))).toEqual(diff);
  });

  it('refuses an ignore path --expect-json would refuse', () => {
    expect(parseIgnorePath('a..b')).toMatchObject({ ok: false, error: expect.stringMatching(/^--ignore-json-path: /) });
  });
});

describe('compareConversation', () => {
  it('matches by position: equal, differing, missing and extra, with the first difference', () => {
    const expected = [
      { ...text('a'), after: 1 },
      { ...text('b'), after: 2 },
      { ...text('c'), after: 3 },
    ];
    const got = compareConversation(expected, [text('a'), text('B')]);
    expect(got.map((c) => [c.index, c.result, c.after])).toEqual([
      [1, 'equal', 1],
      [2, 'differing', 2],
      [3, 'missing', 3],
    ]);
    expect(compareTotals(got)).toEqual({ equal: 1, differing: 1, missing: 1, extra: 0, first: 2 });
    const extra = compareConversation([text('a')], [text('a'), text('z')]);
    expect(extra.map((c) => c.result)).toEqual(['equal', 'extra']);
    expect(compareTotals(extra).first).toBe(2);
  });
});
