/**
 * `--exec` and its options, for `listen` and `connect`, under one help heading. Only types come from
 * exec/: the program code loads when a command with `--exec` runs.
 */
import { type Command, Option } from 'commander';
import type { Framing } from '../exec/framing.js';
import type { ExecPlan } from '../exec/plan.js';
import { GROUP } from './help.js';
import { choiceArg, secondsArg } from './parsers.js';

export interface ExecFlags {
  exec?: string;
  execShared?: boolean;
  execIds?: boolean;
  execFraming: Framing;
  execGrace: number;
  execBuffered: boolean;
  execStderrToClient?: boolean;
  execStderrToServer?: boolean;
}

/** The largest message `raw` framing cuts a program's output into (as `--raw`'s default). */
export const EXEC_CHUNK_SIZE = 65536;

export function addExecOptions(cmd: Command, side: 'server' | 'client'): Command {
  cmd
    .optionsGroup(GROUP.program)
    .option(
      '--exec <command>',
      side === 'server'
        ? "run this program for each client: its messages to the program's stdin, its stdout back as messages"
        : 'run this program: its stdout is sent, what arrives goes to its stdin; the session ends when it exits',
    );
  if (side === 'server') {
    cmd
      .option('--exec-shared', 'one program for all clients (its output to every client; "#3 hi" to client 3)')
      .option('--exec-ids', '--exec-shared: each client\'s message reaches the program as "#<id> <message>"');
  }
  cmd
    .addOption(
      new Option(
        '--exec-framing <how>',
        'lines (a message per line), nul (NUL-delimited), raw (bytes, binary) or json (typed: {"type","data"} per line)',
      )
        .argParser(choiceArg(['lines', 'nul', 'raw', 'json'] as const))
        .default('lines'),
    )
    .option(
      '--exec-grace <seconds>',
      'after its stdin is closed: SIGTERM after this long, SIGKILL after as long again',
      secondsArg,
      1,
    )
    .option(
      '--exec-buffered',
      "leave the program's output buffering alone (no stdbuf -oL, no PYTHONUNBUFFERED)",
      false,
    );
  if (side === 'server') cmd.option('--exec-stderr-to-client', "also send the program's stderr lines to its client");
  else cmd.option('--exec-stderr-to-server', "also send the program's stderr lines to the server");
  return cmd;
}

/** The flags, resolved once; undefined without --exec. */
export function execPlan(f: ExecFlags): ExecPlan | undefined {
  if (f.exec === undefined) return undefined;
  return {
    command: f.exec,
    framing: f.execFraming,
    shared: f.execShared === true,
    ids: f.execIds === true,
    graceMs: f.execGrace * 1000,
    buffered: f.execBuffered,
    stderrToPeer: f.execStderrToClient === true || f.execStderrToServer === true,
    chunkSize: EXEC_CHUNK_SIZE,
  };
}

/** Options that mean nothing without --exec. */
export const EXEC_NEEDS_SERVER = [
  '--exec-shared',
  '--exec-framing',
  '--exec-grace',
  '--exec-buffered',
  '--exec-stderr-to-client',
];
export const EXEC_NEEDS_CLIENT = ['--exec-framing', '--exec-grace', '--exec-buffered', '--exec-stderr-to-server'];
