#!/usr/bin/env node
/**
 * `npm run bench`: wsprobe against its floor — a minimal script on `ws` doing the same job with no CLI
 * around it — run alternately, several times, on this machine. Prints a table on stdout (progress
 * goes to stderr) and writes bench/results.json. A run that times out, exits with an unexpected
 * code or gives a wrong result (bytes, lines, message counts) fails the whole bench with exit 1.
 *
 * Usage: node bench/run.mjs [--quick] [--only WORKLOAD,…] [--runs N]
 *   --quick  fewer repetitions and smaller sizes: the whole run takes a minute or two
 *   --only   run only these workloads (the list is ALL below)
 *   --runs   rounds per workload (each round runs wsprobe and its floor once, in alternating order)
 *
 * The floors are in bench/floor/ (with the plain `ws` echo server every client workload talks to; how
 * each was tuned is in its header and bench/floor/tune.mjs), the load generators and drivers in
 * bench/load/, the workloads that need more than a few lines in modules of their own (bench/*.mjs),
 * which get the harness as one object (`bench` below). A full run (no --only, --quick or --runs)
 * writes the chart docs/bench.svg; any other run writes it to bench/bench.svg (not committed), drawn
 * from what that run measured. `npm run measure:raw-memory` (bench/raw-memory.mjs) is the separate
 * 1 GiB peak-memory measurement of `connect --raw`.
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
import { idleWorkload, serverWorkload } from './conns.mjs';
import { deflateWorkload } from './deflate.mjs';
import { execWorkload } from './exec.mjs';
import { latencyWorkload } from './latency.mjs';
import { chartSvg } from './lib/chart.mjs';
import { binaryBlock, blastJson, blastMessage, joinLines, sha256, shortLine } from './lib/data.mjs';
import { BenchError, killAll, procStatusKiB, rssMethod, runHelper, startServer, timedRun } from './lib/proc.mjs';
import { summarize, sweepTable, table } from './lib/report.mjs';
import { alternate } from './lib/rounds.mjs';
import { proxyWorkload } from './proxy.mjs';
import { sizesWorkload } from './sizes.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const optionValue = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
// the workloads (WORKLOADS below), in the order they run
const ALL = [
  'lines',
  'bytes',
  'latency',
  'sizes',
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
  ? { lines: 10_000, bytesMiB: 16, pretty: 10_000 }
  : { lines: 100_000, bytesMiB: 256, pretty: 100_000 };
// rounds per workload: long = client, server and pretty workloads, short = startup and smoke, sweep =
// each size of the size sweep, idle = each count of idle connections, bytes = the bytes workload. Its
// runs spread 34–61 % on the 2-core machine (wsprobe's and the floor's alike: three processes and the
// file reads share two cores), so five rounds put its median anywhere from 1.02× to 1.48× for the same
// code; nine make the 10 % bar something a run can judge.
const RUNS = quick
  ? { warmUp: false, long: 3, short: 6, sweep: 1, idle: 1, bytes: 3 }
  : { warmUp: true, long: 5, short: 20, sweep: 3, idle: 3, bytes: 9 };
if (optionValue('--runs')) {
  RUNS.bytes = Number(optionValue('--runs'));
  RUNS.long = Number(optionValue('--runs'));
  RUNS.short = Number(optionValue('--runs'));
  RUNS.sweep = Number(optionValue('--runs'));
}
const fullRun = !quick && !argv.includes('--only') && !optionValue('--runs');

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
/** What the chart draws besides the rows: the size sweep (bench/sizes.mjs fills it in). */
const chart = {};

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

/** stdout (a file) must have `size` bytes and the SHA-256 `hash`. */
async function expectFile(label, size, hash) {
  const got = statSync(outPath).size;
  if (got !== size) fail(label, `stdout has ${got} bytes, expected ${size}`);
  if ((await fileHash(outPath)) !== hash) fail(label, 'stdout differs from what was sent (SHA-256 mismatch)');
}

function countLines(text, predicate) {
  let n = 0;
  for (const line of text.split('\n')) if (predicate(line)) n++;
  return n;
}

