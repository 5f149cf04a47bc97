/**
 * Carries out the end policy (protocol/end-policy.ts) on real connections: one `ClientSession` after
 * another (--reconnect), the idle and back-off timers, the outbox, the keepalive. It decides nothing:
 * it tells the policy what happened and does what the policy answers.
 */

import { PausableTimer } from '../connection/closing.js';
import { addTraffic } from '../connection/connection.js';
import type { SessionEvent } from '../output/events.js';
import { rttStats } from '../output/summary.js';
import type { EndAction, EndInput, EndPolicy } from '../protocol/end-policy.js';
import type { ExitDecision } from '../protocol/exit.js';
import type { Failure } from '../protocol/failures.js';
import type { SessionEnd, StopSignal } from '../protocol/outcome.js';
import { type ClientOptions, ClientSession, type Stats } from './client.js';
import { clientHeap } from './heap.js';
import { startKeepalive } from './keepalive.js';
import type { Outbox, OutMessage } from './outbox.js';

export interface ClientRunSettings {
  connection: ClientOptions;
  /** --ping-interval / --ping-timeout, in milliseconds. */
  keepalive?: { intervalMs: number; timeoutMs: number };
  /** The --send messages: first on every connection. */
  initial: readonly OutMessage[];
  /** --socketio: a protocol layer made for each connection (loaded only then). */
  layer?: (session: ClientSession, emit: (e: SessionEvent) => void) => MessageLayer;
}

/**
 * A protocol spoken inside the WebSocket messages (--socketio): it sees every event first, says which
 * received messages count, and says when the connection is ready for our messages.
 */
export interface MessageLayer {
  /** Whether the event is shown as it is (a raw message may give way to what it means). */
  view(e: SessionEvent): boolean;
  /** A received message: what the end policy hears of it. */
  incoming(data: Buffer, isBinary: boolean): EndInput[];
  /** The WebSocket is open: call `ready` once the protocol's own handshake is done. */
  opened(ready: () => void): void;
  /** We are closing the connection: no more heartbeat (what arrives meanwhile is still shown). */
  closing(): void;
  stop(): void;
}

export interface RunResult {
  decision: ExitDecision;
  end: SessionEnd;
  signal?: StopSignal;
  /** An error that no connection reported (a timeout during the back-off). */
  error?: Failure;
}

export class ClientRun {
  readonly totals: Stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  readonly rtts: number[] = [];
  session: ClientSession;
  /** --socketio: the current connection's layer. */
  layer?: MessageLayer;
  readonly finished: Promise<RunResult>;
  /** Called once per connection, when it opens (after the `open` event). */
  onOpen?: () => void;

  private settle!: (result: RunResult) => void;
  /**
   * The -w clock: the peer's silence. Armed once; every message after that only moves its deadline
   * (`heard`), where a timer per message would cost a clearTimeout and a setTimeout each.
   */
  private readonly idleClock: PausableTimer;
  /** Counts starts and stops of the -w clock: a firing that is no longer the latest is ignored. */
  private idleArming = 0;
  private backoffTimer?: NodeJS.Timeout;
  private generation = 0;
  private connections = 0;
  /** Reconnect attempts announced so far (the last error says how many were made). */
  private reconnects = 0;
  private hiding = false;
  /** stdout is backed up: every connection is paused until it drains. */
  private outputBlocked = false;
  /** The current session's traffic is in `totals` (it has ended). */
  private counted = false;
  private done = false;
  private stopKeepalive = () => {};

  constructor(
    private readonly policy: EndPolicy,
    private readonly settings: ClientRunSettings,
    private readonly outbox: Outbox,
    private readonly emit: (e: SessionEvent) => void,
    private readonly now: () => number,
  ) {
    this.finished = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.idleClock = new PausableTimer(
      () => {
        const arming = this.idleArming;
        // Timers run before the loop reads sockets: after a stall of the whole process (a loaded
        // machine), messages may be waiting. Let one read happen first; a message there starts the clock
        // again, and a start or a stop counts as an arming.
        setImmediate(() => {
          if (arming === this.idleArming) this.feed({ type: 'idle' });
        });
      },
      now,
      // The clock keeps the process alive, as a setTimeout does: the socket may be paused (an --exec
      // program that stopped reading), and the wait must still end.
      false,
    );
    this.session = this.newSession();
  }

  /** Tell the policy something happened (input ended, a signal, stdout went away, …). */
  feed(input: EndInput): void {
    for (const action of this.policy.handle(input)) this.act(action);
  }

  start(): void {
    this.session.connect();
  }

  /**
   * stdout is backed up (or drained again): stop reading the peer until it catches up; the end policy
   * stops the -w clock, and the connection its close timer, meanwhile.
   */
  outputBackedUp(blocked: boolean): void {
    if (blocked === this.outputBlocked) return;
    this.outputBlocked = blocked;
    if (blocked) this.session.pause();
    else this.session.resume();
    this.outbox.hold(blocked);
    this.feed({ type: blocked ? 'output-blocked' : 'output-drained' });
  }

  /** stdout's reader went away: read the peer again (to see its close) and close normally. */
  outputGone(): void {
    this.outputBlocked = false;
    this.session.resume();
    this.outbox.hold(false);
    this.feed({ type: 'output-gone' });
  }

  /** A message could not be shown (too large to render): close with 1009, show nothing more. */
  refuseMessage(why: { message: string; hint?: string }): void {
    this.hiding = true;
    this.session.refuse({ kind: 'protocol', ...why }, 1009);
  }

