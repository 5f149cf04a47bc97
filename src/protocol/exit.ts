/**
 * The one exit decision (SPEC "Exit codes") for the client and both servers. The renderers read it
 * too (the colour of a close line), so what is shown and how the process exits cannot disagree. Pure.
 */
import { type ErrorKind, EXIT_CODE_OF_KIND, ExitCode } from '../errors.js';
import type { ExpectationList } from './expect.js';
import type { CloseInfo, SessionEnd, StopSignal } from './outcome.js';

/** Codes a peer sends when it says the protocol was broken: reported like a violation we detect. */
const VIOLATION_CODES: ReadonlySet<number> = new Set([1002, 1007, 1009, 1010]);
/** Codes from the peer that count as an intended end. */
const NORMAL_PEER_CODES: ReadonlySet<number> = new Set([1000, 1001, 1005]);

const SIGNAL_EXIT: Readonly<Record<StopSignal, ExitCode>> = {
  SIGHUP: ExitCode.Hangup,
  SIGINT: ExitCode.Interrupted,
  SIGTERM: ExitCode.Terminated,
};

/** 128 + the signal's number, as shells report it. */
export function signalExitCode(signal: StopSignal): ExitCode {
  return SIGNAL_EXIT[signal];
}

/** Whether an exit code says a signal ended the run (129, 130, 143). */
export function isSignalExitCode(code: number): boolean {
  return Object.values(SIGNAL_EXIT).includes(code as ExitCode);
}

export function errorExitCode(kind: ErrorKind): ExitCode {
  return EXIT_CODE_OF_KIND[kind];
}

/**
 * The exit code a close means to the side that is asking: `side` is who we are (`client` for
 * `connect`, `server` for `listen`/`echo --once`), `close.by` who sent the first close frame.
 */
export function closeExitCode(close: CloseInfo, side: 'client' | 'server' = 'client', expectClose?: number): ExitCode {
  // A lost connection is exit 6 whatever close code was expected: the peer never closed with another code.
  if (close.by === 'none' || close.code === 1006) return ExitCode.Lost;
  const byUs = close.by === side;
  if (expectClose !== undefined) return !byUs && close.code === expectClose ? ExitCode.Ok : ExitCode.PeerClosed;
  if (byUs) return close.clean ? ExitCode.Ok : ExitCode.Lost;
  if (NORMAL_PEER_CODES.has(close.code)) return ExitCode.Ok;
  if (VIOLATION_CODES.has(close.code)) return ExitCode.Lost;
  return ExitCode.PeerClosed;
}

/** How many of the last text messages an --expect failure shows. */
export const RECENT_SHOWN = 5;

/** One line: which expectation was not met, and what arrived last. */
export function expectReport(expected: ExpectationList, recent: readonly string[]): string {
  const pending = expected.pending!;
  const flag = { json: '--expect-json', text: '--expect', event: '--expect-event' }[pending.kind];
  const shown = recent.map((t) => JSON.stringify(t.length > 200 ? `${t.slice(0, 200)}…` : t)).join(', ');
  return (
    `expectation not met: ${flag} ${JSON.stringify(pending.source)} ` +
    `(${expected.metCount} of ${expected.items.length} met); ` +
    (recent.length ? `last messages received: ${shown}` : 'no text message received')
  );
}

export interface ClientEndState {
  end: SessionEnd;
  /** The signal that stopped the session, if one did. */
  signal?: StopSignal;
  /** A bad line of --input hex/base64 stopped the input. */
  badInput: boolean;
  expected: ExpectationList;
  recent: readonly string[];
  expectClose?: number;
  /** `--exec`: the program exited non-zero (or died of a signal we did not send) on its own. */
  programFailed?: boolean;
  /** `replay`: the server's answers did not match the recording (known once the session is over). */
  mismatch?: boolean;
}

export interface ExitDecision {
  exitCode: ExitCode;
  /** The one line (an `error` of kind `expect`) that explains an expectation failure. */
  report?: string;
}

/** The client's exit code, and the line that explains an --expect / --expect-close failure. */
export function clientExit(s: ClientEndState): ExitDecision {
  const { end } = s;
  if (s.signal) return { exitCode: signalExitCode(s.signal) };
  if (s.badInput && end.type === 'closed') return { exitCode: ExitCode.Usage };
  const base =
    end.type === 'failed' ? errorExitCode(end.failure.kind) : closeExitCode(end.close, 'client', s.expectClose);
  const endedAfterOpen = end.type === 'closed' || ['lost', 'protocol'].includes(end.failure.kind);
  if (!s.expected.done && (endedAfterOpen || base === ExitCode.Timeout)) {
    // The connection ended (or time ran out) before every --expect was met.
    return { exitCode: endedAfterOpen ? ExitCode.Expect : base, report: expectReport(s.expected, s.recent) };
  }
  if (s.expectClose !== undefined && end.type === 'closed' && base !== ExitCode.Ok) {
    const { code, by } = end.close;
    const what =
      by === 'server'
        ? `the server closed with ${code}`
        : by === 'client'
          ? 'we closed first'
          : 'the connection was lost';
    return { exitCode: base, report: `--expect-close ${s.expectClose}: ${what}` };
  }
  // The session itself went as intended, but the --exec program behind it failed.
  if (base === ExitCode.Ok && s.programFailed) return { exitCode: ExitCode.ProgramFailed };
  // A replay: the session went as intended, but the server did not answer as recorded.
  if (base === ExitCode.Ok && s.mismatch) return { exitCode: ExitCode.Mismatch };
  return { exitCode: base };
}

/** `--once`: the exit code says how the client's session ended, as `connect` would from the other side. */
export function onceExitCode(close: CloseInfo): ExitCode {
  return closeExitCode(close, 'server');
}

/** What ended a server run: a signal, `/quit` (or Ctrl+D), `--once`'s client, or a failure to listen. */
export type ServerStop =
  | { type: 'signal'; signal: StopSignal }
  | { type: 'quit' }
  | { type: 'once'; close: CloseInfo }
  | { type: 'failed'; kind: ErrorKind }
  /** stdout's reader went away: nothing more can be shown. */
  | { type: 'output-gone' }
  /** `--exec-shared`: the one program ended; every client was told how. */
  | { type: 'program-exited'; failed: boolean };

export function serverExit(stop: ServerStop): ExitCode {
  switch (stop.type) {
    case 'signal':
      return signalExitCode(stop.signal);
    case 'once':
      return onceExitCode(stop.close);
    case 'failed':
      return errorExitCode(stop.kind);
    case 'program-exited':
      return stop.failed ? ExitCode.ProgramFailed : ExitCode.Ok;
    default:
      return ExitCode.Ok;
  }
}
