/** The servers' options, resolved once from the command line (cli/server-options.ts), one object per concern. */
import type { ExecPlan } from '../exec/plan.js';
import type { OutputOptions } from '../output/options.js';
import type { Rule } from '../protocol/rules.js';
import type { Credentials } from './credentials.js';

/** Who may connect: the handshake's checks. */
export interface Admission {
  /** --origin allowlist (empty: any). */
  origins: readonly string[];
  /** --auth user:password (HTTP Basic). */
  credentials?: Credentials;
  /** --max-clients (more get 503). */
  maxClients?: number;
  /** -s: subprotocols we accept (the client's order decides). */
  subprotocols: readonly string[];
}

export interface ServerLimits {
  maxPayload: number;
  handshakeTimeoutMs: number;
  /** --ping-interval: drop clients that miss a pong. */
  pingIntervalMs?: number;
  deflate: boolean;
}

/** What the server does with each client on its own: greeting, timed close, --once. */
export interface ClientLifecycle {
  once: boolean;
  greeting?: string;
  closeAfterMs?: number;
  closeCode: number;
  closeReason: string;
}

export interface ServerPlan {
  host: string;
  port: number;
  /** --cert/--key paths (wss://); both or neither. */
  tls: { cert?: string; key?: string };
  admission: Admission;
  limits: ServerLimits;
  lifecycle: ClientLifecycle;
  output: OutputOptions;
  /** `proxy`: the server relays its clients to upstreams (see CoreOptions.relay). */
  relay?: boolean;
}

export interface ListenPlan extends ServerPlan {
  listen: { broadcast: boolean; console: boolean; stdin: boolean; history: boolean };
  /** `--exec`: a program behind each client (or one for all). */
  exec?: ExecPlan;
  /** `--rules`: scripted replies to each client (docs/rules.md). */
  rules?: readonly Rule[];
}

export interface EchoPlan extends ServerPlan {
  delayMs: number;
  /** `--rules`: a message a rule answers is answered instead of echoed (docs/rules.md). */
  rules?: readonly Rule[];
}
