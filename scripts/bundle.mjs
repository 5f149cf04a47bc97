#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/) and its run-time dependencies into dist/bundle/: start-up is
 * dominated by loading modules, and one file per command instead of ~100 halves it (see bench
 * "smoke" and "startup"). Code splitting keeps each command in its own chunk, so `--help` still loads
 * neither ws nor ora nor readline, and what a flag brings (--socketio, --rules, --exec, the codecs) loads
 * only with it. Whitespace and syntax are minified: a third less to read and parse (smoke −6 ms); names
 * are kept, so a --debug stack trace still names its functions.
 *
 * Then `wsprobe --help` as the CLI writes it when stdout is not a terminal (80 columns, no colour; it
 * depends on nothing else) goes to dist/bundle/help.txt: bin/wsprobe.js answers `--help` from it without
 * loading the CLI. It is made by running the CLI just built, so the two cannot differ.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { build } from 'esbuild';

/**
 * Node's built-ins are taken with require(), as ws and commander take them, never with an ES `import`:
 * Node builds an ES module facade of a built-in by reading every one of its exports, which loads what
 * they load lazily (`node:fs` its streams, `node:process` its report, `node:module` source maps). For
 * `connect` that was ~20 ms of a ~230 ms start. `import { x } from 'node:fs'` becomes a read of
 * `require('node:fs').x`.
 *
 * And commander requires child_process when it loads, for executable subcommands we do not have: loading
 * it (with dgram and its socket list) was ~5 ms of every start. commander gets an object that loads the
 * module the first time one of its functions is asked for (never, for our commands).
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    const isBuiltin = (path) => builtinModules.includes(path.replace(/^node:/, ''));
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!isBuiltin(args.path)) return undefined;
      const name = args.path.replace(/^node:/, '');
      if (name === 'child_process' && /[\\/]commander[\\/]/.test(args.importer))
        return { path: name, namespace: 'lazy-builtin' };
      if (args.kind === 'import-statement') return { path: name, namespace: 'builtin' };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({
      contents: `module.exports = require('node:${args.path}');`,
      loader: 'js',
    }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, key) => require('node:${args.path}')[key] });`,
      loader: 'js',
    }));
  },
};

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
  minifyWhitespace: true,
  minifySyntax: true,
  // ws's optional native helpers are looked up in try/catch; never bundled.
  external: ['bufferutil', 'utf-8-validate'],
  // Built-ins are required (above). bin/wsprobe.js, CommonJS, hands its require() over; imported any
  // other way, the bundle makes one.
  banner: {
    js: "const require = globalThis.__wsprobeRequire ?? (await import('node:module')).createRequire(import.meta.url);",
  },
  logLevel: 'warning',
  plugins: [builtinsByRequire],
});

// help.txt does not exist yet (the folder was emptied): this run is the CLI's own answer.
const help = spawnSync(process.execPath, ['bin/wsprobe.js', '--help'], { encoding: 'utf8' });
if (help.status !== 0 || !help.stdout.startsWith('Usage: wsprobe')) {
  throw new Error(`bundle: wsprobe --help failed (exit ${help.status}): ${help.stderr}`);
}
writeFileSync('dist/bundle/help.txt', help.stdout);
