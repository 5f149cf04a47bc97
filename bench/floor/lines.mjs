#!/usr/bin/env node
/**
 * Floor of the lines workload (and of the size sweep, whose lines are up to 16 MiB): read stdin lines,
 * send each as a text message with `ws` (at most WINDOW bytes waiting to be written: stdin paused above
 * it), write each echo to stdout followed by "\n", close when every line has come back.
 * Usage: node bench/floor/lines.mjs URL < lines      (FLOOR_DEFLATE=1: offer permessage-deflate)
 *
 * Tuned (bench/floor/tune.mjs) until it stopped improving; the knobs stay as environment variables so
 * the tuning can be rerun: FLOOR_WINDOW_MIB (default 1), FLOOR_CORK (default 1: cork the socket around
 * the messages of one stdin chunk, one writev instead of a write per message), FLOOR_BATCH (1: gather
 * the echoes of one event-loop turn and write them to stdout at once; default: 1 when stdout is a pipe,
 * 0 when it is a file).
 * 100 000 short lines, 2-core machine under the load of other benchmarks (load average 6–8), medians
 * of 7 and 9 alternating runs in two sessions (ms):
 *   window 1 MiB                4025, 2617     window 1 MiB, cork          2686, 2267  <- kept
 *   window 1 MiB, batch         3316, 2543     window 1 MiB, cork, batch   3461, 2662
 *   window 8 MiB                3126, –        window 8 MiB, cork, batch   3559, 2479
 * Corking is the one change that won both times (−13 to −33 %); a larger window made no steady
 * difference. Batching stdout did not help when stdout is a file (the lines workload: a write there is a
 * cheap copy) but does when it is a pipe (the size sweep, whose driver reads it: each write wakes the
 * reader): 200 000 lines of 16 B through bench/load/stream-rate.mjs, three runs each, steady state
 * 1.08 / 0.72 / 1.12 MB/s batched against 0.75 / 0.63 / 0.68 MB/s unbatched.
 * Lines are cut as Buffers (a long line's pieces are joined once, when its newline comes) and sent as
 * text without a round trip through a JS string. Incoming text is UTF-8 validated, as wsprobe does.
 */
import { fstatSync } from 'node:fs';
import WebSocket from 'ws';

const WINDOW = Number(process.env.FLOOR_WINDOW_MIB ?? 1) * 1024 * 1024;
const CORK = (process.env.FLOOR_CORK ?? '1') === '1';
// stdout a file: one write per echo is cheapest; a pipe: one write per event-loop turn (see above)
const BATCH = (process.env.FLOOR_BATCH ?? (fstatSync(1).isFile() ? '0' : '1')) === '1';
const deflate = process.env.FLOOR_DEFLATE === '1';

const ws = new WebSocket(process.argv[2], {
  // FLOOR_DEFLATE: the parameters wsprobe offers (src/connection/deflate.ts), so only the code differs
  perMessageDeflate: deflate
    ? {
        threshold: 1024,
        clientNoContextTakeover: true,
        clientMaxWindowBits: 13,
        zlibDeflateOptions: { level: 1, memLevel: 7 },
      }
    : false,
  maxPayload: 1024 * 1024 * 1024,
});
// process.stdin: a file is read in 64 KiB chunks (fs.ReadStream), a pipe as events of its own (a
// net.Socket: an fs.ReadStream would read a pipe through the thread pool, adding latency)
const input = process.stdin;
const NL = Buffer.from('\n');
let parts = [];
let sent = 0;
let received = 0;
let inputEnded = false;
let out = [];

function closeIfDone() {
  if (inputEnded && received === sent) {
    flush();
    ws.close(1000);
  }
}

function flush() {
  if (out.length === 0) return;
  const chunk = out.length === 1 ? out[0] : Buffer.concat(out);
  out = [];
  process.stdout.write(chunk);
}

function resumeWhenDrained() {
  if (input.isPaused() && !inputEnded && ws.bufferedAmount <= WINDOW) input.resume();
}

function send(line) {
  sent++;
  ws.send(line, { binary: false }, resumeWhenDrained);
}

input.pause();
ws.on('open', () => {
  input.on('data', (chunk) => {
    if (CORK) ws._socket.cork();
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      let line = chunk.subarray(start, nl);
      if (parts.length) {
        parts.push(line);
        line = Buffer.concat(parts);
        parts = [];
      }
      send(line);
      start = nl + 1;
    }
    if (start < chunk.length) parts.push(chunk.subarray(start));
    if (CORK) ws._socket.uncork();
    if (ws.bufferedAmount > WINDOW) input.pause();
  });
  input.on('end', () => {
    if (parts.length) send(Buffer.concat(parts));
    inputEnded = true;
    closeIfDone();
  });
  input.resume();
});
ws.on('message', (data) => {
  received++;
  if (BATCH) {
    if (out.length === 0) setImmediate(flush);
    out.push(data, NL);
  } else process.stdout.write(Buffer.concat([data, NL]));
  closeIfDone();
});
ws.on('error', (error) => {
  process.stderr.write(`floor: ${error.message}\n`);
  process.exit(3);
});
