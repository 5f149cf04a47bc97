#!/usr/bin/env node
/**
 * Soak test (`npm run soak`; a short run is part of `npm test`, test/e2e/soak.test.ts). Plain Node.
 *
 * 1. Server soak: ONE long-running `wsprobe echo 0 -q`, against which
 *    - `--ws-cycles` connect/send/close cycles of real `ws` clients from this process
 *      (`--ws-concurrency` at a time; each sends `--ws-messages` text messages, checks every echo,
 *      closes with 1000 and waits for the clean close), then
 *    - `--cli-cycles` full runs of `wsprobe connect` (the client's start/stop path), each piping a few
 *      lines with `--count`, every other one with `--json` (its summary counts are checked).
 *    Its open file descriptors (/proc/PID/fd) must come back to the count it had before the first client,
 *    plus at most `--fd-slack` (a bounded poll, not a sleep); its RSS (/proc/PID/status, VmRSS) after the
 *    cycles may exceed the RSS after a warm-up by at most `--max-server-rss-growth-mib`. Every message it
 *    received is a line on its stdout: the count must match what was sent. Its stderr must stay silent
 *    (with -q only problems are printed there), and SIGTERM must stop it with exit 143 (128 + SIGTERM).
 * 2. Pipeline soak: `--lines` lines through ONE `wsprobe connect URL -q` to a `ws` echo server in this
 *    process. Every line must come back: line count and SHA-256 of stdout equal those of the input (and
 *    of what the server received); exit 0, stderr silent; the client's peak RSS (VmHWM, sampled) at most
 *    `--max-client-rss-mib`.
 *
 * Prints a report and exits 0 when every bound held, 1 on any violation, 2 on a usage error.
 * Needs Linux (/proc) and a built CLI (`npm run build`).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';

const CLI = fileURLToPath(new URL('../../bin/wsprobe.js', import.meta.url));

const OPTIONS = {
  'ws-cycles': { type: 'string', default: '10000' },
  'ws-concurrency': { type: 'string', default: '8' },
  'ws-messages': { type: 'string', default: '3' },
  'warmup-cycles': { type: 'string', default: '200' },
  'cli-cycles': { type: 'string', default: '200' },
  'cli-concurrency': { type: 'string', default: '2' },
  lines: { type: 'string', default: '1000000' },
  'max-client-rss-mib': { type: 'string', default: '150' },
  'max-server-rss-growth-mib': { type: 'string', default: '40' },
  'fd-slack': { type: 'string', default: '2' },
  'settle-timeout': { type: 'string', default: '15' },
  'cycle-timeout': { type: 'string', default: '20' },
  help: { type: 'boolean', default: false },
};

const USAGE = `usage: node test/soak/soak.mjs [options]
  --ws-cycles N                  ws connect/send/close cycles against wsprobe echo (default 10000)
  --ws-concurrency N             cycles in flight at once (default 8)
  --ws-messages N                messages per ws cycle (default 3)
  --warmup-cycles N              ws cycles before the server's RSS baseline is taken (default 200)
  --cli-cycles N                 full \`wsprobe connect\` runs against wsprobe echo (default 200)
  --cli-concurrency N            CLI runs at once (default 2)
  --lines N                      lines through one \`wsprobe connect\` pipeline (default 1000000)
  --max-client-rss-mib N         bound on the pipeline client's peak RSS (default 150)
  --max-server-rss-growth-mib N  bound on the echo server's RSS growth over the cycles (default 40)
  --fd-slack N                   echo server fds may end at most this many above the baseline (default 2)
  --settle-timeout S             how long the server may take to release fds / print (default 15 s)
  --cycle-timeout S              bound on one cycle or CLI run (default 20 s)`;

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({ options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    console.error(`soak: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name, { min = 0, integer = true } = {}) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      console.error(`soak: --${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got "${values[name]}"`);
      process.exit(2);
    }
    return n;
  };
  return {
    wsCycles: num('ws-cycles'),
    wsConcurrency: num('ws-concurrency', { min: 1 }),
    wsMessages: num('ws-messages', { min: 1 }),
    warmupCycles: num('warmup-cycles'),
    cliCycles: num('cli-cycles'),
    cliConcurrency: num('cli-concurrency', { min: 1 }),
    lines: num('lines'),
    maxClientRssMiB: num('max-client-rss-mib', { integer: false }),
    // Negative values are allowed (only to see the check fail).
    maxServerRssGrowthMiB: num('max-server-rss-growth-mib', { min: -1e9, integer: false }),
    fdSlack: num('fd-slack', { min: -1e9 }),
    settleTimeoutMs: num('settle-timeout', { integer: false }) * 1000,
    cycleTimeoutMs: num('cycle-timeout', { integer: false }) * 1000,
  };
}

/** A failure the soak explains by itself (no stack trace needed). */
class SoakError extends Error {}

