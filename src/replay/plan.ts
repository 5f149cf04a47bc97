/** `replay`'s options, resolved once from the command line (cli/replay-options.ts). */
import type { ConnectPlan } from '../commands/connect-plan.js';
import type { JsonPath } from '../protocol/compare.js';
import type { ServerPlan } from '../server/options.js';

export interface Pace {
  /** A factor of the recorded pace (2: twice as fast), or `max`: everything at once, as fast as the server takes it. */
  speed: number | 'max';
  /** Each client message once the replies recorded before it have arrived (or -w has passed without them). */
  lockstep: boolean;
}

export interface ReplayPlan {
  /** The recording's path (`-`: stdin). */
  recording: string;
  /** `--conn`: the pair of a proxy (or server) recording to replay; default the first. */
  conn?: number;
  /** `--ignore-json-path`: fields that do not count when JSON messages are compared. */
  ignore: readonly JsonPath[];
  pace: Pace;
  /** Against a server: `connect`'s plan (its url empty: the recording's). */
  connect: ConnectPlan;
  /** `--serve`: a mock server playing the recording's server side. */
  serve?: ServerPlan;
}
