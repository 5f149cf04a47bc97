/** The fast paths stay fast: --help and --version load none of the session's heavy modules. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startPty } from './support/pty.js';
import { deadPort } from './support/raw-server.js';

const TRACER = fileURLToPath(new URL('../fixtures/trace-loads.mjs', import.meta.url));

async function loadedBy(args: string[], exitCode = 0): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'wsprobe-trace-')), 'loads.txt');
  const result = await runCli(args, { env: { NODE_OPTIONS: `--import ${TRACER}`, WSPROBE_TRACE_LOADS: file } });
  expect(result.code).toBe(exitCode);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/**
 * The CLI is bundled (dist/bundle): a heavy module is recognised by a marker in the file that holds it.
 * ws: its status-code symbol; ora: a private field of its spinner class; readline: Node's module itself.
 */
const HEAVY: Array<[string, (url: string) => boolean]> = [
  ['ws', (url) => contains(url, "Symbol('status-code')") || contains(url, 'Symbol("status-code")')],
  ['ora', (url) => contains(url, '#isDiscardingStdin')],
  ['readline', (url) => url === 'node:readline'],
  ['readline-sync', (url) => url.includes('/node_modules/readline-sync/')],
];

function contains(url: string, marker: string): boolean {
  if (!url.startsWith('file:')) return false;
  return readFileSync(fileURLToPath(url), 'utf8').includes(marker);
}

describe('start-up', () => {
  it.each([[['--help']], [['connect', '--help']], [['listen', '--help']], [['--version']]])(
    '%j loads no ws, ora or readline',
    async (args) => {
      const loaded = await loadedBy(args);
      for (const [name, isHeavy] of HEAVY) expect(loaded.filter(isHeavy), name).toEqual([]);
    },
  );

  it('--version does not even load the CLI', async () => {
    const loaded = await loadedBy(['--version']);
    expect(loaded.some((url) => url.includes('/dist/'))).toBe(false);
    expect(loaded.some((url) => url.includes('commander'))).toBe(false);
  });

  it('--help (stdout not a terminal) does not load the CLI either, and says exactly what the CLI says', async () => {
    const loaded = await loadedBy(['--help']);
    expect(loaded.some((url) => url.includes('/dist/'))).toBe(false);
    // `wsprobe help` is answered by the CLI itself: the text the build kept must be the same.
    const byCli = await runCli(['help']);
    expect(byCli.code).toBe(0);
    expect(byCli.out).toMatch(/^Usage: wsprobe /);
    for (const flag of ['--help', '-h']) {
      const fast = await runCli([flag]);
      expect(fast.code).toBe(0);
      expect(fast.out).toBe(byCli.out);
      expect(fast.stderr).toBe('');
    }
  });

  it('--help on a terminal is written by the CLI, wrapped to its width', async () => {
    const cli = startPty(['--help'], {}, { cols: 200, rows: 50 });
    expect(await cli.exit).toBe(0);
    const lines = await cli.lines();
    // At 80 columns this description is wrapped; at 200 it is one line.
    expect(lines).toContain(
      'A WebSocket debugging tool: a client (connect), a server (listen), an echo server (echo) and a relay (proxy).',
    );
  });

  it('rules code loads only with --rules or mock, not for --help or a plain session', async () => {
    const isRules = (url: string) => contains(url, 'that is a /regex/');
    for (const [args, code] of [
      [['mock', '--help'], 0],
      [['listen', '--help'], 0],
      [['connect', `ws://127.0.0.1:${await deadPort()}`], 3],
    ] as const) {
      expect((await loadedBy([...args], code)).some(isRules), args.join(' ')).toBe(false);
    }
    const rules = join(mkdtempSync(join(tmpdir(), 'wsprobe-rules-')), 'rules.json');
    writeFileSync(rules, '{"rules":[{"on":"connect","send":"hi"}]}');
    const loaded = await loadedBy(['connect', `ws://127.0.0.1:${await deadPort()}`, '--rules', rules], 3);
    expect(loaded.some(isRules)).toBe(true);
  });

  it('a session on a terminal loads readline (so the tracer sees the built-ins the bundle requires)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wsprobe-trace-')), 'loads.txt');
    const cli = startPty(['connect', `ws://127.0.0.1:${await deadPort()}`], {
      NODE_OPTIONS: `--import ${TRACER}`,
      WSPROBE_TRACE_LOADS: file,
    });
    expect(await cli.exit).toBe(3);
    const loaded = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    expect(loaded.some(HEAVY[2][1])).toBe(true);
  });

  it('a session does load ws (so the tracer sees what it should)', async () => {
    const loaded = await loadedBy(['connect', `ws://127.0.0.1:${await deadPort()}`], 3);
    expect(loaded.some(HEAVY[0][1])).toBe(true);
    expect(loaded.some(HEAVY[1][1])).toBe(false);
  });
});