const opts = parseOptions();
const violations = [];
const report = [];
const violation = (text) => violations.push(text);
const line = (text = '') => report.push(text);
const mib = (kB) => kB / 1024;
const fmtMiB = (n) => `${n.toFixed(1)} MiB`;
const sha256 = () => createHash('sha256');

// ---------------------------------------------------------------------------------------------- /proc

function procStatus(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? Number.NaN);
    const s = { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
    // A process that has exited but is not reaped yet (a zombie) has no Vm* lines.
    return Number.isFinite(s.rssKiB) && Number.isFinite(s.hwmKiB) ? s : undefined;
  } catch {
    return undefined; // the process is gone
  }
}

function fdCount(pid) {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Polls `probe` every 20 ms until `done(value)` or `timeoutMs`; resolves with the last value and whether done. */
async function pollUntil(probe, done, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (done(value)) return { value, ok: true };
    if (Date.now() >= deadline) return { value, ok: false };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// ---------------------------------------------------------------------------------------- processes

const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

function spawnCli(args) {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
  });
  children.add(child);
  child.stdin.on('error', () => {});
  const exited = new Promise((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return { child, exited };
}

/** Runs the CLI to completion with `input` on stdin; killed after `timeoutMs`. */
async function runCli(args, input, timeoutMs) {
  const { child, exited } = spawnCli(args);
  const out = [];
  let err = '';
  child.stdout.on('data', (c) => out.push(c));
  child.stderr.on('data', (c) => {
    err += c;
  });
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await exited;
  clearTimeout(timer);
  return { code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: err };
}

/** Runs `task(i)` for i in [0, n) with at most `concurrency` at once. */
async function pool(n, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

// --------------------------------------------------------------------------------- 1. server soak

async function startEcho() {
  const { child, exited } = spawnCli(['echo', '0', '-q']);
  let stderr = '';
  let stdoutLines = 0;
  const lineWaiters = [];
  child.stdout.on('data', (chunk) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) stdoutLines++;
    for (const w of lineWaiters.slice()) {
      if (stdoutLines >= w.n) {
        lineWaiters.splice(lineWaiters.indexOf(w), 1);
        w.resolve(true);
      }
    }
  });
  // stderr up to the `listening on` line is not a problem; anything after it is.
  let preamble = '';
  let announced;
  const listening = new Promise((resolve) => {
    announced = resolve;
  });
  child.stderr.on('data', (chunk) => {
    if (preamble === null) {
      stderr += chunk;
      return;
    }
    preamble += chunk;
    const match = /^listening on (ws:\/\/\S+)\n/m.exec(preamble);
    if (match) {
      stderr = preamble.slice(match.index + match[0].length);
      preamble = null;
      announced(match[1]);
    }
  });
  const url = await Promise.race([
    listening,
    exited.then(({ code }) => {
      throw new SoakError(`wsprobe echo exited (${code}) before listening: ${preamble}`);
    }),
  ]);
  return {
    child,
    exited,
    url,
    pid: child.pid,
    stderr: () => stderr,
    stdoutLines: () => stdoutLines,
    /** Resolves true once the server has printed `n` lines, false after `timeoutMs`. */
    waitForLines(n, timeoutMs) {
      if (stdoutLines >= n) return Promise.resolve(true);
      return new Promise((resolve) => {
        const w = { n, resolve };
        lineWaiters.push(w);
        setTimeout(() => {
          const i = lineWaiters.indexOf(w);
          if (i !== -1) lineWaiters.splice(i, 1);
          resolve(stdoutLines >= n);
        }, timeoutMs).unref();
      });
    },
  };
}

/** One ws connect/send/close cycle; resolves with an error text, or null when everything checked out. */
function wsCycle(url, id, messages, timeoutMs) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const sent = Array.from({ length: messages }, (_, j) => `cycle ${id} message ${j} ${'x'.repeat((id + j) % 97)}`);
    let got = 0;
    let problem = null;
    const fail = (why) => {
      problem ??= why;
      ws.terminate();
    };
    const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms (${got}/${messages} echoes)`), timeoutMs);
    ws.on('open', () => {
      for (const m of sent) ws.send(m);
    });
    ws.on('message', (data, isBinary) => {
      const text = data.toString('utf8');
      if (isBinary || text !== sent[got]) fail(`echo ${got} was ${JSON.stringify(text.slice(0, 60))}`);
      else if (++got === messages) ws.close(1000, 'soak');
    });
    ws.on('error', (err) => {
      problem ??= `error: ${err.message}`;
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      if (!problem && (code !== 1000 || reason.toString() !== 'soak')) problem = `closed ${code} ${reason}`;
      if (!problem && got !== messages) problem = `${got}/${messages} echoes`;
      resolve(problem ? `ws cycle ${id}: ${problem}` : null);
    });
  });
}

async function wsCycles(url, from, n) {
  const failures = [];
  await pool(n, opts.wsConcurrency, async (i) => {
    const problem = await wsCycle(url, from + i, opts.wsMessages, opts.cycleTimeoutMs);
    if (problem) failures.push(problem);
  });
  return failures;
}

const CLI_LINES = 3;

/** One full `wsprobe connect` run: CLI_LINES lines in, the same lines out, exit 0. */
async function cliCycle(url, id) {
  const lines = Array.from({ length: CLI_LINES }, (_, j) => `cli ${id} line ${j} ✓`);
  const input = `${lines.join('\n')}\n`;
  const json = id % 2 === 1;
  const args = ['connect', url, '-q', '--count', String(CLI_LINES), '--timeout', String(opts.cycleTimeoutMs / 1000)];
  if (json) args.push('--json');
  const r = await runCli(args, input, opts.cycleTimeoutMs + 5000);
  const what = `cli run ${id}${json ? ' (--json)' : ''}`;
  if (r.code !== 0) return `${what}: exit ${r.code ?? r.signal}; stderr: ${r.stderr.trim().slice(0, 200)}`;
  if (r.stderr !== '') return `${what}: unexpected stderr: ${r.stderr.trim().slice(0, 200)}`;
  if (!json) {
    if (r.stdout !== input) return `${what}: stdout ${JSON.stringify(r.stdout.slice(0, 200))} != input`;
    return null;
  }
  let events;
  try {
    events = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return `${what}: stdout is not NDJSON`;
  }
  const received = events.filter((e) => e.event === 'message' && e.dir === 'in').map((e) => e.data);
  const summary = events.at(-1);
  if (JSON.stringify(received) !== JSON.stringify(lines)) return `${what}: received ${JSON.stringify(received)}`;
  if (summary?.event !== 'summary' || summary.exitCode !== 0 || summary.messagesIn !== CLI_LINES) {
    return `${what}: summary ${JSON.stringify(summary)}`;
  }
  if (summary.messagesOut !== CLI_LINES || summary.close?.code !== 1000) {
    return `${what}: summary ${JSON.stringify(summary)}`;
  }
  return null;
}

function listFailures(kind, failures) {
  if (!failures.length) return;
  violation(`${failures.length} ${kind} failed; first: ${failures.slice(0, 3).join(' | ')}`);
}

async function serverSoak() {
  const echo = await startEcho();
  // The server dying mid-soak ends the soak with a clear reason (its exit code and stderr).
  const gone = () => {
    const { exitCode, signalCode } = echo.child;
    return new SoakError(`wsprobe echo is gone (exit ${exitCode ?? signalCode}); stderr: ${echo.stderr().trim()}`);
  };
  const serverFds = () => {
    try {
      return fdCount(echo.pid);
    } catch {
      throw gone();
    }
  };
  const serverMemory = () => {
    const status = procStatus(echo.pid);
    if (!status) throw gone();
    return status;
  };
  const fdBaseline = serverFds();
  const started = Date.now();
  line(`server soak: wsprobe echo (pid ${echo.pid}) at ${echo.url}`);

  // Warm-up: JIT, heap and zlib pools reach their working size before the RSS baseline is taken.
  const warm = Math.min(opts.warmupCycles, opts.wsCycles);
  const wsFailures = await wsCycles(echo.url, 0, warm);
  let expectedLines = warm * opts.wsMessages;
  await pollUntil(serverFds, (n) => n <= fdBaseline, opts.settleTimeoutMs);
  const rssBefore = serverMemory();

  // The cycles, with RSS checkpoints to show a trend.
  const rest = opts.wsCycles - warm;
  const checkpoints = [];
  const wsStarted = Date.now();
  const quarter = Math.max(1, Math.ceil(rest / 4));
  for (let done = 0; done < rest; done += quarter) {
    const n = Math.min(quarter, rest - done);
    wsFailures.push(...(await wsCycles(echo.url, warm + done, n)));
    checkpoints.push(`${warm + done + n}: ${fmtMiB(mib(serverMemory().rssKiB))}`);
  }
  const wsSeconds = (Date.now() - wsStarted) / 1000;
  expectedLines += rest * opts.wsMessages;
  listFailures('ws cycles', wsFailures);

  const cliStarted = Date.now();
  const cliFailures = [];
  await pool(opts.cliCycles, opts.cliConcurrency, async (i) => {
    const problem = await cliCycle(echo.url, i);
    if (problem) cliFailures.push(problem);
  });
  const cliSeconds = (Date.now() - cliStarted) / 1000;
  expectedLines += opts.cliCycles * CLI_LINES;
  listFailures('cli runs', cliFailures);

  // Every client has closed: the server must give its descriptors back (bounded poll) and have printed
  // every message it received.
  const fdLimit = fdBaseline + opts.fdSlack;
  const fds = await pollUntil(serverFds, (n) => n <= fdLimit, opts.settleTimeoutMs);
  const printed = await echo.waitForLines(expectedLines, opts.settleTimeoutMs);
  const rssAfter = serverMemory();
  const growthMiB = mib(rssAfter.rssKiB - rssBefore.rssKiB);
  const serverStderr = echo.stderr();

  echo.child.kill('SIGTERM');
  const stopped = await Promise.race([
    echo.exited,
    new Promise((resolve) => setTimeout(() => resolve({ code: 'still running' }), opts.settleTimeoutMs).unref()),
  ]);

  const wsMessages = opts.wsCycles * opts.wsMessages;
  line(
    `  ws cycles:   ${opts.wsCycles} (${warm} warm-up) x ${opts.wsMessages} messages, ${opts.wsConcurrency} at a time` +
      ` — ${opts.wsCycles - wsFailures.length} ok, ${wsFailures.length} failed` +
      (rest ? `, ${Math.round(rest / wsSeconds)} cycles/s` : ''),
  );
  line(
    `  cli runs:    ${opts.cliCycles} \`wsprobe connect --count ${CLI_LINES}\`, ${opts.cliConcurrency} at a time` +
      ` — ${opts.cliCycles - cliFailures.length} ok, ${cliFailures.length} failed` +
      (opts.cliCycles ? `, ${(cliSeconds / opts.cliCycles).toFixed(2)} s each (wall/run)` : ''),
  );
  line(
    `  messages:    ${wsMessages + opts.cliCycles * CLI_LINES} sent, ${echo.stdoutLines()} printed by the server` +
      (printed && echo.stdoutLines() === expectedLines ? ' (all)' : ` (expected ${expectedLines})`),
  );
  line(
    `  fds:         ${fdBaseline} before the first client, ${fds.value} after the last closed` +
      ` (bound: <= ${fdLimit})`,
  );
  line(
    `  RSS:         ${fmtMiB(mib(rssBefore.rssKiB))} after warm-up, ${fmtMiB(mib(rssAfter.rssKiB))} after the cycles,` +
      ` growth ${fmtMiB(growthMiB)} (bound: <= ${fmtMiB(opts.maxServerRssGrowthMiB)}); peak ${fmtMiB(mib(rssAfter.hwmKiB))}`,
  );
  if (checkpoints.length) line(`  RSS by cycle: ${checkpoints.join(', ')}`);
  line(`  SIGTERM:     exit ${stopped.code}; ${((Date.now() - started) / 1000).toFixed(1)} s in all`);

  if (!fds.ok) {
    violation(
      `echo server fds: ${fds.value} ${opts.settleTimeoutMs / 1000} s after the last client closed, ` +
        `baseline ${fdBaseline} + slack ${opts.fdSlack}`,
    );
  }
  if (!printed || echo.stdoutLines() !== expectedLines) {
    violation(`echo server printed ${echo.stdoutLines()} messages, ${expectedLines} were sent`);
  }
  if (growthMiB > opts.maxServerRssGrowthMiB) {
    violation(`echo server RSS grew by ${fmtMiB(growthMiB)} (bound ${fmtMiB(opts.maxServerRssGrowthMiB)})`);
  }
  if (serverStderr !== '') violation(`echo server wrote to stderr: ${serverStderr.trim().slice(0, 300)}`);
  if (stopped.code !== 143) violation(`echo server exit on SIGTERM: ${stopped.code} (expected 143)`);
}

