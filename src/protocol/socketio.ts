/**
 * Engine.IO (v3 and v4) and Socket.IO (protocol v4, used by Socket.IO 2, and v5, Socket.IO 3 and 4)
 * packets over the WebSocket transport, both ways. Pure: strings and buffers in, packets out — the
 * session layer (session/socketio.ts) owns the timers and the socket. Written here rather than taken
 * from socket.io-parser/engine.io-parser: those speak one protocol version each (we need both), throw
 * on what a broken server sends (we must show it), and bring an emitter and `debug` along.
 *
 * Engine.IO over WebSocket: one packet per frame; a text frame starts with the packet type digit
 * (`0` open, `1` close, `2` ping, `3` pong, `4` message, `5` upgrade, `6` noop); a binary frame is a
 * message with binary data (Engine.IO 3 prefixes it with the byte 4, Engine.IO 4 sends it as it is).
 * Socket.IO: `<type>[<attachments>-][<nsp>,][<ack id>][JSON]` inside an Engine.IO message, binary
 * attachments in the binary frames that follow, as `{"_placeholder":true,"num":n}` in the JSON.
 */
import type { Parsed } from './close-codes.js';

export type EioVersion = 3 | 4;

/** What the Engine.IO open packet says. */
export interface EngineOpen {
  sid: string;
  upgrades: string[];
  pingInterval: number;
  pingTimeout: number;
  maxPayload?: number;
}

export type EnginePacket =
  | { type: 'open'; open: EngineOpen }
  | { type: 'close' }
  | { type: 'ping'; data: string }
  | { type: 'pong'; data: string }
  | { type: 'message'; data: string }
  | { type: 'binary'; data: Buffer }
  | { type: 'upgrade' }
  | { type: 'noop' };

const ENGINE_TYPES = ['open', 'close', 'ping', 'pong', 'message', 'upgrade', 'noop'] as const;

/** One WebSocket message as an Engine.IO packet. */
export function decodeEngine(data: Buffer, isBinary: boolean, eio: EioVersion): Parsed<EnginePacket> {
  if (isBinary) {
    if (eio === 4) return { ok: true, value: { type: 'binary', data } };
    if (data.length === 0 || data[0] !== 4)
      return { ok: false, error: 'an Engine.IO 3 binary frame must start with 04' };
    return { ok: true, value: { type: 'binary', data: data.subarray(1) } };
  }
  const text = data.toString('utf8');
  const type = ENGINE_TYPES[Number(text[0])];
  if (text.length === 0 || type === undefined || !/\d/.test(text[0])) {
    return { ok: false, error: `not an Engine.IO packet: ${JSON.stringify(text.slice(0, 40))}` };
  }
  const rest = text.slice(1);
  switch (type) {
    case 'open': {
      const open = parseOpen(rest);
      return open.ok ? { ok: true, value: { type, open: open.value } } : open;
    }
    case 'ping':
    case 'pong':
    case 'message':
      return { ok: true, value: { type, data: rest } };
    default:
      return { ok: true, value: { type } };
  }
}

function parseOpen(json: string): Parsed<EngineOpen> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, error: 'the Engine.IO open packet is not JSON' };
  }
  const v = value as Partial<EngineOpen> | null;
  if (!v || typeof v.sid !== 'string' || typeof v.pingInterval !== 'number' || typeof v.pingTimeout !== 'number') {
    return { ok: false, error: 'the Engine.IO open packet lacks sid, pingInterval or pingTimeout' };
  }
  return {
    ok: true,
    value: {
      sid: v.sid,
      upgrades: Array.isArray(v.upgrades) ? v.upgrades.map(String) : [],
      pingInterval: v.pingInterval,
      pingTimeout: v.pingTimeout,
      ...(typeof v.maxPayload === 'number' ? { maxPayload: v.maxPayload } : {}),
    },
  };
}

/** The text of an Engine.IO packet we send (`2`, `3`, `4…`). */
export function encodeEngine(type: 'ping' | 'pong' | 'message' | 'close', data = ''): string {
  return `${ENGINE_TYPES.indexOf(type)}${data}`;
}

/** An Engine.IO binary message (an attachment) as a WebSocket binary frame. */
export function encodeEngineBinary(data: Buffer, eio: EioVersion): Buffer {
  return eio === 4 ? data : Buffer.concat([Buffer.from([4]), data]);
}

