#!/usr/bin/env node
/**
 * Peak memory of `wsprobe connect --raw` while SIZE bytes (default 1 GiB) go from stdin through a
 * local ws echo server and back to stdout. Checks the bytes come back exact (length and SHA-256).
 * Usage: node bench/raw-memory.mjs [MiB]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const mib = Number(process.argv[2] ?? 1024);
const total = mib * 1024 * 1024;
const cli = fileURLToPath(new URL('../bin/wsprobe.js', import.meta.url));

function peakRssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
await new Promise((resolve) => server.once('listening', resolve));
const url = `ws://127.0.0.1:${server.address().port}`;

const started = process.hrtime.bigint();
const child = spawn(process.execPath, [cli, 'connect', url, '--raw', '-q', '--no-deflate'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, peakRssMiB(child.pid));
}, 50);

const block = Buffer.alloc(1024 * 1024);
for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff;
const sentHash = createHash('sha256');
const gotHash = createHash('sha256');
let received = 0;
child.stdout.on('data', (chunk) => {
  received += chunk.length;
  gotHash.update(chunk);
});

let written = 0;
while (written < total) {
  sentHash.update(block);
  written += block.length;
  if (!child.stdin.write(block)) await new Promise((resolve) => child.stdin.once('drain', resolve));
}
child.stdin.end();
const code = await new Promise((resolve) => child.on('close', resolve));
clearInterval(sampler);
server.close();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const exact = received === total && sentHash.digest('hex') === gotHash.digest('hex');
const result = {
  workload: 'raw-memory',
  mib,
  seconds: Number(seconds.toFixed(2)),
  peakRssMiB: Math.round(peak),
  exact,
  exitCode: code,
};
console.log(JSON.stringify(result));
process.exitCode = exact && code === 0 ? 0 : 1;
