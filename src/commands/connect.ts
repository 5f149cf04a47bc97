/**
 * `wsprobe connect <url>`: wires client sessions to their input (command-line messages, then piped
 * stdin or the interactive prompt) and their output, and decides when the session ends
 * (SPEC "How a client session ends"). With --reconnect there may be several connections in a row.
 */
import { readFileSync } from 'node:fs';
import type { ConnectFlags } from '../cli/connect-options.js';
import type { SendItem } from '../cli/parsers.js';
import type { Env } from '../env.js';
import { usageError } from '../errors.js';
import { createSessionOutput } from '../output/setup.js';
import { backoffDelay } from '../protocol/backoff.js';
import { ExpectationList } from '../protocol/expect.js';
import { normalizeUrl } from '../protocol/url.js';
import { type ClientEnd, ClientSession, type Stats } from '../session/client.js';
import { historyPath } from '../session/history.js';
import { startKeepalive } from '../session/keepalive.js';
import { Outbox, type OutMessage } from '../session/outbox.js';
import { promptTerminal } from '../session/repl.js';
import { StdinReader } from '../session/stdin-reader.js';
import { clientOptions } from './client-options.js';
import { type ClientRepl, createClientRepl } from './client-repl.js';
import { addStats, RECENT_SHOWN, reportEvent, settleExit, summaryEvent } from './connect-end.js';
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

/** A lost connection or a failed connect is worth another try; a refusal or a protocol error is not. */
function worthReconnecting(end: ClientEnd): string | null {
  if (end.type === 'closed') return end.close.by === 'none' ? 'connection lost' : null;
  return end.failure.kind === 'connect' || end.failure.kind === 'lost' ? end.failure.message : null;
}

