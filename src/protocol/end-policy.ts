/**
 * When a client session ends (SPEC "How a client session ends"), decided in one place. Pure: the
 * connect command feeds it what happened (opened, input ended, a message, a timer, a close, a signal)
 * and carries out the actions it returns (close, arm the idle timer, reconnect, abort, finish). No
 * sockets, timers, streams or process here — which is what lets every rule be a row of a table test.
 */
import { backoffDelay } from './backoff.js';
import { type ClientEndState, clientExit, type ExitDecision, RECENT_SHOWN } from './exit.js';
import { type Expectation, ExpectationList, type ReceivedEvent } from './expect.js';
import type { Failure } from './failures.js';
import type { SessionEnd, StopSignal } from './outcome.js';

export interface EndRules {
  /** -w: after input ends, close when nothing arrived for this long (0: at once). */
  waitMs: number;
  /** -w was given (with --expect, only an explicit --wait closes on idle). */
  waitGiven: boolean;
  /** --keep-open: after input ends, wait for the peer to close. */
  keepOpen: boolean;
  /** --count: close after this many received messages. */
  count?: number;
  /** --expect / --expect-json, matched in order against incoming text messages. */
  expect: readonly Expectation[];
  /** --expect-close: succeed only if the peer closes with this code (we wait for it). */
  expectClose?: number;
  /** --timeout, in seconds (for the message; the command arms the timer). */
  timeoutSeconds?: number;
  /** --reconnect: attempts after a lost connection, counted over the whole run (`true`: no limit). */
  reconnect?: number | true;
  closeCode: number;
  closeReason: string;
  /** Input is the interactive prompt: Ctrl+D means "close now", not "wait for idle". */
  interactive: boolean;
}

export type EndInput =
  | { type: 'opened' }
  /** stdin ended (EOF, Ctrl+D), or there is none (`--no-stdin`). */
  | { type: 'input-ended' }
  /** A line of --input hex/base64 could not be decoded: what came before is still delivered. */
  | { type: 'bad-input' }
  /** Everything queued for the current connection has been written (answer to `flush`). */
  | { type: 'input-flushed' }
  /** `event`: a Socket.IO event (--socketio); `text` is then its JSON array. */
  | { type: 'message'; text?: string; event?: ReceivedEvent }
  | { type: 'idle' }
  | { type: 'deadline' }
  /** stdout's reader went away: nothing more can be shown. */
  | { type: 'output-gone' }
  /** stdout is backed up (we stop reading the peer until it drains): the -w clock stands still. */
  | { type: 'output-blocked' }
  /** stdout has drained: reading goes on, and so does the -w clock (from the start). */
  | { type: 'output-drained' }
  | { type: 'ended'; end: SessionEnd }
  | { type: 'backoff-over' }
  | { type: 'signal'; signal: StopSignal }
  /**
   * `--exec`: the program whose output is our input has exited (its output is all in the outbox):
   * the input has ended; `failed` (a non-zero exit, a signal we did not send) is remembered for the exit code.
   */
  | { type: 'program-exited'; failed: boolean };

export type EndAction =
  | { do: 'close'; code: number; reason: string }
  /** -w ended a session in which nothing was received: say so, once (the close follows). */
  | { do: 'nothing-received'; waitMs: number }
  | { do: 'arm-idle'; ms: number }
  | { do: 'clear-idle' }
  /** Tell me `input-flushed` once the outbox has written everything (on this connection). */
  | { do: 'flush' }
  /** --count reached: what arrives while closing is not shown. */
  | { do: 'hide-incoming' }
  /** End the connection now, without a close handshake, as `failure`. */
  | { do: 'abort'; failure: Failure }
  /** Wait `delayMs`, then tell me `backoff-over`. */
  | { do: 'backoff'; attempt: number; of?: number; delayMs: number; reason: string }
  | { do: 'connect' }
  /** We are exiting on a signal: close frame 1001 best-effort, no waiting, nothing more shown. */
  | { do: 'leave'; code: number; signal: StopSignal }
  | { do: 'finish'; decision: ExitDecision; end: SessionEnd; signal?: StopSignal; error?: Failure };

