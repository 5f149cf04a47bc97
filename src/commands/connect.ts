/**
 * `wsprobe connect <url>`: wires a client session to its input (command-line messages, then piped
 * stdin or the interactive prompt) and its output, and decides when the session ends
 * (SPEC "How a client session ends").
 */
import { readFileSync } from 'node:fs';
import type { ConnectFlags } from '../cli/connect-options.js';
import type { SendItem } from '../cli/parsers.js';
import type { Env } from '../env.js';
import { EXIT_CODE_OF_KIND, ExitCode, usageError } from '../errors.js';
import type { SummaryEvent } from '../output/events.js';
import { createSessionOutput } from '../output/setup.js';
import { rttStats } from '../output/summary.js';
import { ExpectationList } from '../protocol/expect.js';
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

/** How many of the last text messages an --expect failure shows. */
const RECENT_SHOWN = 5;

function exitCodeOf(end: ClientEnd, expectClose?: number): ExitCode {
  return end.type === 'failed' ? EXIT_CODE_OF_KIND[end.failure.kind] : exitCodeFor(end, expectClose);
}

/** One line: which expectation was not met, and what arrived last. */
function expectReport(expected: ExpectationList, recent: readonly string[]): string {
  const pending = expected.pending!;
  const flag = pending.kind === 'json' ? '--expect-json' : '--expect';
  const shown = recent.map((t) => JSON.stringify(t.length > 200 ? `${t.slice(0, 200)}…` : t)).join(', ');
  return (
    `expectation not met: ${flag} ${JSON.stringify(pending.source)} (${expected.metCount} of ${expected.items.length} met); ` +
    (recent.length ? `last messages received: ${shown}` : 'no text message received')
  );
}

export async function runConnect(rawUrl: string, flags: ConnectFlags, env: Env): Promise<number> {
  const url = normalizeUrl(rawUrl);
  if (!url.ok) throw usageError(url.error);
  const initial = loadSendItems(flags.send);
  // Asks for missing secrets on the terminal, so it must come before any socket or prompt exists.
  const options = await clientOptions(url.value, flags, env);

  const expected = new ExpectationList(flags.expect ?? []);
  const recent: string[] = [];
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
    // --expect waits for its matches (bounded by --timeout) unless -w was given; --expect-close for the peer.
    if (flags.expectClose !== undefined || (!expected.done && !flags.waitGiven)) return;
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

  session.onIncoming = (data, isBinary) => {
    if (!isBinary && !expected.done) {
      const text = data.toString('utf8');
      recent.push(text);
      if (recent.length > RECENT_SHOWN) recent.shift();
      if (expected.feed(text) && flags.expectClose === undefined) {
        session.close(1000, '');
        return;
      }
    }
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

  let exitCode = interrupted
    ? ExitCode.Interrupted
    : inputFailure !== null && end.type === 'closed'
      ? ExitCode.Usage
      : exitCodeOf(end, flags.expectClose);
  if (!interrupted && !expected.done && (end.type === 'closed' || end.failure.kind === 'timeout')) {
    // The connection ended (or time ran out) before every --expect was met.
    output.emit({ event: 'error', time: env.now(), kind: 'expect', message: expectReport(expected, recent) });
    if (end.type === 'closed') exitCode = ExitCode.Expect;
  } else if (flags.expectClose !== undefined && end.type === 'closed' && exitCode !== ExitCode.Ok) {
    const { code, by } = end.close;
    const what =
      by === 'server'
        ? `the server closed with ${code}`
        : by === 'client'
          ? 'we closed first'
          : 'the connection was lost';
    output.emit({
      event: 'error',
      time: env.now(),
      kind: 'expect',
      message: `--expect-close ${flags.expectClose}: ${what}`,
    });
  }
  const summary: SummaryEvent = {
    event: 'summary',
    time: env.now(),
    exitCode,
    ...session.stats,
    timings: session.timingsSoFar(),
    rtt: rttStats(session.rtts) ?? undefined,
    close: end.type === 'closed' ? { code: end.close.code, reason: end.close.reason, by: end.close.by } : undefined,
    url: url.value,
    protocol: session.protocol,
    extensions: session.extensions,
  };
  output.emit(summary);
  if (flags.writeOut) output.stdout.write(flags.writeOut(summary));
  await output.end();
  return exitCode;
}
