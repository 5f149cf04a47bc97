/**
 * What `listen` and `echo` share around the core: output, the `listening` line, `--greeting`,
 * `--close-after`, `--once`, stopping on SIGINT/SIGTERM/SIGHUP (every client closed with 1001, exit
 * 128 + signal),
 * backpressure from stdout, and the closing summary. The command supplies what happens to messages.
 */
import type { Env } from '../env.js';
import { usageError, WsprobeError } from '../errors.js';
import { readFileOrUsage } from '../input/files.js';
import type { Output } from '../output/output.js';
import { createSessionOutput } from '../output/setup.js';
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
  /** Once listening, before any client. */
  started?(): void;
  /** A client is connected (after the greeting was sent). */
  opened?(client: ServerClient): void;
  message(client: ServerClient, data: Buffer, isBinary: boolean): void;
  closed?(client: ServerClient, close: CloseInfo): void;
  /** Plain HTTP requests (not upgrades); default: 426 Upgrade Required. */
  httpRequest?: HttpHandler;
  /** The run is over: release input. */
  finished?(): void;
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
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
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
        // A second signal does not wait for slow clients.
        for (const client of core.clients.values()) client.terminate();
        return;
      }
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

  const closeTimers = new Map<number, NodeJS.Timeout>();
  let firstClient: number | undefined;
  core.onOpen = (client) => {
    firstClient ??= client.id;
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
  handlers.started?.();

  await finished;
  stopSignals();
  for (const timer of closeTimers.values()) clearTimeout(timer);
  handlers.finished?.();
  return endRun(output, env, exitCode, core, startedAt);
}

async function endRun(
  output: Output,
  env: Env,
  exitCode: number,
  core: ServerCore,
  startedAt: number,
): Promise<number> {
  output.emit({
    event: 'summary',
    time: env.now(),
    exitCode,
    ...core.totals,
    timings: { totalMs: env.now() - startedAt },
  });
  await output.end();
  return exitCode;
}
