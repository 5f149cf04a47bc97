#!/usr/bin/env node
/**
 * Load for the server workload: CLIENTS `ws` connections, each sending MESSAGES text messages of SIZE
 * bytes with at most WINDOW of its own in flight, and checking that each comes back unchanged. The
 * clock runs from the moment every client is open until the last echo. Prints one JSON line:
 * { clients, messages, seconds, perSecond, extensions }. Exits 1 on any error, unexpected close or
 * wrong echo. To keep the load generator cheap (so the server is the bottleneck) the clients use an
 * all-zero mask (ws then skips masking), skip UTF-8 validation of what comes back, and send what they
 * send in one turn of the event loop (a message per echo of one read) in one write: unbatched, the
 * generator's own write per message took more CPU than the server it loaded (5 s for 500 000 messages,
 * against 1.2 s batched), and measured mostly itself.
 * Usage: node bench/load/flood.mjs URL CLIENTS MESSAGES [SIZE=32] [WINDOW=100] [--no-deflate]
 */
import WebSocket from 'ws';

const [url, clientsArg, messagesArg, sizeArg = '32', windowArg = '100'] = process.argv.slice(2);
const clients = Number(clientsArg);
const messages = Number(messagesArg);
const window = Number(windowArg);
const payload = Buffer.alloc(Number(sizeArg), 'x');
const options = {
  perMessageDeflate: !process.argv.includes('--no-deflate'),
  skipUTF8Validation: true,
  generateMask: (mask) => mask.fill(0),
};

function fail(message) {
  process.stderr.write(`flood: ${message}\n`);
  process.exit(1);
}

const sockets = await Promise.all(
  Array.from(
    { length: clients },
    () =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, options);
        ws.on('open', () => resolve(ws));
        ws.on('error', (error) => fail(error.message));
      }),
  ),
);

let done = 0;
const started = process.hrtime.bigint();
const finished = new Promise((resolve) => {
  for (const ws of sockets) {
    let sent = 0;
    let received = 0;
    // The messages sent in one turn of the event loop (one per echo of a read) leave in one write.
    const socket = ws._socket;
    let corked = false;
    const uncork = () => {
      corked = false;
      socket.uncork();
    };
    const send = () => {
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(uncork);
      }
      ws.send(payload, { binary: false });
      sent++;
    };
    ws.on('close', (code) => {
      if (received < messages) fail(`connection closed (${code}) after ${received} of ${messages} echoes`);
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary || !payload.equals(data)) fail('an echo differs from what was sent');
      received++;
      if (sent < messages) send();
      if (received === messages && ++done === clients) resolve();
    });
    while (sent < Math.min(window, messages)) send();
  }
});
await finished;
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const extensions = sockets[0].extensions;
await Promise.all(
  sockets.map(
    (ws) =>
      new Promise((resolve) => {
        ws.removeAllListeners('close');
        ws.on('close', resolve);
        ws.close(1000);
      }),
  ),
);
const total = clients * messages;
process.stdout.write(
  `${JSON.stringify({ clients, messages: total, seconds, perSecond: total / seconds, extensions })}\n`,
);
