#!/usr/bin/env node
/**
 * Tuning the floors: runs the variants of a floor (its FLOOR_* environment knobs) alternately against
 * the bench's `ws` echo server and prints the median time of each, so that the floor the bench uses is
 * the fastest we can write. Every run's output is checked (size and SHA-256). The results are quoted in
 * each floor's header comment.
 * Usage: node bench/floor/tune.mjs [bytes|bytes-window|lines|sizes|smoke]... [--runs N] [--mib N]
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryBlock, joinLines, shortLine } from '../lib/data.mjs';
import { BenchError, killAll, startServer, timedRun } from '../lib/proc.mjs';
import { summarize } from '../lib/report.mjs';
import { alternate } from '../lib/rounds.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
const runs = option('--runs', 5);
const mib = option('--mib', 64);
const jobs = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wsprobe-tune-'));
const sha = (data) => createHash('sha256').update(data).digest('hex');
const log = (text) => process.stderr.write(`${text}\n`);

const bytesFile = join(dir, 'bytes.bin');
const linesFile = join(dir, 'lines.txt');
const longFile = join(dir, 'long.txt');
const JOBS = {
  bytes: {
    script: 'bytes.mjs',
    input: () => Buffer.concat(Array.from({ length: mib }, () => binaryBlock())),
    file: bytesFile,
    variants: [
      ...[1, 2, 4, 8, 16].map((w) => ({ name: `window ${w} MiB`, env: { FLOOR_WINDOW_MIB: String(w) } })),
      { name: 'window 8 MiB, read 1 MiB', env: { FLOOR_WINDOW_MIB: '8', FLOOR_READ_KIB: '1024' } },
      {
        name: 'window 8 MiB, read 1 MiB, cork',
        env: { FLOOR_WINDOW_MIB: '8', FLOOR_READ_KIB: '1024', FLOOR_CORK: '1' },
      },
    ],
  },
  // the two best windows of `bytes` again, head to head (use a larger --mib)
  'bytes-window': {
    script: 'bytes.mjs',
    input: () => Buffer.concat(Array.from({ length: mib }, () => binaryBlock())),
    file: bytesFile,
    variants: [2, 8].map((w) => ({ name: `window ${w} MiB`, env: { FLOOR_WINDOW_MIB: String(w) } })),
  },
  lines: {
    script: 'lines.mjs',
    input: () => joinLines(100_000, shortLine),
    file: linesFile,
    variants: [
      { name: 'window 1 MiB', env: { FLOOR_WINDOW_MIB: '1', FLOOR_CORK: '0' } },
      { name: 'window 1 MiB, cork', env: { FLOOR_WINDOW_MIB: '1', FLOOR_CORK: '1' } },
      { name: 'window 1 MiB, batch', env: { FLOOR_WINDOW_MIB: '1', FLOOR_CORK: '0', FLOOR_BATCH: '1' } },
      { name: 'window 1 MiB, cork, batch', env: { FLOOR_WINDOW_MIB: '1', FLOOR_CORK: '1', FLOOR_BATCH: '1' } },
      { name: 'window 8 MiB, cork, batch', env: { FLOOR_WINDOW_MIB: '8', FLOOR_CORK: '1', FLOOR_BATCH: '1' } },
    ],
  },
  // the lines floor on the size sweep's 1 MiB lines (64 of them)
  sizes: {
    script: 'lines.mjs',
    input: () => joinLines(64, (i) => `${String(i).padStart(8, '0')}`.padEnd(1024 * 1024 - 1, 'abcdefgh')),
    file: longFile,
    variants: [1, 4, 16].map((w) => ({ name: `window ${w} MiB`, env: { FLOOR_WINDOW_MIB: String(w) } })),
  },
  smoke: {
    script: 'smoke.mjs',
    expected: Buffer.from('hi\n'),
    variants: [
      { name: 'deflate offered', env: { FLOOR_DEFLATE: '1' } },
      { name: 'no deflate', env: {} },
      { name: 'no deflate, exit on close', env: { FLOOR_EXIT: '1' } },
    ],
  },
};

try {
  const echo = await startServer({ label: 'echo', cmd: process.execPath, args: [join(here, 'echo-server.mjs'), '0'] });
  for (const name of jobs.length ? jobs : ['bytes', 'lines', 'smoke']) {
    const job = JOBS[name];
    const expected = job.expected ?? job.input();
    if (job.file) writeFileSync(job.file, expected);
    const hash = sha(expected);
    const rounds = name === 'smoke' ? runs * 4 : runs;
    const samples = await alternate({
      label: name,
      contenders: job.variants,
      runs: rounds,
      warmUp: true,
      log,
      describe: (ms) => `${Math.round(ms)}`,
      measure: async (variant, label) => {
        const out = join(dir, 'out');
        const { ms } = await timedRun({
          label,
          cmd: process.execPath,
          args: [join(here, job.script), echo.url],
          env: variant.env,
          stdin: job.file ? { file: job.file } : undefined,
          stdoutPath: out,
          stderrPath: join(dir, 'err'),
          timeoutMs: 300_000,
          dir,
        });
        if (sha(readFileSync(out)) !== hash) throw new BenchError(`${label}: wrong output`);
        return ms;
      },
    });
    log(`${name}:`);
    for (const [i, variant] of job.variants.entries()) {
      const s = summarize(samples[i]);
      log(
        `  ${variant.name.padEnd(34)} median ${Math.round(s.median)} ms (${Math.round(s.min)}–${Math.round(s.max)}, ${rounds} runs)`,
      );
    }
    if (job.file) rmSync(job.file);
  }
  await echo.stop();
} finally {
  killAll();
  rmSync(dir, { recursive: true, force: true });
}
