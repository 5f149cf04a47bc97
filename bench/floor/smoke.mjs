#!/usr/bin/env node
/**
 * Floor of the smoke workload: connect, send "hi", print the echo, close.
 * Usage: node bench/floor/smoke.mjs URL
 */
import WebSocket from 'ws';

const ws = new WebSocket(process.argv[2]);
ws.on('open', () => ws.send('hi'));
ws.on('message', (data) => {
  process.stdout.write(`${data}\n`);
  ws.close(1000);
});
ws.on('error', (error) => {
  process.stderr.write(`floor: ${error.message}\n`);
  process.exit(3);
});
