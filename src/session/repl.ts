/**
 * The interactive prompt (stdin is a terminal): a small line editor that owns every row it draws.
 *
 * Correct by construction: the prompt and what was typed are drawn by one function (`drawing`), which
 * remembers where it left the cursor — how many rows below the prompt's first row, from the terminal's
 * width and each character's display width (output/width.ts: CJK and emoji take two columns,
 * combining marks none). Whatever else is printed while the prompt is shown goes through `wrap`:
 * the cursor goes up to the prompt's first row, everything below is cleared, the line is printed, and
 * the prompt is drawn again with the input intact and the cursor where it was. Nothing is printed on a
 * row the prompt holds, so no line is lost however far the input wraps.
 *
 * Resizes: where the cursor is then depends on the terminal. Some rewrap the line the cursor is on
 * (tmux, VTE, kitty, iTerm2, WezTerm, Windows Terminal): its rows are then those of a layout at the new
 * width. Others leave that line as it was drawn (xterm, xterm.js as in VS Code): its rows are those of
 * the last drawing. `terminalReflow` tells them apart from the environment; for a terminal it does not
 * know, the prompt goes up by the smaller of the two, which never clears a printed line but may leave
 * a stale copy of the input's first rows above the prompt.
 */
import { emitKeypressEvents } from 'node:readline';
import { type Readable, Writable } from 'node:stream';
import { displayChar, layout } from '../output/width.js';
import { HISTORY_SIZE, loadHistory, saveHistory } from './history.js';

export interface ReplOptions {
  input: Readable;
  /** The terminal the prompt is drawn on (stdout, or stderr when stdout is redirected). */
  terminal: NodeJS.WritableStream & { columns?: number };
  /** Plain text (no escape sequences): its width is counted. */
  prompt: string;
  /** No history is read or written when undefined (`--no-history`); lines are still recalled in the session. */
  historyFile?: string;
  onLine(line: string): void;
  /** Ctrl+D on an empty line (end of input). */
  onEnd(): void;
  /** Ctrl+C. */
  onInterrupt(): void;
  /** Something the user should know that is not a session event (a history file we cannot write). */
  onNotice(message: string): void;
  /** What the terminal does with the cursor's wrapped line on a resize (`terminalReflow`). */
  resizeReflow?: ResizeReflow;
}

/** Whether a terminal rewraps the line the cursor is on when it is resized. */
export type ResizeReflow = 'rewraps' | 'keeps' | 'unknown';

/** From the variables terminals set (a multiplexer first: it is the terminal the program sees). */
export function terminalReflow(vars: Readonly<Record<string, string | undefined>>): ResizeReflow {
  if (vars.TMUX) return 'rewraps';
  if (vars.STY) return 'unknown';
  if (vars.VTE_VERSION || vars.KITTY_WINDOW_ID || vars.WT_SESSION || vars.WEZTERM_PANE) return 'rewraps';
  if (vars.TERM_PROGRAM === 'iTerm.app' || vars.TERM_PROGRAM === 'WezTerm') return 'rewraps';
  if (vars.TERM_PROGRAM === 'vscode' || vars.XTERM_VERSION) return 'keeps';
  return 'unknown';
}

/** A key as `readline.emitKeypressEvents` reports it. */
interface Key {
  name?: string;
  sequence?: string;
  ctrl?: boolean;
  meta?: boolean;
  shift?: boolean;
}

type TtyInput = Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
type ResizableTerminal = NodeJS.WritableStream & {
  columns?: number;
  on?: (event: 'resize', listener: () => void) => unknown;
  off?: (event: 'resize', listener: () => void) => unknown;
};

/**
 * - `idle`: not reading yet;
 * - `hidden`: reading keys (no echo by the terminal) while nothing is drawn — while connecting;
 * - `shown`: the prompt is on screen;
 * - `ended`: after Ctrl+D: nothing drawn, keys ignored but Ctrl+C;
 * - `closed`: done, the terminal is as it was.
 */
type State = 'idle' | 'hidden' | 'shown' | 'ended' | 'closed';

const CSI = '\x1b[';
const WORD = /[\p{L}\p{N}_]/u;

