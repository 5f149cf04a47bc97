#!/usr/bin/env node
/**
 * The plain `ws` echo server: the server every client workload talks to (the same for wsprobe and its
 * floor), and the floor of the server workload. Every message comes back with the same type.
 * Prints `listening on ws://127.0.0.1:PORT` on stderr once ready, like `wsprobe echo`.
 * Usage: node bench/floor/echo-server.mjs [port]
 */
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.on('listening', () => process.stderr.write(`listening on ws://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
