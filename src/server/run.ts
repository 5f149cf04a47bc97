/**
 * What `listen` and `echo` share around the core: output, the `listening` line (and a warning when
 * the server can be reached from other machines), `--greeting`, `--close-after`, `--once`, stopping on
 * SIGINT/SIGTERM/SIGHUP (every client closed with 1001, exit 128 + signal, whatever stdout is doing),
 * backpressure from stdout, and the closing summary. The command supplies what happens to messages.
 */
import type { Env } from '../env.js';
import { usageError, WsprobeError } from '../errors.js';
import { readFileOrUsage } from '../input/files.js';
import type { Output } from '../output/output.js';
import { createSessionOutput, tracesHandshakes } from '../output/setup.js';
import { signalGrace } from '../output/writer.js';
import { serverExit } from '../protocol/exit.js';
import type { CloseInfo, StopSignal } from '../protocol/outcome.js';
import type { ServerClient } from './client.js';
import { type HttpHandler, ServerCore } from './core.js';
import type { ServerPlan } from './options.js';

/** How long clients get to answer our close frame when we stop (or close one), before being dropped. */
export const CLOSE_TIMEOUT_MS = 3000;

export interface ServerContext {
  readonly core: ServerCore;
  readonly output: Output;
  readonly env: Env;
  /** A plain line for the person running the server, on stderr; `-q` silences it unless `always`. */
  say(text: string, always?: boolean): void;
  /** Closes every client with `code` and ends the run with `exitCode` (default 0, as for /quit). */
  stop(code: number, reason: string, exitCode?: number): void;
  /**
   * A signal (or Ctrl+C at the prompt): one `interrupted` line, every client closed with 1001, exit
   * 128 + signal. A second one drops the clients that have not answered yet.
   */
  interrupt(signal: StopSignal): void;
}

export interface ServerHandlers {
  /** What a client of this server gets, for the warning when it listens on a non-loopback address. */
  exposes?: string;
  /** Once listening, before any client. */
  started?(): void;
  /** A client's handshake is done, before anything is sent to it (the greeting). */
  accepted?(client: ServerClient): void;
  /** A client is connected (after the greeting was sent). */
  opened?(client: ServerClient): void;
  message(client: ServerClient, data: Buffer, isBinary: boolean): void;
  closed?(client: ServerClient, close: CloseInfo): void;
  /** Plain HTTP requests (not upgrades); default: 426 Upgrade Required. */
  httpRequest?: HttpHandler;
  /** The run is over: release input (and, `--exec`, wait for the programs to end). */
  finished?(): void | Promise<void>;
}

function loadTls(files: ServerPlan['tls']): { cert: Buffer; key: Buffer } | undefined {
  if (files.cert === undefined && files.key === undefined) return undefined;
  if (files.cert === undefined || files.key === undefined) {
    throw usageError('--cert and --key go together', 'give both to serve wss://');
  }
  return { cert: readFileOrUsage(files.cert, '--cert'), key: readFileOrUsage(files.key, '--key') };
}

