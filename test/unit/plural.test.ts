import { describe, expect, it } from 'vitest';
import type { SummaryEvent } from '../../src/output/events.js';
import { plural } from '../../src/output/plural.js';
import { summaryLines } from '../../src/output/summary.js';

describe('plural', () => {
  it.each([
    [0, '0 messages'],
    [1, '1 message'],
    [2, '2 messages'],
  ])('%i', (n, text) => {
    expect(plural(n, 'message')).toBe(text);
  });
});

describe('--summary traffic line', () => {
  it('says "1 message" and "1 byte"', () => {
    const one: SummaryEvent = {
      event: 'summary',
      time: 0,
      exitCode: 0,
      messagesIn: 1,
      messagesOut: 2,
      bytesIn: 1,
      bytesOut: 0,
      timings: { totalMs: 1 },
    };
    expect(summaryLines(one)[1]).toBe('traffic: in 1 message / 1 byte, out 2 messages / 0 bytes');
  });
});
