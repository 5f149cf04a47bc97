/** Entry point: run(argv, env) → exit code. The one place errors become text and exit codes. */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { CommanderError } from 'commander';
import { cliSpec, normalizeArgv } from './cli/argv.js';
import { jsonFailure, maskedError, shownError, showsSecrets, wantsJson } from './cli/error-display.js';
import { buildProgram, COMMANDS, usageHint, usageMessage } from './cli/program.js';
import { type Env, processEnv } from './env.js';
import { type ErrorKind, ExitCode, usageError, WsprobeError } from './errors.js';
import { SIGNAL_GRACE_MS, within } from './output/writer.js';
import { isSignalExitCode } from './protocol/exit.js';

/** package.json is one level up from dist/main.js, two from the bundle's dist/bundle/main.js. */
function packageVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (pkg.name === 'wsprobe') return pkg.version;
    } catch {
      // Try the next place.
    }
  }
  return 'unknown';
}

export function describeInternalError(err: unknown, debug: boolean): string {
  const message = err instanceof Error ? err.message : String(err);
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : ' (run with --debug for the stack)';
  return `wsprobe: internal error: ${message}; this is a bug, please report it${stack}\n`;
}

export async function run(argv: string[], env: Env): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const version = packageVersion();
  // Typos, habits and wscat's command lines, read before commander (cli/argv.ts); its option table is
  // the program's own, so the two cannot disagree.
  // One program (building it is a good part of start-up): its errors quote the command line it parses.
  let args = argv;
  const program = buildProgram(
    env,
    version,
    (code) => {
      exitCode = code;
    },
    () => args,
    argv[0],
  );
  // Built for one command, the program still knows every command's name (a word that names one is
  // never taken for an option's value).
  const names = COMMANDS.flatMap((c) => c.names);
  const plan = normalizeArgv(argv, cliSpec(program, names));
  if (plan.kind === 'parse') args = plan.argv;
  // Under --json an error that ends the program before its session began is also written as an `error`
  // event and a `summary` on stdout; stderr keeps its one line.
  const json = (kind: ErrorKind, message: string, hint: string | undefined, code: number): void => {
    if (!wantsJson(args)) return;
    const masked = (text: string) => maskedError(text, args, env.vars);
    const hidden = hint !== undefined ? masked(hint) : undefined;
    env.stdout.write(jsonFailure(kind, masked(message), hidden, code, env.now(), showsSecrets(args)));
  };
  try {
    if (plan.kind === 'usage') {
      // `wsprobe` alone: what it can do, on stderr, as for any other usage error.
      program.outputHelp({ error: true });
      return ExitCode.Usage;
    }
    if (plan.kind === 'error') throw usageError(plan.message, plan.hint);
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander has printed its message.
      if (err.exitCode === 0) return ExitCode.Ok;
      json('usage', usageMessage(err.message), usageHint(err), ExitCode.Usage);
      return ExitCode.Usage;
    }
    if (err instanceof WsprobeError) {
      // Errors quote what was typed (URLs, -H, --auth, --proxy): masked unless --show-secrets.
      const hint = err.hint ? ` (${shownError(err.hint, args, env.vars)})` : '';
      env.stderr.write(`wsprobe: ${shownError(err.message, args, env.vars)}${hint}\n`);
      json(err.kind, err.message, err.hint, err.exitCode);
      return err.exitCode;
    }
    env.stderr.write(shownError(describeInternalError(err, args.includes('--debug')), args, env.vars));
    return ExitCode.Internal;
  }
}

function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    if ((stream as NodeJS.WriteStream).destroyed) resolve();
    else stream.write('', () => resolve());
  });
}

export async function main(): Promise<void> {
  const debug = process.argv.includes('--debug');
  const crash = (err: unknown) => {
    process.stderr.write(describeInternalError(err, debug));
    process.exit(ExitCode.Internal);
  };
  // A reader that went away (`wsprobe --help | head -1`) is not a bug: stop writing, keep the exit code.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') crash(err);
    });
  }
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  const code = await run(process.argv.slice(2), processEnv(homedir()));
  const flushing = Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  // Ended by a signal: a reader of stdout that stalls must not hold the exit (the command has already
  // given it SIGNAL_GRACE_MS); otherwise everything is written before the process exits.
  if (isSignalExitCode(code)) await within(SIGNAL_GRACE_MS / 5, flushing);
  else await flushing;
  process.exit(code);
}