export class Repl {
  private state: State = 'idle';
  private chars: string[] = [];
  private cursor = 0;
  /** Newest first. */
  private history: string[] = [];
  /** -1: the line being typed (`draft`); otherwise an index into `history`. */
  private historyPos = -1;
  private draft: string[] = [];
  private historyFailed = false;
  /** What is on screen: the pieces drawn, the cursor's piece, and its row below the prompt's first row. */
  private drawn: { pieces: string[]; cursorPiece: number; row: number } | null = null;
  /** The line just entered, printed as `> line` above the prompt unless `skipEcho` is called first. */
  private pendingEcho: string | null = null;
  /** Lines entered before the prompt was shown (while connecting), handled once it is. */
  private queued: string[] = [];
  private renderScheduled = false;
  /** The last key was Enter as CR: an LF right after it is the same Enter (a pasted CRLF). */
  private sawReturn = false;
  private resizeListening = false;

  constructor(private readonly o: ReplOptions) {}

  get active(): boolean {
    return this.state === 'shown';
  }

  /**
   * Reads keys without showing the prompt (while connecting): the terminal stops echoing, so what is
   * typed does not land on the spinner's line; it is kept and shown once `start` shows the prompt.
   * Ctrl+C works from here on.
   */
  readAhead(): void {
    if (this.state !== 'idle') return;
    this.state = 'hidden';
    this.history = this.o.historyFile !== undefined ? loadHistory(this.o.historyFile) : [];
    const input = this.o.input as TtyInput;
    emitKeypressEvents(input);
    input.on('keypress', this.onKey);
    input.setRawMode?.(true);
    input.resume();
    const terminal = this.o.terminal as ResizableTerminal;
    if (terminal.on) {
      terminal.on('resize', this.onResize);
      this.resizeListening = true;
    }
  }

  /** Shows the prompt (with anything typed so far) and reads lines. */
  start(): void {
    if (this.state === 'idle') this.readAhead();
    if (this.state !== 'hidden') return;
    this.state = 'shown';
    this.write(this.drawing());
    const queued = this.queued;
    this.queued = [];
    for (const line of queued) {
      if (this.state !== 'shown') return;
      this.enter(line);
    }
  }

  /** Stops reading; the prompt is cleared and the terminal left as it was. */
  close(): void {
    if (this.state === 'closed') return;
    const wasReading = this.state !== 'idle';
    this.write(this.erasing() + this.echoing());
    this.state = 'closed';
    if (!wasReading) return;
    const input = this.o.input as TtyInput;
    input.off('keypress', this.onKey);
    input.setRawMode?.(false);
    input.pause();
    if (this.resizeListening) (this.o.terminal as ResizableTerminal).off?.('resize', this.onResize);
  }

  /** The line just entered is not echoed as `> line`: what it does is shown instead (a sent message's `>` line). */
  skipEcho(): void {
    this.pendingEcho = null;
  }

