/**
 * Between the session and the renderers: `--decode` and `--filter`/`--filter-out`, the same in every
 * output mode. A received binary message is decoded once (the renderers show `decoded`); a received
 * message that the filters leave out is counted, not rendered, and the `summary` carries the count.
 *
 * The MessagePack and CBOR libraries are imported only when `--decode` needs them; until they are
 * loaded (a few milliseconds, before any message can arrive) events wait here, in order.
 */
import { type Codecs, type DecodeChoice, decodePayload, loadCodecs, needsLibraries } from '../protocol/decode.js';
import { type Expectation, matches, parseFilter } from '../protocol/expect.js';
import type { MessageEvent, SessionEvent } from './events.js';
import type { Output } from './output.js';

export interface PayloadViewOptions {
  decode?: DecodeChoice;
  /** Decompression stops at this many bytes. */
  decodeLimit: number;
  filter: readonly string[];
  filterOut: readonly string[];
}

export const DEFAULT_DECODE_LIMIT = 100 * 1024 * 1024;

/** Parses filter expressions, throwing the first error (flags are checked before a session starts). */
export function parseFilters(texts: readonly string[], flag: string): Expectation[] {
  return texts.map((text) => {
    const parsed = parseFilter(text, flag);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value;
  });
}

/** What a filter sees of a message: its text, or what a binary one decoded to. Null: nothing to match. */
function matchText(e: MessageEvent): string | null {
  if (!e.binary) return e.data.toString('utf8');
  return e.decoded?.text ?? e.decoded?.jsonText ?? null;
}

export class PayloadView {
  private codecs: Codecs = {};
  private include: Expectation[];
  private readonly exclude: Expectation[];
  /** Received messages left out by the filters. */
  filtered = 0;
  /** Resolves once the libraries `decode` needs are loaded; null when none are needed. */
  readonly ready: Promise<void> | null;

  constructor(private readonly o: PayloadViewOptions) {
    this.include = parseFilters(o.filter, '--filter');
    this.exclude = parseFilters(o.filterOut, '--filter-out');
    this.ready = needsLibraries(o.decode)
      ? loadCodecs(o.decode).then((codecs) => {
          this.codecs = codecs;
        })
      : null;
  }

  get filtering(): boolean {
    return this.include.length > 0 || this.exclude.length > 0;
  }

  /** `/filter <expr>` replaces the `--filter` expressions (`null`: shows every message). */
  setFilter(expr: string | null): { ok: true; value: string } | { ok: false; error: string } {
    if (expr === null) {
      this.include = [];
      return { ok: true, value: 'filter off: every received message is shown' };
    }
    const parsed = parseFilter(expr, '/filter');
    if (!parsed.ok) return parsed;
    this.include = [parsed.value];
    return { ok: true, value: `filter: only received messages matching ${expr} are shown` };
  }

  /** The event to render, or null when the filters leave it out. */
  process(e: SessionEvent): SessionEvent | null {
    if (e.event === 'summary') return this.filtering || this.filtered > 0 ? { ...e, filtered: this.filtered } : e;
    if (e.event !== 'message') return e;
    let shown = e;
    // Sent messages are decoded too (what --send-msgpack or /cbor sent); only received ones are filtered.
    if (this.o.decode !== undefined && e.binary) {
      const result = decodePayload(e.data, this.o.decode, this.codecs, this.o.decodeLimit);
      if (result?.ok) shown = { ...e, decoded: result.value };
      else if (result) {
        const note = result.error.startsWith('not ') ? result.error : `${result.codec}: ${result.error}`;
        shown = { ...e, decodeNote: note };
      }
    }
    if (e.dir === 'in' && (this.include.length > 0 || this.exclude.length > 0)) {
      const text = matchText(shown);
      const hit = (x: Expectation) => text !== null && matches(x, text);
      if ((this.include.length > 0 && !this.include.some(hit)) || this.exclude.some(hit)) {
        this.filtered++;
        return null;
      }
    }
    return shown;
  }
}

/**
 * Puts a payload view in front of `output` (the same object: what callers set on it still applies).
 * Always there, even without options: `/filter` can start filtering at any time.
 */
export function withPayloadView(output: Output, o: PayloadViewOptions): Output {
  const view = new PayloadView(o);
  const render = output.emit;
  output.setFilter = (expr) => view.setFilter(expr);
  // Callers keep a reference to `output.emit`: one function for good, which queues while loading.
  let waiting: SessionEvent[] | null = view.ready ? [] : null;
  output.emit = (e: SessionEvent): void => {
    if (waiting) {
      waiting.push(e);
      return;
    }
    const shown = view.process(e);
    if (shown) render(shown);
  };
  if (view.ready) {
    const flush = () => {
      const queued = waiting ?? [];
      waiting = null;
      for (const e of queued) output.emit(e);
    };
    void view.ready.then(flush, (err: unknown) => {
      // A library that cannot be loaded: events are shown undecoded, after the reason.
      render({ event: 'error', time: Date.now(), kind: 'internal', message: `--decode: ${(err as Error).message}` });
      flush();
    });
    const end = output.end.bind(output);
    output.end = async () => {
      await view.ready?.catch(() => {});
      return end();
    };
  }
  return output;
}