export async function runServer(
  plan: ServerPlan,
  env: Env,
  makeHandlers: (ctx: ServerContext) => ServerHandlers,
): Promise<number> {
  const tls = loadTls(plan.tls);
  const { admission, limits, lifecycle } = plan;
  const startedAt = env.now();
  let exitCode: number = serverExit({ type: 'quit' });
  let stopping = false;
  /** Stopped by a signal: stdout gets a bounded time to take what is left (see endRun). */
  let signalled = false;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let giveUpOutput!: () => void;
  const outputAbandoned = new Promise<void>((resolve) => {
    giveUpOutput = resolve;
  });

  // stdout's reader went away (`| head`): nothing more can be shown, so stop as on SIGTERM.
  const output = createSessionOutput(plan.output, env, () =>
    ctx.stop(1001, 'server shutting down', serverExit({ type: 'output-gone' })),
  );
  const emit = output.emit.bind(output);
  let core: ServerCore;
  try {
    core = new ServerCore(
      {
        host: plan.host,
        port: plan.port,
        tls,
        subprotocols: admission.subprotocols,
        policy: admission,
        maxPayload: limits.maxPayload,
        deflate: limits.deflate,
        pingIntervalMs: limits.pingIntervalMs,
        handshakeTimeoutMs: limits.handshakeTimeoutMs,
        closeTimeoutMs: CLOSE_TIMEOUT_MS,
        tapFrames: plan.output.verbose >= 2,
        traceHandshakes: tracesHandshakes(plan.output),
        relay: plan.relay,
      },
      emit,
      env.now,
    );
  } catch (err) {
    // A certificate or key that does not parse, or that do not belong together.
    throw new WsprobeError(
      'tls',
      `cannot use --cert ${plan.tls.cert} and --key ${plan.tls.key}: ${(err as Error).message}`,
    );
  }

  const ctx: ServerContext = {
    core,
    output,
    env,
    say(text, always = false) {
      if (plan.output.quiet && !always) return;
      output.stdout.flushNow();
      env.stderr.write(`${text}\n`);
    },
    stop(code, reason, exit = serverExit({ type: 'quit' })) {
      if (stopping) return;
      stopping = true;
      exitCode = exit;
      void core.shutdown(code, reason).then(finish, finish);
    },
    interrupt(signal) {
      if (stopping) {
        // A second signal waits neither for slow clients nor for a stdout that is not being read.
        for (const client of core.clients.values()) client.terminate();
        giveUpOutput();
        return;
      }
      signalled = true;
      emit({ event: 'interrupted', time: env.now(), signal });
      ctx.stop(1001, 'server shutting down', serverExit({ type: 'signal', signal }));
    },
  };
  const handlers = makeHandlers(ctx);

  try {
    await core.listen();
  } catch (err) {
    if (!(err instanceof WsprobeError)) throw err;
    emit({ event: 'error', time: env.now(), kind: err.kind, message: err.message, hint: err.hint });
    return endRun(output, env, serverExit({ type: 'failed', kind: err.kind }), core, startedAt);
  }
  // What is printed and not yet taken by stdout's reader is held for the clients too.
  const stdout = env.stdout as { writableLength?: number };
  core.budget.external = () => stdout.writableLength ?? 0;

  const closeTimers = new Map<number, NodeJS.Timeout>();
  let firstClient: number | undefined;
  core.onOpen = (client) => {
    firstClient ??= client.id;
    handlers.accepted?.(client);
    if (lifecycle.greeting !== undefined) client.send(Buffer.from(lifecycle.greeting, 'utf8'), false);
    if (lifecycle.closeAfterMs !== undefined) {
      const close = () => client.close(lifecycle.closeCode, lifecycle.closeReason);
      const timer = setTimeout(close, lifecycle.closeAfterMs);
      closeTimers.set(client.id, timer);
    }
    handlers.opened?.(client);
  };
  core.onMessage = (client, data, isBinary) => handlers.message(client, data, isBinary);
  core.onClosed = (client, close) => {
    clearTimeout(closeTimers.get(client.id));
    closeTimers.delete(client.id);
    handlers.closed?.(client, close);
    if (lifecycle.once && client.id === firstClient)
      ctx.stop(1001, 'server shutting down', serverExit({ type: 'once', close }));
  };
  core.onHttpRequest = handlers.httpRequest;

  // Our output is backed up (a slow reader of stdout): stop reading clients until it drains.
  output.stdout.onBlocked = () => core.pauseAll();
  output.stdout.onDrained = () => core.resumeAll();

  const stopSignals = env.onSignal((signal) => ctx.interrupt(signal));

  emit({ event: 'listening', time: env.now(), url: core.url });
  const exposure = exposureWarning(plan.host, core.port, handlers.exposes);
  if (exposure) ctx.say(exposure, true);
  handlers.started?.();

  await finished;
  for (const timer of closeTimers.values()) clearTimeout(timer);
  await handlers.finished?.();
  // A signal is obeyed whatever stdout is doing: a reader that does not take what is left within the
  // signal grace (or a second signal) does not keep the server running — the rule `connect` follows too.
  const giveUp = signalled ? signalGrace(outputAbandoned).then(() => undefined) : undefined;
  const code = await endRun(output, env, exitCode, core, startedAt, giveUp);
  stopSignals();
  return code;
}

/** Loopback addresses: only this machine can connect. */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The one-line warning for a server reachable from other machines, or undefined on loopback. */
export function exposureWarning(host: string, port: number, exposes = 'this server'): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  const where = host === '0.0.0.0' || host === '::' ? `every interface (${host})` : host;
  return (
    `wsprobe: warning: listening on ${where}: anyone who can reach this machine on port ${port} can connect and ` +
    `get ${exposes}; use --host 127.0.0.1 to keep it local, or require --auth user:password`
  );
}

async function endRun(
  output: Output,
  env: Env,
  exitCode: number,
  core: ServerCore,
  startedAt: number,
  giveUp?: Promise<void>,
): Promise<number> {
  output.emit({
    event: 'summary',
    time: env.now(),
    exitCode,
    ...core.totals,
    timings: { totalMs: env.now() - startedAt },
  });
  const ended = output.end().then(() => true);
  if (!giveUp) {
    await ended;
  } else if (!(await Promise.race([ended, giveUp.then(() => false)]))) {
    // What stdout has not taken is dropped, so that nothing waits for it on the way out.
    env.stdout.destroy();
  }
  return exitCode;
}
