/** How a finished session maps to an exit code (SPEC "Exit codes"). Pure. */
import { type ErrorKind, EXIT_CODE_OF_KIND, ExitCode } from '../errors.js';

export type ClosedBy = 'client' | 'server' | 'none';

export interface CloseInfo {
  code: number;
  reason: string;
  by: ClosedBy;
  clean: boolean;
}

/** Codes a peer sends when it says the protocol was broken: reported like a violation we detect. */
const VIOLATION_CODES: ReadonlySet<number> = new Set([1002, 1007, 1009, 1010]);
/** Codes from the peer that count as an intended end. */
const NORMAL_PEER_CODES: ReadonlySet<number> = new Set([1000, 1001, 1005]);

export type Outcome =
  | { type: 'closed'; close: CloseInfo }
  | { type: 'error'; kind: ErrorKind }
  | { type: 'interrupted' };

export function exitCodeFor(outcome: Outcome, expectCloseCode?: number): ExitCode {
  if (outcome.type === 'interrupted') return ExitCode.Interrupted;
  if (outcome.type === 'error') return EXIT_CODE_OF_KIND[outcome.kind];
  const { close } = outcome;
  // A lost connection is exit 6 whatever close code was expected: the peer never closed with another code.
  if (close.by === 'none' || close.code === 1006) return ExitCode.Lost;
  if (expectCloseCode !== undefined) {
    return close.by === 'server' && close.code === expectCloseCode ? ExitCode.Ok : ExitCode.PeerClosed;
  }
  if (close.by === 'client') return close.clean ? ExitCode.Ok : ExitCode.Lost;
  if (NORMAL_PEER_CODES.has(close.code)) return ExitCode.Ok;
  if (VIOLATION_CODES.has(close.code)) return ExitCode.Lost;
  return ExitCode.PeerClosed;
}