export const SIO_TYPES = [
  'CONNECT',
  'DISCONNECT',
  'EVENT',
  'ACK',
  'CONNECT_ERROR',
  'BINARY_EVENT',
  'BINARY_ACK',
] as const;
export type SioType = (typeof SIO_TYPES)[number];

export interface SioPacket {
  type: SioType;
  /** `/` for the main namespace. */
  nsp: string;
  /** Socket.IO 2 clients may put a query on a CONNECT's namespace (`/admin?token=1`). */
  query?: string;
  id?: number;
  data?: unknown;
  /** BINARY_EVENT / BINARY_ACK: how many binary frames follow. */
  attachments?: number;
}

/** The Socket.IO packet inside an Engine.IO message. */
export function decodeSio(text: string): Parsed<SioPacket> {
  const bad = (why: string): Parsed<SioPacket> => ({
    ok: false,
    error: `invalid Socket.IO packet ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text)}: ${why}`,
  });
  const type = SIO_TYPES[Number(text[0])];
  if (type === undefined || !/\d/.test(text[0] ?? '')) return bad('unknown packet type');
  let at = 1;
  const packet: SioPacket = { type, nsp: '/' };
  if (type === 'BINARY_EVENT' || type === 'BINARY_ACK') {
    const dash = text.indexOf('-', at);
    const count = text.slice(at, dash);
    if (dash < 0 || !/^\d+$/.test(count)) return bad('no attachment count');
    packet.attachments = Number(count);
    at = dash + 1;
  }
  if (text[at] === '/') {
    const comma = text.indexOf(',', at);
    const end = comma < 0 ? text.length : comma;
    const nsp = text.slice(at, end);
    const q = nsp.indexOf('?');
    packet.nsp = q < 0 ? nsp : nsp.slice(0, q);
    if (q >= 0) packet.query = nsp.slice(q + 1);
    at = comma < 0 ? end : end + 1;
  }
  const id = /^\d+/.exec(text.slice(at));
  if (id) {
    packet.id = Number(id[0]);
    at += id[0].length;
  }
  if (at < text.length) {
    try {
      packet.data = JSON.parse(text.slice(at));
    } catch {
      return bad('the payload is not JSON');
    }
  }
  if ((type === 'EVENT' || type === 'BINARY_EVENT') && !(Array.isArray(packet.data) && packet.data.length > 0)) {
    return bad('an event must be a non-empty array');
  }
  if ((type === 'ACK' || type === 'BINARY_ACK') && (packet.id === undefined || !Array.isArray(packet.data))) {
    return bad('an ack needs an id and an array');
  }
  return { ok: true, value: packet };
}

/**
 * A packet as the text of its Engine.IO message (without the leading `4`) and its binary attachments:
 * every Buffer in `data` becomes a placeholder and the event a BINARY_EVENT (an ack a BINARY_ACK).
 */
export function encodeSio(packet: SioPacket): { text: string; attachments: Buffer[] } {
  const attachments: Buffer[] = [];
  const data = packet.data === undefined ? undefined : deconstruct(packet.data, attachments);
  let type = packet.type;
  if (attachments.length > 0 && type === 'EVENT') type = 'BINARY_EVENT';
  if (attachments.length > 0 && type === 'ACK') type = 'BINARY_ACK';
  let text = String(SIO_TYPES.indexOf(type));
  if (type === 'BINARY_EVENT' || type === 'BINARY_ACK') text += `${attachments.length}-`;
  const nsp = packet.nsp + (packet.query ? `?${packet.query}` : '');
  if (nsp !== '/') text += `${nsp},`;
  if (packet.id !== undefined) text += String(packet.id);
  if (data !== undefined) text += JSON.stringify(data);
  return { text, attachments };
}

function deconstruct(value: unknown, out: Buffer[]): unknown {
  if (Buffer.isBuffer(value)) {
    out.push(value);
    return { _placeholder: true, num: out.length - 1 };
  }
  if (Array.isArray(value)) return value.map((v) => deconstruct(v, out));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deconstruct(v, out)]));
  }
  return value;
}

/** Puts the binary attachments back where their placeholders are. */
export function reconstruct(value: unknown, attachments: readonly Buffer[]): unknown {
  if (Array.isArray(value)) return value.map((v) => reconstruct(v, attachments));
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (o._placeholder === true && typeof o.num === 'number' && attachments[o.num] !== undefined) {
      return attachments[o.num];
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, reconstruct(v, attachments)]));
  }
  return value;
}

