/**
 * The NDJSON renderer: one object per event on stdout, keys as in SPEC "JSON events". Every line is
 * what `safeJson` writes for the event's object: C0, DEL, C1 and bidi controls are `\u` escapes, so a
 * peer's text cannot act on a terminal that shows the stream, and the line still parses back to the
 * same strings. The events that come by the thousand build that text from a template (see `head`).
 */
import { isUtf8 } from 'node:buffer';
import type { DecodedPayload } from '../protocol/decode.js';
import { errorText, flowOf, headerObject } from './describe.js';
import type { ControlEvent, ProxySide, Rendered, Renderer, SessionEvent } from './events.js';
import { maskSecretsInText, maskUrl, safeJson, safeJsonString } from './sanitize.js';
import { socketioFields } from './socketio.js';

export interface JsonOptions {
  showSecrets: boolean;
}

type Fields = Record<string, unknown>;

/** Events come thousands per millisecond under load: format each millisecond once. */
let lastTime = Number.NaN;
let lastIso = '';
function isoTime(time: number): string {
  if (time !== lastTime) {
    lastTime = time;
    lastIso = new Date(time).toISOString();
  }
  return lastIso;
}

/** A number as `JSON.stringify` writes it (`null` for NaN and the infinities). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

/**
 * The start of every line, `{"event":…,"time":…` with `conn` and `side` when set, without its closing
 * brace. The hot events (message, frame, ping, pong) write the rest from a template of their keys
 * (`safeJsonString` for each string: no object, no general serializer); the output is byte for byte
 * `safeJson` of the same object (test/unit/json-template.property.test.ts).
 */
function head(e: SessionEvent, event = `{"event":${safeJsonString(e.event)}`): string {
  // An ISO time is ASCII digits and punctuation: nothing to escape.
  let text = `${event},"time":"${isoTime(e.time)}"`;
  if (e.conn !== undefined) text += `,"conn":${jsonNumber(e.conn)}`;
  if (e.side !== undefined) text += `,"side":${safeJsonString(e.side)}`;
  return text;
}

/** The line of any event: its head, then `fields` (their object's text without its opening brace). */
function line(e: SessionEvent, fields: Fields): Rendered {
  const rest = safeJson(fields);
  return { out: rest === '{}' ? `${head(e)}}\n` : `${head(e)},${rest.slice(1)}\n` };
}

/** `,"flow":"…"` for a proxy's message, ping or pong; nothing otherwise. */
function flowText(e: { side?: ProxySide; dir: 'in' | 'out' }): string {
  const flow = flowOf(e);
  return flow === undefined ? '' : `,"flow":${safeJsonString(flow)}`;
}

/** `payload` as text: `,"data":…,"encoding":"base64","size":n` (base64 is ASCII letters, digits, `+/=`). */
function payloadText(data: Buffer, binary: boolean): string {
  return binary
    ? `,"data":"${data.toString('base64')}","encoding":"base64","size":${data.length}`
    : `,"data":${safeJsonString(data.toString('utf8'))},"size":${data.length}`;
}

function payload(data: Buffer, binary: boolean): Fields {
  return binary
    ? { data: data.toString('base64'), encoding: 'base64', size: data.length }
    : { data: data.toString('utf8'), size: data.length };
}

/** `--decode`: `{codec, text}`, `{codec, json}` or `{codec, data, encoding: "base64"}`, and the decoded size. */
function decodedField(d: DecodedPayload): Fields {
  if (d.text !== undefined) return { codec: d.codec, text: d.text, size: d.size };
  if (d.jsonText !== undefined) return { codec: d.codec, json: d.json };
  return { codec: d.codec, data: d.bytes?.toString('base64') ?? '', encoding: 'base64', size: d.size };
}