// ------------------------------------------------------------------------------ 2. pipeline soak

// Text for the lines: ASCII, Latin-1, CJK and astral (4-byte UTF-8) characters, cut at code points.
const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 {}":,.-_/ éüßø 中文字 🚀✓'];

/** Line i of the input: deterministic, 0 to ~120 bytes; every 1000th is empty. */
function inputLine(i) {
  if (i % 1000 === 999) return '';
  const start = (i * 7) % ALPHABET.length;
  const length = (i * 13) % 60;
  let text = `${i}:`;
  for (let k = 0; k < length; k++) text += ALPHABET[(start + k) % ALPHABET.length];
  return text;
}

async function pipelineSoak() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const url = `ws://127.0.0.1:${server.address().port}`;
  const serverHash = sha256();
  let serverMessages = 0;
  let serverConnections = 0;
  server.on('connection', (ws) => {
    serverConnections++;
    ws.on('message', (data, isBinary) => {
      serverMessages++;
      serverHash.update(data);
      serverHash.update('\n');
      ws.send(data, { binary: isBinary });
    });
  });

  const started = Date.now();
  // The session ends as a pipeline's does: input over, then close after an idle --wait. 2 s instead of the
  // default 1 s so that a loaded machine stalling the echoes cannot end it before the last line is back.
  const { child, exited } = spawnCli(['connect', url, '-q', '-w', '2']);
  const pid = child.pid;
  let peakKiB = 0;
  let samples = 0;
  const sample = () => {
    const s = procStatus(pid);
    if (!s) return;
    samples++;
    peakKiB = Math.max(peakKiB, s.hwmKiB);
  };
  const sampler = setInterval(sample, 50);

  const outHash = sha256();
  let outLines = 0;
  let outBytes = 0;
  child.stdout.on('data', (chunk) => {
    outHash.update(chunk);
    outBytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) outLines++;
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });

  // A bound on the whole pipeline: 0.2 ms a line, at least 2 minutes (it takes ~25 µs a line).
  const limitMs = Math.max(120_000, opts.lines / 5);
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, limitMs);

  const inHash = sha256();
  let inBytes = 0;
  let i = 0;
  while (i < opts.lines && child.exitCode === null) {
    let batch = '';
    while (i < opts.lines && batch.length < 64 * 1024) batch += `${inputLine(i++)}\n`;
    const bytes = Buffer.from(batch, 'utf8');
    inHash.update(bytes);
    inBytes += bytes.length;
    if (!child.stdin.write(bytes)) await Promise.race([once(child.stdin, 'drain').catch(() => {}), exited]);
  }
  child.stdin.end();

  const { code, signal } = await exited;
  clearTimeout(killer);
  clearInterval(sampler);
  sample();
  server.close();
  const seconds = (Date.now() - started) / 1000;
  const peakMiB = mib(peakKiB);
  const inDigest = inHash.digest('hex');
  const outDigest = outHash.digest('hex');
  const serverDigest = serverHash.digest('hex');

  line(`pipeline soak: ${opts.lines} lines (${fmtMiB(inBytes / 1048576)}) through one \`wsprobe connect -q -w 2\``);
  line(
    `  lines:       ${opts.lines} in, ${serverMessages} at the server, ${outLines} out` +
      ` (${outBytes} of ${inBytes} bytes) in ${seconds.toFixed(1)} s, ${Math.round(opts.lines / seconds)} lines/s`,
  );
  line(
    `  SHA-256:     in ${inDigest.slice(0, 16)}…, server ${serverDigest.slice(0, 16)}…, out ${outDigest.slice(0, 16)}…`,
  );
  line(
    `  client:      exit ${code ?? signal}, peak RSS ${fmtMiB(peakMiB)} (VmHWM, ${samples} samples; bound: <= ${fmtMiB(opts.maxClientRssMiB)})`,
  );

  if (killed) violation(`pipeline client killed: not done after ${limitMs / 1000} s`);
  if (code !== 0) violation(`pipeline client exit ${code ?? signal}; stderr: ${stderr.trim().slice(0, 300)}`);
  else if (stderr !== '') violation(`pipeline client wrote to stderr: ${stderr.trim().slice(0, 300)}`);
  if (serverConnections !== 1) violation(`pipeline: ${serverConnections} connections to the server, expected 1`);
  if (serverMessages !== opts.lines)
    violation(`pipeline: the server received ${serverMessages} of ${opts.lines} lines`);
  if (outLines !== opts.lines) violation(`pipeline: ${outLines} of ${opts.lines} lines came back`);
  if (serverDigest !== inDigest) violation('pipeline: SHA-256 of what the server received differs from the input');
  if (outDigest !== inDigest) violation('pipeline: SHA-256 of stdout differs from the input');
  if (samples === 0) violation('pipeline client RSS: not a single sample from /proc (it exited too soon?)');
  else if (peakMiB > opts.maxClientRssMiB) {
    violation(`pipeline client peak RSS ${fmtMiB(peakMiB)} (bound ${fmtMiB(opts.maxClientRssMiB)})`);
  }
}

