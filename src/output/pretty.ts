/** The terminal renderer: a coloured session log. Colour is applied over the same text as plain. */

import type { ChalkInstance } from 'chalk';
import { closeExitCode } from '../protocol/exit.js';
import type { JsonLayout } from '../protocol/json-format.js';
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
  messageNote,
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
import type { ControlEvent, HeaderList, MessageEvent, Rendered, Renderer, SessionEvent } from './events.js';
import { hexDump } from './hexdump.js';
import { decodedNote, decodedText, type PayloadTextOptions, payloadLines } from './payload-text.js';
import { plural } from './plural.js';
import { escapeControl } from './sanitize.js';
import { eventParts, socketioStatusText } from './socketio.js';
import { summaryLines } from './summary.js';

export interface PrettyOptions {
  chalk: ChalkInstance;
  verbose: number;
  showPingPong: boolean;
  timestamps: boolean;
  maxDisplay: number;
  showSecrets: boolean;
  quiet: boolean;
  /** `--summary`: timings and traffic on stderr at the end. */
  showSummary?: boolean;
  /** `--max-text`: bytes of a text message shown (0: all; default: all). */
  maxText?: number;
  /** `--format json=…` (default auto). */
  jsonLayout?: JsonLayout | 'off';
  /** Terminal columns, for `auto` JSON (default 80). */
  width?: () => number;
}

const MARK = { in: '<', out: '>' } as const;

