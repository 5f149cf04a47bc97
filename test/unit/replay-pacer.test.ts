import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { usageError } from '../../src/errors.js';
import { type RecordedMessage, recordedAt } from '../../src/protocol/recording.js';
import { Conversation } from '../../src/replay/conversation.js';
import { Pacer } from '../../src/replay/pacer.js';

const msg = (from: 'client' | 'server', text: string, time?: string): RecordedMessage => ({
  from,
  data: Buffer.from(text),
  binary: false,
  time,
  line: 0,
});

function source(messages: RecordedMessage[]) {
  let at = 0;
  const read = vi.fn(() => messages[at++]);
  return { read, readCount: () => at };
}

describe('Conversation', () => {
  it('gives each end its own messages in order, reading the recording once and only as far as needed', () => {
    const s = source([
      msg('server', 'hello'),
      msg('client', 'a'),
      msg('server', 'A'),
      msg('client', 'b'),
      msg('server', 'B'),
    ]);
    const c = new Conversation(s.read, () => {});
    const first = c.nextStep();
    expect(first?.recorded.data.toString()).toBe('a');
    expect(first?.repliesBefore).toBe(1);
    expect(s.readCount()).toBe(2);
    const hello = c.nextReply();
    expect(hello?.data.toString()).toBe('hello');
    expect(hello?.after).toBeUndefined();
    const reply = c.nextReply();
    expect([reply?.data.toString(), reply?.after, reply?.answered?.data.toString()]).toEqual(['A', 1, 'a']);
    expect(c.nextStep()?.repliesBefore).toBe(2);
    expect(c.nextStep()).toBeUndefined();
    expect(c.nextReply()?.answered?.data.toString()).toBe('b');
    expect(c.nextReply()).toBeUndefined();
    expect(c.expectedCount).toBe(3);
    expect(c.first?.data.toString()).toBe('hello');
  });

  it('a bad line is reported once and ends the conversation there', () => {
    let at = 0;
    const read = () => {
      if (at++ === 0) return msg('client', 'a');
      throw usageError('rec.ndjson: line 2: not JSON');
    };
    const problems: string[] = [];
    const c = new Conversation(read, (err) => problems.push(err.message));
    expect(c.nextStep()?.recorded.data.toString()).toBe('a');
    expect(c.nextStep()).toBeUndefined();
    expect(c.nextReply()).toBeUndefined();
    expect(problems).toEqual(['rec.ndjson: line 2: not JSON']);
  });
});

describe('Pacer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function pacer(
    messages: RecordedMessage[],
    pace: { speed: number | 'max'; lockstep: boolean },
    room = Infinity,
    ahead = () => false,
  ) {
    const c = new Conversation(source(messages).read, () => {});
    const sent: string[] = [];
    let free = room;
    const done = vi.fn();
    const p = new Pacer(pace, 1000, {
      next: () => c.nextStep(),
      recordingStart: () => (c.first ? recordedAt(c.first) : 0),
      canSend: () => free > 0,
      ahead,
      send: (m) => {
        free--;
        sent.push(m.data.toString());
      },
      done,
    });
    return { p, sent, done, makeRoom: (n: number) => (free += n) };
  }

  it('--speed max sends while the outbox has room and goes on (once) when it drains, in order, done once', () => {
    const messages = Array.from({ length: 10 }, (_, i) => msg('client', String(i)));
    const { p, sent, done, makeRoom } = pacer(messages, { speed: 'max', lockstep: false }, 3);
    p.start();
    expect(sent).toEqual(['0', '1', '2']);
    makeRoom(4);
    p.drained();
    // It goes on in the next turn of the event loop, with all the room there is by then.
    expect(sent).toHaveLength(3);
    vi.runOnlyPendingTimers();
    expect(sent).toHaveLength(7);
    expect(done).not.toHaveBeenCalled();
    makeRoom(10);
    p.drained();
    p.drained();
    vi.runOnlyPendingTimers();
    expect(sent).toEqual(messages.map((m) => m.data.toString()));
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('keeps the recorded pace, --speed times faster', () => {
    const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
    const messages = [msg('client', 'a', t(0)), msg('server', 'A', t(100)), msg('client', 'b', t(1000))];
    const { p, sent, done } = pacer(messages, { speed: 2, lockstep: false });
    p.start();
    expect(sent).toEqual(['a']);
    vi.advanceTimersByTime(499);
    expect(sent).toEqual(['a']);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['a', 'b']);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('--lockstep waits for the replies recorded before a message, and goes on after -w without them', () => {
    const messages = [
      msg('client', 'a'),
      msg('server', 'A'),
      msg('client', 'b'),
      msg('server', 'B'),
      msg('client', 'c'),
    ];
    const { p, sent, done } = pacer(messages, { speed: 'max', lockstep: true });
    p.start();
    expect(sent).toEqual(['a']);
    p.reply();
    expect(sent).toEqual(['a', 'b']);
    vi.advanceTimersByTime(999);
    expect(sent).toEqual(['a', 'b']);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(done).toHaveBeenCalledTimes(1);
  });

  it('waits while too far ahead of the answers: goes on when one comes, or after -w without one', () => {
    const messages = Array.from({ length: 6 }, (_, i) => msg('client', String(i)));
    let answered = 0;
    let shown: string[] = [];
    const { p, sent, done } = pacer(
      messages,
      { speed: 'max', lockstep: false },
      Infinity,
      () => shown.length - answered >= 2,
    );
    shown = sent;
    p.start();
    expect(sent).toEqual(['0', '1']);
    answered++;
    p.reply();
    vi.runOnlyPendingTimers();
    expect(sent).toEqual(['0', '1', '2']);
    // No answer comes: after -w (1 s here) it goes on regardless, until one does.
    vi.advanceTimersByTime(999);
    expect(sent).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(done).toHaveBeenCalledTimes(1);
  });
});
