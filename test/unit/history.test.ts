import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HISTORY_SIZE, loadHistory, saveHistory } from '../../src/session/history.js';

const file = () => join(mkdtempSync(join(tmpdir(), 'wsprobe-hist-')), '.wsprobe_history');

describe('history file', () => {
  it('saves oldest first with mode 0600 and loads newest first', () => {
    const path = file();
    expect(saveHistory(path, ['newest', 'older', 'oldest'])).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe('oldest\nolder\nnewest\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadHistory(path)).toEqual(['newest', 'older', 'oldest']);
  });

  it('tightens the mode of an existing file to 0600', () => {
    const path = file();
    writeFileSync(path, 'x\n', { mode: 0o644 });
    saveHistory(path, ['y']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it(`keeps at most ${HISTORY_SIZE} entries`, () => {
    const path = file();
    const many = Array.from({ length: HISTORY_SIZE + 50 }, (_, i) => `line ${i}`);
    saveHistory(path, many);
    expect(loadHistory(path)).toHaveLength(HISTORY_SIZE);
    writeFileSync(path, `${many.join('\n')}\n`);
    expect(loadHistory(path)[0]).toBe(`line ${HISTORY_SIZE + 49}`);
    expect(loadHistory(path)).toHaveLength(HISTORY_SIZE);
  });

  it('loads nothing from a missing file and reports an unwritable one instead of throwing', () => {
    expect(loadHistory('/nonexistent/dir/h')).toEqual([]);
    expect(saveHistory('/nonexistent/dir/h', ['x'])).toContain('cannot save history to /nonexistent/dir/h: ENOENT');
  });
});
