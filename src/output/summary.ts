/** The `--summary` lines and the `-W/--write-out` template: timings and traffic of a session. Pure. */
import type { Parsed } from '../protocol/close-codes.js';
import type { SummaryEvent } from './events.js';
import { plural } from './plural.js';
import { escapeControl, maskUrl } from './sanitize.js';

const ms = (value: number | undefined) => (value === undefined ? '-' : `${Math.round(value)} ms`);

export function rttStats(
  rtts: readonly number[],
): { count: number; minMs: number; avgMs: number; maxMs: number } | null {
  if (rtts.length === 0) return null;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    count: rtts.length,
    minMs: round(Math.min(...rtts)),
    avgMs: round(rtts.reduce((a, b) => a + b, 0) / rtts.length),
    maxMs: round(Math.max(...rtts)),
  };
}

export function summaryLines(e: SummaryEvent): string[] {
  const t = e.timings;
  const lines = [
    `timings: dns ${ms(t.dnsMs)}, connect ${ms(t.connectMs)}, tls ${ms(t.tlsMs)}, upgrade ${ms(t.upgradeMs)}, first message ${ms(t.firstMessageMs)}, total ${ms(t.totalMs)}`,
    `traffic: in ${plural(e.messagesIn, 'message')} / ${plural(e.bytesIn, 'byte')}, out ${plural(e.messagesOut, 'message')} / ${plural(e.bytesOut, 'byte')}`,
  ];
  if (e.filtered !== undefined) lines.push(`filtered: ${plural(e.filtered, 'received message')} not shown`);
  if (e.rtt) {
    lines.push(`pings:   ${e.rtt.count}, rtt min/avg/max ${e.rtt.minMs}/${e.rtt.avgMs}/${e.rtt.maxMs} ms`);
  }
  lines.push(`exit:    ${e.exitCode}`);
  return lines;
}

const seconds = (value: number | undefined) => ((value ?? 0) / 1000).toFixed(3);
/** How a compiled `-W` template is rendered: `showSecrets` is `--show-secrets`. */
export interface WriteOutOptions {
  showSecrets?: boolean;
}
export type WriteOut = (e: SummaryEvent, o?: WriteOutOptions) => string;

const VARIABLES: Readonly<Record<string, (e: SummaryEvent, o: WriteOutOptions) => string>> = {
  url: (e, o) => (o.showSecrets ? (e.url ?? '') : maskUrl(e.url ?? '')),
  subprotocol: (e) => e.protocol ?? '',
  extensions: (e) => e.extensions ?? '',
  time_dns: (e) => seconds(e.timings.dnsMs),
  time_connect: (e) => seconds(e.timings.connectMs),
  time_tls: (e) => seconds(e.timings.tlsMs),
  time_upgrade: (e) => seconds(e.timings.upgradeMs),
  time_first_message: (e) => seconds(e.timings.firstMessageMs),
  time_total: (e) => seconds(e.timings.totalMs),
  messages_in: (e) => String(e.messagesIn),
  messages_out: (e) => String(e.messagesOut),
  bytes_in: (e) => String(e.bytesIn),
  bytes_out: (e) => String(e.bytesOut),
  ping_count: (e) => String(e.rtt?.count ?? 0),
  rtt_min: (e) => (e.rtt ? e.rtt.minMs.toFixed(3) : ''),
  rtt_avg: (e) => (e.rtt ? e.rtt.avgMs.toFixed(3) : ''),
  rtt_max: (e) => (e.rtt ? e.rtt.maxMs.toFixed(3) : ''),
  close_code: (e) => (e.close ? String(e.close.code) : ''),
  close_reason: (e) => e.close?.reason ?? '',
  closed_by: (e) => e.close?.by ?? '',
  exit_code: (e) => String(e.exitCode),
};

export const WRITE_OUT_VARIABLES = Object.keys(VARIABLES);

type Piece = string | ((e: SummaryEvent, o: WriteOutOptions) => string);

/**
 * Compiles a curl-style template: `%{name}`, `%%`, and the escapes `\n`, `\t`, `\r`, `\\`.
 *
 * A value comes from the peer (a close reason, a subprotocol) or the command line: it is printed with
 * control and bidi characters escaped as in status lines (`\x1b`, `\n`, `\u202e`), so it stays on its
 * line and cannot act on a terminal; `%{name:raw}` prints it exactly as it is (for a program reading
 * it, never a terminal). `%{url}` has its password and token-like parameters masked unless
 * `--show-secrets`, with or without `:raw`.
 */
export function parseWriteOut(format: string): Parsed<WriteOut> {
  const pieces: Piece[] = [];
  const re = /%\{([a-z_]+)(?::([a-z]+))?\}|%%|\\([ntr\\])/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    pieces.push(format.slice(last, m.index));
    if (m[1] !== undefined) {
      const variable = VARIABLES[m[1]];
      if (!variable) {
        return {
          ok: false,
          error: `unknown --write-out variable %{${m[1]}}; known: ${WRITE_OUT_VARIABLES.join(', ')}`,
        };
      }
      if (m[2] !== undefined && m[2] !== 'raw') {
        return { ok: false, error: `unknown --write-out form %{${m[1]}:${m[2]}}; the one form is %{${m[1]}:raw}` };
      }
      pieces.push(m[2] === 'raw' ? variable : (e, o) => escapeControl(variable(e, o), false));
    } else if (m[0] === '%%') pieces.push('%');
    else pieces.push({ n: '\n', t: '\t', r: '\r', '\\': '\\' }[m[3] as 'n' | 't' | 'r' | '\\']);
    last = re.lastIndex;
  }
  pieces.push(format.slice(last));
  return { ok: true, value: (e, o = {}) => pieces.map((p) => (typeof p === 'string' ? p : p(e, o))).join('') };
}
