/** The process's surroundings — streams, TTY flags, environment, clock — injectable for tests. */
import type { Readable, Writable } from 'node:stream';
import type { StopSignal } from './protocol/outcome.js';

export interface Env {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  vars: Readonly<Record<string, string | undefined>>;
  homedir: string;
  now(): number;
  /**
   * Calls `listener` on SIGINT, SIGTERM and SIGHUP until the returned function is called. While a
   * listener is registered the process does not die of these signals: the session decides.
   */
  onSignal(listener: (signal: StopSignal) => void): () => void;
}

export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function processEnv(homedir: string): Env {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: process.stdin.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    vars: process.env,
    homedir,
    now: () => Date.now(),
    onSignal(listener) {
      const handlers = STOP_SIGNALS.map((signal) => {
        const handler = () => listener(signal);
        process.on(signal, handler);
        return [signal, handler] as const;
      });
      return () => {
        for (const [signal, handler] of handlers) process.removeListener(signal, handler);
      };
    },
  };
}

/**
 * Colour level 0–3 for a stream: `--no-color` and `NO_COLOR` turn it off, `FORCE_COLOR` forces it
 * (as everywhere); otherwise colour only on a terminal.
 */
export function colorLevel(env: Env, isTTY: boolean, noColorFlag: boolean): 0 | 1 | 2 | 3 {
  if (noColorFlag) return 0;
  const force = env.vars.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    if (force === '' || force === 'true' || Number.isNaN(n)) return 1;
    return Math.min(3, Math.max(1, Math.trunc(n))) as 1 | 2 | 3;
  }
  if (env.vars.NO_COLOR !== undefined && env.vars.NO_COLOR !== '') return 0;
  if (!isTTY) return 0;
  if (env.vars.TERM === 'dumb') return 0;
  const colorterm = env.vars.COLORTERM;
  if (colorterm === 'truecolor' || colorterm === '24bit') return 3;
  if (/-256(color)?$/i.test(env.vars.TERM ?? '')) return 2;
  return 1;
}
