/**
 * The interactive prompt (stdin is a terminal): a `node:readline` line editor with history, and
 * writers that print session output above the prompt without breaking the line being typed.
 */
import * as readline from 'node:readline';
import { type Readable, Writable } from 'node:stream';
import type { Env } from '../env.js';
import { loadHistory, saveHistory } from './history.js';

export interface ReplOptions {
  input: Readable;
  /** The terminal the prompt is drawn on (stdout, or stderr when stdout is redirected). */
  terminal: NodeJS.WritableStream & { columns?: number };
  prompt: string;
  /** No history is read or written when undefined (`--no-history`). */
  historyFile?: string;
  onLine(line: string): void;
  /** Ctrl+D on an empty line (end of input). */
  onEnd(): void;
  /** Ctrl+C. */
  onInterrupt(): void;
  /** Something the user should know that is not a session event (a history file we cannot write). */
  onNotice(message: string): void;
}

export class Repl {
  private rl: readline.Interface | null = null;
  private closing = false;
  private historyFailed = false;

  constructor(private readonly o: ReplOptions) {}

  get active(): boolean {
    return this.rl !== null;
  }

  /** Shows the prompt and starts reading lines. */
  start(): void {
    if (this.rl || this.closing) return;
    const history = this.o.historyFile !== undefined ? loadHistory(this.o.historyFile) : [];
    const rl = readline.createInterface({
      input: this.o.input,
      output: this.o.terminal,
      terminal: true,
      prompt: this.o.prompt,
      history,
      historySize: this.o.historyFile !== undefined ? 500 : 0,
      removeHistoryDuplicates: true,
      tabSize: 4,
    });
    this.rl = rl;
    rl.on('line', (line) => this.o.onLine(line));
    rl.on('SIGINT', () => this.o.onInterrupt());
    rl.on('close', () => {
      this.rl = null;
      if (!this.closing) this.o.onEnd();
    });
    rl.on('history', (entries: string[]) => this.save(entries));
    rl.prompt();
  }

  /** Stops reading; the terminal is left on a fresh line. */
  close(): void {
    this.closing = true;
    const rl = this.rl;
    if (!rl) return;
    this.clearPromptLine();
    this.rl = null;
    rl.close();
  }

  /** Removes the echo of a line just entered (its `>` message line replaces it). */
  eraseEnteredLine(line: string): void {
    if (!this.rl) return;
    const columns = this.o.terminal.columns || 80;
    const rows = Math.max(1, Math.ceil((this.o.prompt.length + line.length) / columns));
    readline.moveCursor(this.o.terminal, 0, -rows);
    readline.cursorTo(this.o.terminal, 0);
    readline.clearScreenDown(this.o.terminal);
  }

  /**
   * A writer for `stream` (a terminal) that, while the prompt is shown, clears the prompt line,
   * writes above it and redraws the prompt with what was typed so far.
   */
  wrap(stream: NodeJS.WritableStream): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        if (!this.rl) {
          if (stream.write(chunk)) callback();
          else stream.once('drain', () => callback());
          return;
        }
        this.clearPromptLine();
        stream.write(chunk);
        this.rl.prompt(true);
        callback();
      },
    });
  }

  private clearPromptLine(): void {
    readline.cursorTo(this.o.terminal, 0);
    readline.clearScreenDown(this.o.terminal);
  }

  private save(entries: string[]): void {
    if (this.o.historyFile === undefined || this.historyFailed) return;
    const problem = saveHistory(this.o.historyFile, entries);
    if (problem) {
      this.historyFailed = true;
      this.o.onNotice(problem);
    }
  }
}

/** The terminal to draw the prompt on: stdout, or stderr when stdout is redirected; none if neither is one. */
export function promptTerminal(env: Env): NodeJS.WritableStream | null {
  if (env.stdoutIsTTY) return env.stdout;
  if (env.stderrIsTTY) return env.stderr;
  return null;
}
