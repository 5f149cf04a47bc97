#!/usr/bin/env node
/**
 * Load for the idle-connections workload: opens COUNT `ws` connections (at most 200 handshakes at a
 * time), prints {"ready":COUNT} on stdout once all are open, holds them until stdin ends, closes them
 * all with 1000, and prints the final JSON line { connections, openSeconds }. Exits 1 if any
 * connection fails or closes early. Like flood.mjs, the clients do not offer permessage-deflate.
 * With ADDRESSES > 1 the connections come from 127.0.0.1 … 127.0.0.ADDRESSES in turn: the loopback has
 * ~28 000 ephemeral ports (net.ipv4.ip_local_port_range) per source address, fewer than 30 000.
 * Usage: node bench/load/idle.mjs URL COUNT [ADDRESSES=1]
 */
import WebSocket from 'ws';

const [url, countArg, addressesArg = '1'] = process.argv.slice(2);
const count = Number(countArg);
const addresses = Number(addressesArg);
const sockets = [];
let holding = true;

function fail(message) {
  process.stderr.write(`idle: ${message}\n`);
  process.exit(1);
}

function open(i) {
  return new Promise((resolve) => {
    const localAddress = addresses > 1 ? `127.0.0.${1 + (i % addresses)}` : undefined;
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress });
    ws.on('open', () => resolve(ws));
    ws.on('error', (error) => fail(`connection ${sockets.length}: ${error.message}`));
    ws.on('close', (code) => {
      if (holding) fail(`a connection closed early (${code})`);
    });
  });
}

const started = process.hrtime.bigint();
let next = 0;
async function opener() {
  while (next < count) {
    sockets.push(await open(next++));
  }
}
await Promise.all(Array.from({ length: Math.min(200, count) }, opener));
const openSeconds = Number(process.hrtime.bigint() - started) / 1e9;
process.stdout.write(`${JSON.stringify({ ready: sockets.length })}\n`);

process.stdin.resume();
process.stdin.on('end', async () => {
  holding = false;
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise((resolve) => {
          ws.on('close', resolve);
          ws.close(1000);
        }),
    ),
  );
  process.stdout.write(`${JSON.stringify({ connections: sockets.length, openSeconds })}\n`);
});
