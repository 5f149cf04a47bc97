/** The close timer counts only while we read the socket (issue 13, item 1). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PausableTimer } from '../../src/connection/closing.js';

describe('PausableTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const timer = () => {
    const fired = vi.fn();
    return { fired, t: new PausableTimer(fired, () => Date.now()) };
  };

  it('fires after its time when never paused', () => {
    const { fired, t } = timer();
    t.start(3000);
    vi.advanceTimersByTime(2999);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('does not count paused time: 1 s, a 10 s pause, then 2 s more', () => {
    const { fired, t } = timer();
    t.start(3000);
    vi.advanceTimersByTime(1000);
    t.pause();
    vi.advanceTimersByTime(10_000);
    expect(fired).not.toHaveBeenCalled();
    t.resume();
    vi.advanceTimersByTime(1999);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('started while paused: counts from the resume', () => {
    const { fired, t } = timer();
    t.pause();
    t.start(3000);
    vi.advanceTimersByTime(60_000);
    expect(fired).not.toHaveBeenCalled();
    t.resume();
    vi.advanceTimersByTime(3000);
    expect(fired).toHaveBeenCalledTimes(1);
  });

  it('a second start keeps the first time; stop cancels', () => {
    const { fired, t } = timer();
    t.start(3000);
    vi.advanceTimersByTime(2000);
    t.start(3000);
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveBeenCalledTimes(1);
    const other = timer();
    other.t.start(1000);
    other.t.stop();
    vi.advanceTimersByTime(5000);
    expect(other.fired).not.toHaveBeenCalled();
  });

  it('counts silence: each time the peer is heard, 3 s start again', () => {
    const { fired, t } = timer();
    t.start(3000, 30_000);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(2000);
      t.heard();
    }
    vi.advanceTimersByTime(2999);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledWith(false);
  });

  it('a peer never silent is dropped at the limit, as capped', () => {
    const { fired, t } = timer();
    t.start(3000, 30_000);
    for (let i = 0; i < 29; i++) {
      vi.advanceTimersByTime(1000);
      t.heard();
    }
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveBeenCalledWith(true);
  });

  it('a pause keeps the silence since the peer was last heard, and the limit does not count it', () => {
    const { fired, t } = timer();
    t.start(3000, 5000);
    vi.advanceTimersByTime(2000);
    t.heard();
    vi.advanceTimersByTime(1000);
    t.pause();
    vi.advanceTimersByTime(60_000);
    t.resume();
    // 1 s of silence was counted before the pause: 2 s are left.
    vi.advanceTimersByTime(1999);
    expect(fired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fired).toHaveBeenCalledWith(false);
  });

  it('without a limit, hearing the peer does not extend the wait', () => {
    const { fired, t } = timer();
    t.start(3000);
    vi.advanceTimersByTime(2000);
    t.heard();
    vi.advanceTimersByTime(1000);
    expect(fired).toHaveBeenCalledWith(true);
  });
});

describe('PausableTimer and the life of the process', () => {
  /** Timeouts that keep the event loop alive (unref'd ones are not listed). */
  const liveTimeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

  it('does not keep the process alive by default (the close wait: the socket does)', () => {
    const before = liveTimeouts();
    const t = new PausableTimer(() => {});
    t.start(60_000);
    expect(liveTimeouts()).toBe(before);
    t.stop();
  });

  it("keeps it alive when asked (connect's -w clock: its socket may be paused)", () => {
    const before = liveTimeouts();
    const t = new PausableTimer(() => {}, Date.now, false);
    t.start(60_000);
    expect(liveTimeouts()).toBe(before + 1);
    t.stop();
    expect(liveTimeouts()).toBe(before);
  });
});
