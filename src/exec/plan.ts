/** `--exec` and its options, resolved once from the command line (cli/), for `listen` and `connect`. */
import type { Framing } from './framing.js';

export interface ExecPlan {
  /** The command line (see command.ts for how it is run). */
  command: string;
  framing: Framing;
  /** `--exec-shared` (listen): one program for the whole server. */
  shared: boolean;
  /** `--exec-ids` (with --exec-shared): each client's message reaches the program as `#<id> <message>`. */
  ids: boolean;
  /** `--exec-grace`: after its stdin is closed, how long before SIGTERM (and again before SIGKILL). */
  graceMs: number;
  /** `--exec-buffered`: leave its stdio buffering alone (no stdbuf, no PYTHONUNBUFFERED). */
  buffered: boolean;
  /** `--exec-stderr-to-client`: its stderr lines are also sent as text messages. */
  stderrToPeer: boolean;
  /** `raw` framing: the largest message its output is cut into. */
  chunkSize: number;
}

/** Default --exec-grace, in seconds. */
export const DEFAULT_GRACE_SECONDS = 1;
