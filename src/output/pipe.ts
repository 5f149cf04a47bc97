/** The pipeline renderer: payloads only on stdout, plain status lines on stderr. */

import {
  bodyPreview,
  clientOpenText,
  clock,
  closeText,
  compareLines,
  errorText,
  execExitText,
  execStartText,
  execStderrText,
  frameText,
  headerLines,
  inMark,
  interruptedText,
  nothingReceivedText,
  openText,
  reconnectText,
  redirectText,
  replayText,
  requestLine,
  sideLabel,
  statusLine,
  tlsLines,
  urlText,
} from './describe.js';
import type { ControlEvent, HeaderList, Rendered, Renderer, SessionEvent } from './events.js';
import { plural } from './plural.js';
import { escapeControl } from './sanitize.js';
import { eventArray, eventParts, socketioStatusText } from './socketio.js';
import { summaryLines } from './summary.js';

export type BinaryOutput = 'raw' | 'hex' | 'base64';

export interface PipeOptions {
  quiet: boolean;
  verbose: number;
  showPingPong: boolean;
  showSecrets: boolean;
  binaryOutput: BinaryOutput;
  /** Written after each text message (and hex/base64 binary); raw binary is written as-is. */
  separator: string;
  /** `-t`: status lines on stderr start with the local time (payloads are never prefixed). */
  timestamps?: boolean;
  /** `--summary`: timings and traffic on stderr at the end (shown even with -q: it was asked for). */
  showSummary?: boolean;
}

export function createPipeRenderer(o: PipeOptions): Renderer {
  const separator = Buffer.from(o.separator, 'utf8');
  /**
   * A text message's bytes as they came, then the separator: ws has checked they are UTF-8, so the
   * bytes are the text; a round trip through a JS string would decode and encode every byte again
   * (a quarter of the time for 64 KiB lines, half of it at 16 MiB).
   */
  const textOut = (data: Buffer): Buffer => (separator.length === 0 ? data : Buffer.concat([data, separator]));
  /** `-t` time and `[#id] ` on every line of a status block (payloads on stdout stay as they are). */
  const prefixed = (e: SessionEvent, text: string): string => {
    const head =
      (o.timestamps ? `${clock(e.time)} ` : '') + (e.conn !== undefined ? `[#${e.conn}] ` : '') + sideLabel(e);
    if (head === '') return `${text}\n`;
    return `${text
      .split('\n')
      .map((l) => `${head}${l}`)
      .join('\n')}\n`;
  };
  const status = (e: SessionEvent, text: string): Rendered | null => (o.quiet ? null : { err: prefixed(e, text) });
  const handshake = (mark: string, first: string, headers: HeaderList): string =>
    [`${mark} ${first}`, ...headerLines(headers, o.showSecrets).map(([n, v]) => `${mark} ${n}: ${v}`)].join('\n');
  const control = (e: ControlEvent<'ping' | 'pong'>): Rendered | null => {
    if (!o.showPingPong) return null;
    const rtt = e.rttMs !== undefined ? `, rtt ${e.rttMs.toFixed(1)} ms` : '';
    return status(e, `${e.event} ${e.dir} ${plural(e.data.length, 'byte')}${rtt}`);
  };

  return {
    connecting: (e) => (o.verbose > 0 ? status(e, `connecting to ${urlText(e.url, o.showSecrets)}`) : null),
    // A server receives the request and sends the response: the marks say which way each went.
    request: (e) =>
      o.verbose > 0 ? status(e, handshake(inMark(e, '>'), requestLine(e, o.showSecrets), e.headers)) : null,
    response: (e) => {
      // A 101 and a redirect -L follows are part of the handshake trace (-v).
      const traced = e.status === 101 || e.redirect !== undefined;
      if (traced && o.verbose === 0) return null;
      const body = bodyPreview(e);
      let text = handshake(inMark(e, '<'), statusLine(e), e.headers) + (body !== null ? `\n\n${body}` : '');
      if (e.redirect !== undefined) text += `\n* ${redirectText(e.redirect, o.showSecrets)}`;
      // A rejected handshake is part of the error report: shown even with -q.
      if (!traced) return { err: prefixed(e, text) };
      return status(e, text);
    },
    tls: (e) =>
      o.verbose > 0
        ? status(
            e,
            tlsLines(e)
              .map((l) => `* ${l}`)
              .join('\n'),
          )
        : null,
    // -q: a server's clients come and go without their text being made.
    open: (e) =>
      o.quiet
        ? null
        : status(e, e.remote !== undefined ? clientOpenText(e, o.showSecrets) : openText(e, o.showSecrets)),
    message: (e) => {
      if (e.dir === 'out') return null;
      if (!e.binary) return { out: textOut(e.data) };
      // --decode: what the payload decoded to — text, a value as one JSON line, or decompressed bytes.
      const text = e.decoded?.text ?? e.decoded?.jsonText;
      if (text !== undefined) return { out: text + o.separator };
      const data = e.decoded?.bytes ?? e.data;
      const note = e.decodeNote !== undefined ? status(e, `wsprobe: ${escapeControl(e.decodeNote, false)}`) : null;
      const out = o.binaryOutput === 'raw' ? data : data.toString(o.binaryOutput) + o.separator;
      return { ...note, out };
    },
    // --socketio: a received event is one JSON array line on stdout; the rest are status lines.
    socketio: (e) => {
      if (e.type === 'event') return e.dir === 'in' ? { out: eventArray(e) + o.separator } : null;
      if (e.type === 'ack') {
        const p = eventParts(e);
        return status(e, `${p.ns}ack ${e.dir} ${p.args}${p.note}`);
      }
      if ((e.type === 'ping' || e.type === 'pong') && !o.showPingPong) return null;
      const text = socketioStatusText(e);
      return text === null ? null : status(e, text);
    },
    ping: control,
    pong: control,
    // A loss already told by its error (or reconnecting) line: one line per happening.
    close: (e) => (e.reported || o.quiet ? null : status(e, closeText(e))),
    error: (e) => ({ err: prefixed(e, errorText(e, o.showSecrets)) }),
    frame: (e) => status(e, `frame ${frameText(e)}`),
    reconnecting: (e) => status(e, reconnectText(e, o.showSecrets)),
    'nothing-received': (e) => status(e, nothingReceivedText(e)),
    interrupted: (e) => status(e, interruptedText(e)),
    listening: (e) => ({ err: `listening on ${urlText(e.url, o.showSecrets)}\n` }),
    // A client's one line comes once its handshake is done (`open`); with -v, before its request.
    connection: (e) => (o.verbose > 0 ? status(e, `* connection from ${escapeControl(e.remote, false)}`) : null),
    'exec-start': (e) => status(e, execStartText(e)),
    'exec-exit': (e) => (e.failed ? { err: prefixed(e, execExitText(e)) } : status(e, execExitText(e))),
    // The program's own words: shown even with -q.
    'exec-stderr': (e) => ({ err: prefixed(e, execStderrText(e)) }),
    // A replay's result is shown even with -q; a reply as recorded only with -v.
    compare: (e) => (e.result === 'equal' && o.verbose === 0 ? null : { err: prefixed(e, compareLines(e).join('\n')) }),
    replay: (e) => ({ err: prefixed(e, replayText(e)) }),
    summary: (e) => (o.showSummary ? { err: `${summaryLines(e).join('\n')}\n` } : null),
  };
}
