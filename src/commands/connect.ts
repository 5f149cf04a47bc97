/**
 * `wsprobe connect <url>`: wires a client session to its input (command-line messages, then piped
 * stdin or the interactive prompt) and its output, and decides when the session ends
 * (SPEC "How a client session ends").
 */
import { readFileSync } from 'node:fs';
import type { SendItem } from '../cli/parsers.js';
import type { ConnectFlags } from '../cli/program.js';
import type { Env } from '../env.js';
import { EXIT_CODE_OF_KIND, ExitCode, usageError } from '../errors.js';
import { createSessionOutput } from '../output/setup.js';
import type { Failure } from '../protocol/failures.js';
import { exitCodeFor } from '../protocol/outcome.js';
import { normalizeUrl } from '../protocol/url.js';
import { type ClientEnd, ClientSession } from '../session/client.js';
import { historyPath } from '../session/history.js';
import { Outbox, type OutMessage } from '../session/outbox.js';
import { StdinReader } from '../session/stdin-reader.js';
import { clientOptions } from './client-options.js';
import { type ClientRepl, createClientRepl, promptTerminal } from './client-repl.js';
import { startSpinner } from './spinner.js';

function loadSendItems(items: SendItem[] = []): OutMessage[] {
  return items.map((item) => {
    if (item.kind !== 'file') return { data: item.data, binary: item.kind === 'binary' };
    try {
      return { data: readFileSync(item.path), binary: true };
    } catch (err) {
      throw usageError(`cannot read ${item.path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  });
}

function exitCodeOf(end: ClientEnd): ExitCode {
  return end.type === 'failed' ? EXIT_CODE_OF_KIND[end.failure.kind] : exitCodeFor(end);
}

export async function runConnect(rawUrl: string, flags: ConnectFlags, env: Env): Promise<number> {
  const url = normalizeUrl(rawUrl);
  if (!url.ok) throw usageError(url.error);
  const initial = loadSendItems(flags.send);
  // Asks for missing secrets on the terminal, so it must come before any socket or prompt exists.
  const options = await clientOptions(url.value, flags, env);

  let countReached = false;
  let inputFailure: Failure | null = null;
  let interrupted = false;
  let inputEnded = false;
  let opened = false;
  let idleTimer: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];

  const outbox = new Outbox();
  for (const message of initial) outbox.push(message);
  const session = new ClientSession(
    options,
    (e) => {
      // With --count, what arrives after the n-th message (while closing) is not shown.
      if (countReached && e.event === 'message' && e.dir === 'in') return;
      output.emit(e);
    },
    env.now,
  );
  const terminal = flags.stdin && env.stdinIsTTY ? promptTerminal(env) : null;
  const repl: ClientRepl | null = terminal
    ? createClientRepl(env, terminal, {
        session,
        outbox,
        url: url.value,
        historyFile: flags.history ? historyPath(env.homedir) : undefined,
        close: (code, reason) => session.close(code, reason),
        onEnd: () => endInput(),
        onInterrupt: () => interrupt(),
        echoesSentMessages: !flags.json && (env.stdoutIsTTY || flags.pretty === true) && terminal === env.stdout,
      })
    : null;
  // Output goes through the prompt's writers so it lands above the line being typed.
  const outEnv: Env = repl
    ? { ...env, stdout: repl.stdout as Env['stdout'], stderr: repl.stderr as Env['stderr'] }
    : env;
  // stdout's reader went away (EPIPE): nothing more can be shown, so close normally; what arrives while
  // closing is dropped, and the socket must be read again to see the server's close frame.
  const output = createSessionOutput(flags, outEnv, () => {
    session.resume();
    session.close(flags.closeCode, flags.closeReason);
  });

  const closeNow = () => session.close(flags.closeCode, flags.closeReason);
  const armIdleTimer = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(closeNow, flags.wait * 1000);
  };
  /** Input is over and written: keep receiving until idle, then close (or wait for the server). */
  const afterInput = async () => {
    await outbox.whenIdle();
    if (flags.keepOpen || session.readyState !== 'OPEN') return;
    // Ctrl+D at the prompt means "close now".
    if (flags.wait === 0 || repl) closeNow();
    else armIdleTimer();
  };
  const endInput = () => {
    inputEnded = true;
    if (opened) void afterInput();
  };
  const interrupt = () => {
    interrupted = true;
    session.terminate();
  };

  session.onIncoming = () => {
    if (flags.count !== undefined && session.stats.messagesIn >= flags.count) {
      countReached = true;
      closeNow();
    } else if (idleTimer) armIdleTimer();
  };

  const stdin =
    flags.stdin && !repl
      ? new StdinReader(env.stdin, flags, outbox, {
          onEnd: endInput,
          onBadInput: (message) => {
            inputFailure = { kind: 'usage', message };
            output.emit({ event: 'error', time: env.now(), kind: 'usage', message });
            // Deliver what was read before the bad line, then close normally.
            endInput();
          },
        })
      : null;
  if (!flags.stdin) inputEnded = true;

  process.once('SIGINT', interrupt);
  if (flags.timeout !== undefined) {
    const seconds = flags.timeout;
    timers.push(
      setTimeout(() => session.abort({ kind: 'timeout', message: `timed out after ${seconds} s` }), seconds * 1000),
    );
  }

  // Output waits for stdout (a slow reader): stop reading the socket until it catches up.
  output.stdout.onBlocked = () => session.pause();
  output.stdout.onDrained = () => session.resume();

  const spinner = env.stderrIsTTY && !flags.quiet ? await startSpinner(env, `connecting to ${url.value}`) : null;
  if (spinner) output.beforePrint = () => spinner.stop();

  session.onOpen = () => {
    opened = true;
    spinner?.stop();
    outbox.start((message, done) => session.send(message, done));
    repl?.repl.start();
    if (inputEnded) void afterInput();
  };
  session.connect();
  stdin?.start();

  const end = await session.finished;
  spinner?.stop();
  repl?.repl.close();
  process.removeListener('SIGINT', interrupt);
  clearTimeout(idleTimer);
  for (const timer of timers) clearTimeout(timer);
  outbox.stop();
  stdin?.stop();

  const exitCode = interrupted
    ? ExitCode.Interrupted
    : inputFailure !== null && end.type === 'closed'
      ? ExitCode.Usage
      : exitCodeOf(end);
  output.emit({
    event: 'summary',
    time: env.now(),
    exitCode,
    ...session.stats,
    timings: session.timingsSoFar(),
  });
  await output.end();
  return exitCode;
}