export function createPrettyRenderer(o: PrettyOptions): Renderer {
  const c = o.chalk;
  const prefix = (e: SessionEvent): string =>
    // A client's lines (most of them) have none: no colour call per line for nothing.
    !o.timestamps && e.conn === undefined && e.side === undefined
      ? ''
      : (o.timestamps ? `${c.gray(clock(e.time))} ` : '') +
        (e.conn !== undefined ? `${c.yellow(`[#${e.conn}]`)} ` : '') +
        c.gray(sideLabel(e));
  const lines = (e: SessionEvent, body: string[]): string => {
    const p = prefix(e);
    return body.map((l) => `${p}${l}\n`).join('');
  };
  const headerBlock = (mark: string, first: string, headers: HeaderList): string[] => [
    `${c.gray(mark)} ${c.bold(first)}`,
    ...headerLines(headers, o.showSecrets).map(([n, v]) => `${c.gray(mark)} ${c.cyan(n)}: ${v}`),
  ];
  // Painted once: a message's mark is the same every time.
  const marks = { in: c.cyan(MARK.in), out: c.green(MARK.out) };
  const mark = (dir: 'in' | 'out') => marks[dir];
  // A proxy's messages and pings say which way they went in their label (sideLabel), not with a mark.
  const markOf = (e: { side?: unknown; dir: 'in' | 'out' }) => (e.side === undefined ? `${mark(e.dir)} ` : '');

  const textView: PayloadTextOptions = {
    chalk: c,
    maxText: o.maxText ?? 0,
    jsonLayout: o.jsonLayout ?? 'auto',
    width: o.width ?? (() => 80),
  };
  const message = (e: MessageEvent): Rendered => {
    // A server's message relayed from a client or sent to several: who from, how many to; --decode's codec.
    const noteText = messageNote(e) + decodedNote(e);
    const note = noteText === '' ? '' : c.gray(noteText);
    const decoded = decodedText(e);
    if (e.binary && decoded === null) {
      const bytes = e.decoded?.bytes ?? e.data;
      const dump = hexDump(bytes, o.maxDisplay).map((l) => `  ${c.gray(l)}`);
      const why = e.decodeNote !== undefined ? [`  ${c.yellow(escapeControl(e.decodeNote, false))}`] : [];
      return {
        out: lines(e, [`${markOf(e)}${c.magenta(`binary ${plural(bytes.length, 'byte')}`)}${note}`, ...why, ...dump]),
      };
    }
    const shown =
      decoded !== null
        ? payloadLines(decoded, e.decoded!.size, textView)
        : payloadLines(e.data.toString('utf8'), e.data.length, textView);
    if (e.dir === 'in') {
      const cut = shown.cutNote !== undefined ? `\n  ${c.gray(shown.cutNote)}` : '';
      // One block (a laid-out JSON message has many lines): split only to put a prefix on each, and
      // only to put a note after the first line.
      let text: string;
      if (note === '') text = `${markOf(e)}${shown.text}${cut}`;
      else {
        const nl = shown.text.indexOf('\n');
        const first = nl < 0 ? shown.text : shown.text.slice(0, nl);
        text = `${markOf(e)}${first}${note}${nl < 0 ? '' : shown.text.slice(nl)}${cut}`;
      }
      const p = prefix(e);
      return { out: p === '' ? `${text}\n` : lines(e, text.split('\n')) };
    }
    const nl = shown.text.indexOf('\n');
    const first = nl < 0 ? shown.text : shown.text.slice(0, nl);
    const rest = nl < 0 ? [] : shown.text.slice(nl + 1).split('\n');
    const body = [`${markOf(e)}${c.dim(first)}${note}`, ...rest.map((l) => `  ${c.dim(l.slice(2))}`)];
    if (shown.cutNote !== undefined) body.push(`  ${c.gray(shown.cutNote)}`);
    return { out: lines(e, body) };
  };
  const control = (e: ControlEvent<'ping' | 'pong'>): Rendered | null => {
    if (!o.showPingPong) return null;
    const data = e.data.length ? ` "${escapeControl(e.data.toString('utf8'), false)}"` : '';
    const rtt = e.rttMs !== undefined ? `, rtt ${e.rttMs.toFixed(1)} ms` : '';
    return { out: lines(e, [`${markOf(e)}${c.blue(`${e.event} ${plural(e.data.length, 'byte')}${rtt}`)}${data}`]) };
  };

  return {
    connecting: (e) =>
      o.verbose > 0 ? { out: lines(e, [c.gray(`* connecting to ${urlText(e.url, o.showSecrets)}`)]) } : null,
    request: (e) =>
      o.verbose > 0 ? { out: lines(e, headerBlock(inMark(e, '>'), requestLine(e, o.showSecrets), e.headers)) } : null,
    response: (e) => {
      // A 101 and a redirect -L follows are part of the handshake trace (-v); a refusal is always shown.
      const traced = e.status === 101 || e.redirect !== undefined;
      if (traced && o.verbose === 0) return null;
      const block = headerBlock(inMark(e, '<'), statusLine(e), e.headers);
      const body = bodyPreview(e);
      if (body !== null) block.push('', ...body.split('\n'));
      if (e.redirect !== undefined) block.push(c.gray(`* ${redirectText(e.redirect, o.showSecrets)}`));
      const text = lines(e, block);
      return traced ? { out: text } : { err: text };
    },
    tls: (e) =>
      o.verbose > 0
        ? {
            out: lines(
              e,
              tlsLines(e).map((l) => c.gray(`* ${l}`)),
            ),
          }
        : null,
    open: (e) => {
      if (o.quiet) return null;
      const text = e.remote !== undefined ? clientOpenText(e, o.showSecrets) : openText(e, o.showSecrets);
      return { out: lines(e, [c.green(text)]) };
    },
    message,
    // --socketio: `< chat ["hi",{"from":"ann"}]`, the event name highlighted.
    socketio: (e) => {
      if (e.type === 'event' || e.type === 'ack') {
        const p = eventParts(e);
        const name = e.type === 'ack' ? c.blue(p.name) : c.bold.cyan(p.name);
        const args = e.dir === 'out' ? c.dim(p.args) : p.args;
        return { out: lines(e, [`${mark(e.dir)} ${c.gray(p.ns)}${name} ${args}${c.gray(p.note)}`]) };
      }
      // The Engine.IO heartbeat, as a WebSocket ping or pong is shown: `< engine.io ping`.
      if (e.type === 'ping' || e.type === 'pong') {
        return o.showPingPong ? { out: lines(e, [`${mark(e.dir)} ${c.blue(`engine.io ${e.type}`)}`]) } : null;
      }
      const text = socketioStatusText(e);
      if (text === null || o.quiet) return null;
      return { out: lines(e, [c.gray(text)]) };
    },
    ping: control,
    pong: control,
    close: (e) => {
      // A loss already told by its error (or reconnecting) line: one line per happening.
      if (o.quiet || e.reported) return null;
      // Yellow for an intended end (exit 0), red for anything else — as the exit decision sees it.
      const normal = closeExitCode(e, e.conn !== undefined && e.side !== 'upstream' ? 'server' : 'client') === 0;
      return { out: lines(e, [(normal ? c.yellow : c.red)(closeText(e))]) };
    },
    error: (e) => ({ err: lines(e, [c.red(errorText(e, o.showSecrets))]) }),
    frame: (e) => ({ out: lines(e, [c.gray(`  frame ${frameText(e)}`)]) }),
    reconnecting: (e) => (o.quiet ? null : { err: lines(e, [c.yellow(reconnectText(e, o.showSecrets))]) }),
    'nothing-received': (e) => (o.quiet ? null : { err: lines(e, [c.yellow(nothingReceivedText(e))]) }),
    interrupted: (e) => (o.quiet ? null : { err: lines(e, [c.yellow(interruptedText(e))]) }),
    listening: (e) => ({ err: lines(e, [c.green(`listening on ${urlText(e.url, o.showSecrets)}`)]) }),
    // A client's one line comes once its handshake is done (`open`); with -v, before its request.
    connection: (e) =>
      o.quiet || o.verbose === 0
        ? null
        : { out: lines(e, [c.gray(`* connection from ${escapeControl(e.remote, false)}`)]) },
    // Part of the session log, in order with the client's lines (stdout, as `open` and `close`).
    'exec-start': (e) => (o.quiet ? null : { out: lines(e, [c.gray(execStartText(e))]) }),
    'exec-exit': (e) =>
      o.quiet && !e.failed ? null : { out: lines(e, [(e.failed ? c.red : c.gray)(execExitText(e))]) },
    // The program's own words: shown even with -q.
    'exec-stderr': (e) => ({ out: lines(e, [c.yellow(execStderrText(e))]) }),
    // A replay's result is shown even with -q; a reply as recorded only with -v.
    compare: (e) =>
      e.result === 'equal' && o.verbose === 0
        ? null
        : {
            out: lines(
              e,
              compareLines(e).map((l, i) => (i === 0 && e.result !== 'equal' ? c.red(l) : c.gray(l))),
            ),
          },
    replay: (e) => ({ err: lines(e, [(e.matched ? c.green : c.red)(replayText(e))]) }),
    summary: (e) =>
      o.showSummary
        ? {
            err: lines(
              e,
              summaryLines(e).map((l) => c.gray(l)),
            ),
          }
        : null,
  };
}
