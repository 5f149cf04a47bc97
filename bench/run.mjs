#!/usr/bin/env node
/**
 * `npm run bench`: wsprobe against its floor — a minimal script on `ws` doing the same job with no CLI
 * around it — run alternately, several times, on this machine. Prints a table on stdout (progress
 * goes to stderr) and writes bench/results.json. A run that times out, exits with an unexpected
 * code or gives a wrong result (bytes, lines, message counts) fails the whole bench with exit 1.
 *
 * Usage: node bench/run.mjs [--quick] [--only lines,bytes,startup,smoke,server,idle,pretty,frames,deflate,exec,proxy,replay]
 *                           [--runs N]
 *   --quick  fewer repetitions and smaller sizes: the whole run takes under a minute
 *   --only   run only these workloads
 *   --runs   rounds per workload (each round runs wsprobe and its floor once, in alternating order)
 *
 * The floors are in bench/floor/ (with the plain `ws` echo server every client workload talks to),
 * the load generators of the server workloads in bench/load/. `npm run measure:raw-memory`
 * (bench/raw-memory.mjs) is the separate 1 GiB peak-memory measurement of `connect --raw`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  createReadStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execWorkload } from './exec.mjs';
import { binaryBlock, blastJson, blastMessage, joinLines, sha256, shortLine } from './lib/data.mjs';
import { BenchError, killAll, procStatusKiB, rssMethod, runHelper, startServer, timedRun } from './lib/proc.mjs';
import { summarize, table } from './lib/report.mjs';
import { proxyWorkload } from './proxy.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const optionValue = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const ALL = [
  'lines',
  'bytes',
  'startup',
  'smoke',
  'server',
  'idle',
  'pretty',
  'pretty-json',
  'frames',
  'deflate',
  'exec',
  'proxy',
  'replay',
];
const only = optionValue('--only')?.split(',') ?? ALL;
for (const name of only) {
  if (!ALL.includes(name)) {
    process.stderr.write(`bench: unknown workload ${name} (known: ${ALL.join(', ')})\n`);
    process.exit(2);
  }
}

const SIZES = quick
  ? { lines: 10_000, bytesMiB: 16, clients: 50, clientMessages: 400, idle: 1_000, pretty: 10_000 }
  : { lines: 100_000, bytesMiB: 256, clients: 50, clientMessages: 10_000, idle: 10_000, pretty: 100_000 };
// rounds per workload: long = client, server and pretty workloads, short = startup and smoke
const RUNS = quick ? { warmUp: false, long: 3, short: 6, idle: 1 } : { warmUp: true, long: 5, short: 20, idle: 3 };
if (optionValue('--runs')) {
  RUNS.long = Number(optionValue('--runs'));
  RUNS.short = Number(optionValue('--runs'));
}

const root = fileURLToPath(new URL('..', import.meta.url));
const node = process.execPath;
const floor = (name) => join(root, 'bench/floor', name);
const load = (name) => join(root, 'bench/load', name);
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const dir = mkdtempSync(join(tmpdir(), 'wsprobe-bench-'));
// Every run uses a snapshot of the build taken now, so a rebuild of dist/ during the bench (another
// terminal, a test run) cannot change what is measured half-way or break a run.
const snapshot = join(dir, 'wsprobe');
for (const path of ['bin', 'dist', 'package.json']) cpSync(join(root, path), join(snapshot, path), { recursive: true });
symlinkSync(join(root, 'node_modules'), join(snapshot, 'node_modules'), 'dir');
const cli = join(snapshot, 'bin/wsprobe.js');
const outPath = join(dir, 'stdout');
const errPath = join(dir, 'stderr');
const rows = [];

const log = (text) => process.stderr.write(`${text}\n`);

function fail(label, message) {
  throw new BenchError(`${label}: ${message}`);
}

function readOut() {
  return readFileSync(outPath);
}

function fileHash(path) {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** stdout must be exactly `expected` (a Buffer): lengths and SHA-256 compared. */
function expectExact(label, expected, expectedHash = sha256(expected)) {
  const got = readOut();
  if (got.length !== expected.length) fail(label, `stdout has ${got.length} bytes, expected ${expected.length}`);
  if (sha256(got) !== expectedHash) fail(label, 'stdout differs from what was sent (SHA-256 mismatch)');
}

