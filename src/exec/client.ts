/**
 * `connect --exec`: a program as our client's input and the reader of what arrives. Each unit of its
 * stdout is queued as a message (the outbox: sent once the connection is open, with backpressure —
 * its stdout is not read while a megabyte waits); each message received is written to its stdin
 * (the socket is not read while its stdin is full). When it exits, the input has ended (then `-w`,
 * the close code, as when stdin ends); when the session ends first, it is ended: stdin closed,
 * SIGTERM after `--exec-grace`, SIGKILL after as long again.
 */
import type { Env } from '../env.js';
import { usageError } from '../errors.js';
import type { SessionEvent } from '../output/events.js';
import type { Outbox } from '../session/outbox.js';
import { ExecChild, type ExitStatus, failed } from './child.js';
import { invocation } from './command.js';
import type { Unit } from './framing.js';
import type { ExecPlan } from './plan.js';

/** `json` framing: a line of the program's output that is not a message (shown, not sent). */
export function notAMessage(time: number, unit: Unit, pid = 0, conn?: number): SessionEvent {
  const shown = unit.data.length > 200 ? `${unit.data.subarray(0, 200).toString('utf8')}…` : unit.data.toString('utf8');
  return {
    event: 'error',
    time,
    conn,
    kind: 'usage',
    message: `program ${pid} wrote a line that is not a --exec-framing json message (${unit.invalid}): ${JSON.stringify(shown)}`,
  };
}

export interface ExecClientHooks {
  emit(e: SessionEvent): void;
  /** Its stdin is full (true) or drained (false): stop or go on reading the socket. */
  backpressure(full: boolean): void;
  /** It exited on its own, its output all queued. */
  exited(failed: boolean): void;
}

export class ExecClient {
  private constructor(
    private readonly child: ExecChild,
    private readonly env: Env,
  ) {}

  /** Starts the program; a usage error (exit 2) when it cannot be run. */
  static async start(
    plan: ExecPlan,
    url: string,
    env: Env,
    outbox: Outbox,
    hooks: ExecClientHooks,
  ): Promise<ExecClient> {
    let child: ExecChild | undefined;
    try {
      const how = invocation(plan.command, plan.buffered, env.vars.PATH);
      child = await ExecChild.start(
        {
          invocation: how,
          env: { ...env.vars, ...how.env, WSPROBE_URL: url },
          framing: plan.framing,
          chunkSize: plan.chunkSize,
          graceMs: plan.graceMs,
        },
        {
          unit: (unit) => {
            if (unit.invalid !== undefined) {
              hooks.emit(notAMessage(env.now(), unit, child?.pid));
              return;
            }
            outbox.push(unit);
            if (outbox.isFull) child?.pauseOutput();
          },
          stderr: (line) => {
            hooks.emit({ event: 'exec-stderr', time: env.now(), pid: child?.pid ?? 0, data: line });
            if (plan.stderrToPeer) outbox.push({ data: line, binary: false });
          },
        },
      );
    } catch (err) {
      throw usageError(`cannot start --exec program: ${(err as Error).message}`);
    }
    const started = child;
    outbox.onDrain(() => started.resumeOutput());
    started.onDrain(() => hooks.backpressure(false));
    hooks.emit({ event: 'exec-start', time: env.now(), pid: started.pid, command: plan.command });
    const client = new ExecClient(started, env);
    void started.exited.then((status) => {
      hooks.emit(client.exitEvent(status));
      hooks.exited(failed(status));
    });
    return client;
  }

  /** A message arrived: to its stdin. False when its stdin is full (stop reading the socket). */
  received(data: Buffer, binary: boolean): boolean {
    return this.child.write(data, binary);
  }

  /**
   * The session is over: its stdin is closed, then it is ended; resolves once it has exited. After a
   * signal (its process group does not get the terminal's), the same signal goes to it at once.
   */
  async end(signal?: NodeJS.Signals): Promise<ExitStatus> {
    this.child.end(signal);
    return this.child.exited;
  }

  private exitEvent(status: ExitStatus): SessionEvent {
    return {
      event: 'exec-exit',
      time: this.env.now(),
      pid: this.child.pid,
      code: status.code,
      signal: status.signal,
      failed: failed(status),
      durationMs: Date.now() - this.child.startedAt,
    };
  }
}
