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
  /** Its `time`, as recorded (read by `recordedAt` only when the pace needs it). */
  time?: string | number;
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

/** When a message was recorded, in ms since the epoch (0 when the recording had no usable time). */
export function recordedAt(m: RecordedMessage): number {
  const value = m.time;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  return 0;
}

/** A line that makes the text not a recording. */
export class RecordingError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/**
 * Reads a recording line by line, so that a long one can be replayed while it is read: `line` gives
 * each line's message (if it is one of the conversation), `end` says, after the last line, why the text
 * was not a recording. `conn`: the pair (or server client) to replay; by default the first one with a
 * message. A connect recording has no `conn`, and `conn` is then ignored.
 */
export class RecordingParser {
  private chosen: number | undefined;
  private readonly urls = new Map<number | undefined, string>();
  private events = 0;
  private messages = 0;

  constructor(private readonly conn?: number) {
    this.chosen = conn;
  }

  /** The URL the chosen pair's client asked for, once its `open` (or `connecting`) has been read. */
  get url(): string | undefined {
    return this.urls.get(this.chosen) ?? this.urls.get(undefined);
  }

  /** The pair replayed (undefined for a connect recording). */
  get pair(): number | undefined {
    return this.chosen;
  }

  /** One line (1-based `number`): its message, or undefined; a line that is not an event throws. */
  line(text: string, number: number): RecordedMessage | undefined {
    const raw = text.trim();
    if (raw === '') return undefined;
    let e: RawEvent;
    try {
      e = JSON.parse(raw) as RawEvent;
    } catch (err) {
      throw new RecordingError(number, `not JSON (${(err as Error).message})`);
    }
    if (e === null || typeof e !== 'object' || Array.isArray(e) || typeof e.event !== 'string') {
      throw new RecordingError(number, 'not a wsprobe --json event (no "event")');
    }
    this.events++;
    const pair = typeof e.conn === 'number' ? e.conn : undefined;
    // The URL the client asked for: connect's `open`/`connecting`, a proxy's upstream side.
    if ((e.event === 'open' || e.event === 'connecting') && typeof e.url === 'string') {
      if (e.side === undefined || e.side === 'upstream') if (!this.urls.has(pair)) this.urls.set(pair, e.url);
    }
    if (e.event !== 'message') return undefined;
    const from = speakerOf(e);
    if (from === undefined) return undefined;
    if (pair !== undefined) {
      if (this.chosen === undefined) this.chosen = pair;
      if (pair !== this.chosen) return undefined;
    }
    if (typeof e.data !== 'string') throw new RecordingError(number, 'a message event without "data"');
    const base64 = e.encoding === 'base64';
    const binary = e.type === 'binary' || (e.type === undefined && base64);
    this.messages++;
    const time = typeof e.time === 'string' || typeof e.time === 'number' ? e.time : undefined;
    return { from, data: Buffer.from(e.data, base64 ? 'base64' : 'utf8'), binary, time, line: number };
  }

  /** After the last line (`lines` of them): why the text is not a recording, or undefined. */
  end(lines: number): RecordingError | undefined {
    if (this.events === 0) return new RecordingError(1, 'empty: not a recording (wsprobe connect --json > file)');
    if (this.messages === 0) {
      const which = this.conn !== undefined ? ` of connection ${this.conn}` : '';
      return new RecordingError(lines, `no messages${which} in the recording`);
    }
    return undefined;
  }
}

/** A whole recording at once (see RecordingParser). */
export function parseRecording(text: string, conn?: number): RecordingResult {
  const lines = text.split('\n');
  const parser = new RecordingParser(conn);
  const messages: RecordedMessage[] = [];
  try {
    for (let i = 0; i < lines.length; i++) {
      const m = parser.line(lines[i], i + 1);
      if (m) messages.push(m);
    }
  } catch (err) {
    if (!(err instanceof RecordingError)) throw err;
    return { ok: false, line: err.line, error: err.message };
  }
  const problem = parser.end(lines.length);
  if (problem) return { ok: false, line: problem.line, error: problem.message };
  return { ok: true, value: { url: parser.url, conn: parser.pair, messages } };
}

/** The messages of one side, in order. */
export function messagesFrom(recording: Recording, from: Speaker): RecordedMessage[] {
  return recording.messages.filter((m) => m.from === from);
}
