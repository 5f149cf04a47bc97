/**
 * What surrounds a client run, for `connect` and `replay` alike: signals and the -t deadline end it; a
 * backed-up stdout holds it (we stop reading the socket until stdout catches up, and that time counts
 * neither toward -w nor toward the close timeout); a message too large to show in this mode ends it
 * cleanly; and on a terminal a spinner says `connecting to …` until the first line is printed.
 */
import type { Env } from '../env.js';
import { urlText } from '../output/describe.js';
import type { OutputOptions } from '../output/options.js';
import { type Output, tooLargeToShow } from '../output/output.js';
import type { ClientRun } from '../session/client-run.js';
import { type Spinner, startSpinner } from './spinner.js';

export interface RunWatch {
  spinner: Spinner | null;
  /** The run is over: the signal handlers, the deadline and the spinner go. */
  stop(): void;
}

export async function watchRun(
  run: ClientRun,
  output: Output,
  options: { timeoutSeconds?: number; output: OutputOptions; url: string },
  env: Env,
  /** False: no spinner even on a terminal (a background job). */
  spin = true,
): Promise<RunWatch> {
  const stopSignals = env.onSignal((signal) => run.feed({ type: 'signal', signal }));
  const seconds = options.timeoutSeconds;
  const deadline = seconds !== undefined ? setTimeout(() => run.feed({ type: 'deadline' }), seconds * 1000) : undefined;
  output.stdout.onBlocked = () => run.outputBackedUp(true);
  output.stdout.onDrained = () => run.outputBackedUp(false);
  output.onTooLarge = (e) => run.refuseMessage(tooLargeToShow(e));
  const spinner =
    spin && env.stderrIsTTY && !options.output.quiet
      ? await startSpinner(env, `connecting to ${urlText(options.url, options.output.showSecrets)}`)
      : null;
  if (spinner) output.beforePrint = () => spinner.stop();
  return {
    spinner,
    stop() {
      spinner?.stop();
      stopSignals();
      clearTimeout(deadline);
    },
  };
}
