#!/usr/bin/env node
/**
 * websocketd (the Debian package) running a command, started the way the bench starts a server:
 * picks a free port, runs `websocketd --address=127.0.0.1 --port=PORT --loglevel=error COMMAND…`, and
 * once it accepts connections prints `listening on ws://127.0.0.1:PORT` on stderr, like `wsprobe`.
 * SIGTERM ends websocketd and its programs (the bench ends this process group too).
 * Usage: node bench/floor/websocketd.mjs COMMAND [ARG…]
 */
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const child = spawn(
  'websocketd',
  ['--address=127.0.0.1', `--port=${port}`, '--loglevel=error', ...process.argv.slice(2)],
  {
    stdio: ['ignore', 'ignore', 'inherit'],
  },
);
child.on('error', (error) => {
  process.stderr.write(`websocketd: ${error.message} (apt-get install websocketd)\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
process.on('SIGTERM', () => child.kill('SIGTERM'));

for (let tries = 0; ; tries++) {
  const up = await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
  if (up) break;
  if (tries > 200) {
    process.stderr.write('websocketd: not accepting connections after 10 s\n');
    child.kill('SIGKILL');
    process.exit(1);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
}
process.stderr.write(`listening on ws://127.0.0.1:${port}\n`);
