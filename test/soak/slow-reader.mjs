#!/usr/bin/env node
/**
 * The slow stdout reader (issue 13, item 1): `wsprobe connect` must lose nothing when whatever reads its
 * stdout stalls for longer than --wait and than the close timeout (`| gzip > slow-disk`, `| ssh host`,
 * a busy `jq`). Time spent paused for our own output counts toward neither, and the close handshake
 * keeps reading until the peer's close frame.
 *
 * For each case, bytes (`--raw`, random) or lines (text, UTF-8) go through one `wsprobe connect` with the
 * default --wait to an echo server — `wsprobe echo` or a plain `ws` server — and back to a reader that
 * stalls (`--stalls`, in turn) after every `--every` bytes of stdout it takes, in pipe or `--json` mode.
 * Checked: exit 0; what came back (stdout in pipe mode, the `in` messages in JSON mode) is byte-identical
 * to the input (length and SHA-256); JSON mode ends with a `summary` of exit code 0; stderr says nothing
 * of a lost connection; the client's peak RSS (VmHWM) is within `--max-rss-mib`.
 *
 * `npm run soak` runs every case at the sizes of the issue (16 MiB, 300 000 lines, stalls of 2.5 s and
 * 6 s every 4 MB); test/e2e/attack-client-slow-reader.test.ts runs a short variant. Standalone:
 * `node test/soak/slow-reader.mjs --help`. Needs Linux (/proc) and a built CLI.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocketServer } from 'ws';

/** The CLI under test (`WSPROBE_CLI` to compare another build). */
const CLI = process.env.WSPROBE_CLI ?? fileURLToPath(new URL('../../bin/wsprobe.js', import.meta.url));

export const DEFAULTS = {
  bytes: 16 * 1024 * 1024,
  /** Bytes for the --json cases (base64, with the sent messages shown too: the output is ~2.7 times larger). */
  jsonBytes: 16 * 1024 * 1024,
  lines: 300_000,
  /** Lines for the --json cases (each line makes two events: the output is ~8 times larger). */
  jsonLines: 300_000,
  every: 4_000_000,
  stalls: [2500, 6000],
  concurrency: 4,
  maxRssMiB: 200,
  /** Bound on one case, in seconds. */
  caseTimeout: 600,
  /** Which cases: `all`, or a comma-separated list of names like `raw-pipe-ws`. */
  cases: 'all',
};

/** Every case: what goes in, which output mode, which server. */
export const CASES = ['raw', 'lines'].flatMap((input) =>
  ['pipe', 'json'].flatMap((mode) =>
    ['ws', 'wsprobe'].map((server) => ({ name: `${input}-${mode}-${server}`, input, mode, server })),
  ),
);

const sha256 = () => createHash('sha256');
const rank = (c) => CASES.findIndex((k) => k.name === c.name);

/** Line i: deterministic, 0 to ~70 bytes, ASCII and multi-byte UTF-8; every 1000th is empty. */
const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 {}":,.-_/ éüßø 中文字 🚀✓'];
function inputLine(i) {
  if (i % 1000 === 999) return '';
  let text = `${i}:`;
  for (let k = 0; k < (i * 13) % 60; k++) text += ALPHABET[(i * 7 + k) % ALPHABET.length];
  return text;
}

function linesInput(n) {
  const parts = [];
  for (let i = 0; i < n; i++) parts.push(`${inputLine(i)}\n`);
  return Buffer.from(parts.join(''), 'utf8');
}

function peakRssKiB(pid) {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

async function startWsEcho() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
  return { url: `ws://127.0.0.1:${wss.address().port}`, stop: () => new Promise((resolve) => wss.close(resolve)) };
}

async function startWsprobeEcho(children) {
  // Its stdout (every message it gets) goes to /dev/null: this server is never the slow one.
  const child = spawn(process.execPath, [CLI, 'echo', '0', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let err = '';
  const url = await new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const m = /^listening on (ws:\/\/\S+)$/m.exec(err);
      if (m) resolve(m[1]);
    });
    child.on('close', (code) => reject(new Error(`wsprobe echo exited (${code}) before listening: ${err}`)));
  });
  return {
    url,
    stop: () => {
      child.kill('SIGTERM');
      return once(child, 'close');
    },
  };
}

/**
 * Reads `stream` like a slow consumer: after every `every` bytes it stops for the next of `stalls` (ms).
 * `onData` sees every chunk, in order.
 */
