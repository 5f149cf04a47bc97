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
