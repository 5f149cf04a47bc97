#!/usr/bin/env node
/**
 * The physical reference of the bytes and size-sweep workloads: stdin to a raw TCP echo server
 * (bench/floor/tcp-echo-server.mjs) and what comes back to stdout, with Node's `net` and no WebSocket
 * framing — what the loopback and Node's streams cost without any protocol. Ends its side of the
 * connection when stdin ends and exits when all has come back (the server then ends too).
 * Usage: node bench/floor/tcp.mjs ws://127.0.0.1:PORT < file   (the URL of the bench's servers)
 */
import { createReadStream } from 'node:fs';
import { connect } from 'node:net';

const { hostname, port } = new URL(process.argv[2]);
const READ = Number(process.env.FLOOR_READ_KIB ?? 64) * 1024;
const socket = connect(Number(port), hostname, () => {
  createReadStream('', { fd: 0, highWaterMark: READ }).pipe(socket);
});
socket.pipe(process.stdout);
socket.on('error', (error) => {
  process.stderr.write(`tcp floor: ${error.message}\n`);
  process.exit(3);
});