function countLines(text, predicate) {
  let n = 0;
  for (const line of text.split('\n')) if (predicate(line)) n++;
  return n;
}

/**
 * Runs each contender once as a warm-up, then `runs` rounds; in each round every contender runs once,
 * the order rotating from round to round. Each run is checked (exit code, then contender.check()).
 * Returns one summary per contender: median/min/max ms and the peak RSS over all runs.
 */
async function rounds(label, contenders, runs, timeoutMs) {
  const samples = contenders.map(() => ({ ms: [], rss: [] }));
  for (let round = RUNS.warmUp ? -1 : 0; round < runs; round++) {
    const order = contenders.map((_, i) => (i + Math.max(round, 0)) % contenders.length);
    for (const i of order) {
      const contender = contenders[i];
      const runLabel = `${label} / ${contender.name}${round < 0 ? ' (warm-up)' : ` (run ${round + 1})`}`;
      const result = await timedRun({
        label: runLabel,
        cmd: contender.cmd ?? node,
        args: contender.args,
        stdin: contender.stdin,
        stdoutPath: outPath,
        stderrPath: errPath,
        timeoutMs,
        dir,
      });
      await contender.check(runLabel);
      if (round >= 0) {
        samples[i].ms.push(result.ms);
        samples[i].rss.push(result.peakRssKiB);
      }
    }
    if (round >= 0)
      log(`  ${label} round ${round + 1}/${runs}: ${samples.map((s) => `${Math.round(s.ms.at(-1))} ms`).join(' · ')}`);
  }
  return samples.map((s) => ({ ...summarize(s.ms), peakRssKiB: Math.max(...s.rss) }));
}

function addRow({ name, unit, wsprobe, floorSummary, floorName, bars, higherIsBetter = false, note }) {
  const ratio = wsprobe.median / floorSummary.median;
  // the runs of a round are back to back: their ratio is less exposed to the machine's load drifting
  const roundRatios = summarize(wsprobe.samples.map((value, i) => value / floorSummary.samples[i]));
  const checked = bars.map(({ text, test }) => ({ text, pass: test(ratio, wsprobe) }));
  const row = {
    name,
    unit,
    wsprobe,
    floor: floorSummary,
    floorName,
    ratio,
    roundRatios,
    higherIsBetter,
    bars: checked,
    note,
  };
  rows.push(row);
  log(
    `  => ${name}: ratio ${ratio.toFixed(2)}× ${checked.map((b) => `${b.text}: ${b.pass ? 'ok' : 'MISS'}`).join(', ')}`,
  );
}

const atMost = (limit) => ({ text: `≤ ${limit}×`, test: (ratio) => ratio <= limit });
const atLeast = (limit) => ({ text: `≥ ${limit}×`, test: (ratio) => ratio >= limit });

async function withEchoServer(body) {
  const server = await startServer({ label: 'ws echo server', cmd: node, args: [floor('echo-server.mjs'), '0'] });
  try {
    return await body(server.url);
  } finally {
    await server.stop();
  }
}

// 1 and 7: lines, and the same with -vv
async function lines() {
  const n = SIZES.lines;
  const input = joinLines(n, shortLine);
  const inputHash = sha256(input);
  log(`lines: ${n.toLocaleString('en-US')} lines (${(input.length / 1e6).toFixed(1)} MB) through a ws echo server`);
  const pipeCheck = (label) => expectExact(label, input, inputHash);
  await withEchoServer(async (url) => {
    const [wsprobe, base] = await rounds(
      'lines',
      [
        {
          name: 'wsprobe',
          args: [cli, 'connect', url, '-q', '--count', String(n)],
          stdin: { data: input },
          check: pipeCheck,
        },
        { name: 'floor', args: [floor('lines.mjs'), url], stdin: { data: input }, check: pipeCheck },
      ],
      RUNS.long,
      120_000,
    );
    addRow({
      name: `lines (${n / 1000}k)`,
      unit: 'ms',
      wsprobe,
      floorSummary: base,
      floorName: 'ws script',
      bars: [atMost(1.15)],
    });
  });
}

