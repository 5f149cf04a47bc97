#!/usr/bin/env node
/**
 * The driver of the size sweep: runs COMMAND with INPUT (a file) as its stdin and reads its stdout
 * through a pipe, timing the steady state — from the first byte that comes back to the last — so that
 * starting the process and connecting do not count. Prints one JSON line { bytes, steadyBytes,
 * steadySeconds, totalSeconds, sha256, code }: steadyBytes are the bytes that came after the first
 * read (the first one is the clock's start). Exits 1 if COMMAND exits with a code other than 0.
 * Usage: node bench/load/stream-rate.mjs INPUT COMMAND [ARG…]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';

const [input, cmd, ...args] = process.argv.slice(2);
const fd = openSync(input, 'r');
const started = process.hrtime.bigint();
const child = spawn(cmd, args, { stdio: [fd, 'pipe', 'inherit'] });
closeSync(fd);
const hash = createHash('sha256');
let bytes = 0;
let first = 0;
let firstAt = 0n;
let lastAt = 0n;
child.stdout.on('data', (chunk) => {
  lastAt = process.hrtime.bigint();
  if (bytes === 0) {
    firstAt = lastAt;
    first = chunk.length;
  }
  bytes += chunk.length;
  hash.update(chunk);
});
const [code, signal] = await new Promise((resolve) => child.on('close', (c, s) => resolve([c, s])));
if (code !== 0) {
  process.stderr.write(`stream-rate: ${cmd} exited with ${signal ?? code}\n`);
  process.exit(1);
}
const seconds = (a, b) => Number(b - a) / 1e9;
process.stdout.write(
  `${JSON.stringify({
    bytes,
    steadyBytes: bytes - first,
    steadySeconds: seconds(firstAt, lastAt),
    totalSeconds: seconds(started, process.hrtime.bigint()),
    sha256: hash.digest('hex'),
    code,
  })}\n`,
);
