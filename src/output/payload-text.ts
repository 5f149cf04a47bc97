/**
 * A received or sent message's payload as pretty mode shows it: JSON laid out and coloured, text cut
 * at `--max-text` with a note saying how much was cut and how to see it all, a decoded binary payload
 * (`--decode`) as its text or value. Everything from the peer is escaped (sanitize.ts) before it is
 * painted. Pure.
 */
import type { ChalkInstance } from 'chalk';
import { formatJsonText, type JsonLayout, type JsonTokenKind } from '../protocol/json-format.js';
import { humanSize } from '../protocol/size.js';
import type { MessageEvent } from './events.js';
import { escapeControl } from './sanitize.js';

export interface PayloadTextOptions {
  chalk: ChalkInstance;
  /** Bytes of text shown (0: all). */
  maxText: number;
  jsonLayout: JsonLayout | 'off';
  /** Columns the compact JSON form may take. */
  width: () => number;
}

const PRINTABLE = /^[\x20-\x7e\t\n\r]*$/;

/** Formatting stops being worth it past this: such a text is shown as it came (and cut). */
const MAX_FORMATTED = 8 * 1024 * 1024;

/**
 * The colour of each kind of token, as plain open + text + close: chalk's own call looks for nested
 * codes and line breaks in every string, which a token (escaped: no ESC, no newline) never has — and
 * a message can have thousands of tokens.
 */
type Painters = Partial<Record<JsonTokenKind, (s: string) => string>>;
const PAINTERS = new WeakMap<ChalkInstance, Painters>();
/** The last chalk asked for and its painters: a session has one, asked once per message. */
let lastChalk: ChalkInstance | undefined;
let lastPainters: Painters = {};
function painters(c: ChalkInstance): Painters {
  if (c === lastChalk) return lastPainters;
  let p = PAINTERS.get(c);
  if (!p) {
    const wrap = (style: (s: string) => string) => {
      const [open, close] = style('\0').split('\0');
      return (s: string) => open + s + close;
    };
    p = { key: wrap(c.cyan), string: wrap(c.green), number: wrap(c.yellow), literal: wrap(c.magenta) };
    PAINTERS.set(c, p);
  }
  lastChalk = c;
  lastPainters = p;
  return p;
}

/** A text payload as shown: its first line goes after the `<` mark; the others start with two spaces. */
export interface PayloadLines {
  text: string;
  /** The `… cut` note, when --max-text cut the text. */
  cutNote?: string;
}

function cutNote(shownBytes: number, total: number): string {
  return `… ${humanSize(total - shownBytes)} cut (shown ${humanSize(shownBytes)} of ${humanSize(total)}; --max-text 0 shows all)`;
}

/** `text` (of `totalBytes` bytes) laid out for the terminal. */
export function payloadLines(text: string, totalBytes: number, o: PayloadTextOptions): PayloadLines {
  const c = o.chalk;
  const limit = o.maxText > 0 ? o.maxText : Number.POSITIVE_INFINITY;
  if (o.jsonLayout !== 'off' && text.length <= MAX_FORMATTED) {
    // Nothing to escape in printable ASCII (most JSON): one test per message, not one per string.
    let printable: boolean | undefined;
    const laid = formatJsonText(text, {
      layout: o.jsonLayout,
      width: Math.max(20, o.width() - 2),
      escape: (s) => {
        if (printable === undefined) printable = PRINTABLE.test(text);
        return printable ? s : escapeControl(s, false);
      },
      paint: c.level > 0 ? painters(c) : undefined,
      limit,
      margin: '  ',
    });
    if (laid !== null) {
      if (laid.cutAt === undefined) return { text: laid.text };
      const shown = Buffer.byteLength(text.slice(0, laid.cutAt));
      return { text: laid.text, cutNote: cutNote(shown, totalBytes) };
    }
  }
  if (totalBytes <= limit) return { text: withMargin(escapeControl(text)) };
  // Cut at a character boundary: a partial UTF-8 sequence at the end is left out.
  const head = Buffer.from(text.slice(0, limit), 'utf8')
    .subarray(0, limit)
    .toString('utf8')
    .replace(/\ufffd$/, '');
  return { text: withMargin(escapeControl(head)), cutNote: cutNote(Buffer.byteLength(head), totalBytes) };
}

function withMargin(text: string): string {
  return text.includes('\n') ? text.replace(/\n/g, '\n  ') : text;
}

/** What a `--decode`d payload is, after its first line: `  (gzip, 312 bytes)`. */
export function decodedNote(e: MessageEvent): string {
  return e.decoded ? `  (${e.decoded.codec}, ${humanSize(e.data.length)})` : '';
}

/** The text to show for a decoded payload, or null when it decoded to bytes (shown as a hex dump). */
export function decodedText(e: MessageEvent): string | null {
  return e.decoded?.text ?? e.decoded?.jsonText ?? null;
}
