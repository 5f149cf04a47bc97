#!/usr/bin/env node
// CommonJS (bin/package.json says so): the answers that need no CLI are given before Node's ES module
// loader is even started, which is most of their cost over `node -e 0`.
//   --version: from package.json.
//   --help (stdout not a terminal): the text the build wrote to dist/bundle/help.txt by running this
//   CLI (scripts/bundle.mjs). On a terminal help is wrapped to its width: the CLI writes it.
// Anything else, or anything that goes wrong here, goes to the CLI.
'use strict';
const { fstatSync, readFileSync, writeSync } = require('node:fs');

/** Writes `text` on stdout; false if none of it could be written (then the CLI answers). */
function answer(text) {
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch (err) {
    // A reader that went away (`wsprobe --help | head -0`): nothing to say, exit 0, as the CLI does.
    if (err.code !== 'EPIPE' && written === 0) return false;
  }
  return true;
}

function fastPath(args) {
  if (args.length !== 1) return false;
  try {
    if (args[0] === '--version' || args[0] === '-V') {
      const pkg = JSON.parse(readFileSync(`${__dirname}/../package.json`, 'utf8'));
      return answer(`${pkg.version}\n`);
    }
    // A terminal is a character device (so is /dev/null: the CLI answers there). node:tty would load net.
    if ((args[0] === '--help' || args[0] === '-h') && !fstatSync(1).isCharacterDevice()) {
      return answer(readFileSync(`${__dirname}/../dist/bundle/help.txt`, 'utf8'));
    }
  } catch {
    // No help.txt (a build without it): the CLI answers.
  }
  return false;
}

if (!fastPath(process.argv.slice(2))) {
  // The bundle takes Node's built-ins with this require() (scripts/bundle.mjs says why).
  globalThis.__wsprobeRequire = require;
  import('../dist/bundle/main.js').then(({ main }) => main());
}
