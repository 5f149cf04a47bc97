#!/usr/bin/env node
/**
 * Floor of the bytes workload: send stdin as binary messages with `ws` (pausing stdin while more than
 * 1 MiB waits to be written), write the echoed bytes to stdout, close when every byte has come back.
 * Usage: node bench/floor/bytes.mjs URL < file
 */
import WebSocket from 'ws';

const ws = new WebSocket(process.argv[2]);
let sent = 0;
let received = 0;
let inputEnded = false;

function closeIfDone() {
  if (inputEnded && received === sent) ws.close(1000);
}

function resumeWhenDrained() {
  if (ws.bufferedAmount <= 1024 * 1024) process.stdin.resume();
}

process.stdin.pause();
ws.on('open', () => {
  process.stdin.on('data', (chunk) => {
    sent += chunk.length;
    ws.send(chunk, resumeWhenDrained);
    if (ws.bufferedAmount > 1024 * 1024) process.stdin.pause();
  });
  process.stdin.on('end', () => {
    inputEnded = true;
    closeIfDone();
  });
  process.stdin.resume();
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
