#!/usr/bin/env node
/**
 * Latency for the proxy workload: one `ws` client sends COUNT text messages of SIZE bytes one at a
 * time, each after the previous one came back, and times each round trip. Prints one JSON line:
 * { count, medianMs, p99Ms }. Exits 1 on any error or wrong echo.
 * Usage: node bench/load/latency.mjs URL [COUNT=2000] [SIZE=32]
 */
import WebSocket from 'ws';

const [url, countArg = '2000', sizeArg = '32'] = process.argv.slice(2);
const count = Number(countArg);
const payload = Buffer.alloc(Number(sizeArg), 'x');
const ws = new WebSocket(url, { perMessageDeflate: false });
ws.on('error', (error) => {
  process.stderr.write(`latency: ${error.message}\n`);
  process.exit(1);
});
await new Promise((resolve) => ws.once('open', resolve));
const times = [];
for (let i = 0; i < count; i++) {
  const started = process.hrtime.bigint();
  const back = await new Promise((resolve) => {
    ws.once('message', resolve);
    ws.send(payload, { binary: false });
  });
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (!payload.equals(back)) {
    process.stderr.write('latency: an echo differs from what was sent\n');
    process.exit(1);
  }
}
ws.close(1000);
times.sort((a, b) => a - b);
const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
process.stdout.write(`${JSON.stringify({ count, medianMs: at(0.5), p99Ms: at(0.99) })}\n`);