// replay: a recording of the lines workload (each line out, its echo in) replayed with --speed max
async function replay() {
  const n = SIZES.lines;
  const input = joinLines(n, shortLine);
  const inputHash = sha256(input);
  const recording = join(dir, 'replay.ndjson');
  const events = [];
  for (let i = 0; i < n; i++) {
    const data = JSON.stringify(shortLine(i));
    events.push(`{"event":"message","time":"2026-01-01T00:00:00.000Z","dir":"out","type":"text","data":${data}}`);
    events.push(`{"event":"message","time":"2026-01-01T00:00:00.000Z","dir":"in","type":"text","data":${data}}`);
  }
  writeFileSync(recording, `${events.join('\n')}\n`);
  log(`replay: a recording of ${n.toLocaleString('en-US')} messages each way, --speed max, against pipe mode`);
  const replayCheck = (label) => {
    expectExact(label, input, inputHash);
    if (!readFileSync(errPath, 'utf8').includes(`matched the recording (${n} of ${n} replies)`))
      fail(label, 'the replay did not report a match');
  };
  await withEchoServer(async (url) => {
    const [replayed, pipe] = await rounds(
      'replay',
      [
        {
          name: 'replay',
          args: [cli, 'replay', recording, url, '--speed', 'max', '-q', '--count', String(n)],
          check: replayCheck,
        },
        {
          name: 'pipe',
          args: [cli, 'connect', url, '-q', '--count', String(n)],
          stdin: { data: input },
          check: (label) => expectExact(label, input, inputHash),
        },
      ],
      RUNS.long,
      120_000,
    );
    addRow({
      name: `replay --speed max (${n / 1000}k)`,
      unit: 'ms',
      wsprobe: replayed,
      floorSummary: pipe,
      floorName: 'pipe mode',
      bars: [atMost(1.5)],
    });
  });
}

async function frames() {
  const n = SIZES.lines;
  const input = joinLines(n, shortLine);
  const inputHash = sha256(input);
  log(`frames: -vv on the lines workload (${n.toLocaleString('en-US')} lines), against pipe mode`);
  const pipeCheck = (label) => expectExact(label, input, inputHash);
  const vvCheck = (label) => {
    pipeCheck(label);
    const err = readFileSync(errPath, 'utf8');
    const framesIn = countLines(err, (line) => line.startsWith('frame < text'));
    const framesOut = countLines(err, (line) => line.startsWith('frame > text'));
    if (framesIn !== n || framesOut !== n)
      fail(label, `stderr shows ${framesOut} frames out, ${framesIn} in; expected ${n} each`);
  };
  const jsonCheck = (label) => {
    const out = readOut().toString('utf8');
    const messagesIn = countLines(out, (line) => line.startsWith('{"event":"message"') && line.includes('"dir":"in"'));
    const framesIn = countLines(out, (line) => line.startsWith('{"event":"frame"') && line.includes('"dir":"in"'));
    if (messagesIn !== n || framesIn < n)
      fail(label, `${messagesIn} message and ${framesIn} frame events in; expected ${n}`);
  };
  await withEchoServer(async (url) => {
    const base = ['connect', url, '--count', String(n)];
    const [pipe, vv, vvJson] = await rounds(
      'frames',
      [
        { name: 'pipe', args: [cli, ...base, '-q'], stdin: { data: input }, check: pipeCheck },
        { name: '-vv', args: [cli, ...base, '-vv'], stdin: { data: input }, check: vvCheck },
        { name: '-vv --json', args: [cli, ...base, '-vv', '--json'], stdin: { data: input }, check: jsonCheck },
      ],
      RUNS.long,
      120_000,
    );
    const bars = [atMost(1.5)];
    addRow({
      name: `frames -vv (${n / 1000}k lines)`,
      unit: 'ms',
      wsprobe: vv,
      floorSummary: pipe,
      floorName: 'pipe mode',
      bars,
    });
    addRow({
      name: `frames -vv --json (${n / 1000}k lines)`,
      unit: 'ms',
      wsprobe: vvJson,
      floorSummary: pipe,
      floorName: 'pipe mode',
      // Issue 9's bar is for -vv in pipe mode; JSON writes four events per line (a message and a frame
      // each way), so this row is information, not a bar.
      bars: [],
    });
  });
}

