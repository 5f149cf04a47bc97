#!/usr/bin/env node
/**
 * The driver of the latency workload: starts COMMAND with its stdin and stdout as pipes, writes line i
 * (shortLine in lib/data.mjs) to its stdin, waits until that line has come back whole on its stdout,
 * then writes the next — COUNT round trips, one in flight — and times each. Then ends its stdin and
 * waits for it to exit. Prints one JSON line { count, p50Ms, p99Ms, meanMs, code }. Exits 1 if an
 * answer differs from the line sent, the command writes anything more, or it exits with a code other
 * than 0; its stderr goes to the driver's stderr.
 * Usage: node bench/load/pipe-latency.mjs COUNT COMMAND [ARG…]
 */
import { spawn } from 'node:child_process';
import { shortLine } from '../lib/data.mjs';

const [countArg, cmd, ...args] = process.argv.slice(2);
const count = Number(countArg);

function fail(message) {
  process.stderr.write(`pipe-latency: ${message}\n`);
  child.kill('SIGKILL');
  process.exit(1);
}

const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
child.stdin.on('error', () => {}); // an early exit is reported by its code
const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
let pending = '';
let waiting = null;
child.stdout.setEncoding('utf8');
child.stdout.on('data', (text) => {
  pending += text;
  if (waiting && pending.includes('\n')) {
    const resolve = waiting;
    waiting = null;
    resolve();
  }
});

const times = new Float64Array(count);
let answered = 0;
let finished = false;
const exitedEarly = exited.then((code) => {
  if (!finished) fail(`the command exited (${code}) after ${answered} answers`);
});
for (let i = 0; i < count; i++) {
  const line = shortLine(i);
  const started = process.hrtime.bigint();
  const back = new Promise((resolve) => {
    waiting = resolve;
  });
  child.stdin.write(`${line}\n`);
  await Promise.race([back, exitedEarly]);
  times[i] = Number(process.hrtime.bigint() - started) / 1e6;
  if (pending !== `${line}\n`) fail(`answer ${i} is ${JSON.stringify(pending.slice(0, 80))}, expected ${line}`);
  pending = '';
  answered++;
}
finished = true;
child.stdin.end();
const code = await exited;
if (code !== 0) fail(`the command exited with ${code}`);
if (pending !== '') fail(`the command wrote more than the answers: ${JSON.stringify(pending.slice(0, 80))}`);
const sorted = [...times].sort((a, b) => a - b);
const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const meanMs = sorted.reduce((a, b) => a + b, 0) / count;
process.stdout.write(`${JSON.stringify({ count, p50Ms: at(0.5), p99Ms: at(0.99), meanMs, code })}\n`);
