/**
 * Reading a recording: the NDJSON of `connect --json` (our messages `out`, the server's `in`), of
 * `proxy --json` (one pair, `conn`, by its `flow`) or of a server's `--json` (a client's messages `in`).
 * What matters for a replay is kept: the messages each way in order, with their times, and the URL.
 * Pure: the text is given, nothing is read here.
 */

export type Speaker = 'client' | 'server';

export interface RecordedMessage {
  from: Speaker;
  data: Buffer;
  binary: boolean;
  /** Milliseconds since the epoch, as recorded (0 when the recording had no usable time). */
  at: number;
  /** 1-based line of the recording it came from. */
  line: number;
}

export interface Recording {
  /** The URL the recording's client connected to (a proxy's: the upstream's), when it says. */
  url?: string;
  /** The pair replayed, for a proxy or server recording. */
  conn?: number;
  messages: RecordedMessage[];
}

export type RecordingResult = { ok: true; value: Recording } | { ok: false; error: string; line?: number };

interface RawEvent {
  event: string;
  time?: unknown;
  conn?: unknown;
  side?: unknown;
  dir?: unknown;
  flow?: unknown;
  type?: unknown;
  data?: unknown;
  encoding?: unknown;
  url?: unknown;
}

/** Who sent a message event, or undefined for one that is not part of the conversation. */
function speakerOf(e: RawEvent): Speaker | undefined {
  if (typeof e.flow === 'string') {
    // proxy: relayed both ways; what was injected (`proxy>…`) counts as the side it went to hearing it.
    if (e.flow === 'client>upstream' || e.flow === 'proxy>upstream') return 'client';
    if (e.flow === 'upstream>client' || e.flow === 'proxy>client') return 'server';
    return undefined;
  }
  if (e.dir !== 'in' && e.dir !== 'out') return undefined;
  // A server's recording (listen, echo) carries `conn`: what came in is the client's.
  if (e.conn !== undefined) return e.dir === 'in' ? 'client' : 'server';
  return e.dir === 'out' ? 'client' : 'server';
}

function timeOf(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  return 0;
}

/**
 * `conn`: the pair (or server client) to replay; by default the first one with a message. A connect
 * recording has no `conn`, and `conn` is then ignored.
 */
export function parseRecording(text: string, conn?: number): RecordingResult {
  const lines = text.split('\n');
  const messages: RecordedMessage[] = [];
  let chosen = conn;
  const urls = new Map<number | undefined, string>();
  let events = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    let e: RawEvent;
    try {
      e = JSON.parse(raw) as RawEvent;
    } catch (err) {
      return { ok: false, line: i + 1, error: `line ${i + 1}: not JSON (${(err as Error).message})` };
    }
    if (e === null || typeof e !== 'object' || Array.isArray(e) || typeof e.event !== 'string') {
      return { ok: false, line: i + 1, error: `line ${i + 1}: not a wsprobe --json event (no "event")` };
    }
    events++;
    const pair = typeof e.conn === 'number' ? e.conn : undefined;
    // The URL the client asked for: connect's `open`/`connecting`, a proxy's upstream side.
    if ((e.event === 'open' || e.event === 'connecting') && typeof e.url === 'string') {
      if (e.side === undefined || e.side === 'upstream') if (!urls.has(pair)) urls.set(pair, e.url);
    }
    if (e.event !== 'message') continue;
    const from = speakerOf(e);
    if (from === undefined) continue;
    if (pair !== undefined) {
      if (chosen === undefined) chosen = pair;
      if (pair !== chosen) continue;
    }
    if (typeof e.data !== 'string') {
      return { ok: false, line: i + 1, error: `line ${i + 1}: a message event without "data"` };
    }
    const base64 = e.encoding === 'base64';
    const binary = e.type === 'binary' || (e.type === undefined && base64);
    messages.push({
      from,
      data: Buffer.from(e.data, base64 ? 'base64' : 'utf8'),
      binary,
      at: timeOf(e.time),
      line: i + 1,
    });
  }
  if (events === 0) return { ok: false, line: 1, error: 'empty: not a recording (wsprobe connect --json > file)' };
  if (messages.length === 0) {
    const which = conn !== undefined ? ` of connection ${conn}` : '';
    return { ok: false, line: lines.length, error: `no messages${which} in the recording` };
  }
  const url = urls.get(chosen) ?? urls.get(undefined);
  return { ok: true, value: { url, conn: chosen, messages } };
}

/** The messages of one side, in order. */
export function messagesFrom(recording: Recording, from: Speaker): RecordedMessage[] {
  return recording.messages.filter((m) => m.from === from);
}
