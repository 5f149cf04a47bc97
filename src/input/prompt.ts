/**
 * The one interactive prompt of `connect` and `listen`: the `Repl` on the terminal, and the writers
 * every other output must go through so that it lands above the line being typed.
 */
import type { Writable } from 'node:stream';
import type { Env } from '../env.js';
import { colorLevel } from '../output/color.js';
import { Repl, terminalReflow } from '../session/repl.js';

export interface PromptHooks {
  /** No history is read or written when undefined (`--no-history`). */
  historyFile?: string;
  onLine(line: string): void;
  /** Ctrl+D on an empty line. */
  onEnd(): void;
  /** Ctrl+C. */
  onInterrupt(): void;
  /** Something to tell the user that is not a session event (a history file we cannot write). */
  onNotice(message: string): void;
}

export interface Prompt {
  repl: Repl;
  /** stdout and stderr as session output must use them: wrapped when they are terminals. */
  stdout: Writable;
  stderr: Writable;
  /** The (wrapped) writer of the terminal the prompt is drawn on: where replies to commands go. */
  terminal: Writable;
  /** `env` with `stdout` and `stderr` replaced by the wrapped writers. */
  env: Env;
}

/** The dim line under `connected to …` / `listening on …` that says how to get help and out. */
export function hintLine(env: Env, text: string, noColor: boolean): string {
  return colorLevel(env, true, noColor) > 0 ? `\x1b[2m${text}\x1b[22m\n` : `${text}\n`;
}

/** `terminal`: stdout, or stderr when stdout is redirected (see `promptTerminal`). */
export function openPrompt(env: Env, terminal: NodeJS.WritableStream, hooks: PromptHooks): Prompt {
  const repl = new Repl({ input: env.stdin, terminal, prompt: '> ', resizeReflow: terminalReflow(env.vars), ...hooks });
  const stdout = env.stdoutIsTTY ? repl.wrap(env.stdout) : env.stdout;
  const stderr = env.stderrIsTTY ? repl.wrap(env.stderr) : env.stderr;
  return {
    repl,
    stdout,
    stderr,
    terminal: terminal === env.stdout ? stdout : stderr,
    env: { ...env, stdout, stderr },
  };
}
