/** How a connection ended, as the exit decision (`exit.ts`) and the renderers see it. Pure types. */
import type { Failure } from './failures.js';

export type ClosedBy = 'client' | 'server' | 'none';

export interface CloseInfo {
  code: number;
  reason: string;
  by: ClosedBy;
  clean: boolean;
}

/** A connection that closed (with a close code), or one that failed (connect, TLS, handshake, lost, …). */
export type SessionEnd = { type: 'closed'; close: CloseInfo } | { type: 'failed'; failure: Failure };

/** The signals that end a session (SPEC "Exit codes": 128 + the signal's number). */
export type StopSignal = 'SIGHUP' | 'SIGINT' | 'SIGTERM';
