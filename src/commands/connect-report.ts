/** What `connect` shows once the session is over: the last error, `interrupted`, the summary, `-W`. */
import { emptyTraffic } from '../connection/connection.js';
import type { Env } from '../env.js';
import type { SummaryEvent } from '../output/events.js';
import type { Output } from '../output/output.js';
import { createSessionOutput } from '../output/setup.js';
import { signalGrace } from '../output/writer.js';
import { signalExitCode } from '../protocol/exit.js';
import type { ClientRun, RunResult } from '../session/client-run.js';
import type { ConnectPlan } from './connect-plan.js';

/** Writes the end of the session and flushes; returns the exit code. */
export async function reportEnd(
  plan: ConnectPlan,
  env: Env,
  output: Output,
  run: ClientRun,
  result: RunResult,
  url: string,
) {
  const { exitCode, report } = result.decision;
  const now = env.now();
  if (result.error) output.emit({ event: 'error', time: now, ...result.error });
  if (report) output.emit({ event: 'error', time: now, kind: 'expect', message: report });
  if (result.signal) output.emit({ event: 'interrupted', time: now, signal: result.signal });
  const summary = run.summary(exitCode, result.end, url) as SummaryEvent;
  output.emit(summary);
  if (plan.writeOut) output.stdout.write(plan.writeOut(summary));
  if (result.signal) {
    // A signal ends the session at once: the close frame and what stdout has not taken yet get a moment,
    // never more (a reader that stalls must not hold the exit).
    await signalGrace(Promise.all([run.session.written(), output.end()]));
  } else await output.end();
  return exitCode;
}

/** Ctrl+C at a password or passphrase prompt: nothing was sent; shown as any interrupted session is. */
export async function interruptedAtPrompt(plan: ConnectPlan, env: Env, url: string): Promise<number> {
  const output = createSessionOutput(plan.output, env, () => {});
  const exitCode = signalExitCode('SIGINT');
  output.emit({ event: 'interrupted', time: env.now(), signal: 'SIGINT' });
  const summary: SummaryEvent = {
    event: 'summary',
    time: env.now(),
    exitCode,
    ...emptyTraffic(),
    timings: { totalMs: 0 },
    url,
  };
  output.emit(summary);
  if (plan.writeOut) output.stdout.write(plan.writeOut(summary));
  await output.end();
  return exitCode;
}
