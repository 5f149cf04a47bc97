/** The process's surroundings — streams, TTY flags, environment, clock — injectable for tests. */
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { isatty } from 'node:tty';
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
  /**
   * Whether the process is a background job of its terminal (`wsprobe … &`): reading or setting up the
   * terminal would get it stopped by the shell, so stdin is then left alone. Absent: in the foreground.
   */
  inBackground?(): boolean;
}

/**
 * From the text of `/proc/self/stat`: true when the process group (field 5) is not the terminal's
 * foreground process group (field 8); null when the text cannot be read so. Fields are counted after
 * the last `)`, as the command name (field 2) may hold spaces and parentheses.
 */
export function backgroundFromStat(stat: string): boolean | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // After ")": field 3 (state), 4 (ppid), 5 (pgrp), 6 (session), 7 (tty_nr), 8 (tpgid).
  const fields = stat
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const pgrp = Number(fields[2]);
  const tpgid = Number(fields[5]);
  if (!Number.isInteger(pgrp) || !Number.isInteger(tpgid) || fields.length < 6) return null;
  // No controlling terminal (tpgid -1): not anyone's background job.
  if (tpgid <= 0) return false;
  return pgrp !== tpgid;
}

/**
 * Linux only (`/proc`); elsewhere the process is taken to be in the foreground, and a background job
 * that reads the terminal is stopped by the shell as any would be (`--no-stdin` avoids it).
 */
function inBackground(): boolean {
  try {
    return backgroundFromStat(readFileSync('/proc/self/stat', 'utf8')) === true;
  } catch {
    return false;
  }
}

export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export function processEnv(homedir: string): Env {
  return {
    // Made when first asked for: with --no-stdin (and for servers) stdin is never opened.
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: isatty(0),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    vars: process.env,
    homedir,
    now: () => Date.now(),
    inBackground,
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

/** The terminal to draw the prompt on: stdout, or stderr when stdout is redirected; none if neither is one. */
export function promptTerminal(env: Env): NodeJS.WritableStream | null {
  if (env.stdoutIsTTY) return env.stdout;
  if (env.stderrIsTTY) return env.stderr;
  return null;
}