// --------------------------------------------------------------------------------------------- main

async function phase(name, run) {
  try {
    await run();
  } catch (err) {
    violation(`${name} aborted: ${err instanceof SoakError ? err.message : (err.stack ?? err)}`);
  }
}

if (opts.wsCycles + opts.cliCycles > 0) await phase('server soak', serverSoak);
if (opts.lines > 0) await phase('pipeline soak', pipelineSoak);
console.log(report.join('\n'));
if (violations.length) {
  console.log(`\nFAIL: ${violations.length} violation(s)`);
  for (const v of violations) console.log(`  - ${v}`);
  process.exitCode = 1;
} else {
  console.log('\nPASS: every bound held, every message accounted for');
}

// ================================================================== 3. slow stdout reader (client)
// Issue 13, item 1: test/soak/slow-reader.mjs, every case (raw bytes and lines, pipe and --json, against
// `wsprobe echo` and a plain `ws` echo) at the sizes: 16 MiB, 300 000 lines, a reader stalling
// 2.5 s and 6 s every 4 MB. A section of its own, with its own report and verdict after the one above.
// WSPROBE_SOAK_SLOW_READER=off skips it (the short soak in `npm test` does: its short variant is
// test/e2e/attack-client-slow-reader.test.ts).
if (process.env.WSPROBE_SOAK_SLOW_READER !== 'off') {
  const { slowReaderSoak } = await import('./slow-reader.mjs');
  const slow = await slowReaderSoak().catch((err) => ({
    report: [],
    violations: [`slow-reader soak aborted: ${err.stack ?? err}`],
  }));
  console.log(`\n${slow.report.join('\n')}`);
  if (slow.violations.length) {
    console.log(`\nFAIL (slow reader): ${slow.violations.length} violation(s)`);
    for (const v of slow.violations) console.log(`  - ${v}`);
    process.exitCode = 1;
  } else {
    console.log('\nPASS (slow reader): every byte came back, in order, exit 0');
  }
}

