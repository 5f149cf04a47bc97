/**
 * What closing our client connection waits for, and for how long.
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';

/**
 * A timer that counts only while it is not paused: how long we wait for a peer's close frame while
 * we are actually reading it. Time spent with the socket paused because our own output is backed up
 * is not the peer's silence (its close frame may be sitting behind the messages we have not read).
 */
export class PausableTimer {
  private timer: NodeJS.Timeout | undefined = undefined;
  private remainingMs = 0;
  private startedAt = 0;
  private running = false;
  private paused = false;

  constructor(
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  get started(): boolean {
    return this.running;
  }

  /** Starts counting `ms` (once; a timer already started keeps its time). */
  start(ms: number): void {
    if (this.running) return;
    this.running = true;
    this.remainingMs = ms;
    if (!this.paused) this.arm();
  }

  /** Stops the clock (it keeps what is left). */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remainingMs = Math.max(0, this.remainingMs - (this.now() - this.startedAt));
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

  private arm(): void {
    this.startedAt = this.now();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = false;
      this.fire();
    }, this.remainingMs);
    // The socket it watches keeps the process alive; the timer alone must not.
    this.timer.unref();
  }
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