  summary(exitCode: number, end: SessionEnd, url: string): SessionEvent {
    const last = this.session;
    const totals = { ...this.totals };
    // A session stopped by a signal never ended: its traffic counts too.
    if (!this.counted) addTraffic(totals, last.stats);
    return {
      event: 'summary',
      time: this.now(),
      exitCode,
      ...totals,
      timings: last.timingsSoFar(),
      rtt: rttStats(this.counted ? this.rtts : [...this.rtts, ...last.rtts]) ?? undefined,
      close: end.type === 'closed' ? { code: end.close.code, reason: end.close.reason, by: end.close.by } : undefined,
      url,
      protocol: last.protocol,
      extensions: last.extensions,
    };
  }

  private newSession(): ClientSession {
    const generation = ++this.generation;
    const show = (e: SessionEvent): void => {
      // Nothing is shown once the run is over, nor (after --count) what arrives while closing.
      if (this.done || generation !== this.generation) return;
      if (this.hiding && (e.event === 'message' || e.event === 'socketio') && e.dir === 'in') return;
      this.emit(e);
    };
    let layer: MessageLayer | undefined;
    const session = new ClientSession(this.settings.connection, (e) => (!layer || layer.view(e)) && show(e), this.now);
    layer = this.settings.layer?.(session, show);
    this.layer = layer;
    // A session of connect or replay may be a bulk transfer: its messages count toward keeping the heap.
    session.heap = clientHeap;
    // With --reconnect, a lost connection is told once: by the reconnecting line, or the last error.
    session.holdRetryable = this.policy.reconnects;
    session.onOpen = () => (layer ? layer.opened(() => this.opened(session)) : this.opened(session));
    session.onIncoming = (data, isBinary) => {
      if (layer) for (const input of layer.incoming(data, isBinary)) this.feed(input);
      else
        this.feed({ type: 'message', text: isBinary || this.policy.expected.done ? undefined : data.toString('utf8') });
    };
    session.finished.then((end) => this.ended(session, end));
    return session;
  }

  private opened(session: ClientSession): void {
    // --send messages go again, first, on every new connection.
    if (this.connections++ > 0) this.outbox.pushFront(this.settings.initial);
    this.outbox.start((message, done) => session.send(message, done));
    const k = this.settings.keepalive;
    if (k) this.stopKeepalive = startKeepalive(session, k.intervalMs, k.timeoutMs);
    this.onOpen?.();
    this.feed({ type: 'opened' });
  }

  private ended(session: ClientSession, end: SessionEnd): void {
    if (session !== this.session) return;
    this.layer?.stop();
    this.stopKeepalive();
    this.stopKeepalive = () => {};
    this.outbox.stop();
    addTraffic(this.totals, session.stats);
    this.counted = true;
    this.rtts.push(...session.rtts);
    this.feed({ type: 'ended', end });
  }

  private act(a: EndAction): void {
    switch (a.do) {
      case 'close':
        // Closing is not a silent peer: the protocol's own heartbeat stops watching.
        this.layer?.closing();
        this.session.close(a.code, a.reason);
        return;
      case 'nothing-received': {
        const sent = this.totals.messagesOut + (this.counted ? 0 : this.session.stats.messagesOut);
        this.emit({ event: 'nothing-received', time: this.now(), waitMs: a.waitMs, sent });
        return;
      }
      case 'arm-idle':
        if (this.idleClock.started) {
          this.idleClock.heard();
          return;
        }
        this.idleArming++;
        this.idleClock.start(a.ms, Number.POSITIVE_INFINITY);
        return;
      case 'clear-idle':
        this.idleClock.stop();
        this.idleArming++;
        return;
      case 'flush': {
        const generation = this.generation;
        void this.outbox.whenIdle().then(() => {
          if (generation === this.generation) this.feed({ type: 'input-flushed' });
        });
        return;
      }
      case 'hide-incoming':
        this.hiding = true;
        return;
      case 'abort':
        this.session.abort(a.failure);
        return;
      case 'backoff':
        // The failure that ended the connection is told here, as the reason.
        this.session.heldFailure = undefined;
        this.reconnects = a.attempt;
        this.emit({
          event: 'reconnecting',
          time: this.now(),
          attempt: a.attempt,
          of: a.of,
          delayMs: a.delayMs,
          reason: a.reason,
        });
        this.backoffTimer = setTimeout(() => this.feed({ type: 'backoff-over' }), a.delayMs);
        return;
      case 'connect':
        this.hiding = false;
        this.counted = false;
        this.session = this.newSession();
        if (this.outputBlocked) this.session.pause();
        this.session.connect();
        return;
      case 'leave':
        clearTimeout(this.backoffTimer);
        this.stopKeepalive();
        this.outbox.stop();
        this.done = true;
        this.session.leave(a.code);
        return;
      case 'finish': {
        clearTimeout(this.backoffTimer);
        this.idleClock.stop();
        const held = this.session.heldFailure;
        this.session.heldFailure = undefined;
        // The last connection's failure, held back for a reconnect that is not coming: shown now
        // (not after a signal: an interrupted session never reports a loss).
        if (held && !a.signal && a.end.type === 'failed' && a.end.failure === held) {
          const gaveUp =
            this.reconnects > 0
              ? `gave up after ${this.reconnects} reconnect attempt${this.reconnects === 1 ? '' : 's'}`
              : undefined;
          const hint = [held.hint, gaveUp].filter(Boolean).join('; ') || undefined;
          this.emit({ event: 'error', time: this.now(), kind: held.kind, message: held.message, hint });
        }
        this.done = true;
        this.settle({ decision: a.decision, end: a.end, signal: a.signal, error: a.error });
        return;
      }
    }
  }
}
