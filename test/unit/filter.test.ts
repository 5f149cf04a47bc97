/** Issue 19: --filter/--filter-out in the --expect language, applied in front of every renderer. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { MessageEvent, SessionEvent, SummaryEvent } from '../../src/output/events.js';
import { PayloadView } from '../../src/output/payload-view.js';
import { matches, parseFilter } from '../../src/protocol/expect.js';

const msg = (text: string, dir: 'in' | 'out' = 'in'): MessageEvent => ({
  event: 'message',
  time: 0,
  dir,
  data: Buffer.from(text),
  binary: false,
});
const SUMMARY: SummaryEvent = {
  event: 'summary',
  time: 0,
  exitCode: 0,
  messagesIn: 0,
  messagesOut: 0,
  bytesIn: 0,
  bytesOut: 0,
  timings: { totalMs: 1 },
};

describe('parseFilter', () => {
  it.each([
    ['/^tr[a-z]+/', '{"type":"trade"}', false],
    ['/trade/', '{"type":"trade"}', true],
    ['/TRADE/i', '{"type":"trade"}', true],
    ['type=trade', '{"type":"trade"}', true],
    ['type=trade', '{"type":"quote"}', false],
    ['data.items[0].id=7', '{"data":{"items":[{"id":7}]}}', true],
    ['data.items[0].id=7', '{"data":{"items":[{"id":"7"}]}}', false],
    ['type=trade', 'type=trade is not JSON', false],
    ['"type":"trade"', '{"type":"trade"}', true],
    ['error', 'an error happened', true],
    ['a b=c', 'x a b=c y', true],
  ])('%s against %s: %s', (expr, text, result) => {
    const parsed = parseFilter(expr);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(matches(parsed.value, text)).toBe(result);
  });

  it.each([
    ['', '--filter: empty expression'],
    ['/[/', 'invalid --filter regex /[/'],
  ])('%j is refused: %s', (expr, error) => {
    const parsed = parseFilter(expr);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain(error);
  });
});

describe('PayloadView', () => {
  const view = (o: Partial<ConstructorParameters<typeof PayloadView>[0]> = {}) =>
    new PayloadView({ decodeLimit: 1 << 20, filter: [], filterOut: [], ...o });

  it('without options lets every event through unchanged', () => {
    const v = view();
    const e = msg('hi');
    expect(v.process(e)).toBe(e);
    expect(v.process(SUMMARY)).toBe(SUMMARY);
  });

  it('--filter shows received messages matching any expression; sent ones always; counts the rest', () => {
    const v = view({ filter: ['type=trade', '/^ok/'] });
    const shown = [msg('{"type":"trade"}'), msg('{"type":"quote"}'), msg('ok go'), msg('nope'), msg('sent', 'out')]
      .map((e) => v.process(e))
      .filter((e): e is SessionEvent => e !== null)
      .map((e) => (e as MessageEvent).data.toString());
    expect(shown).toEqual(['{"type":"trade"}', 'ok go', 'sent']);
    expect(v.process(SUMMARY)).toEqual({ ...SUMMARY, filtered: 2 });
  });

  it('--filter-out hides matching messages, after --filter', () => {
    const v = view({ filter: ['/a/'], filterOut: ['heartbeat'] });
    expect(v.process(msg('a heartbeat'))).toBeNull();
    expect(v.process(msg('a trade'))).not.toBeNull();
    expect(v.process(msg('b'))).toBeNull();
    expect(v.filtered).toBe(2);
  });

  it('/filter replaces --filter live; off shows everything again', () => {
    const v = view({ filter: ['x'] });
    expect(v.setFilter('type=trade')).toEqual({
      ok: true,
      value: 'filter: only received messages matching type=trade are shown',
    });
    expect(v.process(msg('x'))).toBeNull();
    expect(v.process(msg('{"type":"trade"}'))).not.toBeNull();
    expect(v.setFilter('/[/')).toMatchObject({ ok: false });
    expect(v.setFilter(null)).toEqual({ ok: true, value: 'filter off: every received message is shown' });
    expect(v.process(msg('x'))).not.toBeNull();
    expect(v.process(SUMMARY)).toEqual({ ...SUMMARY, filtered: 1 });
  });

  it('a binary message is matched by what it decoded to; undecoded binary matches nothing', () => {
    const v = view({ decode: 'gzip', filter: ['type=gz'] });
    const gz: MessageEvent = { ...msg(''), data: gzipSync('{"type":"gz"}'), binary: true };
    const shown = v.process(gz) as MessageEvent;
    expect(shown.decoded).toEqual({ codec: 'gzip', text: '{"type":"gz"}', size: 13 });
    expect(v.process({ ...gz, data: Buffer.from([1, 2, 3]) })).toBeNull();
  });

  it('a payload that does not decode is kept, with the reason', () => {
    const v = view({ decode: 'gzip' });
    const shown = v.process({ ...msg(''), data: Buffer.from('not gzip'), binary: true }) as MessageEvent;
    expect(shown.decoded).toBeUndefined();
    expect(shown.decodeNote).toMatch(/^not gzip: /);
  });
});
