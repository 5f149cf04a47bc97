/**
 * The `--exec` command line: how it is run (the quoting rule), and with which buffering. A command
 * with nothing a shell would interpret is split on blanks and run directly, so a program that does not
 * exist is known before anything is spawned (the client gets 500); anything else — quotes, `|`, `;`,
 * `$`, redirections, globs, a builtin such as `cd` — is run by `/bin/sh -c`, as GNU make does.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Characters that mean shell syntax (then the whole command goes to `sh -c`). */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?[\]#~={}%\n!]/;
const SHELL_WORDS = new Set([
  '.',
  ':',
  'alias',
  'break',
  'case',
  'cd',
  'continue',
  'eval',
  'exec',
  'exit',
  'export',
  'for',
  'if',
  'read',
  'readonly',
  'return',
  'set',
  'shift',
  'source',
  'times',
  'trap',
  'ulimit',
  'umask',
  'unset',
  'until',
  'wait',
  'while',
]);

export const STDBUF = '/usr/bin/stdbuf';

export interface Invocation {
  /** What is spawned, and its arguments. */
  file: string;
  args: string[];
  /** The command line as given (for the log). */
  command: string;
  /** Extra environment for unbuffered output. */
  env: Record<string, string>;
}

/** Whether `sh -c` is needed for this command. */
export function needsShell(command: string): boolean {
  const words = command.trim().split(/\s+/);
  return SHELL_SYNTAX.test(command) || SHELL_WORDS.has(words[0]);
}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The program's path: as given when it has a slash, else the first match on PATH. */
export function resolveProgram(name: string, path: string | undefined): string | null {
  if (name.includes('/')) return executable(name) ? name : null;
  for (const dir of (path ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return null;
}

/**
 * How to run `command`: directly or through `sh -c`, wrapped in `stdbuf -oL -eL` (and with
 * `PYTHONUNBUFFERED=1`) unless `buffered`. Throws with a one-line reason when the program is not there.
 */
export function invocation(command: string, buffered: boolean, path: string | undefined): Invocation {
  let argv: string[];
  if (needsShell(command)) {
    argv = ['/bin/sh', '-c', command];
  } else {
    const [name, ...args] = command.trim().split(/\s+/);
    const program = resolveProgram(name, path);
    if (!program) throw new Error(`${name}: no such program${name.includes('/') ? '' : ' on PATH'}`);
    argv = [program, ...args];
  }
  const env: Record<string, string> = {};
  if (!buffered) {
    env.PYTHONUNBUFFERED = '1';
    if (executable(STDBUF)) argv = [STDBUF, '-oL', '-eL', ...argv];
  }
  const [file, ...args] = argv;
  return { file, args, command, env };
}
