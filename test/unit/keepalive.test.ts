import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Pingable, startKeepalive } from '../../src/connection/keepalive.js';

/** A connection that records its pings and answers them when told to. */
class FakePeer implements Pingable {
  isOpen = true;
  paused = false;
  pings = 0;
  unansweredPingSince: number | undefined;
  /** Answers every ping at once. */
  constructor(public answers: boolean) {}
  ping(): void {
    this.pings++;
    if (!this.answers) this.unansweredPingSince ??= Date.now();
  }
  pong(): void {
    this.unansweredPingSince = undefined;
  }
  isPausedFor(): boolean {
    return this.paused;
  }
}

describe('startKeepalive', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function run(peers: FakePeer[], intervalMs: number, timeoutMs: number) {
    const gone: FakePeer[] = [];
    const stop = startKeepalive(
      { intervalMs, timeoutMs, now: Date.now },
      () => peers,
      (p) => gone.push(p),
    );
    return { gone, stop };
  }

  it('pings every open peer each interval and keeps the ones that answer', () => {
    const answering = new FakePeer(true);
    const closed = new FakePeer(true);
    closed.isOpen = false;
    const { gone, stop } = run([answering, closed], 1000, 1000);
    vi.advanceTimersByTime(10_000);
    expect(answering.pings).toBe(10);
    expect(closed.pings).toBe(0);
    expect(gone).toEqual([]);
    stop();
  });

  it('gives up on a silent peer when the timeout after its ping has passed (the server: timeout = interval)', () => {
    const silent = new FakePeer(false);
    const { gone, stop } = run([silent], 300, 300);
    vi.advanceTimersByTime(599);
    expect(gone).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(gone).toEqual([silent]);
    stop();
  });

  it('a timeout shorter than the interval is not held back to the next ping (the client: --ping-timeout)', () => {
    const silent = new FakePeer(false);
    const { gone, stop } = run([silent], 10_000, 2000);
    vi.advanceTimersByTime(11_999);
    expect(gone).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(gone).toEqual([silent]);
    stop();
  });

  it('any pong within the timeout counts as an answer, even with several pings out', () => {
    const slow = new FakePeer(false);
    const { gone, stop } = run([slow], 1000, 2500);
    vi.advanceTimersByTime(3000);
    expect(slow.pings).toBe(3);
    slow.pong();
    vi.advanceTimersByTime(500);
    expect(gone).toEqual([]);
    stop();
  });

  it('leaves a peer alone while we are not reading it (our output is backed up), and checks again after', () => {
    const held = new FakePeer(false);
    held.paused = true;
    const { gone, stop } = run([held], 1000, 1000);
    vi.advanceTimersByTime(5000);
    expect(gone).toEqual([]);
    held.paused = false;
    vi.advanceTimersByTime(1000);
    expect(gone).toEqual([held]);
    stop();
  });

  it('stops pinging and checking once stopped', () => {
    const silent = new FakePeer(false);
    const { gone, stop } = run([silent], 1000, 1500);
    vi.advanceTimersByTime(1000);
    stop();
    vi.advanceTimersByTime(10_000);
    expect(silent.pings).toBe(1);
    expect(gone).toEqual([]);
  });
});
