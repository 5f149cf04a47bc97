/**
 * One program behind a connection: spawned in its own process group, fed through its stdin with
 * backpressure, its stdout cut into units (framing.ts) that the caller sends, its stderr in lines.
 * Its end: stdin closed, SIGTERM to the group after the grace, SIGKILL after as long again; once it
 * has exited, whatever is left of its group gets SIGTERM (and SIGKILL after the grace), so
 * grandchildren go too. Node reaps it; `exited` settles once it has and its output is delivered.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Invocation } from './command.js';
import { type Framing, toProgram, Unframer, type Unit } from './framing.js';

/** A stderr line longer than this is shown in pieces. */
const STDERR_LINE_MAX = 16 * 1024;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It was ended by a signal we sent (after its connection went away): not a failure of its own. */
  stoppedByUs: boolean;
}

/** `exit 0`, `exit 3`, `signal SIGKILL`: how a program ended, in the words of a close reason. */
export function exitText(status: ExitStatus): string {
  return status.signal ? `signal ${status.signal}` : `exit ${status.code ?? 0}`;
}

/** Whether the program failed on its own: a non-zero exit, or a signal we did not send. */
export function failed(status: ExitStatus): boolean {
  if (status.signal) return !status.stoppedByUs;
  return status.code !== 0 && !status.stoppedByUs;
}

export interface ExecSettings {
  invocation: Invocation;
  /** The whole environment of the program. */
  env: NodeJS.ProcessEnv;
  framing: Framing;
  chunkSize: number;
  graceMs: number;
}

export interface ExecHooks {
  /** One unit of its stdout (a line, a NUL-delimited record, or a raw piece). */
  unit(unit: Unit): void;
  /** Several units of one read (optional: else `unit` for each). */
  units?(units: Unit[]): void;
  /** One line of its stderr (without its newline). */
  stderr(line: Buffer): void;
}

export class ExecChild {
  readonly exited: Promise<ExitStatus>;
  readonly startedAt = Date.now();
  private readonly child: ChildProcess;
  private readonly unframer: Unframer;
  private errParts: Buffer[] = [];
  private errLength = 0;
  private ending = false;
  private hasExited = false;
  private signalled = false;
  private timers: NodeJS.Timeout[] = [];

  private constructor(
    child: ChildProcess,
    private readonly settings: ExecSettings,
    private readonly hooks: ExecHooks,
  ) {
    this.child = child;
    this.unframer = new Unframer(settings.framing, settings.chunkSize);
    const { stdin, stdout, stderr } = this;
    // A program that exits without reading all its input: the rest is dropped, not an error of ours.
    stdin.on('error', () => {});
    stdout.on('data', (chunk: Buffer) => {
      const units = this.unframer.push(chunk);
      if (units.length === 0) return;
      if (units.length === 1 || !this.hooks.units) for (const unit of units) this.hooks.unit(unit);
      else this.hooks.units(units);
    });
    stderr.on('data', (chunk: Buffer) => this.stderrData(chunk));
    let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.hasExited = true;
        exitStatus = { code, signal };
        // What it left running in its group (a background job, a pipeline's straggler) goes too.
        this.killGroup('SIGTERM');
        this.later(() => {
          this.killGroup('SIGKILL');
          this.abandonOutput();
        });
      });
      child.once('close', () => {
        this.clearTimers();
        const last = this.unframer.end();
        if (last) this.hooks.unit(last);
        this.flushStderr();
        const { code, signal } = exitStatus ?? { code: child.exitCode, signal: child.signalCode };
        resolve({ code, signal, stoppedByUs: this.signalled });
      });
    });
  }

  /** Spawns the program; resolves once it runs, rejects (with a one-line reason) when it cannot. */
  static start(settings: ExecSettings, hooks: ExecHooks): Promise<ExecChild> {
    const { file, args } = settings.invocation;
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = spawn(file, args, { env: settings.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      } catch (err) {
        reject(err);
        return;
      }
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (child.pid === undefined) reject(new Error(`${file}: ${err.code ?? err.message}`));
      });
      child.once('spawn', () => resolve(new ExecChild(child, settings, hooks)));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return !this.hasExited;
  }

  /**
   * Writes one message to its stdin (with the framing's delimiter). False when its stdin buffer is
   * full: stop feeding it until `onDrain` calls back.
   */
  write(data: Buffer, binary = false): boolean {
    if (this.ending || this.stdin.destroyed || this.stdin.writableEnded) return true;
    // The messages of one socket read go to the program in one write.
    if (!this.corked) {
      this.corked = true;
      this.stdin.cork();
      process.nextTick(this.uncork);
    }
    let ok = true;
    for (const piece of toProgram(data, this.settings.framing, binary)) ok = this.stdin.write(piece);
    return ok;
  }

  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.stdin.uncork();
  };

  onDrain(listener: () => void): void {
    this.stdin.on('drain', listener);
  }

  /** Its stdout is not read while the receiver of its output is behind. */
  pauseOutput(): void {
    this.stdout.pause();
  }

  resumeOutput(): void {
    this.stdout.resume();
  }

  /**
   * Its connection is over: stdin closed, then SIGTERM after the grace, SIGKILL after as long again.
   * `now` (we were interrupted: Ctrl+C, SIGTERM): that signal goes to its group at once, SIGKILL after the grace.
   */
  end(now?: NodeJS.Signals): void {
    if (this.ending) return;
    this.ending = true;
    this.stdin.end();
    // Output it still writes must be read, or it would block on a full pipe and never see its EOF.
    this.stdout.resume();
    if (this.hasExited) return;
    if (now) {
      this.signal(now);
      this.later(() => this.signal('SIGKILL'));
      return;
    }
    this.later(() => {
      this.signal('SIGTERM');
      this.later(() => this.signal('SIGKILL'));
    });
  }

  /** Ends it at once (SIGKILL to the group). */
  kill(): void {
    this.ending = true;
    this.stdin.destroy();
    this.stdout.resume();
    this.signal('SIGKILL');
  }

  private get stdin(): Writable {
    return this.child.stdin!;
  }

  private get stdout(): Readable {
    return this.child.stdout!;
  }

  private get stderr(): Readable {
    return this.child.stderr!;
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.hasExited) return;
    this.signalled = true;
    this.killGroup(signal);
  }

  private killGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is gone already.
    }
  }

  private later(fn: () => void): void {
    const timer = setTimeout(fn, this.settings.graceMs);
    timer.unref();
    this.timers.push(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  /**
   * Its output pipes are still open a grace after it exited (and after SIGKILL to its group): something
   * outside its group holds them. Given up — but not while wsprobe itself holds the output back (a slow
   * client): what is in the pipe is still delivered, and the question asked again a grace later.
   */
  private abandonOutput(): void {
    if (this.stdout.isPaused()) {
      this.later(() => this.abandonOutput());
      return;
    }
    this.stdout.destroy();
    this.stderr.destroy();
  }

  private stderrData(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      this.errParts.push(chunk.subarray(start, nl));
      this.errLength += nl - start;
      this.flushStderr(true);
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.errParts.push(Buffer.from(chunk.subarray(start)));
      this.errLength += chunk.length - start;
      if (this.errLength >= STDERR_LINE_MAX) this.flushStderr();
    }
  }

  private flushStderr(always = false): void {
    if (this.errLength === 0 && !always) return;
    let line = Buffer.concat(this.errParts);
    this.errParts = [];
    this.errLength = 0;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    this.hooks.stderr(line);
  }
}
