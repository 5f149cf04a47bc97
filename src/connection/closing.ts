/**
 * What closing our client connection waits for, and for how long. Its silence timer also times
 * connect's `-w` wait (session/client-run.ts).
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/**
 * How long we wait for a peer's close frame: a timer of the peer's silence. It counts only while it is
 * not paused: time spent with the socket paused because our own output is backed up is not the peer's
 * silence (its close frame may be sitting behind the messages we have not read). Each time the peer is
 * `heard` (bytes arrived), the silence starts again: a peer still working through what we sent before
 * our close frame, and sending us its answers, is not silent; its close frame comes behind them. Its
 * counted time in all is bounded by `limitMs`, so a peer that keeps talking and never answers is still
 * dropped.
 */
export class PausableTimer {
  private timer: NodeJS.Timeout | undefined = undefined;
  private silenceMs = 0;
  /** Silence left when the clock last stopped (paused) or started. */
  private remainingMs = 0;
  /** Counted time left in all. */
  private budgetMs = 0;
  private startedAt = 0;
  /** When the peer was last heard (-1: not since the clock last started). */
  private heardAt = -1;
  private running = false;
  private paused = false;

  constructor(
    /** `capped`: the peer kept talking for `limitMs` without answering (not silent). */
    private readonly fire: (capped: boolean) => void,
    private readonly now: () => number = Date.now,
    /**
     * false: the timer alone keeps the process alive (connect's -w clock: a socket paused for an
     * `--exec` program that stopped reading is not an active handle, and the wait must still end).
     */
    private readonly unrefTimer = true,
  ) {}

  get started(): boolean {
    return this.running;
  }

  /** Starts counting `ms` of silence, `limitMs` in all (once; a timer already started keeps its time). */
  start(ms: number, limitMs = ms): void {
    if (this.running) return;
    this.running = true;
    this.silenceMs = ms;
    this.remainingMs = ms;
    this.budgetMs = Math.max(ms, limitMs);
    if (!this.paused) this.arm();
  }

  /** The peer sent something: its silence starts again (cheap: called for every read while closing). */
  heard(): void {
    if (this.timer !== undefined) this.heardAt = this.now();
  }

  /** Stops the clock (it keeps what is left). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.count();
  }

  /** The clock runs again, for what was left. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    if (this.running) this.arm();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Takes the time since the clock started off what is left. */
  private count(): void {
    const now = this.now();
    this.budgetMs -= now - this.startedAt;
    this.remainingMs =
      this.heardAt >= 0 ? this.silenceMs - (now - this.heardAt) : this.remainingMs - (now - this.startedAt);
    this.remainingMs = Math.max(0, this.remainingMs);
  }

  private arm(): void {
    this.startedAt = this.now();
    this.heardAt = -1;
    this.timer = setTimeout(this.expired, Math.max(0, Math.min(this.remainingMs, this.budgetMs)));
    // The socket it watches keeps the process alive; the timer alone must not (unless asked to).
    if (this.unrefTimer) this.timer.unref();
  }

  private readonly expired = (): void => {
    this.timer = undefined;
    this.count();
    if (this.remainingMs > 0 && this.budgetMs > 0) {
      this.arm();
      return;
    }
    this.running = false;
    this.fire(this.remainingMs > 0);
  };
}

/**
 * Resolves once everything handed to `ws`, a close frame included, has been written to `socket` (or
 * the socket is gone). ws may still hold a frame (behind compression): looked at on every drain and
 * every 20 ms.
 */
export function whenWritten(ws: WebSocket | undefined, socket: Socket | undefined): Promise<void> {
  const done = () => !ws || !socket || socket.destroyed || ws.bufferedAmount === 0;
  if (done()) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (!done()) return;
      clearInterval(poll);
      socket!.off('drain', check);
      socket!.off('close', check);
      resolve();
    };
    const poll = setInterval(check, 20);
    poll.unref();
    socket!.on('drain', check);
    socket!.on('close', check);
  });
}
