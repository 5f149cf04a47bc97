/**
 * `wsprobe connect <url>`: wiring only. The end policy (protocol/end-policy.ts) decides when the
 * session ends and with which exit code; `ClientRun` carries it out on the connections; this wires
 * them to their input (--send messages, then piped stdin or the prompt), signals and output.
 */

import { type Env, promptTerminal } from '../env.js';
import { usageError } from '../errors.js';
import type { ExecClient } from '../exec/client.js';
import type { SessionEvent } from '../output/events.js';
import { createSessionOutput, outputMode } from '../output/setup.js';
import { type EndInput, EndPolicy } from '../protocol/end-policy.js';
import { normalizeUrl } from '../protocol/url.js';
import type { ClientOptions } from '../session/client.js';
import { ClientRun } from '../session/client-run.js';
import { historyPath } from '../session/history.js';
import { Outbox } from '../session/outbox.js';
import type { SocketIoSetup } from '../session/socketio.js';
import { StdinReader } from '../session/stdin-reader.js';
import { clientOptions } from './client-options.js';
import type { ClientRepl } from './client-repl.js';
import { type ConnectPlan, loadSendItems } from './connect-plan.js';
import { interruptedAtPrompt, reportEnd } from './connect-report.js';
import { PromptInterrupted } from './credentials.js';
import { watchRun } from './run-watch.js';

export async function runConnect(plan: ConnectPlan, env: Env): Promise<number> {
  const url = normalizeUrl(plan.url);
  if (!url.ok) throw usageError(url.error);
  let initial = loadSendItems(plan.input.send);
  // --socketio: the layer (and its codec) is loaded only now; the URL becomes the Engine.IO one.
  let socketio: SocketIoSetup | undefined;
  if (plan.socketio) {
    const { prepareSocketIo } = await import('../session/socketio.js');
    const setup = prepareSocketIo(plan.socketio, url.value, initial, plan.output.verbose >= 2, env.now);
    if ('error' in setup) throw usageError(setup.error);
    socketio = setup;
    url.value = setup.url;
    initial = setup.initial;
  }
  // Asks for missing secrets on the terminal, so it must come before any socket or prompt exists.
  let connection: ClientOptions;
  try {
    connection = await clientOptions(url.value, plan.connection, env);
  } catch (err) {
    if (err instanceof PromptInterrupted) return interruptedAtPrompt(plan, env, url.value);
    throw err;
  }
  const outbox = new Outbox();
  for (const message of initial) outbox.push(message);
  const feed = (input: EndInput): void => run.feed(input);

  // A background job (`wsprobe connect URL > log &`) leaves the terminal alone: stdin is not read,
  // as with --no-stdin (reading or setting up the terminal would get the job stopped by the shell).
  const background = env.stdinIsTTY && env.inBackground?.() === true;
  // --exec: the program is the input (its stdout is sent); stdin and the prompt are left alone.
  const readStdin = plan.input.stdin && !background && !plan.exec;
  const terminal = readStdin && env.stdinIsTTY ? promptTerminal(env) : null;
  const prettyOut = outputMode(plan.output, env.stdoutIsTTY) === 'pretty';
  // The prompt (readline, the slash commands, the editor) is loaded only for a terminal.
  const repl: ClientRepl | null = terminal
    ? (await import('./client-repl.js')).createClientRepl(env, terminal, {
        session: () => run.session,
        outbox,
        url: url.value,
        historyFile: plan.input.history ? historyPath(env.homedir) : undefined,
        close: (code, reason) => run.session.close(code, reason),
        onEnd: () => feed({ type: 'input-ended' }),
        onInterrupt: () => feed({ type: 'signal', signal: 'SIGINT' }),
        showSecrets: plan.output.showSecrets,
        echoesSentMessages:
          !plan.output.json && (env.stdoutIsTTY || plan.output.pretty === true) && terminal === env.stdout,
        pongsShown: plan.output.json
          ? env.stdoutIsTTY
          : plan.output.showPingPong && (prettyOut ? env.stdoutIsTTY : !plan.output.quiet && env.stderrIsTTY),
        hint: !plan.output.json && !plan.output.quiet,
        noColor: !plan.output.color,
        socketio: socketio?.prompt,
        setFilter: (expr) => output.setFilter!(expr),
      })
    : null;
  // Output goes through the prompt's writers so it lands above the line being typed. If stdout's
  // reader goes away (EPIPE), close normally: the socket must be read again to see the close.
  const output = createSessionOutput(plan.output, repl?.env ?? env, () => run.outputGone());
  const policy = new EndPolicy({ ...plan.ending, interactive: repl !== null });
  let exec: ExecClient | null = null;
  // --rules: auto-replies, queued with what is typed or piped (loaded only then).
  const rules = plan.rules
    ? new (await import('../rules/client.js')).ClientRules(plan.rules, outbox, (code, reason) =>
        run.session.close(code, reason),
      )
    : null;
  const show: (e: SessionEvent) => void = repl
    ? (e) => {
        output.emit(e);
        repl.observe(e);
      }
    : exec || plan.exec
      ? (e) => {
          output.emit(e);
          // What arrives (and is shown) goes to the program's stdin; while that is full, the socket waits.
          if (e.event === 'message' && e.dir === 'in' && exec && !exec.received(e.data, e.binary))
            run.session.pause('program');
        }
      : output.emit;
  const run: ClientRun = new ClientRun(
    policy,
    { connection, keepalive: plan.keepalive, initial, layer: socketio?.layer },
    outbox,
    rules
      ? (e) => {
          show(e);
          rules.observe(e);
        }
      : show,
    env.now,
  );
  if (plan.exec) {
    const { ExecClient } = await import('../exec/client.js');
    exec = await ExecClient.start(plan.exec, url.value, env, outbox, {
      emit: (e) => output.emit(e),
      backpressure: (full) => (full ? run.session.pause('program') : run.session.resume('program')),
      exited: (failed) => feed({ type: 'program-exited', failed }),
    });
  }
  const stdin =
    readStdin && !repl
      ? new StdinReader(
          env.stdin,
          plan.input,
          outbox,
          {
            onEnd: () => feed({ type: 'input-ended' }),
            onBadInput: (message) => {
              output.emit({ event: 'error', time: env.now(), kind: 'usage', message });
              feed({ type: 'bad-input' });
            },
          },
          socketio?.decodeLine,
        )
      : null;
  if (!readStdin && !exec) feed({ type: 'input-ended' });
  // What is typed while connecting is kept for the prompt, not echoed onto the spinner's line.
  repl?.readAhead();
  const watch = await watchRun(
    run,
    output,
    { timeoutSeconds: plan.ending.timeoutSeconds, output: plan.output, url: url.value },
    env,
    !background,
  );
  run.onOpen = () => {
    watch.spinner?.stop();
    // The hint goes after `connected to …`, which may still be batched.
    output.stdout.flushNow();
    repl?.opened();
  };

  run.start();
  stdin?.start();
  const result = await run.finished;
  rules?.stop();
  watch.stop();
  repl?.repl.close();
  stdin?.stop();
  // The session is over: the program's stdin is closed, and it is ended (its exit is shown).
  await exec?.end(result.signal);

  return reportEnd(plan, env, output, run, result, url.value);
}