  /**
   * A writer for `stream` (a terminal) that, while the prompt is shown, prints above the prompt and
   * redraws it, with what was typed so far, below.
   */
  wrap(stream: NodeJS.WritableStream): Writable {
    const wrapped = new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (this.state !== 'shown') {
          if (stream.write(chunk)) callback();
          else stream.once('drain', () => callback());
          return;
        }
        this.printAbove(stream, chunk);
        callback();
      },
    });
    // Output laid out to the terminal's width (pretty JSON) reads it here, as from the terminal.
    Object.defineProperty(wrapped, 'columns', { get: () => (stream as { columns?: number }).columns });
    return wrapped;
  }

  private printAbove(stream: NodeJS.WritableStream, chunk: Buffer | string): void {
    this.write(this.erasing() + this.echoing());
    stream.write(chunk);
    // The prompt starts on a row of its own.
    const last = typeof chunk === 'string' ? chunk.charCodeAt(chunk.length - 1) : chunk[chunk.length - 1];
    if (chunk.length > 0 && last !== 0x0a) stream.write('\n');
    this.write(this.drawing());
  }

  private write(text: string): void {
    if (text !== '') this.o.terminal.write(text);
  }

  private get columns(): number {
    return this.o.terminal.columns || 80;
  }

  private pieces(): string[] {
    return [this.o.prompt, ...this.chars.map(displayChar)];
  }

  /** Draws the prompt and the input from the cursor's row (column 0), and leaves the cursor on its place. */
  private drawing(): string {
    const pieces = this.pieces();
    const { starts } = layout(pieces, this.columns);
    const end = starts[starts.length - 1];
    const cursorPiece = 1 + this.cursor;
    const at = starts[cursorPiece];
    let out = pieces.join('');
    // A last row filled exactly leaves the terminal's cursor on its last column until something
    // follows: write a space to move on to the next row (as one wrapped line), and go back over it.
    if (end.col === 0 && end.row > 0) out += ' \r';
    out += moveUp(end.row - at.row);
    out += `\r${at.col > 0 ? `${CSI}${at.col}C` : ''}`;
    this.drawn = { pieces, cursorPiece, row: at.row };
    this.renderScheduled = false;
    return out;
  }

  /** Clears the prompt and input from the screen, leaving the cursor at column 0 of the prompt's first row. */
  private erasing(): string {
    const drawn = this.drawn;
    if (!drawn) return '';
    this.drawn = null;
    return `${moveUp(drawn.row)}\r${CSI}J`;
  }

  private echoing(): string {
    const line = this.pendingEcho;
    if (line === null) return '';
    this.pendingEcho = null;
    return `${this.o.prompt}${[...line].map(displayChar).join('')}\n`;
  }

  /** Redraws after an edit: once per batch of keys (a paste is one chunk of keypresses). */
  private changed(): void {
    if (this.state !== 'shown' || this.renderScheduled) return;
    this.renderScheduled = true;
    queueMicrotask(() => {
      if (!this.renderScheduled || this.state !== 'shown') return;
      this.write(this.erasing() + this.drawing());
    });
  }

  private readonly onResize = (): void => {
    const drawn = this.drawn;
    if (this.state !== 'shown' || !drawn) return;
    const rewrapped = layout(drawn.pieces, this.columns).starts[drawn.cursorPiece].row;
    const reflow = this.o.resizeReflow ?? 'unknown';
    if (reflow === 'rewraps') drawn.row = rewrapped;
    else if (reflow === 'unknown') drawn.row = Math.min(drawn.row, rewrapped);
    this.write(this.erasing() + this.drawing());
  };

  private enter(line: string): void {
    if (this.state === 'hidden') {
      this.queued.push(line);
      return;
    }
    this.write(this.erasing());
    this.remember(line);
    this.pendingEcho = line;
    this.o.onLine(line);
    // Drawn again whether the line printed anything or not (a line that printed drew it already).
    if (this.state === 'shown' && this.drawn === null) this.write(this.echoing() + this.drawing());
  }

  private remember(line: string): void {
    if (line.trim() === '') return;
    this.history = [line, ...this.history.filter((entry) => entry !== line)].slice(0, HISTORY_SIZE);
    if (this.o.historyFile === undefined || this.historyFailed) return;
    const problem = saveHistory(this.o.historyFile, this.history);
    if (problem) {
      this.historyFailed = true;
      this.o.onNotice(problem);
    }
  }

  private readonly onKey = (s: string | undefined, key: Key | undefined): void => {
    const k: Key = key ?? { sequence: s };
    const wasReturn = this.sawReturn;
    this.sawReturn = k.name === 'return';
    if (k.ctrl && k.name === 'c') {
      this.o.onInterrupt();
      return;
    }
    if (this.state !== 'shown' && this.state !== 'hidden') return;
    if (k.name === 'enter' && wasReturn) return;
    if (k.name === 'return' || k.name === 'enter') {
      const line = this.chars.join('');
      this.chars = [];
      this.cursor = 0;
      this.historyPos = -1;
      this.draft = [];
      this.enter(line);
      return;
    }
    if (k.ctrl && k.name === 'd' && this.chars.length === 0) {
      this.write(this.erasing());
      this.state = 'ended';
      this.o.onEnd();
      return;
    }
    if (this.edit(s, k)) this.changed();
  };

  /** Carries out an editing key; false when nothing changed. */
  private edit(s: string | undefined, k: Key): boolean {
    const n = this.chars.length;
    const name = k.name;
    if (k.ctrl && !k.meta) {
      switch (name) {
        case 'a':
          return this.moveTo(0);
        case 'e':
          return this.moveTo(n);
        case 'b':
          return this.moveTo(this.cursor - 1);
        case 'f':
          return this.moveTo(this.cursor + 1);
        case 'd':
          return this.remove(this.cursor, this.cursor + 1);
        case 'h':
          return this.remove(this.cursor - 1, this.cursor);
        case 'u':
          return this.remove(0, this.cursor);
        case 'k':
          return this.remove(this.cursor, n);
        case 'w':
        case 'backspace':
          return this.remove(this.wordStart(), this.cursor);
        case 'delete':
          return this.remove(this.cursor, this.wordEnd());
        case 'left':
          return this.moveTo(this.wordStart());
        case 'right':
          return this.moveTo(this.wordEnd());
        case 'p':
          return this.recall(1);
        case 'n':
          return this.recall(-1);
        case 'l':
          if (this.state !== 'shown') return false;
          this.drawn = null;
          this.write(`${CSI}H${CSI}2J`);
          return true;
        case 'z':
          this.suspend();
          return false;
        default:
          return false;
      }
    }
    if (k.meta) {
      switch (name) {
        case 'b':
        case 'left':
          return this.moveTo(this.wordStart());
        case 'f':
        case 'right':
          return this.moveTo(this.wordEnd());
        case 'backspace':
          return this.remove(this.wordStart(), this.cursor);
        case 'd':
        case 'delete':
          return this.remove(this.cursor, this.wordEnd());
        default:
          return false;
      }
    }
    switch (name) {
      case 'backspace':
        return this.remove(this.cursor - 1, this.cursor);
      case 'delete':
        return this.remove(this.cursor, this.cursor + 1);
      case 'left':
        return this.moveTo(this.cursor - 1);
      case 'right':
        return this.moveTo(this.cursor + 1);
      case 'home':
        return this.moveTo(0);
      case 'end':
        return this.moveTo(n);
      case 'up':
        return this.recall(1);
      case 'down':
        return this.recall(-1);
      default:
        break;
    }
    if (s === undefined || s === '' || s.startsWith('\x1b')) return false;
    const code = s.codePointAt(0)!;
    if ((code < 0x20 && s !== '\t') || code === 0x7f) return false;
    const typed = [...s];
    this.chars.splice(this.cursor, 0, ...typed);
    this.cursor += typed.length;
    return true;
  }

  private moveTo(position: number): boolean {
    const to = Math.max(0, Math.min(this.chars.length, position));
    if (to === this.cursor) return false;
    this.cursor = to;
    return true;
  }

  private remove(from: number, to: number): boolean {
    const a = Math.max(0, from);
    const b = Math.min(this.chars.length, to);
    if (b <= a) return false;
    this.chars.splice(a, b - a);
    this.cursor = a;
    return true;
  }

  private wordStart(): number {
    let i = this.cursor;
    while (i > 0 && !WORD.test(this.chars[i - 1])) i--;
    while (i > 0 && WORD.test(this.chars[i - 1])) i--;
    return i;
  }

  private wordEnd(): number {
    let i = this.cursor;
    const n = this.chars.length;
    while (i < n && !WORD.test(this.chars[i])) i++;
    while (i < n && WORD.test(this.chars[i])) i++;
    return i;
  }

  /** Up (+1) or down (-1) through the history; the line being typed is kept while browsing. */
  private recall(step: 1 | -1): boolean {
    const next = this.historyPos + step;
    if (next < -1 || next >= this.history.length) return false;
    if (this.historyPos === -1) this.draft = this.chars;
    this.historyPos = next;
    this.chars = next === -1 ? this.draft : [...this.history[next]];
    this.cursor = this.chars.length;
    return true;
  }

  /** Ctrl+Z: give the terminal back and stop as a job does; draw again when continued. */
  private suspend(): void {
    const input = this.o.input as TtyInput;
    this.write(this.erasing());
    input.setRawMode?.(false);
    process.once('SIGCONT', () => {
      if (this.state === 'closed') return;
      input.setRawMode?.(true);
      if (this.state === 'shown') this.write(this.drawing());
    });
    process.kill(process.pid, 'SIGTSTP');
  }
}

function moveUp(rows: number): string {
  return rows > 0 ? `${CSI}${rows}A` : '';
}
