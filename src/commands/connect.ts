/**
 * `wsprobe connect <url>`: wiring only. The end policy (protocol/end-policy.ts) decides when the
 * session ends and with which exit code; `ClientRun` carries it out on the connections; this wires
 * them to their input (--send messages, then piped stdin or the prompt), signals and output.
 */
import type { SendItem } from '../cli/parsers.js';
import type { Env } from '../env.js';
import { usageError } from '../errors.js';
import { readFileOrUsage } from '../input/files.js';
import type { SummaryEvent } from '../output/events.js';
import type { OutputOptions } from '../output/options.js';
import { createSessionOutput } from '../output/setup.js';
import { EndPolicy, type EndRules } from '../protocol/end-policy.js';
import { normalizeUrl } from '../protocol/url.js';
import { ClientRun } from '../session/client-run.js';
import { historyPath } from '../session/history.js';
import { Outbox, type OutMessage } from '../session/outbox.js';
import { promptTerminal } from '../session/repl.js';
import { type StdinOptions, StdinReader } from '../session/stdin-reader.js';
import { type ConnectionSettings, clientOptions } from './client-options.js';
import { createClientRepl } from './client-repl.js';
import { startSpinner } from './spinner.js';

/** `connect`'s options, resolved once from the command line (cli/connect-options.ts), one object per concern. */
export interface ConnectPlan {
  url: string;
  connection: ConnectionSettings;
  keepalive?: { intervalMs: number; timeoutMs: number };
  input: StdinOptions & { stdin: boolean; history: boolean; send: readonly SendItem[] };
  ending: Omit<EndRules, 'interactive'>;
  output: OutputOptions;
  writeOut?: (e: SummaryEvent) => string;
}

function loadSendItems(items: readonly SendItem[]): OutMessage[] {
  return items.map((item) =>
    item.kind === 'file'
      ? { data: readFileOrUsage(item.path, '--send-file'), binary: true }
      : { data: item.data, binary: item.kind === 'binary' },
  );
}

export async function runConnect(plan: ConnectPlan, env: Env): Promise<number> {
  const url = normalizeUrl(plan.url);
  if (!url.ok) throw usageError(url.error);
  const initial = loadSendItems(plan.input.send);
  // Asks for missing secrets on the terminal, so it must come before any socket or prompt exists.
  const connection = await clientOptions(url.value, plan.connection, env);
  const outbox = new Outbox();
  for (const message of initial) outbox.push(message);

  const terminal = plan.input.stdin && env.stdinIsTTY ? promptTerminal(env) : null;
  const policy = new EndPolicy({ ...plan.ending, interactive: terminal !== null });
  const feed: ClientRun['feed'] = (input) => run.feed(input);
  const repl = terminal
    ? createClientRepl(env, terminal, {
        session: () => run.session,
        outbox,
        url: url.value,
        historyFile: plan.input.history ? historyPath(env.homedir) : undefined,
        close: (code, reason) => run.session.close(code, reason),
        onEnd: () => feed({ type: 'input-ended' }),
        onInterrupt: () => feed({ type: 'signal', signal: 'SIGINT' }),
        echoesSentMessages:
          !plan.output.json && (env.stdoutIsTTY || plan.output.pretty === true) && terminal === env.stdout,
      })
    : null;
  // Output goes through the prompt's writers so it lands above the line being typed.
  const outEnv: Env = repl
    ? { ...env, stdout: repl.stdout as Env['stdout'], stderr: repl.stderr as Env['stderr'] }
    : env;
  // stdout's reader went away (EPIPE): close normally; the socket must be read again to see the close.
  const output = createSessionOutput(plan.output, outEnv, () => {
    run.session.resume();
    feed({ type: 'output-gone' });
  });
  const run = new ClientRun(
    policy,
    { connection, keepalive: plan.keepalive, initial },
    outbox,
    (e) => output.emit(e),
    env.now,
  );
  const stdin =
    plan.input.stdin && !repl
      ? new StdinReader(env.stdin, plan.input, outbox, {
          onEnd: () => feed({ type: 'input-ended' }),
          onBadInput: (message) => {
            output.emit({ event: 'error', time: env.now(), kind: 'usage', message });
            feed({ type: 'bad-input' });
          },
        })
      : null;
  if (!plan.input.stdin) feed({ type: 'input-ended' });

  const stopSignals = env.onSignal((signal) => feed({ type: 'signal', signal }));
  const deadline =
    plan.ending.timeoutSeconds !== undefined
      ? setTimeout(() => feed({ type: 'deadline' }), plan.ending.timeoutSeconds * 1000)
      : undefined;
  // Output waits for stdout (a slow reader): stop reading the socket until it catches up.
  output.stdout.onBlocked = () => run.session.pause();
  output.stdout.onDrained = () => run.session.resume();
  const spinner = env.stderrIsTTY && !plan.output.quiet ? await startSpinner(env, `connecting to ${url.value}`) : null;
  if (spinner) output.beforePrint = () => spinner.stop();
  run.onOpen = () => {
    spinner?.stop();
    repl?.repl.start();
  };

  run.start();
  stdin?.start();
  const result = await run.finished;

  spinner?.stop();
  repl?.repl.close();
  stopSignals();
  clearTimeout(deadline);
  stdin?.stop();
  const { exitCode, report } = result.decision;
  if (result.error) output.emit({ event: 'error', time: env.now(), ...result.error });
  if (report) output.emit({ event: 'error', time: env.now(), kind: 'expect', message: report });
  if (result.signal) output.emit({ event: 'interrupted', time: env.now(), signal: result.signal });
  const summary = run.summary(exitCode, result.end, url.value) as SummaryEvent;
  output.emit(summary);
  if (plan.writeOut) output.stdout.write(plan.writeOut(summary));
  await output.end();
  return exitCode;
}