function stallingReader(stream, every, stalls, onData) {
  let taken = 0;
  let next = every;
  let k = 0;
  let stalledMs = 0;
  stream.on('data', (chunk) => {
    onData(chunk);
    taken += chunk.length;
    if (taken < next) return;
    next += every;
    const ms = stalls[k++ % stalls.length];
    stalledMs += ms;
    stream.pause();
    setTimeout(() => stream.resume(), ms);
  });
  return () => ({ taken, stalls: k, stalledMs });
}

/** What came back: pipe mode hashes stdout as it is; JSON mode the data of the `in` messages. */
function collector(mode, raw) {
  const hash = sha256();
  let bytes = 0;
  let rest = '';
  const utf8 = new StringDecoder('utf8');
  let summary;
  let badJson = 0;
  const take = (buf) => {
    hash.update(buf);
    bytes += buf.length;
  };
  const onLine = (text) => {
    let e;
    try {
      e = JSON.parse(text);
    } catch {
      badJson++;
      return;
    }
    if (e.event === 'message' && e.dir === 'in') take(raw ? Buffer.from(e.data, 'base64') : Buffer.from(`${e.data}\n`));
    if (e.event === 'summary') summary = e;
  };
  return {
    onData(chunk) {
      if (mode === 'pipe') {
        take(chunk);
        return;
      }
      const lines = (rest + utf8.write(chunk)).split('\n');
      rest = lines.pop();
      for (const l of lines) onLine(l);
    },
    result() {
      rest += utf8.end();
      if (rest !== '') onLine(rest);
      return { bytes, sha256: hash.digest('hex'), summary, badJson };
    },
  };
}

async function runCase(c, url, input, o, children) {
  const args = ['connect', url];
  if (c.input === 'raw') args.push('--raw');
  if (c.mode === 'json') args.push('--json');
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
  });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const out = collector(c.mode, c.input === 'raw');
  const reader = stallingReader(child.stdout, o.every, o.stalls, out.onData);
  let peakKiB = 0;
  const sampler = setInterval(() => {
    peakKiB = Math.max(peakKiB, peakRssKiB(child.pid));
  }, 100);
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, o.caseTimeout * 1000);
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  const [code, signal] = await once(child, 'close');
  children.delete(child);
  clearInterval(sampler);
  clearTimeout(killer);
  const got = out.result();
  return {
    ...c,
    code: code ?? signal,
    killed,
    seconds: (Date.now() - started) / 1000,
    inBytes: input.length,
    inSha: sha256().update(input).digest('hex'),
    ...got,
    read: reader(),
    peakMiB: peakKiB / 1024,
    stderr,
  };
}

/** The problems of one case (empty: it held). */
function problems(r, o) {
  const p = [];
  if (r.killed) p.push(`killed after ${o.caseTimeout} s`);
  if (r.code !== 0) p.push(`exit ${r.code}`);
  if (r.bytes !== r.inBytes) p.push(`${r.bytes} of ${r.inBytes} bytes came back`);
  else if (r.sha256 !== r.inSha) p.push('SHA-256 differs from the input');
  if (r.mode === 'json' && r.summary?.exitCode !== 0) p.push(`summary ${JSON.stringify(r.summary ?? null)}`);
  if (r.badJson) p.push(`${r.badJson} lines of stdout are not JSON`);
  if (/lost|did not answer|1006/.test(r.stderr)) p.push(`stderr: ${r.stderr.trim().slice(0, 200)}`);
  if (r.peakMiB > o.maxRssMiB) p.push(`peak RSS ${r.peakMiB.toFixed(1)} MiB > ${o.maxRssMiB} MiB`);
  if (r.read.stalls === 0) p.push('the reader never stalled (input too small for --every)');
  return p;
}

