/**
 * Runs the built CLI in a real pseudo-terminal (node-pty) and keeps a model of the screen
 * (@xterm/headless), so tests can type keys and assert on what the user would see.
 */
import { execFileSync } from 'node:child_process';
import xterm from '@xterm/headless';
import * as pty from 'node-pty';
import { afterEach } from 'vitest';
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
}

const running = new Set<pty.IPty>();
afterEach(() => {
  for (const p of running) p.kill('SIGKILL');
  running.clear();
});

export function startPty(args: string[], env: Record<string, string | undefined> = {}): PtyCli {
  const term = new xterm.Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, TERM: 'xterm-256color', ...env })) {
    if (v !== undefined) merged[k] = v;
  }
  const child = pty.spawn(process.execPath, [CLI, ...args], { cols: COLS, rows: ROWS, env: merged });
  running.add(child);
  let raw = '';
  let written = Promise.resolve();
  const waiters: Array<{ match: string | RegExp; resolve: (s: string[]) => void }> = [];
  const readScreen = async () => {
    await written;
    const buffer = term.buffer.active;
    const rows: string[] = [];
    for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i)?.translateToString(true) ?? '');
    return rows;
  };
  const check = async () => {
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
