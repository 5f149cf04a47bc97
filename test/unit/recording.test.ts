import { describe, expect, it } from 'vitest';
import { messagesFrom, parseRecording, recordedAt } from '../../src/protocol/recording.js';

const lines = (...events: object[]) => events.map((e) => JSON.stringify(e)).join('\n');

describe('parseRecording', () => {
  it('reads a connect --json recording: out is the client, in the server, with the URL and times', () => {
    const text = lines(
      { event: 'connecting', time: '2026-01-01T00:00:00.000Z', url: 'ws://127.0.0.1:9/x' },
      { event: 'open', time: '2026-01-01T00:00:00.010Z', url: 'ws://127.0.0.1:9/x', protocol: '', extensions: '' },
      { event: 'message', time: '2026-01-01T00:00:00.020Z', dir: 'out', type: 'text', data: 'hi', size: 2 },
      {
        event: 'message',
        time: '2026-01-01T00:00:00.030Z',
        dir: 'in',
        type: 'binary',
        data: 'AP8=',
        encoding: 'base64',
      },
      { event: 'summary', time: '2026-01-01T00:00:01.000Z', exitCode: 0 },
    );
    const r = parseRecording(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.url).toBe('ws://127.0.0.1:9/x');
    expect(r.value.messages.map((m) => [m.from, m.binary, m.data.toString('hex'), m.line])).toEqual([
      ['client', false, Buffer.from('hi').toString('hex'), 3],
      ['server', true, '00ff', 4],
    ]);
    expect(recordedAt(r.value.messages[1]) - recordedAt(r.value.messages[0])).toBe(10);
  });

  it('reads a proxy --json recording: the first pair by its flows, the upstream URL; --conn picks another', () => {
    const text = lines(
      { event: 'open', conn: 1, side: 'upstream', url: 'ws://up/a', protocol: '', extensions: '' },
      { event: 'open', conn: 2, side: 'upstream', url: 'ws://up/b', protocol: '', extensions: '' },
      { event: 'open', conn: 1, side: 'client', url: 'ws://proxy/a', protocol: '', extensions: '' },
      { event: 'message', conn: 2, side: 'client', dir: 'in', flow: 'client>upstream', type: 'text', data: 'two' },
      { event: 'message', conn: 1, side: 'client', dir: 'in', flow: 'client>upstream', type: 'text', data: 'one' },
      { event: 'message', conn: 1, side: 'upstream', dir: 'in', flow: 'upstream>client', type: 'text', data: 'ONE' },
      { event: 'message', conn: 2, side: 'upstream', dir: 'in', flow: 'upstream>client', type: 'text', data: 'TWO' },
    );
    const first = parseRecording(text);
    expect(first.ok && first.value.conn).toBe(2);
    const one = parseRecording(text, 1);
    expect(one.ok).toBe(true);
    if (!one.ok) return;
    expect(one.value.url).toBe('ws://up/a');
    expect(messagesFrom(one.value, 'client').map((m) => m.data.toString())).toEqual(['one']);
    expect(messagesFrom(one.value, 'server').map((m) => m.data.toString())).toEqual(['ONE']);
  });

  it('reads an older recording without type, size or time', () => {
    const r = parseRecording(
      lines(
        { event: 'message', dir: 'out', data: 'a' },
        { event: 'message', dir: 'in', data: 'AQ==', encoding: 'base64' },
      ),
    );
    expect(r.ok && r.value.messages.map((m) => [m.binary, recordedAt(m)])).toEqual([
      [false, 0],
      [true, 0],
    ]);
  });

  it.each([
    ['bad JSON', '{"event":"open"}\n{oops', 2, /line 2: not JSON/],
    ['a JSON value that is not an event', '{"event":"open"}\n\n[1,2]', 3, /line 3: not a wsprobe --json event/],
    ['a message without data', '{"event":"message","dir":"in"}', 1, /line 1: a message event without "data"/],
    ['no messages', '{"event":"open","url":"ws://x"}\n{"event":"summary"}\n', 3, /no messages/],
    ['an empty file', '', 1, /empty: not a recording/],
  ])('refuses %s, naming the line', (_, text, line, error) => {
    const r = parseRecording(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.line).toBe(line);
    expect(r.error).toMatch(error);
  });
});