// 2: bytes
async function bytes() {
  const mib = SIZES.bytesMiB;
  const inputPath = join(dir, 'input.bin');
  const block = binaryBlock();
  writeFileSync(inputPath, Buffer.concat(Array.from({ length: mib }, () => block)));
  const size = statSync(inputPath).size;
  const inputHash = await fileHash(inputPath);
  // stdin is a file, read in 64 KiB chunks: --raw sends exactly one message per 64 KiB.
  const messages = Math.ceil(size / 65536);
  log(`bytes: ${mib} MiB with --raw (stdin a file) through a ws echo server, byte-exact (SHA-256)`);
  const check = async (label) => {
    const got = statSync(outPath).size;
    if (got !== size) fail(label, `stdout has ${got} bytes, expected ${size}`);
    if ((await fileHash(outPath)) !== inputHash) fail(label, 'stdout differs from stdin (SHA-256 mismatch)');
  };
  await withEchoServer(async (url) => {
    const [wsprobe, base] = await rounds(
      'bytes',
      [
        {
          name: 'wsprobe',
          args: [cli, 'connect', url, '--raw', '-q', '--count', String(messages)],
          stdin: { file: inputPath },
          check,
        },
        { name: 'floor', args: [floor('bytes.mjs'), url], stdin: { file: inputPath }, check },
      ],
      RUNS.long,
      300_000,
    );
    const rssBar = { text: 'RSS < 200 MiB', test: (_ratio, w) => w.peakRssKiB < 200 * 1024 };
    addRow({
      name: `bytes (${mib} MiB)`,
      unit: 'ms',
      wsprobe,
      floorSummary: base,
      floorName: 'ws script',
      bars: [atMost(1.15), rssBar],
    });
  });
  rmSync(inputPath);
}

// 3: startup
async function startup() {
  log('startup: wsprobe --version and --help against node -e 0');
  const expectOut = (want) => (label) => {
    const got = readOut().toString('utf8');
    if (!want(got)) fail(label, `unexpected stdout ${JSON.stringify(got.slice(0, 80))}`);
  };
  const [versionRun, helpRun, nodeRun] = await rounds(
    'startup',
    [
      { name: '--version', args: [cli, '--version'], check: expectOut((out) => out === `${version}\n`) },
      { name: '--help', args: [cli, '--help'], check: expectOut((out) => out.startsWith('Usage: wsprobe')) },
      { name: 'node -e 0', args: ['-e', '0'], check: expectOut((out) => out === '') },
    ],
    RUNS.short,
    30_000,
  );
  addRow({
    name: 'startup --version',
    unit: 'ms',
    wsprobe: versionRun,
    floorSummary: nodeRun,
    floorName: 'node -e 0',
    bars: [atMost(1.25)],
  });
  addRow({
    name: 'startup --help',
    unit: 'ms',
    wsprobe: helpRun,
    floorSummary: nodeRun,
    floorName: 'node -e 0',
    bars: [],
  });
}

// 4: smoke
async function smoke() {
  log('smoke: connect, send "hi", receive, close');
  const check = (label) => {
    const got = readOut().toString('utf8');
    if (got !== 'hi\n') fail(label, `stdout ${JSON.stringify(got.slice(0, 80))}, expected "hi\\n"`);
  };
  await withEchoServer(async (url) => {
    const [wsprobe, base] = await rounds(
      'smoke',
      [
        { name: 'wsprobe', args: [cli, 'connect', url, '-x', 'hi', '-w', '0', '--no-stdin', '-q'], check },
        { name: 'floor', args: [floor('smoke.mjs'), url], check },
      ],
      RUNS.short,
      30_000,
    );
    addRow({ name: 'smoke', unit: 'ms', wsprobe, floorSummary: base, floorName: 'ws script', bars: [atMost(1.15)] });
  });
}

const SERVERS = [
  { name: 'wsprobe echo -q', args: [cli, 'echo', '0', '-q'] },
  { name: 'ws echo', args: [floor('echo-server.mjs'), '0'] },
];

/** A failing load generator is reported with the state of the server it was talking to. */
async function withServerState(server, promise) {
  try {
    return await promise;
  } catch (error) {
    const state = server.alive() ? 'still running' : `exited (${server.exitStatus()})`;
    error.message += `\nthe server ${state}; its stderr: ${server.stderr().slice(-800) || '(empty)'}`;
    throw error;
  }
}

/** The server under test must still be running and must not have complained on stderr. */
function checkServer(label, server) {
  if (!server.alive()) fail(label, 'the server exited during the run');
  const complaints = server.stderr().replace(/^listening on .*\n/m, '');
  if (complaints.trim()) fail(label, `the server wrote to stderr: ${complaints.slice(0, 400)}`);
}

