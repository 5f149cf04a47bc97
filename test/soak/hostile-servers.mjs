/**
 * The servers' hostile cases that need time (issue 13, items 6–8), a section of `npm run soak`
 * (test/soak/soak.mjs runs `hostileServerSoak()` after its own sections). Each case starts a fresh
 * server with stdout to /dev/null, runs the attack with a well-behaved bystander connected all along,
 * and checks two bounds:
 *
 * - the server's peak RSS (VmHWM from /proc/PID/status, read when the case ends) under PEAK_RSS_MIB;
 * - the bystander's round trips (a 32-byte text every 50 ms; for `echo --delay` minus the delay) all
 *   under BYSTANDER_MS, every answer checked, none missing.
 *
 * Cases:
 * 1. deflate bombs: 16 raw clients negotiate permessage-deflate and each send one 97 KB message that
 *    inflates to 99 MiB (the default --max-payload allows it), never reading; two waves against
 *    `wsprobe echo` (echoes held for clients that do not read), one against `wsprobe listen`.
 *    Before the memory budget: 2 GiB and more.
 * 2. a non-reading broadcast client: `listen --broadcast`, 6 deflate clients that never read, one
 *    client sends 64 MiB of random bytes (compressed for each before: 896 MiB), then 24 × 1 MiB; the
 *    six are closed with 1008, a reading client gets all of it, byte for byte.
 * 3. an `echo --delay 200` flood: 8 clients send 64 MiB each as fast as TCP lets them (860 MiB RSS
 *    before the bound); every echo comes back, in order (SHA-256 per client).
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import WebSocket from 'ws';

const CLI = fileURLToPath(new URL('../../bin/wsprobe.js', import.meta.url));
const MiB = 1024 * 1024;

/**
 * Bounds, per case: the server's peak RSS (MiB) and the bystander's longest round trip (ms). A 99 MiB
 * message costs the server about 0.35 s of its one thread on a 2-core VM (ws copies the inflated pieces
 * into one buffer); measured there: bombs 523 / 325 MiB and 0.45 s (1.7 s while another test suite ran
 * on the same cores), broadcast 216 MiB and 0.15 s, delay flood 111 MiB and 0.03 s.
 */
export const PEAK_RSS_MIB = { bombs: 640, broadcast: 320, delay: 200 };
export const BYSTANDER_MS = { bombs: 2000, broadcast: 1000, delay: 1000 };

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function peakRssMiB(pid) {
  try {
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

async function startServer(args) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) =>
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  for (;;) {
    const match = /^listening on (ws:\/\/\S+)$/m.exec(stderr);
    if (match) return { child, url: match[1], port: Number(new URL(match[1]).port), stderr: () => stderr, exited };
    if (child.exitCode !== null) throw new Error(`wsprobe ${args.join(' ')} exited: ${stderr}`);
    await sleep(20);
  }
}

async function stopServer(server) {
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), 10_000);
  const result = await server.exited;
  clearTimeout(timer);
  return result;
}

/** A masked client frame (any size), RSV1 set when `compressed`. */
function clientFrame(opcode, payload, compressed = false) {
  const mask = randomBytes(4);
  const length = payload.length;
  const head = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | (compressed ? 0x40 : 0) | opcode;
  if (length < 126) head[1] = 0x80 | length;
  else if (length < 65536) {
    head[1] = 0x80 | 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, masked]);
}

/** A raw client that negotiates permessage-deflate and then never reads. */
async function sleeper(port) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  await once(socket, 'connect');
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
      'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n',
  );
  let head = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      if (/^HTTP\/1\.1 101 /.test(head) && /permessage-deflate/i.test(head)) resolve();
      else reject(new Error(`handshake: ${head.split('\r\n')[0]}`));
    };
    socket.on('data', onData);
  });
  return socket;
}

/**
 * A well-behaved client in a process of its own (so that what this process does — building bombs,
 * hashing floods — does not count as the server's latency): a short text every 50 ms, each answer
 * timed. `echo`: the echo (minus `delayMs`); `relay`: the same text relayed by `listen --broadcast` to a
 * second connection; `ping`: a ping and its pong. stop() resolves its figures.
 */
