#!/usr/bin/env node
/**
 * The raw-TCP echo server of the physical reference: every byte a client sends comes back (with
 * backpressure: `socket.pipe(socket)`), no WebSocket framing. Prints `listening on ws://127.0.0.1:PORT`
 * on stderr once ready (the same announcement as every bench server; the scheme is only a label).
 * Usage: node bench/floor/tcp-echo-server.mjs [port]
 */
import { createServer } from 'node:net';

const server = createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () =>
  process.stderr.write(`listening on ws://127.0.0.1:${server.address().port}\n`),
);
process.on('SIGTERM', () => process.exit(0));
