/**
 * The `deflate` workload of `npm run bench`, permessage-deflate negotiated:
 * - short messages: the lines workload between `wsprobe connect` and `wsprobe echo` (both offer and
 *   accept deflate by default; checked once) against the same with `connect --no-deflate`. Short lines
 *   must not be compressed (compressing every one made this 10–20× slower): bar ≤ 1.3×.
 * - large compressible messages: 1 MiB JSON-like text lines through `connect` against the floor lines
 *   script offering the same deflate parameters (FLOOR_DEFLATE=1), both to the `ws` echo server with
 *   deflate (bench/floor/echo-server.mjs … deflate: every echo compressed too). Throughput in MB/s of
 *   message bytes, for information.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { joinLines, sha256, shortLine } from './lib/data.mjs';

/** Message i of the large deflate workload: JSON-like text of about 1 MiB, compressible (~5–10×). */
export function largeJson(i) {
  const items = [];
  let length = 0;
  for (let k = 0; length < 1024 * 1024 - 200; k++) {
    const item = `{"id":${i * 100_000 + k},"name":"item ${k} of message ${i}","tags":["alpha","beta","gamma"],"price":${(k * 7919) % 10_000},"in_stock":${k % 3 !== 0}}`;
    items.push(item);
    length += item.length + 1;
  }
  return `{"seq":${i},"items":[${items.join(',')}]}`;
}

/** The extensions wsprobe negotiated with the server at url (its --json open event). */
async function negotiated(b, url) {
  const probe = await b.timedRun({
    label: 'deflate / probe',
    cmd: b.node,
    args: [b.cli, 'connect', url, '--json', '-x', 'probe', '--count', '1', '--no-stdin'],
    stdoutPath: b.outPath,
    stderrPath: b.errPath,
    timeoutMs: 30_000,
    dir: b.dir,
  });
  const open = b
    .readOut()
    .toString('utf8')
    .split('\n')
    .find((l) => l.startsWith('{"event":"open"'));
  const extensions = open ? JSON.parse(open).extensions : '';
  if (probe.code !== 0 || !extensions.includes('permessage-deflate'))
    b.fail('deflate', `permessage-deflate was not negotiated with ${url} (extensions: "${extensions}")`);
  return extensions;
}

async function short(b) {
  const n = b.sizes.lines;
  const input = joinLines(n, shortLine);
  const inputHash = sha256(input);
  b.log(`deflate: ${n.toLocaleString('en-US')} lines through \`wsprobe echo\`, deflate negotiated vs --no-deflate`);
  const srv = await b.startServer({ label: 'wsprobe echo', cmd: b.node, args: [b.cli, 'echo', '0', '-q'] });
  try {
    const extensions = await negotiated(b, srv.url);
    const check = (label) => b.expectExact(label, input, inputHash);
    const base = ['connect', srv.url, '-q', '--count', String(n)];
    const [withDeflate, without] = await b.rounds(
      'deflate',
      [
        { name: 'deflate', args: [b.cli, ...base], stdin: { data: input }, check },
        { name: '--no-deflate', args: [b.cli, ...base, '--no-deflate'], stdin: { data: input }, check },
      ],
      b.runs.long,
      180_000,
    );
    b.checkServer('deflate', srv);
    b.addRow({
      name: `deflate short (${n / 1000}k lines)`,
      unit: 'ms',
      wsprobe: withDeflate,
      floorSummary: without,
      floorName: 'connect --no-deflate',
      bars: [b.atMost(1.3)],
      note: `wsprobe connect ↔ wsprobe echo, negotiated: "${extensions}"`,
    });
  } finally {
    await srv.stop();
  }
}

async function large(b) {
  const n = b.quick ? 16 : 64;
  const inputPath = join(b.dir, 'large.txt');
  writeFileSync(inputPath, joinLines(n, largeJson));
  const size = statSync(inputPath).size;
  const inputHash = await b.fileHash(inputPath);
  const messageBytes = size - n; // without the newlines
  b.log(`deflate: ${n} JSON messages of ~1 MiB (${(size / 1e6).toFixed(0)} MB), deflate both ways, vs the floor`);
  const srv = await b.startServer({
    label: 'ws echo server (deflate)',
    cmd: b.node,
    args: [b.floor('echo-server.mjs'), '0', 'deflate'],
  });
  try {
    const extensions = await negotiated(b, srv.url);
    const check = (label) => b.expectFile(label, size, inputHash);
    const [wsprobe, base] = await b.rounds(
      'deflate-large',
      [
        {
          name: 'wsprobe',
          args: [b.cli, 'connect', srv.url, '-q', '--count', String(n)],
          stdin: { file: inputPath },
          check,
        },
        {
          name: 'floor',
          args: [b.floor('lines.mjs'), srv.url],
          env: { FLOOR_DEFLATE: '1' },
          stdin: { file: inputPath },
          check,
        },
      ],
      b.runs.long,
      300_000,
    );
    b.checkServer('deflate-large', srv);
    const rate = (s) => ({ ...b.summarize(s.samples.map((ms) => messageBytes / 1e3 / ms)), peakRssKiB: s.peakRssKiB });
    b.addRow({
      name: `deflate large (${n} × 1 MiB JSON)`,
      unit: 'MB/s',
      wsprobe: rate(wsprobe),
      floorSummary: rate(base),
      floorName: 'ws script, deflate',
      bars: [],
      higherIsBetter: true,
      note: `both compress (level 1, no context takeover, 8 KiB window) and so does the echo server; negotiated by wsprobe: "${extensions}"; times include start-up`,
    });
  } finally {
    await srv.stop();
  }
}

export async function deflateWorkload(b) {
  await short(b);
  await large(b);
}