function bystander(url, mode = 'echo', delayMs = 0) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--bystander', url, mode, String(delayMs)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += chunk;
  });
  const exited = once(child, 'close');
  const ready = new Promise((resolve) => {
    const check = () => (out.includes('ready\n') ? resolve() : undefined);
    child.stdout.on('data', check);
  });
  return ready.then(() => ({
    async stop() {
      child.stdin.end();
      await exited;
      children.delete(child);
      const last = out.trim().split('\n').at(-1);
      try {
        return JSON.parse(last);
      } catch {
        return { sent: 0, maxMs: Number.NaN, p99Ms: Number.NaN, problems: [`bystander output: ${last}`] };
      }
    },
  }));
}

/** The bystander process (see bystander()). */
async function runBystander(url, mode, delayMs) {
  const open = async () => {
    const ws = new WebSocket(url);
    ws.on('error', () => {});
    await once(ws, 'open');
    return ws;
  };
  const sender = await open();
  const receiver = mode === 'relay' ? await open() : sender;
  const sentAt = new Map();
  const rtts = [];
  const problems = [];
  let next = 0;
  let expected = 0;
  const answered = (text) => {
    if (text !== `bystander ${expected}`)
      problems.push(`got ${JSON.stringify(text.slice(0, 40))}, expected #${expected}`);
    rtts.push(performance.now() - (sentAt.get(text) ?? Number.NaN) - delayMs);
    sentAt.delete(text);
    expected++;
  };
  if (mode === 'ping') sender.on('pong', (data) => answered(data.toString()));
  else {
    receiver.on('message', (data) => {
      // Another client's broadcast is none of ours.
      if (data.subarray(0, 10).equals(Buffer.from('bystander '))) answered(data.toString());
    });
  }
  const timer = setInterval(() => {
    const text = `bystander ${next++}`;
    sentAt.set(text, performance.now());
    if (mode === 'ping') sender.ping(text);
    else sender.send(text);
  }, 50);
  process.stdout.write('ready\n');
  process.stdin.resume();
  await once(process.stdin, 'end');
  clearInterval(timer);
  const deadline = performance.now() + 10_000;
  while (expected < next && performance.now() < deadline) await sleep(20);
  if (expected < next) problems.push(`${next - expected} of ${next} answers missing`);
  const sorted = rtts.filter(Number.isFinite).sort((a, b) => a - b);
  const figures = {
    sent: next,
    maxMs: sorted.at(-1) ?? Number.NaN,
    p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN,
    problems,
  };
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}