export function createJsonRenderer(o: JsonOptions): Renderer {
  const url = (text: string): string => (o.showSecrets ? text : maskUrl(text));
  const text = (t: string): string => (o.showSecrets ? t : maskSecretsInText(t));
  const control = (e: ControlEvent<'ping' | 'pong'>): Rendered => {
    // Ping/pong payloads are usually short text: shown as text when they are valid UTF-8.
    let text = `${head(e)},"dir":${safeJsonString(e.dir)}${flowText(e)}${payloadText(e.data, !isUtf8(e.data))}`;
    if (e.rttMs !== undefined) text += `,"rttMs":${jsonNumber(Math.round(e.rttMs * 1000) / 1000)}`;
    return { out: `${text}}\n` };
  };
  return {
    connecting: (e) => line(e, { url: url(e.url) }),
    request: (e) => line(e, { method: e.method, url: url(e.url), headers: headerObject(e.headers, o.showSecrets) }),
    response: (e) => {
      const fields: Fields = {
        status: e.status,
        statusText: e.statusText,
        headers: headerObject(e.headers, o.showSecrets),
      };
      if (e.body) {
        fields.body = e.body.toString('utf8');
        fields.bodyTruncated = e.bodyTruncated === true;
      }
      if (e.redirect !== undefined) fields.redirect = url(e.redirect);
      return line(e, fields);
    },
    tls: (e) =>
      line(e, {
        protocol: e.protocol,
        cipher: e.cipher,
        alpn: e.alpn,
        verified: e.verified,
        ...(e.verifyError !== undefined ? { verifyError: e.verifyError } : {}),
        ...(e.certificate ? { certificate: e.certificate } : {}),
      }),
    open: (e) =>
      line(e, {
        url: url(e.url),
        protocol: e.protocol,
        extensions: e.extensions,
        ...(e.remote !== undefined ? { remote: e.remote } : {}),
      }),
    message: (e) => {
      let text = `${head(e, '{"event":"message"')},"dir":${safeJsonString(e.dir)}${flowText(e)},"type":${e.binary ? '"binary"' : '"text"'}${payloadText(e.data, e.binary)}`;
      if (e.from !== undefined) text += `,"from":${jsonNumber(e.from)}`;
      if (e.rule !== undefined) text += `,"rule":${jsonNumber(e.rule)}`;
      if (e.to !== undefined) text += `,"recipients":${e.to.length},"to":${safeJson(e.to)}`;
      if (e.decoded) text += `,"decoded":${safeJson(decodedField(e.decoded))}`;
      if (e.decodeNote !== undefined) text += `,"decodeError":${safeJsonString(e.decodeNote)}`;
      return { out: `${text}}\n` };
    },
    socketio: (e) => line(e, socketioFields(e)),
    ping: control,
    pong: control,
    close: (e) => line(e, { code: e.code, reason: e.reason, by: e.by, clean: e.clean }),
    error: (e) => {
      const fields: Fields = { kind: e.kind, message: text(e.message) };
      if (e.hint) fields.hint = text(e.hint);
      return { ...line(e, fields), err: `${errorText(e, o.showSecrets)}\n` };
    },
    frame: (e) => {
      let text = `${head(e, '{"event":"frame"')},"dir":${safeJsonString(e.dir)},"opcode":${jsonNumber(e.opcode)},"type":${safeJsonString(e.opcodeName)},"fin":${e.fin},"rsv1":${e.rsv1},"masked":${e.masked},"length":${jsonNumber(e.length)}`;
      if (e.closeCode !== undefined) text += `,"closeCode":${jsonNumber(e.closeCode)}`;
      return { out: `${text}}\n` };
    },
    reconnecting: (e) => line(e, { attempt: e.attempt, of: e.of ?? null, delayMs: e.delayMs, reason: text(e.reason) }),
    // A hint for people: the stream has the messages (none) and the close.
    'nothing-received': () => null,
    interrupted: (e) => line(e, { signal: e.signal }),
    listening: (e) => line(e, { url: url(e.url) }),
    connection: (e) => line(e, { remote: e.remote }),
    'exec-start': (e) => line(e, { pid: e.pid, command: e.command }),
    'exec-exit': (e) =>
      line(e, { pid: e.pid, code: e.code, signal: e.signal, failed: e.failed, durationMs: e.durationMs }),
    'exec-stderr': (e) => line(e, { pid: e.pid, data: e.data.toString('utf8') }),
    compare: (e) => {
      const fields: Fields = { index: e.index, result: e.result };
      if (e.after !== undefined) fields.after = e.after;
      if (e.expected)
        fields.expected = {
          type: e.expected.binary ? 'binary' : 'text',
          ...payload(e.expected.data, e.expected.binary),
        };
      if (e.actual)
        fields.actual = { type: e.actual.binary ? 'binary' : 'text', ...payload(e.actual.data, e.actual.binary) };
      if (e.diff) fields.diff = e.diff;
      return line(e, fields);
    },
    replay: (e) => {
      const { matched, expected, equal, differing, missing, extra, first } = e;
      return line(e, {
        matched,
        expected,
        equal,
        differing,
        missing,
        extra,
        ...(first !== undefined ? { first } : {}),
      });
    },
    summary: (e) =>
      line(e, {
        exitCode: e.exitCode,
        messagesIn: e.messagesIn,
        messagesOut: e.messagesOut,
        bytesIn: e.bytesIn,
        bytesOut: e.bytesOut,
        timings: e.timings,
        ...(e.rtt ? { rtt: e.rtt } : {}),
        ...(e.close ? { close: e.close } : {}),
        ...(e.filtered !== undefined ? { filtered: e.filtered } : {}),
      }),
  };
}
