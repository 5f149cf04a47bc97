#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/) and its run-time dependencies into dist/bundle/: start-up is
 * dominated by loading modules, and one file per command instead of ~100 halves it (see bench
 * "smoke" and "startup"). Code splitting keeps each command in its own chunk, so `--help` still loads
 * neither ws nor ora nor readline.
 *
 * Then `wsprobe --help` as the CLI writes it when stdout is not a terminal (80 columns, no colour; it
 * depends on nothing else) goes to dist/bundle/help.txt: bin/wsprobe.js answers `--help` from it without
 * loading the CLI. It is made by running the CLI just built, so the two cannot differ.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: start from an empty folder so no stale chunk ships.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: { main: 'dist/main.js' },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // ws's optional native helpers are looked up in try/catch; never bundled.
  external: ['bufferutil', 'utf-8-validate'],
  // Bundled CommonJS modules (ws, commander) call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __wsprobeRequire } from 'node:module'; const require = __wsprobeRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// help.txt does not exist yet (the folder was emptied): this run is the CLI's own answer.
const help = spawnSync(process.execPath, ['bin/wsprobe.js', '--help'], { encoding: 'utf8' });
if (help.status !== 0 || !help.stdout.startsWith('Usage: wsprobe')) {
  throw new Error(`bundle: wsprobe --help failed (exit ${help.status}): ${help.stderr}`);
}
writeFileSync('dist/bundle/help.txt', help.stdout);