/**
 * Timed runs of whole processes in alternating rounds (lib/rounds.mjs), after a warm-up round when the
 * mode has one. Each run is checked (exit code, then contender.check()). Returns one summary per
 * contender: median/min/max ms and the peak RSS over all runs.
 */
async function rounds(label, contenders, runs, timeoutMs, { warmUp = RUNS.warmUp } = {}) {
  const samples = await alternate({
    label,
    contenders,
    runs,
    warmUp,
    log,
    describe: (s) => `${Math.round(s.ms)} ms`,
    measure: async (contender, runLabel) => {
      const result = await timedRun({
        label: runLabel,
        cmd: contender.cmd ?? node,
        args: contender.args,
        env: contender.env,
        stdin: contender.stdin,
        stdoutPath: outPath,
        stderrPath: errPath,
        timeoutMs,
        dir,
      });
      await contender.check(runLabel);
      return result;
    },
  });
  return samples.map((s) => ({
    ...summarize(s.map((r) => r.ms)),
    peakRssKiB: Math.max(...s.map((r) => r.peakRssKiB)),
  }));
}

/**
 * One row of the table: wsprobe against its floor (ratio of the medians), each bar checked.
 * reference: a third contender shown beside them (raw TCP); sweep: a row of the size sweep (drawn as
 * curves in the chart rather than as a ratio bar).
 */
function addRow({
  name,
  unit,
  wsprobe,
  floorSummary,
  floorName,
  bars,
  higherIsBetter = false,
  note,
  reference,
  sweep,
}) {
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
    reference,
    sweep: Boolean(sweep),
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
      bars: [atMost(1.05)],
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
    addRow({
      name: `frames -vv (${n / 1000}k lines)`,
      unit: 'ms',
      wsprobe: vv,
      floorSummary: pipe,
      floorName: 'pipe mode',
      bars: [atMost(1.3)],
    });
    addRow({
      name: `frames -vv --json (${n / 1000}k lines)`,
      unit: 'ms',
      wsprobe: vvJson,
      floorSummary: pipe,
      floorName: 'pipe mode',
      // four JSON events per line (a message and a frame each way), eight times pipe mode's output
      bars: [atMost(1.5)],
    });
  });
}

// 2: bytes, with raw TCP (no framing) beside it as the physical reference
async function bytes() {
  const mib = SIZES.bytesMiB;
  const inputPath = join(dir, 'input.bin');
  const block = binaryBlock();
  writeFileSync(inputPath, Buffer.concat(Array.from({ length: mib }, () => block)));
  const size = statSync(inputPath).size;
  const inputHash = await fileHash(inputPath);
  // stdin is a file, read in 64 KiB chunks: --raw sends exactly one message per 64 KiB.
  const messages = Math.ceil(size / 65536);
  log(`bytes: ${mib} MiB with --raw (stdin a file) through a ws echo server, byte-exact (SHA-256); raw TCP beside it`);
  const check = (label) => expectFile(label, size, inputHash);
  const tcp = await startServer({ label: 'tcp echo', cmd: node, args: [floor('tcp-echo-server.mjs'), '0'] });
  try {
    await withEchoServer(async (url) => {
      const [wsprobe, base, raw] = await rounds(
        'bytes',
        [
          {
            name: 'wsprobe',
            args: [cli, 'connect', url, '--raw', '-q', '--count', String(messages)],
            stdin: { file: inputPath },
            check,
          },
          { name: 'floor', args: [floor('bytes.mjs'), url], stdin: { file: inputPath }, check },
          { name: 'raw TCP', args: [floor('tcp.mjs'), tcp.url], stdin: { file: inputPath }, check },
        ],
        RUNS.bytes,
        300_000,
      );
      const rssBar = {
        text: 'RSS ≤ 1.2× floor',
        test: (_ratio, w) => w.peakRssKiB <= 1.2 * base.peakRssKiB,
      };
      addRow({
        name: `bytes (${mib} MiB)`,
        unit: 'ms',
        wsprobe,
        floorSummary: base,
        floorName: 'ws script',
        reference: { name: 'raw TCP', summary: raw },
        bars: [atMost(1.1), rssBar],
        note: `peak RSS ${(wsprobe.peakRssKiB / base.peakRssKiB).toFixed(2)}× the floor's; raw TCP (no framing) ${(raw.median / base.median).toFixed(2)}× the floor's time`,
      });
    });
  } finally {
    await tcp.stop();
  }
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
    bars: [atMost(1.1)],
  });
  addRow({
    name: 'startup --help',
    unit: 'ms',
    wsprobe: helpRun,
    floorSummary: nodeRun,
    floorName: 'node -e 0',
    bars: [atMost(1.3)],
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
    addRow({ name: 'smoke', unit: 'ms', wsprobe, floorSummary: base, floorName: 'ws script', bars: [atMost(1.05)] });
  });
}

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