/** Polls `read` until `test` passes or `timeoutMs`; true if it passed. */
async function until(read, test, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (!test(read())) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

const count = (text, re) => (text.match(re) ?? []).length;

/**
 * `echo`: the bombers never read their echoes; each wave is over when all but two of them were dropped
 * (two echoes of 99 MiB fit in the 250 MiB budget). `listen`: a bomber closes right after its bomb; a
 * wave is over when the server has seen every close (frames are handled in order).
 */
async function bombs(command, waves, out) {
  const echo = command === 'echo';
  const server = await startServer([command, '0', ...(echo ? ['-q'] : ['--no-stdin'])]);
  const watch = await bystander(server.url, echo ? 'echo' : 'ping');
  const bomb = clientFrame(0x2, deflateRawSync(Buffer.alloc(99 * MiB), { level: 9 }), true);
  const close = clientFrame(0x8, Buffer.from([0x03, 0xe8]));
  const started = performance.now();
  let sent = 0;
  for (let wave = 0; wave < waves; wave++) {
    const sockets = await Promise.all(Array.from({ length: 16 }, () => sleeper(server.port)));
    for (const socket of sockets) socket.write(echo ? bomb : Buffer.concat([bomb, close]));
    sent += sockets.length;
    const settled = () =>
      echo
        ? count(server.stderr(), /dropped: it holds/g)
        : count(server.stderr(), /closed 1000 \(Normal Closure\) by client/g);
    const target = echo ? sent - 2 * (wave + 1) : sent;
    if (!(await until(settled, (n) => n >= target, 120_000))) {
      out.violations.push(`bombs → ${command}: ${settled()} of ${target} bomb clients done after 120 s`);
    }
    for (const socket of sockets) socket.destroy();
  }
  const peak = peakRssMiB(server.child.pid);
  const seconds = (performance.now() - started) / 1000;
  const figures = await watch.stop();
  const stopped = await stopServer(server);
  out.report.push(
    `  bombs → ${command}: ${sent} × 97 KB inflating to 99 MiB, ${waves} wave(s) of 16 in ${seconds.toFixed(1)} s;` +
      ` ${count(server.stderr(), /dropped: it holds/g)} dropped for the budget; peak RSS ${peak.toFixed(0)} MiB` +
      ` (bound ${PEAK_RSS_MIB.bombs}); bystander ${figures.sent} round trips, max ${figures.maxMs.toFixed(0)} ms,` +
      ` p99 ${figures.p99Ms.toFixed(0)} ms (bound ${BYSTANDER_MS.bombs})`,
  );
  check(out, `bombs → ${command}`, peak, PEAK_RSS_MIB.bombs, BYSTANDER_MS.bombs, figures, stopped);
}

/**
 * 64 MiB broadcast to six deflate clients that never read (it is the one message being written to each,
 * so it does not count against them), then 24 MiB more in 1 MiB messages: piled up behind it, that
 * closes the six with 1008. A reading client gets all 25 messages; the bystander joins after the big one.
 */
async function broadcast(out) {
  const server = await startServer(['listen', '0', '-q', '--broadcast', '--no-stdin']);
  const sockets = await Promise.all(Array.from({ length: 6 }, () => sleeper(server.port)));
  const reader = new WebSocket(server.url, { maxPayload: 0 });
  const got = createHash('sha256');
  let received = 0;
  reader.on('message', (data) => {
    if (data.subarray(0, 10).equals(Buffer.from('bystander '))) return;
    got.update(data);
    received++;
  });
  const sender = new WebSocket(server.url, { perMessageDeflate: false, maxPayload: 0 });
  await Promise.all([once(reader, 'open'), once(sender, 'open')]);
  // Everything is made (and hashed) first.
  const big = randomBytes(64 * MiB);
  const more = Array.from({ length: 24 }, () => randomBytes(MiB));
  const sent = createHash('sha256').update(big);
  for (const chunk of more) sent.update(chunk);
  sender.send(big);
  await until(
    () => received,
    (n) => n >= 1,
    60_000,
  );
  const watch = await bystander(server.url, 'relay');
  // One at a time, each once the reader has it: the reader is never the one behind (with --broadcast
  // the fastest reader sets the pace, and one 16 MiB behind it is closed too).
  for (const [i, chunk] of more.entries()) {
    sender.send(chunk);
    await until(
      () => received,
      (n) => n >= i + 2,
      30_000,
    );
  }
  const closed = await until(
    () => count(server.stderr(), /closing with 1008/g),
    (n) => n >= 6,
    60_000,
  );
  await until(
    () => received,
    (n) => n >= 25,
    30_000,
  );
  const peak = peakRssMiB(server.child.pid);
  const figures = await watch.stop();
  const slowReader = /client #7 is not reading/.test(server.stderr());
  const intact = received === 25 && got.digest('hex') === sent.digest('hex');
  reader.terminate();
  sender.terminate();
  for (const socket of sockets) socket.destroy();
  const stopped = await stopServer(server);
  out.report.push(
    `  broadcast: 64 MiB, then 24 × 1 MiB, to 6 deflate clients that do not read; ${closed ? 'all 6' : 'NOT all'}` +
      ` closed with 1008; the reader got ${intact ? 'all 25 messages intact (SHA-256)' : 'a wrong result'};` +
      ` peak RSS ${peak.toFixed(0)} MiB (bound ${PEAK_RSS_MIB.broadcast}); bystander ${figures.sent} relays,` +
      ` max ${figures.maxMs.toFixed(0)} ms (bound ${BYSTANDER_MS.broadcast})`,
  );
  if (!closed) out.violations.push('broadcast: the six non-reading clients were not all closed with 1008');
  if (!intact) {
    const why = slowReader ? ' (it fell 16 MiB behind the fastest reader and was closed)' : '';
    out.violations.push(`broadcast: the reading client got ${received} of 25 messages${why}`);
  }
  check(out, 'broadcast', peak, PEAK_RSS_MIB.broadcast, BYSTANDER_MS.broadcast, figures, stopped);
}

async function delayFlood(out) {
  const delayMs = 200;
  const server = await startServer(['echo', '0', '-q', '--delay', String(delayMs)]);
  const watch = await bystander(server.url, 'echo', delayMs);
  const started = performance.now();
  const flooders = await Promise.all(
    Array.from({ length: 8 }, async (_, id) => {
      const ws = new WebSocket(server.url, { perMessageDeflate: false });
      ws.on('error', () => {});
      await once(ws, 'open');
      const sent = createHash('sha256');
      const back = createHash('sha256');
      let echoed = 0;
      ws.on('message', (data) => {
        back.update(data);
        echoed += data.length;
      });
      for (let i = 0; i < 1024; i++) {
        const chunk = Buffer.alloc(64 * 1024, (id * 31 + i) & 0xff);
        sent.update(chunk);
        ws.send(chunk);
      }
      const total = 64 * MiB;
      const done = await until(
        () => echoed,
        (n) => n >= total,
        180_000,
      );
      ws.terminate();
      return done && sent.digest('hex') === back.digest('hex');
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const peak = peakRssMiB(server.child.pid);
  const figures = await watch.stop();
  const stopped = await stopServer(server);
  const intact = flooders.filter(Boolean).length;
  out.report.push(
    `  echo --delay ${delayMs} flood: 8 clients × 64 MiB in ${seconds.toFixed(1)} s; ${intact}/8 got every echo in order` +
      ` (SHA-256); peak RSS ${peak.toFixed(0)} MiB (bound ${PEAK_RSS_MIB.delay}); bystander max` +
      ` ${figures.maxMs.toFixed(0)} ms beyond the delay (bound ${BYSTANDER_MS.delay})`,
  );
  if (intact !== 8) out.violations.push(`echo --delay flood: ${8 - intact} of 8 clients did not get every echo intact`);
  check(out, 'echo --delay flood', peak, PEAK_RSS_MIB.delay, BYSTANDER_MS.delay, figures, stopped);
}

function check(out, name, peak, bound, latencyBound, figures, stopped) {
  if (!(peak <= bound)) out.violations.push(`${name}: server peak RSS ${peak.toFixed(0)} MiB (bound ${bound} MiB)`);
  if (!(figures.maxMs <= latencyBound)) {
    out.violations.push(
      `${name}: bystander round trip up to ${figures.maxMs.toFixed(0)} ms (bound ${latencyBound} ms)`,
    );
  }
  for (const problem of figures.problems) out.violations.push(`${name}: bystander ${problem}`);
  if (stopped.code !== 143) out.violations.push(`${name}: server exit on SIGTERM ${stopped.code ?? stopped.signal}`);
}

/** Runs every case; resolves { report, violations } (lines of text). */
export async function hostileServerSoak() {
  const out = { report: ['hostile clients against the servers (issue 13, items 6–8):'], violations: [] };
  for (const [name, run] of [
    ['bombs → echo', () => bombs('echo', 2, out)],
    ['bombs → listen', () => bombs('listen', 1, out)],
    ['broadcast', () => broadcast(out)],
    ['echo --delay flood', () => delayFlood(out)],
  ]) {
    try {
      await run();
    } catch (err) {
      out.violations.push(`${name} aborted: ${err.stack ?? err}`);
    }
  }
  return out;
}

// Run on its own: node test/soak/hostile-servers.mjs
if (process.argv[2] === '--bystander') {
  await runBystander(process.argv[3], process.argv[4], Number(process.argv[5]));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { report, violations } = await hostileServerSoak();
  console.log(report.join('\n'));
  if (violations.length) {
    console.log(`\nFAIL (hostile clients): ${violations.length} violation(s)`);
    for (const v of violations) console.log(`  - ${v}`);
    process.exitCode = 1;
  } else {
    console.log('\nPASS (hostile clients): server memory and a bystander within bounds');
  }
}
