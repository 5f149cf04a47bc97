/**
 * How a `socketio` event reads, for the three renderers. Binary arguments (Buffers) are written
 * `{"$binary":"<base64>"}` everywhere text is made of them (pretty, pipe, JSON). Pure.
 */
import type { SocketIoEvent } from './events.js';
import { escapeControl } from './sanitize.js';

/** A value with its Buffers as `{"$binary":"<base64>"}`, ready for JSON. */
export function jsonArgs(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { $binary: value.toString('base64') };
  if (Array.isArray(value)) return value.map(jsonArgs);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonArgs(v)]));
  }
  return value;
}

/** `["hi",{"from":"ann"}]`, escaped for a terminal. */
export function argsText(args: readonly unknown[] | undefined): string {
  return escapeControl(JSON.stringify(jsonArgs(args ?? [])) ?? '[]', false);
}

/** The pipe line of a received event: `["chat","hi",{"from":"ann"}]`. */
export function eventArray(e: SocketIoEvent): string {
  return JSON.stringify(jsonArgs([e.name ?? '', ...(e.args ?? [])]));
}

const nsText = (e: SocketIoEvent): string => (e.ns === '/' ? '' : `${escapeControl(e.ns, false)} `);

/** The parts of an event's line: namespace, name (to highlight), arguments, and a note. */
export function eventParts(e: SocketIoEvent): { ns: string; name: string; args: string; note: string } {
  const notes: string[] = [];
  if (e.ackId !== undefined) notes.push(e.type === 'ack' ? `id ${e.ackId}` : `ack id ${e.ackId}`);
  if (e.rttMs !== undefined) notes.push(`rtt ${e.rttMs.toFixed(1)} ms`);
  return {
    ns: nsText(e),
    name: e.type === 'ack' ? 'ack' : escapeControl(e.name ?? '', false),
    args: argsText(e.args),
    note: notes.length ? ` (${notes.join(', ')})` : '',
  };
}

/** The status line of everything but events and acks (null: nothing to say in text). */
export function socketioStatusText(e: SocketIoEvent): string | null {
  switch (e.type) {
    case 'open': {
      const o = e.open;
      if (!o) return null;
      const upgrades = o.upgrades.length ? o.upgrades.join(', ') : 'none';
      return `engine.io open: sid ${escapeControl(o.sid, false)}, pingInterval ${o.pingInterval} ms, pingTimeout ${o.pingTimeout} ms, upgrades ${escapeControl(upgrades, false)}`;
    }
    case 'connect':
      return e.dir === 'in'
        ? `socket.io connected to namespace ${escapeControl(e.ns, false)}${e.sid ? ` (sid ${escapeControl(e.sid, false)})` : ''}`
        : null;
    case 'disconnect':
      return `socket.io: the server disconnected ${e.ns === '/' ? 'the main namespace' : `namespace ${escapeControl(e.ns, false)}`}`;
    case 'ping':
    case 'pong':
      return `engine.io ${e.type} ${e.dir}`;
    default:
      // connect-error: the error line says it.
      return null;
  }
}

/** The JSON fields of a `socketio` event. */
export function socketioFields(e: SocketIoEvent): Record<string, unknown> {
  const f: Record<string, unknown> = { dir: e.dir, type: e.type, ns: e.ns };
  if (e.name !== undefined) f.name = e.name;
  if (e.args !== undefined) f.args = jsonArgs(e.args);
  if (e.ackId !== undefined) f.ackId = e.ackId;
  if (e.rttMs !== undefined) f.rttMs = Math.round(e.rttMs * 1000) / 1000;
  if (e.open !== undefined) f.open = e.open;
  if (e.sid !== undefined) f.sid = e.sid;
  if (e.message !== undefined) f.message = e.message;
  return f;
}