// 5a: server throughput
async function server() {
  const { clients, clientMessages } = SIZES;
  // The clients do not offer permessage-deflate, so both servers do the same protocol work (wsprobe echo
  // accepts deflate by default, plain ws does not): only the server code differs.
  log(
    `server: ${clients} clients × ${clientMessages.toLocaleString('en-US')} messages of 32 bytes (100 in flight each)`,
  );
  const samples = SERVERS.map(() => ({ rate: [], rss: [] }));
  for (let round = RUNS.warmUp ? -1 : 0; round < RUNS.long; round++) {
    for (const i of round % 2 ? [1, 0] : [0, 1]) {
      const spec = SERVERS[i];
      const label = `server / ${spec.name}${round < 0 ? ' (warm-up)' : ` (run ${round + 1})`}`;
      const srv = await startServer({ label, cmd: node, args: spec.args });
      try {
        const result = await withServerState(
          srv,
          runHelper({
            label,
            cmd: node,
            args: [load('flood.mjs'), srv.url, String(clients), String(clientMessages), '32', '100', '--no-deflate'],
            timeoutMs: 300_000,
          }),
        );
        checkServer(label, srv);
        if (round >= 0) {
          samples[i].rate.push(result.perSecond);
          samples[i].rss.push(procStatusKiB(srv.pid));
        }
        if (round === 0) SERVERS[i].extensions = result.extensions;
      } finally {
        await srv.stop();
      }
    }
    if (round >= 0)
      log(
        `  server round ${round + 1}/${RUNS.long}: ${samples.map((s) => `${Math.round(s.rate.at(-1))} msg/s`).join(' · ')}`,
      );
  }
  const [wsprobe, base] = samples.map((s) => ({ ...summarize(s.rate), peakRssKiB: Math.max(...s.rss) }));
  addRow({
    name: `server ${clients}×${clientMessages / 1000}k msgs`,
    unit: 'msg/s',
    wsprobe,
    floorSummary: base,
    floorName: 'ws echo',
    bars: [atLeast(0.9)],
    higherIsBetter: true,
    note: `negotiated extensions: wsprobe echo "${SERVERS[0].extensions}", ws echo "${SERVERS[1].extensions}"`,
  });
}

function hardFileLimit() {
  try {
    return Number(execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim()) || Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY; // "unlimited"
  }
}

// 5b: idle connections, RSS per connection of the server process
async function idle() {
  // Node raises its soft RLIMIT_NOFILE to the hard limit by itself; the hard limit must leave room.
  const limit = hardFileLimit();
  const count = Math.min(SIZES.idle, limit - 200);
  const limited = count < SIZES.idle ? ` (limited by ulimit -Hn ${limit})` : '';
  log(`idle: ${count.toLocaleString('en-US')} idle connections held${limited}; server RSS per connection`);
  const samples = SERVERS.map(() => ({ perConn: [], rss: [] }));
  for (let round = 0; round < RUNS.idle; round++) {
    for (const i of round % 2 ? [1, 0] : [0, 1]) {
      const spec = SERVERS[i];
      const label = `idle / ${spec.name} (run ${round + 1})`;
      const srv = await startServer({ label, cmd: node, args: spec.args });
      try {
        await new Promise((resolve) => setTimeout(resolve, 500));
        const before = procStatusKiB(srv.pid, 'VmRSS');
        let after = 0;
        await withServerState(
          srv,
          runHelper({
            label,
            cmd: node,
            args: [load('idle.mjs'), srv.url, String(count)],
            timeoutMs: 300_000,
            onLine: (line, child) => {
              if (!line.startsWith('{"ready"')) return;
              setTimeout(() => {
                after = procStatusKiB(srv.pid, 'VmRSS');
                child.stdin.end();
              }, 1000);
            },
          }),
        );
        checkServer(label, srv);
        if (!after) fail(label, 'could not read the server RSS while the connections were held');
        samples[i].perConn.push((after - before) / count);
        samples[i].rss.push(procStatusKiB(srv.pid));
      } finally {
        await srv.stop();
      }
    }
    log(
      `  idle round ${round + 1}/${RUNS.idle}: ${samples.map((s) => `${s.perConn.at(-1).toFixed(1)} KiB/conn`).join(' · ')}`,
    );
  }
  const [wsprobe, base] = samples.map((s) => ({ ...summarize(s.perConn), peakRssKiB: Math.max(...s.rss) }));
  addRow({
    name: `idle ${count / 1000}k conns${limited}`,
    unit: 'KiB/conn',
    wsprobe,
    floorSummary: base,
    floorName: 'ws echo',
    bars: [atMost(1.2)],
  });
}

