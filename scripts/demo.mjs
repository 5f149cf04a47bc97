#!/usr/bin/env node
/**
 * `npm start`: a tour with nothing else running. Starts a ws echo server on 127.0.0.1 (a free port),
 * runs the built CLI against it with the full handshake shown, a text and a binary message each way
 * and the close, then exits with the CLI's exit code.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
server.on('listening', () => {
  const url = `ws://127.0.0.1:${server.address().port}/demo`;
  const cli = fileURLToPath(new URL('../bin/wsprobe.js', import.meta.url));
  const args = [
    'connect',
    url,
    '--pretty',
    '-v',
    '-x',
    'hello from wsprobe',
    '--send-hex',
    '00ff0a',
    '--no-stdin',
    '-w',
    '0.5',
  ];
  const shown = args.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ');
  process.stderr.write(`$ wsprobe ${shown}\n\n`);
  const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit' });
  child.on('close', (code) => {
    server.close();
    process.exitCode = code ?? 1;
  });
});