/**
 * Incoming Engine.IO messages to whole Socket.IO packets: a BINARY_EVENT/BINARY_ACK waits for its
 * binary frames, then comes out with the buffers in place.
 */
export class SioDecoder {
  private pending: { packet: SioPacket; buffers: Buffer[] } | null = null;

  /** A text message: a packet, `null` while it waits for attachments, or an error. */
  text(text: string): Parsed<SioPacket | null> {
    if (this.pending) return { ok: false, error: 'a Socket.IO packet arrived while binary attachments were awaited' };
    const decoded = decodeSio(text);
    if (!decoded.ok) return decoded;
    if (decoded.value.attachments) {
      this.pending = { packet: decoded.value, buffers: [] };
      return { ok: true, value: null };
    }
    return decoded;
  }

  /** A binary message: the completed packet once the last attachment is in, or `null`. */
  binary(data: Buffer): Parsed<SioPacket | null> {
    const p = this.pending;
    if (!p) return { ok: false, error: 'a binary frame arrived that no Socket.IO packet announced' };
    p.buffers.push(data);
    if (p.buffers.length < (p.packet.attachments ?? 0)) return { ok: true, value: null };
    this.pending = null;
    return { ok: true, value: { ...p.packet, data: reconstruct(p.packet.data, p.buffers) } };
  }

  /** Attachments still expected (a binary message belongs to a packet). */
  get waiting(): boolean {
    return this.pending !== null;
  }
}

/**
 * `--emit 'chat "hi" {"from":"ann"}'`, a typed `/emit …`: an event name and its arguments, JSON
 * values separated by spaces (or commas). `["chat","hi"]` — a whole JSON array — is accepted too.
 */
export function parseEmit(text: string): Parsed<unknown[]> {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) return parseEventArray(trimmed);
  const m = /^(\S+)\s*(.*)$/s.exec(trimmed);
  if (!m) return { ok: false, error: 'expected an event name, then its arguments as JSON' };
  const args = parseJsonValues(m[2]);
  if (!args.ok) return args;
  return { ok: true, value: [m[1], ...args.value] };
}

/** A pipe line: a JSON array whose first element is the event name. */
export function parseEventArray(text: string): Parsed<unknown[]> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: `not JSON (${(err as Error).message}); expected ["event", arg, …]` };
  }
  if (!Array.isArray(value) || value.length === 0 || typeof value[0] !== 'string') {
    return { ok: false, error: 'expected a JSON array starting with the event name: ["event", arg, …]' };
  }
  return { ok: true, value };
}

/** JSON values one after the other, separated by spaces or commas. */
export function parseJsonValues(text: string): Parsed<unknown[]> {
  const values: unknown[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && /[\s,]/.test(text[i])) i++;
    if (i >= n) break;
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < n; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') {
          inString = false;
          if (depth === 0) {
            i++;
            break;
          }
        }
        continue;
      }
      if (ch === '"') inString = true;
      else if (ch === '[' || ch === '{') depth++;
      else if (ch === ']' || ch === '}') {
        depth--;
        if (depth <= 0) {
          i++;
          break;
        }
      } else if (depth === 0 && /[\s,]/.test(ch)) break;
    }
    const token = text.slice(start, i);
    try {
      values.push(JSON.parse(token));
    } catch {
      return { ok: false, error: `argument ${values.length + 1} is not JSON: ${token}` };
    }
  }
  return { ok: true, value: values };
}

/** A binary argument in JSON output and pipe lines: `{"$binary":"<base64>"}`. */
export function argsToJson(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { $binary: value.toString('base64') };
  if (Array.isArray(value)) return value.map(argsToJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, argsToJson(v)]));
  }
  return value;
}

/** The Engine.IO URL: `ws://host:port/socket.io/?EIO=4&transport=websocket`, the URL's query kept. */
export function engineUrl(url: string, path: string, eio: EioVersion): { url: string; namespace?: string } {
  const u = new URL(url);
  const namespace = u.pathname !== '/' && u.pathname !== '' ? u.pathname.replace(/\/+$/, '') : undefined;
  u.pathname = path.startsWith('/') ? path : `/${path}`;
  u.searchParams.set('EIO', String(eio));
  u.searchParams.set('transport', 'websocket');
  return { url: u.toString(), namespace };
}

/** `{"token":"abc"}` as a Socket.IO 2 namespace query: `token=abc` (objects as JSON text). */
export function authQuery(auth: Record<string, unknown>): string {
  return Object.entries(auth)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('&');
}