/** Runs the cases; resolves with report lines and violations. */
export async function slowReaderSoak(options = {}) {
  const o = { ...DEFAULTS, ...options };
  const wanted = o.cases === 'all' ? CASES : CASES.filter((c) => o.cases.split(',').includes(c.name));
  const children = new Set();
  const kill = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  process.on('exit', kill);
  const report = [];
  const violations = [];
  const servers = { ws: await startWsEcho(), wsprobe: await startWsprobeEcho(children) };
  try {
    const inputs = {
      raw: randomBytes(o.bytes),
      jsonRaw: randomBytes(o.jsonBytes),
      lines: linesInput(o.lines),
      jsonLines: linesInput(o.jsonLines),
    };
    report.push(
      `slow-reader soak: ${wanted.length} cases, ${o.concurrency} at a time; the reader stalls ` +
        `${o.stalls.map((ms) => `${ms / 1000} s`).join(', ')} (in turn) every ${o.every} bytes; default --wait`,
    );
    const results = [];
    // Longest first (JSON lines), so that the cases finish together.
    const order = [...wanted].sort((a, b) => Number(b.mode === 'json') - Number(a.mode === 'json'));
    let next = 0;
    const worker = async () => {
      while (next < order.length) {
        const c = order[next++];
        const json = c.mode === 'json';
        const input = c.input === 'raw' ? (json ? inputs.jsonRaw : inputs.raw) : json ? inputs.jsonLines : inputs.lines;
        results.push(await runCase(c, servers[c.server].url, input, o, children));
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency, order.length) }, worker));
    for (const r of results.sort((a, b) => rank(a) - rank(b))) {
      const p = problems(r, o);
      const what = r.input === 'raw' ? `${r.inBytes} bytes --raw` : `${r.inBytes} bytes of lines`;
      report.push(
        `  ${r.name.padEnd(20)} ${p.length ? 'FAILED' : 'ok'}: ${what}, exit ${r.code}, ${r.bytes} bytes back, ` +
          `SHA-256 ${r.sha256 === r.inSha ? 'equal' : 'DIFFERENT'} (${r.inSha.slice(0, 12)}…), ` +
          `${r.read.taken} bytes of stdout read with ${r.read.stalls} stalls (${r.read.stalledMs / 1000} s), ` +
          `${r.seconds.toFixed(1)} s, peak RSS ${r.peakMiB.toFixed(1)} MiB`,
      );
      for (const why of p) violations.push(`slow reader ${r.name}: ${why}`);
    }
  } finally {
    await Promise.all([servers.ws.stop(), servers.wsprobe.stop()]);
    process.off('exit', kill);
  }
  return { report, violations };
}

const USAGE = `usage: node test/soak/slow-reader.mjs [options]
  --bytes N          bytes through --raw (default ${DEFAULTS.bytes})
  --json-bytes N     bytes through --raw in --json mode (default ${DEFAULTS.jsonBytes})
  --lines N          lines in pipe mode (default ${DEFAULTS.lines})
  --json-lines N     lines in --json mode (default ${DEFAULTS.jsonLines})
  --every N          the reader stalls after every N bytes of stdout (default ${DEFAULTS.every})
  --stalls MS,MS     the stalls, in turn (default ${DEFAULTS.stalls.join(',')})
  --concurrency N    cases at once (default ${DEFAULTS.concurrency})
  --max-rss-mib N    bound on the client's peak RSS (default ${DEFAULTS.maxRssMiB})
  --case-timeout S   bound on one case (default ${DEFAULTS.caseTimeout})
  --cases LIST       all, or some of: ${CASES.map((c) => c.name).join(', ')}`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: Object.fromEntries(
      [
        'bytes',
        'json-bytes',
        'lines',
        'json-lines',
        'every',
        'stalls',
        'concurrency',
        'max-rss-mib',
        'case-timeout',
        'cases',
      ]
        .map((name) => [name, { type: 'string' }])
        .concat([['help', { type: 'boolean' }]]),
    ),
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name) => (values[name] === undefined ? undefined : Number(values[name]));
  const options = Object.fromEntries(
    Object.entries({
      bytes: num('bytes'),
      jsonBytes: num('json-bytes') ?? num('bytes'),
      lines: num('lines'),
      jsonLines: num('json-lines') ?? num('lines'),
      every: num('every'),
      stalls: values.stalls?.split(',').map(Number),
      concurrency: num('concurrency'),
      maxRssMiB: num('max-rss-mib'),
      caseTimeout: num('case-timeout'),
      cases: values.cases,
    }).filter(([, v]) => v !== undefined),
  );
  const { report, violations } = await slowReaderSoak(options);
  console.log(report.join('\n'));
  if (violations.length) {
    console.log(`\nFAIL: ${violations.length} violation(s)`);
    for (const v of violations) console.log(`  - ${v}`);
    process.exitCode = 1;
  } else console.log('\nPASS: every byte came back, in order, exit 0');
}
