/** The program code loads only with --exec: help, a plain session and a plain server never touch it. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { deadPort } from './support/raw-server.js';

const TRACER = fileURLToPath(new URL('../fixtures/trace-loads.mjs', import.meta.url));

async function loadedBy(args: string[], exitCode: number): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'wsprobe-trace-')), 'loads.txt');
  const result = await runCli(args, { env: { NODE_OPTIONS: `--import ${TRACER}`, WSPROBE_TRACE_LOADS: file } });
  expect(result.code, result.stderr).toBe(exitCode);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** The bundled chunk that holds the program code, recognised by the path of stdbuf in it. */
function isExecCode(url: string): boolean {
  return url.startsWith('file:') && readFileSync(fileURLToPath(url), 'utf8').includes('"/usr/bin/stdbuf"');
}

describe('start-up with and without --exec', () => {
  it.each([[['listen', '--help']], [['connect', '--help']]])('%j does not load the program code', async (args) => {
    expect((await loadedBy(args, 0)).filter(isExecCode)).toEqual([]);
  });

  it('a session without --exec does not load it; one with --exec does', async () => {
    const url = `ws://127.0.0.1:${await deadPort()}`;
    expect((await loadedBy(['connect', url], 3)).filter(isExecCode)).toEqual([]);
    expect((await loadedBy(['connect', url, '--exec', 'cat'], 3)).some(isExecCode)).toBe(true);
  });
});
