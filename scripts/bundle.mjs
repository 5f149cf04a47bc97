#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/) and its run-time dependencies into dist/bundle/: start-up is
 * dominated by loading modules, and one file per command instead of ~100 halves it (see bench
 * "smoke" and "startup"). Code splitting keeps each command in its own chunk, so `--help` still loads
 * neither ws nor ora nor readline.
 */
import { rmSync } from 'node:fs';
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
