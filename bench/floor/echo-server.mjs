#!/usr/bin/env node
/**
 * The plain `ws` echo server: the server every client workload talks to (the same for wsprobe and its
 * floor), and the floor of the server workloads. Every message comes back with the same type.
 * Prints `listening on ws://127.0.0.1:PORT` on stderr once ready, like `wsprobe echo`.
 * With `deflate` it accepts permessage-deflate with the parameters wsprobe's own server uses
 * (src/connection/deflate.ts: no context takeover, level 1, 8 KiB window) but compresses echoes of any
 * size — the server of the large-message deflate workload, where both directions are compressed.
 * Usage: node bench/floor/echo-server.mjs [port] [deflate] [cork]
 */
import { WebSocketServer } from 'ws';

const deflate = process.argv.includes('deflate') && {
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
// cork: the echoes of one read of a client leave in one write (the socket is corked from the first echo
// of an event-loop turn to its end), as wsprobe's servers do; the plain echo writes each on its own.
const cork = process.argv.includes('cork');
server.on('connection', (ws) => {
  if (!cork) {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    return;
  }
  const socket = ws._socket;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  ws.on('message', (data, isBinary) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    ws.send(data, { binary: isBinary });
  });
});
server.on('listening', () => process.stderr.write(`listening on ws://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
