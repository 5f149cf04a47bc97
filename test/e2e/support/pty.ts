/**
 * Runs the built CLI in a real pseudo-terminal (node-pty) and keeps a model of the screen
 * (@xterm/headless), so tests can type keys and assert on what the user would see.
 */
import { execFileSync } from 'node:child_process';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import { afterEach } from 'vitest';
import { codePointWidth } from '../../../src/output/width.js';
import { CLI } from './cli.js';

const COLS = 100;
const ROWS = 30;

export interface PtyCli {
  /** Types text (use '\r' for Enter, '\x03' for Ctrl+C, '\x04' for Ctrl+D). */
  type(text: string): void;
  /** Everything written to the terminal so far, escape sequences included. */
  raw(): string;
  /** The visible screen, one string per row, trailing spaces trimmed. */
  screen(): Promise<string[]>;
  /** Resolves once the screen shows `match` (checked after each output). */
  waitForScreen(match: string | RegExp): Promise<string[]>;
  exit: Promise<number>;
  pid: number;
  /** Resolves once the terminal no longer echoes what is typed (a hidden prompt is reading). */
  echoOff(): Promise<void>;
  /**
   * The lines of the whole buffer (scrollback included) as written: rows the terminal wrapped are
   * joined again, trailing spaces trimmed.
   */
  lines(): Promise<string[]>;
  /**
   * Resolves once `test(lines())` holds (checked after each output); rejects after `timeoutMs`
   * (default 20 s) with the lines shown then.
   */
  waitForLines(test: (lines: string[]) => boolean, timeoutMs?: number): Promise<string[]>;
  /**
   * Resizes the terminal once what was written so far is on it (the emulator reflows, the program
   * gets SIGWINCH).
   */
  resize(cols: number, rows: number): Promise<void>;
}

export interface PtyOptions {
  cols?: number;
  rows?: number;
  /** The program's stdout goes to this file; stdin and stderr stay on the terminal. */
  stdoutFile?: string;
  /**
   * Character widths of today's terminals (Unicode 9+: emoji take two columns) instead of
   * xterm.js's default Unicode 6 tables, where most emoji take one.
   */
  wideEmoji?: boolean;
  /** The emulator rewraps the line the cursor is on when resized (as tmux and VTE do; xterm.js does not by default). */
  reflowCursorLine?: boolean;
  /** Runs this bash command line (with job control) instead of the CLI; `$WSPROBE` is the CLI. */
  bash?: string;
}

/** An xterm.js Unicode provider with the widths of output/width.ts (what terminals with Unicode 11 tables do). */
const WIDE_EMOJI = {
  version: 'wsprobe-wide',
  wcwidth: (cp: number) => codePointWidth(cp),
  charProperties(cp: number, preceding: number): number {
    // As xterm.js's own providers: width in bits 1–2, "joins the preceding cell" in bit 0.
    let width: number = codePointWidth(cp);
    let joins = width === 0 && preceding !== 0;
    if (joins) {
      const before = (preceding >> 1) & 3;
      if (before === 0) joins = false;
      else if (before > width) width = before;
    }
    return ((width & 3) << 1) | (joins ? 1 : 0);
  },
};

const running = new Set<pty.IPty>();
afterEach(() => {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
});

export function startPty(
  args: string[],
  env: Record<string, string | undefined> = {},
  options: PtyOptions = {},
): PtyCli {
  const cols = options.cols ?? COLS;
  const rows = options.rows ?? ROWS;
  const term = new xterm.Terminal({
    cols,
    rows,
    allowProposedApi: true,
    scrollback: 5000,
    reflowCursorLine: options.reflowCursorLine === true,
  });
  if (options.wideEmoji) {
    term.unicode.register(WIDE_EMOJI);
    term.unicode.activeVersion = WIDE_EMOJI.version;
  }
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, TERM: 'xterm-256color', ...env })) {
    if (v !== undefined) merged[k] = v;
  }
  let file = process.execPath;
  let argv = [CLI, ...args];
  if (options.bash !== undefined) {
    merged.WSPROBE = `${process.execPath} ${CLI}`;
    file = 'bash';
    argv = ['-c', `set -m; ${options.bash}`];
  } else if (options.stdoutFile !== undefined) {
    merged.WSPROBE_STDOUT = options.stdoutFile;
    file = '/bin/sh';
    argv = ['-c', 'exec "$0" "$@" > "$WSPROBE_STDOUT"', process.execPath, CLI, ...args];
  }
  const child = pty.spawn(file, argv, { cols, rows, env: merged });
  running.add(child);
  let raw = '';
  let written = Promise.resolve();
  const waiters: Array<{ match: string | RegExp; resolve: (s: string[]) => void }> = [];
  const lineWaiters: Array<{ test: (lines: string[]) => boolean; resolve: (s: string[]) => void }> = [];
  const readLines = async () => {
    await written;
    const buffer = term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i);
      if (!line) continue;
      const next = buffer.getLine(i + 1);
      // A row the terminal wrapped keeps its trailing cells (spaces typed at the margin).
      const text = line.translateToString(!next?.isWrapped);
      if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
      else lines.push(text);
    }
    return lines;
  };
  const readScreen = async () => {
    await written;
    const buffer = term.buffer.active;
    const rows: string[] = [];
    for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return rows;
  };
  const checkLines = async () => {
    if (lineWaiters.length === 0) return;
    const lines = await readLines();
    for (const w of lineWaiters.slice()) {
      if (w.test(lines)) {
        lineWaiters.splice(lineWaiters.indexOf(w), 1);
        w.resolve(lines);
      }
    }
  };
  const check = async () => {
    void checkLines();
    if (waiters.length === 0) return;
    const rows = await readScreen();
    const text = rows.join('\n');
    for (const w of waiters.slice()) {
      if (typeof w.match === 'string' ? text.includes(w.match) : w.match.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(rows);
      }
    }
  };
  child.onData((data) => {
    raw += data;
    written = new Promise((resolve) => term.write(data, resolve));
    void check();
  });
  const exit = new Promise<number>((resolve) => {
    child.onExit(({ exitCode }) => {
      running.delete(child);
      resolve(exitCode);
    });
  });
  return {
    type: (text) => child.write(text),
    raw: () => raw,
    screen: readScreen,
    waitForScreen: (match) =>
      new Promise((resolve) => {
        waiters.push({ match, resolve });
        void check();
      }),
    exit,
    pid: child.pid,
    lines: readLines,
    waitForLines: (test, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(async () => {
          const i = lineWaiters.indexOf(waiter);
          if (i < 0) return;
          lineWaiters.splice(i, 1);
          const shown = (await readLines()).filter((l) => l !== '');
          reject(new Error(`the screen did not show what was expected; it shows:\n${shown.join('\n')}`));
        }, timeoutMs);
        const waiter = {
          test,
          resolve: (lines: string[]) => {
            clearTimeout(timer);
            resolve(lines);
          },
        };
        lineWaiters.push(waiter);
        void checkLines();
      }),
    async resize(newCols, newRows) {
      await written;
      term.resize(newCols, newRows);
      child.resize(newCols, newRows);
    },
    echoOff: async () => {
      // Polls the terminal's mode: the prompt text can appear before echo is turned off.
      const pts = (child as unknown as { ptsName: string }).ptsName;
      for (;;) {
        const mode = execFileSync('stty', ['-F', pts, '-a'], { encoding: 'utf8' });
        if (/(^|\s)-echo(\s|$)/.test(mode)) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
