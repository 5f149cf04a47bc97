import { describe, expect, it } from 'vitest';
import type { SummaryEvent } from '../../src/output/events.js';
import { parseWriteOut, rttStats, summaryLines, WRITE_OUT_VARIABLES } from '../../src/output/summary.js';

const summary: SummaryEvent = {
  event: 'summary',
  time: 0,
  exitCode: 7,
  messagesIn: 3,
  messagesOut: 2,
  bytesIn: 30,
  bytesOut: 20,
  timings: { dnsMs: 1.2, connectMs: 3, upgradeMs: 8, firstMessageMs: 12, totalMs: 1500 },
  rtt: { count: 2, minMs: 0.5, avgMs: 0.75, maxMs: 1 },
  close: { code: 4001, reason: 'nope', by: 'server' },
  url: 'ws://h/',
  protocol: 'chat',
  extensions: '',
};

describe('summaryLines', () => {
  it('lists timings, traffic, pings and the exit code', () => {
    expect(summaryLines(summary)).toEqual([
      'timings: dns 1 ms, connect 3 ms, tls -, upgrade 8 ms, first message 12 ms, total 1500 ms',
      'traffic: in 3 messages / 30 bytes, out 2 messages / 20 bytes',
      'pings:   2, rtt min/avg/max 0.5/0.75/1 ms',
      'exit:    7',
    ]);
  });

  it('leaves out pings when there were none', () => {
    expect(summaryLines({ ...summary, rtt: undefined }).some((l) => l.startsWith('pings'))).toBe(false);
  });

  it('computes RTT statistics', () => {
    expect(rttStats([])).toBeNull();
    expect(rttStats([1, 2, 4.5])).toEqual({ count: 3, minMs: 1, avgMs: 2.5, maxMs: 4.5 });
  });
});

describe('parseWriteOut', () => {
  const render = (format: string) => {
    const parsed = parseWriteOut(format);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value(summary);
  };

  it.each<[string, string]>([
    ['%{time_connect}', '0.003'],
    ['%{time_dns} %{time_tls} %{time_total}', '0.001 0.000 1.500'],
    ['%{messages_in}/%{messages_out} %{bytes_in}/%{bytes_out}', '3/2 30/20'],
    ['%{close_code} %{close_reason} %{closed_by} %{exit_code}', '4001 nope server 7'],
    ['%{rtt_min} %{rtt_avg} %{rtt_max} %{ping_count}', '0.500 0.750 1.000 2'],
    ['%{url} %{subprotocol}', 'ws://h/ chat'],
    ['100%% done\\n\\t\\\\', '100% done\n\t\\'],
    ['plain', 'plain'],
    ['%{unclosed', '%{unclosed'],
  ])('renders %j', (format, expected) => {
    expect(render(format)).toBe(expected);
  });

  it('renders every variable it advertises', () => {
    for (const name of WRITE_OUT_VARIABLES) expect(parseWriteOut(`%{${name}}`).ok).toBe(true);
  });

  it('rejects an unknown variable, naming the known ones', () => {
    const parsed = parseWriteOut('%{nope}');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toContain('time_connect');
  });
});
