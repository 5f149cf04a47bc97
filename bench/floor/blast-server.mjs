#!/usr/bin/env node
/**
 * The server of the pretty workload: a bare TCP server that answers the WebSocket handshake and then
 * writes N text messages (see blastMessage in lib/data.mjs) as frames built once at start-up, in one
 * write — so that the server costs next to nothing and what is measured is the client rendering them.
 * It answers the client's close frame with a close frame (1000) and ends the connection.
 * Prints `listening on ws://127.0.0.1:PORT` on stderr once ready.
 * Usage: node bench/floor/blast-server.mjs N [json]   (json: blastJson messages instead)
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { blastJson, blastMessage } from '../lib/data.mjs';

const n = Number(process.argv[2]);
const message = process.argv[3] === 'json' ? blastJson : blastMessage;
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function textFrame(text) {
  const payload = Buffer.from(text);
  if (payload.length >= 126) throw new Error('blast messages are shorter than 126 bytes');
  return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
}

const frames = Buffer.concat(Array.from({ length: n }, (_, i) => textFrame(message(i))));
const closeFrame = Buffer.from([0x88, 0x02, 0x03, 0xe8]);

const server = createServer((socket) => {
  let request = '';
  let upgraded = false;
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    if (upgraded) {
      // The client sends nothing but its close frame (opcode 8); anything else is ignored.
      if ((chunk[0] & 0x0f) === 0x08) socket.end(closeFrame);
      return;
    }
    request += chunk.toString('latin1');
    if (!request.includes('\r\n\r\n')) return;
    const key = /^sec-websocket-key:\s*(\S+)\s*$/im.exec(request)?.[1] ?? '';
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    upgraded = true;
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(frames);
  });
});
server.listen(0, '127.0.0.1', () => process.stderr.write(`listening on ws://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => process.exit(0));