type Phase = 'connecting' | 'open' | 'backoff' | 'done';

/** A failure worth another try with --reconnect: a lost connection or one that could not be made. */
export function retryable(failure: Failure): boolean {
  return failure.kind === 'connect' || failure.kind === 'lost';
}

/** A lost connection or a failed connect is worth another try; a refusal or a protocol error is not. */
export function worthReconnecting(end: SessionEnd): string | null {
  if (end.type === 'closed') return end.close.by === 'none' ? 'connection lost' : null;
  return retryable(end.failure) ? end.failure.message : null;
}

export class EndPolicy {
  private phase: Phase = 'connecting';
  private inputEnded = false;
  private badInput = false;
  private programFailed = false;
  private closing = false;
  private hidden = false;
  /** The -w timer should be running (input is over); it only runs while our output is not backed up. */
  private idleArmed = false;
  private outputBlocked = false;
  private timedOut = false;
  private received = 0;
  /** Reconnect attempts made in this run (what --reconnect n bounds). */
  private attempt = 0;
  /** Attempts since a connection last opened (what the back-off delay grows with). */
  private inARow = 0;
  private lastEnd: SessionEnd = { type: 'failed', failure: { kind: 'connect', message: 'not connected' } };
  readonly expected: ExpectationList;
  /** The last text messages (shown when an --expect is not met). */
  readonly recent: string[] = [];

  constructor(
    private readonly rules: EndRules,
    /** In [0, 1): the jitter of reconnect delays. */
    private readonly random: () => number = Math.random,
  ) {
    this.expected = new ExpectationList([...rules.expect]);
  }

  /** --reconnect was given: a lost or failed connection may be followed by another. */
  get reconnects(): boolean {
    return this.rules.reconnect !== undefined;
  }

  get finished(): boolean {
    return this.phase === 'done';
  }

  handle(input: EndInput): EndAction[] {
    if (this.phase === 'done') return [];
    switch (input.type) {
      case 'opened':
        this.phase = 'open';
        this.closing = false;
        this.inARow = 0;
        return this.inputEnded ? [{ do: 'flush' }] : [];
      case 'bad-input':
        this.badInput = true;
        return this.handle({ type: 'input-ended' });
      case 'program-exited':
        this.programFailed ||= input.failed;
        return this.handle({ type: 'input-ended' });
      case 'input-ended':
        if (this.inputEnded) return [];
        this.inputEnded = true;
        return this.phase === 'open' ? [{ do: 'flush' }] : [];
      case 'input-flushed':
        return this.afterInput();
      case 'message':
        return this.onMessage(input.text, input.event);
      case 'idle': {
        const close = this.close(this.rules.closeCode, this.rules.closeReason);
        // The -w wait ran out and nothing ever came: the user may think the server has no answer.
        if (close.length > 0 && this.received === 0)
          return [{ do: 'nothing-received', waitMs: this.rules.waitMs }, ...close];
        return close;
      }
      case 'output-gone':
        return this.close(this.rules.closeCode, this.rules.closeReason);
      case 'output-blocked':
        // Time spent waiting for our own output is not the peer's silence: stop the -w clock.
        this.outputBlocked = true;
        return this.idleArmed ? [{ do: 'clear-idle' }] : [];
      case 'output-drained':
        this.outputBlocked = false;
        return this.armIdle();
      case 'deadline':
        return this.onDeadline();
      case 'ended':
        return this.onEnded(input.end);
      case 'backoff-over':
        if (this.phase !== 'backoff') return [];
        this.phase = 'connecting';
        return [{ do: 'connect' }];
      case 'signal': {
        const end = this.lastEnd;
        this.phase = 'done';
        return [
          { do: 'clear-idle' },
          { do: 'leave', code: 1001, signal: input.signal },
          { do: 'finish', decision: this.decide(end, input.signal), end, signal: input.signal },
        ];
      }
    }
  }