export async function runConnect(rawUrl: string, flags: ConnectFlags, env: Env): Promise<number> {
  const url = normalizeUrl(rawUrl);
  if (!url.ok) throw usageError(url.error);
  const initial = loadSendItems(flags.send);
  // Asks for missing secrets on the terminal, so it must come before any socket or prompt exists.
  const options = await clientOptions(url.value, flags, env);

  const expected = new ExpectationList(flags.expect ?? []);
  const recent: string[] = [];
  const totals: Stats = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };
  const rtts: number[] = [];
  let countReached = false;
  let badInput = false;
  let interrupted = false;
  let timedOut = false;
  let inputEnded = !flags.stdin;
  let idleTimer: NodeJS.Timeout | undefined;
  let wakeBackoff: (() => void) | null = null;
  let stdinStarted = false;

  const outbox = new Outbox();
  for (const message of initial) outbox.push(message);

  const newSession = () =>
    new ClientSession(
      options,
      (e) => {
        // With --count, what arrives after the n-th message (while closing) is not shown.
        if (countReached && e.event === 'message' && e.dir === 'in') return;
        output.emit(e);
      },
      env.now,
    );
  let session = newSession();

  const terminal = flags.stdin && env.stdinIsTTY ? promptTerminal(env) : null;
  const repl: ClientRepl | null = terminal
    ? createClientRepl(env, terminal, {
        session: () => session,
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
    const current = session;
    await outbox.whenIdle();
    if (current !== session || flags.keepOpen || session.readyState !== 'OPEN') return;
    // --expect waits for its matches (bounded by --timeout) unless -w was given; --expect-close for the peer.
    if (flags.expectClose !== undefined || (!expected.done && !flags.waitGiven)) return;
    // Ctrl+D at the prompt means "close now".
    if (flags.wait === 0 || repl) closeNow();
    else armIdleTimer();
  };
  const endInput = () => {
    inputEnded = true;
    if (session.readyState === 'OPEN') void afterInput();
  };
  const interrupt = () => {
    interrupted = true;
    session.terminate();
    wakeBackoff?.();
  };

  const onIncoming = (data: Buffer, isBinary: boolean) => {
    if (!isBinary && !expected.done) {
      const text = data.toString('utf8');
      recent.push(text);
      if (recent.length > RECENT_SHOWN) recent.shift();
      if (expected.feed(text) && flags.expectClose === undefined) {
        session.close(1000, '');
        return;
      }
    }
    if (flags.count !== undefined && totals.messagesIn + session.stats.messagesIn >= flags.count) {
      countReached = true;
      closeNow();
    } else if (idleTimer) armIdleTimer();
  };

  const stdin =
    flags.stdin && !repl
      ? new StdinReader(env.stdin, flags, outbox, {
          onEnd: endInput,
          onBadInput: (message) => {
            badInput = true;
            output.emit({ event: 'error', time: env.now(), kind: 'usage', message });
            // Deliver what was read before the bad line, then close normally.
            endInput();
          },
        })
      : null;

  process.once('SIGINT', interrupt);
  const deadline =
    flags.timeout !== undefined
      ? setTimeout(() => {
          timedOut = true;
          session.abort({ kind: 'timeout', message: `timed out after ${flags.timeout} s` });
          wakeBackoff?.();
        }, flags.timeout * 1000)
      : undefined;

  // Output waits for stdout (a slow reader): stop reading the socket until it catches up.
  output.stdout.onBlocked = () => session.pause();
  output.stdout.onDrained = () => session.resume();

  const spinner = env.stderrIsTTY && !flags.quiet ? await startSpinner(env, `connecting to ${url.value}`) : null;
  if (spinner) output.beforePrint = () => spinner.stop();

  const limit = typeof flags.reconnect === 'number' ? flags.reconnect : undefined;
  let attempt = 0;
  let end: ClientEnd;
  for (;;) {
    let stopKeepalive = () => {};
    session.onIncoming = onIncoming;
    session.onOpen = () => {
      spinner?.stop();
      // --send messages go again, first, on every new connection.
      if (attempt > 0) outbox.pushFront(initial);
      attempt = 0;
      outbox.start((message, done) => session.send(message, done));
      if (flags.pingInterval !== undefined) {
        const timeout = flags.pingTimeout ?? flags.pingInterval;
        stopKeepalive = startKeepalive(session, flags.pingInterval * 1000, timeout * 1000);
      }
      repl?.repl.start();
      if (inputEnded) void afterInput();
    };
    session.connect();
    if (!stdinStarted) {
      stdinStarted = true;
      stdin?.start();
    }

    end = await session.finished;
    stopKeepalive();
    clearTimeout(idleTimer);
    idleTimer = undefined;
    outbox.stop();
    addStats(totals, session.stats);
    rtts.push(...session.rtts);

    const reason = flags.reconnect !== undefined && !interrupted && !timedOut ? worthReconnecting(end) : null;
    if (reason === null || (limit !== undefined && attempt >= limit)) break;
    attempt++;
    const delayMs = backoffDelay(attempt, Math.random());
    output.emit({ event: 'reconnecting', time: env.now(), attempt, of: limit, delayMs, reason });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      wakeBackoff = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wakeBackoff = null;
    if (interrupted) break;
    if (timedOut) {
      const failure = { kind: 'timeout' as const, message: `timed out after ${flags.timeout} s` };
      output.emit({ event: 'error', time: env.now(), ...failure });
      end = { type: 'failed', failure };
      break;
    }
    session = newSession();
  }

  spinner?.stop();
  repl?.repl.close();
  process.removeListener('SIGINT', interrupt);
  clearTimeout(deadline);
  stdin?.stop();

  const { exitCode, report } = settleExit({ end, interrupted, badInput, expected, recent }, flags);
  if (report) output.emit(reportEvent(report, env.now()));
  const summary = summaryEvent(exitCode, end, session, totals, rtts, url.value, env.now());
  output.emit(summary);
  if (flags.writeOut) output.stdout.write(flags.writeOut(summary));
  await output.end();
  return exitCode;
}
