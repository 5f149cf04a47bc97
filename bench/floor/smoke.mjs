#!/usr/bin/env node
/**
 * Floor of the smoke workload: connect, send "hi", print the echo, close (the closing handshake
 * completes before the process ends, as with wsprobe).
 * Usage: node bench/floor/smoke.mjs URL
 *
 * Tuned (bench/floor/tune.mjs): FLOOR_DEFLATE=1 offers permessage-deflate (ws's default, which loads
 * zlib's glue); FLOOR_EXIT=1 exits as soon as the close completes instead of letting the loop drain.
 * Two sessions of 28 and 36 alternating runs (2-core machine, load average 6–8), medians in ms:
 * deflate offered 1051, 665; no deflate 1164, 598 (kept: the default); no deflate and exit on close
 * 1071, 600. The differences are within the noise (runs spread 230–1350 ms): starting Node dominates.
 */
import WebSocket from 'ws';

const ws = new WebSocket(process.argv[2], { perMessageDeflate: process.env.FLOOR_DEFLATE === '1' });
ws.on('open', () => ws.send('hi'));
ws.on('message', (data) => {
  process.stdout.write(`${data}\n`);
  ws.close(1000);
});
if (process.env.FLOOR_EXIT === '1') ws.on('close', () => process.exit(0));
ws.on('error', (error) => {
  process.stderr.write(`floor: ${error.message}\n`);
  process.exit(3);
});