// 6: pretty — and pretty-json: the same with JSON messages, which pretty mode lays out and colours.
async function pretty(json = false) {
  const n = SIZES.pretty;
  const message = json ? blastJson : blastMessage;
  const expected = joinLines(n, message);
  const expectedHash = sha256(expected);
  const firstShown = json ? '< {\n    "seq": 0,\n    "text": "the quick' : `< ${blastMessage(0)}\n`;
  const workload = json ? 'pretty-json' : 'pretty';
  log(`${workload}: ${n.toLocaleString('en-US')} received messages, --pretty to a file against pipe mode`);
  const srv = await startServer({
    label: 'blast server',
    cmd: node,
    args: [floor('blast-server.mjs'), String(n), ...(json ? ['json'] : [])],
  });
  const prettyCheck = (label) => {
    const text = readOut()
      .toString('utf8')
      .replace(/\x1b\[[0-9;]*m/g, '');
    const shown = countLines(text, (line) => line.startsWith(json ? '< {' : '< msg '));
    if (shown !== n) fail(label, `${shown} received messages rendered, expected ${n}`);
    if (!text.includes(firstShown)) fail(label, `the first message is not rendered as ${firstShown}`);
  };
  try {
    const base = ['connect', srv.url, '--no-stdin', '--count', String(n)];
    const [prettyRun, pipeRun] = await rounds(
      workload,
      [
        { name: '--pretty', args: [cli, ...base, '--pretty'], check: prettyCheck },
        { name: 'pipe', args: [cli, ...base], check: (label) => expectExact(label, expected, expectedHash) },
      ],
      RUNS.long,
      120_000,
    );
    addRow({
      name: `${workload} (${n / 1000}k msgs)`,
      unit: 'ms',
      wsprobe: prettyRun,
      floorSummary: pipeRun,
      floorName: 'pipe mode',
      bars: [atMost(2)],
    });
  } finally {
    await srv.stop();
  }
}

// 8: deflate — our client and our server together, permessage-deflate negotiated (both offer and
// accept it by default) against the same session with `connect --no-deflate`. Short lines must not be
// compressed (issue 13, item 14: compressing every one made this 10–20× slower).
async function deflate() {
  const n = SIZES.lines;
  const input = joinLines(n, shortLine);
  const inputHash = sha256(input);
  log(`deflate: ${n.toLocaleString('en-US')} lines through \`wsprobe echo\`, deflate negotiated vs --no-deflate`);
  const srv = await startServer({ label: 'wsprobe echo', cmd: node, args: [cli, 'echo', '0', '-q'] });
  try {
    // The row means nothing unless deflate is negotiated: check it once.
    const probe = await timedRun({
      label: 'deflate / probe',
      cmd: node,
      args: [cli, 'connect', srv.url, '--json', '-x', 'probe', '--count', '1', '--no-stdin'],
      stdoutPath: outPath,
      stderrPath: errPath,
      timeoutMs: 30_000,
      dir,
    });
    const open = readOut()
      .toString('utf8')
      .split('\n')
      .find((l) => l.startsWith('{"event":"open"'));
    const extensions = open ? JSON.parse(open).extensions : '';
    if (probe.code !== 0 || !extensions.includes('permessage-deflate'))
      fail('deflate', `permessage-deflate was not negotiated (extensions: "${extensions}")`);
    const check = (label) => expectExact(label, input, inputHash);
    const base = ['connect', srv.url, '-q', '--count', String(n)];
    const [withDeflate, without] = await rounds(
      'deflate',
      [
        { name: 'deflate', args: [cli, ...base], stdin: { data: input }, check },
        { name: '--no-deflate', args: [cli, ...base, '--no-deflate'], stdin: { data: input }, check },
      ],
      RUNS.long,
      180_000,
    );
    checkServer('deflate', srv);
    addRow({
      name: `deflate (${n / 1000}k lines)`,
      unit: 'ms',
      wsprobe: withDeflate,
      floorSummary: without,
      floorName: 'connect --no-deflate',
      bars: [atMost(1.3)],
      note: `wsprobe connect ↔ wsprobe echo, negotiated: "${extensions}"`,
    });
  } finally {
    await srv.stop();
  }
}

/** The commit measured, with "+changes" when the sources differ from it (the bench builds the work tree). */
function sourceState() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain', '--', 'src', 'bin', 'scripts', 'package.json', 'tsconfig.build.json');
    return `${git('rev-parse', '--short', 'HEAD')}${changed ? '+changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

function machine() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
  };
}

// 10: a program behind the socket, against websocketd (bench/exec.mjs)
const exec = () =>
  execWorkload({
    ...{ cli, node, floor, load, quick, runs: RUNS, log, addRow, atLeast, checkServer, withServerState },
    ...{ startServer, runHelper, procStatusKiB, summarize },
  });
// 11: wsprobe proxy against a minimal ws relay, and the latency it adds (bench/proxy.mjs)
const proxy = () =>
  proxyWorkload({
    ...{ cli, node, floor, load, quick, runs: RUNS, log, addRow, atLeast, checkServer, withServerState },
    ...{ startServer, runHelper, procStatusKiB, summarize },
  });
const WORKLOADS = {
  lines,
  bytes,
  startup,
  smoke,
  server,
  idle,
  pretty: () => pretty(),
  'pretty-json': () => pretty(true),
  frames,
  deflate,
  exec,
  proxy,
  replay,
};

async function main() {
  const info = machine();
  const commit = sourceState();
  const mode = quick ? 'QUICK (smaller sizes, fewer runs: indicative only)' : 'full';
  log(`wsprobe ${version} benchmark, ${mode}`);
  log(
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node}, load ${info.loadAverageAtStart.join(' ')}`,
  );
  const started = Date.now();
  for (const name of ALL) {
    if (!only.includes(name)) continue;
    const workloadStarted = Date.now();
    await WORKLOADS[name]();
    log(`  (${name}: ${Math.round((Date.now() - workloadStarted) / 1000)} s)`);
  }
  info.loadAverageAtEnd = loadavg().map((x) => Number(x.toFixed(2)));
  const seconds = Math.round((Date.now() - started) / 1000);
  const spreads = rows.filter((row) => row.unit === 'ms').map((row) => row.floor.spread);
  const noise = spreads.length
    ? { floorSpreadMin: Math.min(...spreads), floorSpreadMax: Math.max(...spreads) }
    : { floorSpreadMin: null, floorSpreadMax: null };

  const out = [];
  out.push(`wsprobe ${version} (${commit}) benchmark — ${mode} — ${new Date().toISOString()} — ${seconds} s`);
  out.push(
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB RAM, Node ${info.node}, Linux ${info.kernel}`,
  );
  out.push(`load average at start ${info.loadAverageAtStart.join(' ')}, at end ${info.loadAverageAtEnd.join(' ')}`);
  out.push('');
  out.push(table(rows));
  out.push('');
  out.push('Medians of alternating runs; ratio = wsprobe / floor (server: throughput, higher is better).');
  out.push(`Peak RSS: ${rssMethod} (server rows: the server process, VmHWM).`);
  if (noise.floorSpreadMin !== null) {
    const pct = (x) => `${Math.round(x * 100)}%`;
    out.push(
      `Noise: the floor's runs spread ${pct(noise.floorSpreadMin)}–${pct(noise.floorSpreadMax)} ((max − min) / median).`,
    );
  }
  for (const row of rows) if (row.note) out.push(`${row.name}: ${row.note}`);
  const misses = rows.filter((row) => row.bars.some((bar) => !bar.pass)).map((row) => row.name);
  out.push(misses.length ? `Above the bar: ${misses.join('; ')}` : 'Every bar met.');
  process.stdout.write(`${out.join('\n')}\n`);

  const results = {
    version,
    commit,
    date: new Date().toISOString(),
    quick,
    seconds,
    machine: info,
    sizes: SIZES,
    runs: RUNS,
    rssMethod,
    noise,
    rows,
  };
  writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.on(signal, () => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  });
}

try {
  await main();
} catch (error) {
  killAll();
  if (!(error instanceof BenchError)) throw error;
  process.stderr.write(`\nBENCH FAILED (no figures recorded): ${error.message}\n`);
  process.exitCode = 1;
} finally {
  killAll();
  rmSync(dir, { recursive: true, force: true });
}
