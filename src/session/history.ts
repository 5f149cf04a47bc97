/**
 * The REPL's history file (`~/.wsprobe_history`): one entry per line, oldest first, at most
 * HISTORY_SIZE entries, created with mode 0600 — typed lines can hold tokens.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HISTORY_FILE = '.wsprobe_history';
export const HISTORY_SIZE = 500;

export function historyPath(homedir: string): string {
  return join(homedir, HISTORY_FILE);
}

/** Entries newest first, as `node:readline` wants them; none when the file is missing or unreadable. */
export function loadHistory(path: string): string[] {
  try {
    const lines = readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    return lines.slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/** Writes `newestFirst` (readline's order) oldest first; a failure to write is not worth a crash. */
export function saveHistory(path: string, newestFirst: readonly string[]): string | null {
  const entries = newestFirst
    .slice(0, HISTORY_SIZE)
    .filter((line) => !line.includes('\n'))
    .reverse();
  try {
    writeFileSync(path, entries.length ? `${entries.join('\n')}\n` : '', { mode: 0o600 });
    chmodSync(path, 0o600);
    return null;
  } catch (err) {
    return `cannot save history to ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}