// ================================================================ 4. hostile clients (servers)
// Issue 13, items 6–8: test/soak/hostile-servers.mjs — deflate bombs from 16 clients at once against
// `wsprobe echo` and `wsprobe listen`, a 64 MiB broadcast to non-reading deflate clients, an
// `echo --delay` flood. Bounds: the server's peak RSS (640 / 320 / 200 MiB) and a bystander's round
// trips (2 / 1 / 1 s). A section of its own, with its own verdict. WSPROBE_SOAK_HOSTILE_SERVERS=off skips it
// (the short soak in `npm test` does: the short variants are test/e2e/attack-servers-memory.test.ts).
if (process.env.WSPROBE_SOAK_HOSTILE_SERVERS !== 'off') {
  const { hostileServerSoak } = await import('./hostile-servers.mjs');
  const hostile = await hostileServerSoak().catch((err) => ({
    report: [],
    violations: [`hostile-servers soak aborted: ${err.stack ?? err}`],
  }));
  console.log(`\n${hostile.report.join('\n')}`);
  if (hostile.violations.length) {
    console.log(`\nFAIL (hostile clients): ${hostile.violations.length} violation(s)`);
    for (const v of hostile.violations) console.log(`  - ${v}`);
    process.exitCode = 1;
  } else {
    console.log('\nPASS (hostile clients): server memory and a bystander within bounds');
  }
}