  private get message(): string {
    return `timed out after ${this.rules.timeoutSeconds} s`;
  }

  /** Input is over and written: keep receiving until idle, then close (or wait for the peer). */
  private afterInput(): EndAction[] {
    const r = this.rules;
    if (this.phase !== 'open' || this.closing || r.keepOpen) return [];
    // --expect waits for its matches (bounded by --timeout) unless -w was given; --expect-close for the peer.
    if (r.expectClose !== undefined || (!this.expected.done && !r.waitGiven)) return [];
    // Ctrl+D at the prompt means "close now".
    if (r.waitMs === 0 || r.interactive) return this.close(r.closeCode, r.closeReason);
    this.idleArmed = true;
    return this.armIdle();
  }

  /** (Re)starts the -w timer, unless it is not wanted or our output is backed up. */
  private armIdle(): EndAction[] {
    return this.idleArmed && !this.outputBlocked ? [{ do: 'arm-idle', ms: this.rules.waitMs }] : [];
  }

  private onMessage(text: string | undefined, event?: ReceivedEvent): EndAction[] {
    // After the --count-th message, what arrives while closing is neither shown nor matched.
    if (this.hidden) return [];
    this.received++;
    if (text !== undefined && !this.expected.done) {
      this.recent.push(text);
      if (this.recent.length > RECENT_SHOWN) this.recent.shift();
      if (this.expected.feed(text, event) && this.rules.expectClose === undefined) return this.close(1000, '');
    }
    if (this.rules.count !== undefined && this.received >= this.rules.count) {
      this.hidden = true;
      return [{ do: 'hide-incoming' }, ...this.close(this.rules.closeCode, this.rules.closeReason)];
    }
    return this.armIdle();
  }

  private onDeadline(): EndAction[] {
    this.timedOut = true;
    const failure: Failure = { kind: 'timeout', message: this.message };
    if (this.phase === 'backoff') {
      // No connection to abort: the session ends here, with the timeout as its reason.
      const end: SessionEnd = { type: 'failed', failure };
      this.phase = 'done';
      return [{ do: 'finish', decision: this.decide(end), end, error: failure }];
    }
    return [{ do: 'clear-idle' }, { do: 'abort', failure }];
  }

  private onEnded(end: SessionEnd): EndAction[] {
    this.lastEnd = end;
    this.idleArmed = false;
    const actions: EndAction[] = [{ do: 'clear-idle' }];
    const limit = typeof this.rules.reconnect === 'number' ? this.rules.reconnect : undefined;
    const reason = this.rules.reconnect !== undefined && !this.timedOut ? worthReconnecting(end) : null;
    if (reason !== null && (limit === undefined || this.attempt < limit)) {
      this.attempt++;
      this.inARow++;
      this.phase = 'backoff';
      const delayMs = backoffDelay(this.inARow, this.random());
      actions.push({ do: 'backoff', attempt: this.attempt, of: limit, delayMs, reason });
      return actions;
    }
    this.phase = 'done';
    actions.push({ do: 'finish', decision: this.decide(end), end });
    return actions;
  }

  private close(code: number, reason: string): EndAction[] {
    if (this.phase !== 'open' || this.closing) return [];
    this.closing = true;
    this.idleArmed = false;
    return [{ do: 'clear-idle' }, { do: 'close', code, reason }];
  }

  /** The exit decision; `replay` asks again once the answers were compared (`mismatch`). */
  decide(end: SessionEnd, signal?: StopSignal, mismatch = false): ExitDecision {
    const state: ClientEndState = {
      end,
      signal,
      badInput: this.badInput,
      programFailed: this.programFailed,
      mismatch,
      expected: this.expected,
      recent: this.recent,
      expectClose: this.rules.expectClose,
    };
    return clientExit(state);
  }
}
