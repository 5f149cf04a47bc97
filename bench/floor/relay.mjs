#!/usr/bin/env node
/**
 * The floor of the proxy workload: a minimal `ws` relay — every client gets its own connection to
 * UPSTREAM (the client's path appended), messages go on with their type both ways, a close goes on
 * with its code. No output, no checks, no backpressure: what a relay costs at the least.
 * Prints `listening on ws://127.0.0.1:PORT` on stderr once ready, like `wsprobe proxy`.
 * Usage: node bench/floor/relay.mjs UPSTREAM [port]
 */
import WebSocket, { WebSocketServer } from 'ws';

const [upstream, port = '0'] = process.argv.slice(2);
const server = new WebSocketServer({ host: '127.0.0.1', port: Number(port) });
const sendable = (code) => (code === 1005 || code === 1006 || code === 1015 ? undefined : code);
server.on('connection', (client, req) => {
  const up = new WebSocket(upstream.replace(/\/$/, '') + (req.url ?? '/'));
  const early = [];
  client.on('message', (data, binary) => {
    if (up.readyState === WebSocket.OPEN) up.send(data, { binary });
    else early.push([data, binary]);
  });
  up.on('open', () => {
    for (const [data, binary] of early.splice(0)) up.send(data, { binary });
  });
  up.on('message', (data, binary) => client.send(data, { binary }));
  client.on('close', (code, reason) => up.close(sendable(code), reason));
  up.on('close', (code, reason) => client.close(sendable(code), reason));
  up.on('error', () => client.terminate());
  client.on('error', () => up.terminate());
});
server.on('listening', () => process.stderr.write(`listening on ws://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
