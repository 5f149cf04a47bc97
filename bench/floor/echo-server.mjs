#!/usr/bin/env node
/**
 * The plain `ws` echo server: the server every client workload talks to (the same for wsprobe and its
 * floor), and the floor of the server workloads. Every message comes back with the same type.
 * Prints `listening on ws://127.0.0.1:PORT` on stderr once ready, like `wsprobe echo`.
 * With `deflate` it accepts permessage-deflate with the parameters wsprobe's own server uses
 * (src/connection/deflate.ts: no context takeover, level 1, 8 KiB window) but compresses echoes of any
 * size — the server of the large-message deflate workload, where both directions are compressed.
 * Usage: node bench/floor/echo-server.mjs [port] [deflate]
 */
import { WebSocketServer } from 'ws';

const deflate = process.argv[3] === 'deflate' && {
  threshold: 1024,
  serverNoContextTakeover: true,
  clientNoContextTakeover: true,
  serverMaxWindowBits: 13,
  zlibDeflateOptions: { level: 1, memLevel: 7 },
};
const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  perMessageDeflate: deflate,
});
server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.on('listening', () => process.stderr.write(`listening on ws://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
