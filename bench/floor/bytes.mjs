#!/usr/bin/env node
/**
 * Floor of the bytes workload: send stdin as binary messages of 64 KiB with `ws`, keeping at most WINDOW
 * bytes waiting to be written (stdin paused above it), write the echoed bytes to stdout, close when
 * every byte has come back.
 * Usage: node bench/floor/bytes.mjs URL < file
 *
 * Tuned (bench/floor/tune.mjs) until it stopped improving; the knobs stay as environment variables so
 * the tuning can be rerun: FLOOR_WINDOW_MIB (default 2), FLOOR_READ_KIB (default 64: how much is read
 * from stdin at a time; the messages stay 64 KiB), FLOOR_CORK=1 (cork the socket around the messages of
 * one read). 2-core machine under the load of other benchmarks (load average 6–10), medians of
 * alternating runs (ms):
 *   64 MiB, 7 and 9 runs:  window 1 MiB 1721, 1965 · 2 MiB 1617, 1669 · 4 MiB 1308, 2019 ·
 *                          8 MiB 1786, 1827 · 16 MiB 1999, 1921 ·
 *                          8 MiB reading 1 MiB at a time 2197, 2270; the same corked 1740, 2069
 *   256 MiB, 8 runs:       window 2 MiB 3847 · 8 MiB 4017
 * 2 MiB was the fastest median in all three sessions (4 MiB once faster, once slower); past 2 MiB more
 * in flight only adds memory; bigger reads and corking did not help (a 64 KiB message is one write
 * anyway). The runs spread 30–100 %, so the windows from 2 to 8 MiB are within the noise of each other:
 * the differences that matter (1 MiB, big reads) were consistent.
 * Not tried on purpose: an all-zero mask (ws then skips masking) — the RFC wants an unpredictable mask,
 * and wsprobe cannot take that shortcut either.
 */
import { createReadStream } from 'node:fs';
import WebSocket from 'ws';

const WINDOW = Number(process.env.FLOOR_WINDOW_MIB ?? 2) * 1024 * 1024;
const READ = Number(process.env.FLOOR_READ_KIB ?? 64) * 1024;
const CORK = process.env.FLOOR_CORK === '1';
const MESSAGE = 64 * 1024;

const ws = new WebSocket(process.argv[2], { perMessageDeflate: false });
const input = createReadStream('', { fd: 0, highWaterMark: READ });
let sent = 0;
let received = 0;
let inputEnded = false;

function closeIfDone() {
  if (inputEnded && received === sent) ws.close(1000);
}

function resumeWhenDrained() {
  if (input.isPaused() && ws.bufferedAmount <= WINDOW) input.resume();
}

input.pause();
ws.on('open', () => {
  input.on('data', (chunk) => {
    sent += chunk.length;
    if (CORK) ws._socket.cork();
    for (let at = 0; at < chunk.length; at += MESSAGE) ws.send(chunk.subarray(at, at + MESSAGE), resumeWhenDrained);
    if (CORK) ws._socket.uncork();
    if (ws.bufferedAmount > WINDOW) input.pause();
  });
  input.on('end', () => {
    inputEnded = true;
    closeIfDone();
  });
  input.resume();
});
ws.on('message', (data) => {
  process.stdout.write(data);
  received += data.length;
  closeIfDone();
});
ws.on('error', (error) => {
  process.stderr.write(`floor: ${error.message}\n`);
  process.exit(3);
});
