/**
 * The "connecting…" spinner on stderr (a terminal only). ora is loaded only here, and set up so it
 * neither swallows what the user types while connecting nor takes over Ctrl+C.
 */
import type { Env } from '../env.js';

export interface Spinner {
  stop(): void;
}

export async function startSpinner(env: Env, text: string): Promise<Spinner> {
  const { default: ora } = await import('ora');
  const spinner = ora({
    text,
    stream: env.stderr as NodeJS.WritableStream,
    discardStdin: false,
    hideCursor: false,
    isEnabled: true,
  }).start();
  let stopped = false;
  return {
    stop: () => {
      if (stopped) return;
      stopped = true;
      spinner.stop();
    },
  };
}
