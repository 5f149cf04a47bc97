#!/usr/bin/env node
/**
 * Floor of the lines workload: read stdin lines, send each as a text message with `ws`, write each
 * echo to stdout followed by "\n", close when every line has come back.
 * Usage: node bench/floor/lines.mjs URL < lines
 */
import WebSocket from 'ws';

const ws = new WebSocket(process.argv[2]);
const pending = [];
let rest = '';
let sent = 0;
let received = 0;
let inputEnded = false;

function send(line) {
  if (ws.readyState === WebSocket.OPEN) ws.send(line);
  else pending.push(line);
  sent++;
}

function closeIfDone() {
  if (inputEnded && received === sent) ws.close(1000);
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (rest + chunk).split('\n');
  rest = lines.pop();
  for (const line of lines) send(line);
});
process.stdin.on('end', () => {
  if (rest !== '') send(rest);
  inputEnded = true;
  closeIfDone();
});
ws.on('open', () => {
  for (const line of pending) ws.send(line);
  pending.length = 0;
});
ws.on('message', (data) => {
  process.stdout.write(`${data}\n`);
  received++;
  closeIfDone();
});
ws.on('error', (error) => {
  process.stderr.write(`floor: ${error.message}\n`);
  process.exit(3);
});
