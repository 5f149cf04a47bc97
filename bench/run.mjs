#!/usr/bin/env node
/**
 * `npm run bench`: the benchmark suite. For now one workload, the peak memory of 256 MiB (or
 * `--size <MiB>`) piped through `connect --raw` and back; later issues add the side-by-side
 * comparisons against a plain `ws` floor.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const sizeIndex = process.argv.indexOf('--size');
const mib = sizeIndex > 0 ? process.argv[sizeIndex + 1] : '256';
const script = fileURLToPath(new URL('./raw-memory.mjs', import.meta.url));
const run = spawnSync(process.execPath, [script, mib], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
process.stdout.write(run.stdout);
process.exitCode = run.status ?? 1;