/**
 * The one measurement of the server workloads (server, exec, proxy): start the server (`args`), load it
 * with bench/load/flood.mjs (`clients` × `messages` of 32 bytes, 100 in flight each, no deflate, every
 * echo checked), let `during(server, result)` measure more while it runs, and check that it survived
 * without complaint. Returns what `during` returns.
 */
async function flood({ label, args, clients, messages, during }) {
  const srv = await startServer({ label, cmd: node, args });
  try {
    const result = await withServerState(
      srv,
      runHelper({
        label,
        cmd: node,
        args: [load('flood.mjs'), srv.url, String(clients), String(messages), '32', '100', '--no-deflate'],
        timeoutMs: 300_000,
      }),
    );
    const measured = await during(srv, result);
    checkServer(label, srv);
    return measured;
  } finally {
    await srv.stop();
  }
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
      bars: [atMost(1.5)],
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

/** The harness, as the workload modules get it. */
const bench = {
  ...{ cli, node, dir, floor, load, quick, runs: RUNS, sizes: SIZES, chart, outPath, errPath },
  ...{ log, fail, addRow, atMost, atLeast, rounds, readOut, expectExact, expectFile, fileHash },
  ...{ withEchoServer, checkServer, withServerState, startServer, runHelper, timedRun, procStatusKiB, summarize },
  flood,
  alternate: (options) => alternate({ log, ...options }),
};

// The workloads, in the order they run.
const WORKLOADS = {
  lines, // pipe mode, short lines
  bytes, // --raw, 64 KiB binary messages; raw TCP beside it
  latency: () => latencyWorkload(bench), // one round trip at a time through pipes (bench/latency.mjs)
  sizes: () => sizesWorkload(bench), // the message-size sweep (bench/sizes.mjs)
  startup, // --version, --help against node -e 0
  smoke, // connect, one message, close
  server: () => serverWorkload(bench), // 1/50/200 active clients of echo (bench/conns.mjs)
  idle: () => idleWorkload(bench), // 1k/10k/30k idle connections of echo (bench/conns.mjs)
  pretty: () => pretty(),
  'pretty-json': () => pretty(true),
  frames, // -vv and -vv --json against pipe mode
  deflate: () => deflateWorkload(bench), // short and large messages, deflate negotiated (bench/deflate.mjs)
  exec: () => execWorkload(bench), // listen --exec cat against websocketd (bench/exec.mjs)
  proxy: () => proxyWorkload(bench), // proxy against a minimal ws relay (bench/proxy.mjs)
  replay, // replay --speed max against pipe mode
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
  if (rows.some((row) => !row.sweep)) {
    out.push(table(rows.filter((row) => !row.sweep)));
    out.push('');
  }
  if (chart.sizes) {
    out.push(sweepTable(chart.sizes));
    out.push('');
    out.push('Message-size sweep: steady-state rates, from the first byte that came back to the last (medians).');
  }
  out.push(
    'Medians of alternating runs; ratio = wsprobe / floor (msg/s, lines/s, MB/s: throughput, higher is better).',
  );
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
    sweep: chart.sizes ?? null,
    rssMethod,
    noise,
    rows,
  };
  writeFileSync(join(root, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  // a full run renews the README's chart; any other run draws what it measured next to results.json
  const svgPath = join(root, fullRun ? 'docs/bench.svg' : 'bench/bench.svg');
  writeFileSync(
    svgPath,
    chartSvg({
      rows,
      sizes: chart.sizes,
      title: `wsprobe ${version} (${commit}), ${mode}, ${results.date.slice(0, 10)}`,
      machine: info,
    }),
  );
  log(`chart: ${svgPath}`);
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
