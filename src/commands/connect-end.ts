/** How a finished client session becomes an exit code, the reports that explain it, and the summary. */
import type { ConnectFlags } from '../cli/connect-options.js';
import { EXIT_CODE_OF_KIND, ExitCode } from '../errors.js';
import type { ErrorEvent, SummaryEvent } from '../output/events.js';
import { rttStats } from '../output/summary.js';
import type { ExpectationList } from '../protocol/expect.js';
import { closeExitCode } from '../protocol/exit.js';
import type { ClientEnd, ClientSession, Stats } from '../session/client.js';

/** How many of the last text messages an --expect failure shows. */
export const RECENT_SHOWN = 5;

export interface EndState {
  end: ClientEnd;
  interrupted: boolean;
  /** A bad line of --input hex/base64 stopped the input. */
  badInput: boolean;
  expected: ExpectationList;
  recent: readonly string[];
}

/** One line: which expectation was not met, and what arrived last. */
export function expectReport(expected: ExpectationList, recent: readonly string[]): string {
  const pending = expected.pending!;
  const flag = pending.kind === 'json' ? '--expect-json' : '--expect';
  const shown = recent.map((t) => JSON.stringify(t.length > 200 ? `${t.slice(0, 200)}…` : t)).join(', ');
  return (
    `expectation not met: ${flag} ${JSON.stringify(pending.source)} ` +
    `(${expected.metCount} of ${expected.items.length} met); ` +
    (recent.length ? `last messages received: ${shown}` : 'no text message received')
  );
}

/** The exit code, and the error line (kind "expect") that explains an expectation failure. */
export function settleExit(s: EndState, flags: ConnectFlags): { exitCode: ExitCode; report?: string } {
  const { end } = s;
  if (s.interrupted) return { exitCode: ExitCode.Interrupted };
  if (s.badInput && end.type === 'closed') return { exitCode: ExitCode.Usage };
  const base = end.type === 'failed' ? EXIT_CODE_OF_KIND[end.failure.kind] : closeExitCode(end.close, 'client', flags.expectClose);
  const endedAfterOpen = end.type === 'closed' || ['lost', 'protocol'].includes(end.failure.kind);
  if (!s.expected.done && (endedAfterOpen || base === ExitCode.Timeout)) {
    // The connection ended (or time ran out) before every --expect was met.
    return { exitCode: endedAfterOpen ? ExitCode.Expect : base, report: expectReport(s.expected, s.recent) };
  }
  if (flags.expectClose !== undefined && end.type === 'closed' && base !== ExitCode.Ok) {
    const { code, by } = end.close;
    const what =
      by === 'server'
        ? `the server closed with ${code}`
        : by === 'client'
          ? 'we closed first'
          : 'the connection was lost';
    return { exitCode: base, report: `--expect-close ${flags.expectClose}: ${what}` };
  }
  return { exitCode: base };
}

export function reportEvent(message: string, time: number): ErrorEvent {
  return { event: 'error', time, kind: 'expect', message };
}

/** Adds a finished connection's counts to the running totals (--reconnect makes several). */
export function addStats(total: Stats, more: Stats): void {
  total.messagesIn += more.messagesIn;
  total.messagesOut += more.messagesOut;
  total.bytesIn += more.bytesIn;
  total.bytesOut += more.bytesOut;
}

export function summaryEvent(
  exitCode: number,
  end: ClientEnd,
  last: ClientSession,
  totals: Stats,
  rtts: readonly number[],
  url: string,
  time: number,
): SummaryEvent {
  return {
    event: 'summary',
    time,
    exitCode,
    ...totals,
    timings: last.timingsSoFar(),
    rtt: rttStats(rtts) ?? undefined,
    close: end.type === 'closed' ? { code: end.close.code, reason: end.close.reason, by: end.close.by } : undefined,
    url,
    protocol: last.protocol,
    extensions: last.extensions,
  };
}
