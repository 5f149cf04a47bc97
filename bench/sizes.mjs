/**
 * The `sizes` workload of `npm run bench`: the message-size sweep. At each size (16 B … 16 MiB) N text
 * messages of exactly that many bytes — lines of that length on stdin, so that pipe mode sends one
 * message per line and prints one line per echo — go through `wsprobe connect URL -q --count N`, through
 * the floor lines script (bench/floor/lines.mjs) and, as the physical reference, as the same byte
 * stream through a raw TCP echo (bench/floor/tcp.mjs, no framing). Every output is compared with the
 * input (size and SHA-256).
 *
 * Each run goes through a driver (bench/load/stream-rate.mjs) that times the steady state, from the
 * first byte that comes back to the last, so that starting the process and connecting do not count:
 * messages/s and MB/s of message bytes. The total per size is bounded (at most 128 MiB) so that the
 * sweep takes minutes. Rows for information (no bar); the chart draws MB/s against size for the three.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sizeLabel } from './lib/report.mjs';

const KiB = 1024;
const MiB = 1024 * 1024;
// [message size, messages in a full run, in a --quick run]
const SIZES = [
  [16, 200_000, 10_000],
  [256, 100_000, 5_000],
  [4 * KiB, 16_384, 1_024],
  [64 * KiB, 1_024, 128],
  [MiB, 64, 8],
  [16 * MiB, 8, 3],
];

/** count lines of exactly `size` bytes (before the newline), each different, written to path. */
function writeLines(path, size, count) {
  const pattern = Buffer.alloc(size + 1, 'abcdefghijklmnopqrstuvwxyz0123456789');
  pattern[size] = 10;
  const parts = [];
  let batch = [];
  let batchBytes = 0;
  for (let i = 0; i < count; i++) {
    const line = Buffer.from(pattern);
    line.write(String(i).padStart(Math.min(size, 8), '0').slice(-size), 0, 'latin1');
    batch.push(line);
    batchBytes += line.length;
    if (batchBytes >= 16 * MiB) {
      parts.push(Buffer.concat(batch));
      batch = [];
      batchBytes = 0;
    }
  }
  parts.push(Buffer.concat(batch));
  writeFileSync(path, Buffer.concat(parts));
}

const RAW_MIN = (b) => (b.quick ? 8 : 64) * MiB;

export async function sizesWorkload(b) {
  const tcp = await b.startServer({ label: 'tcp echo', cmd: b.node, args: [b.floor('tcp-echo-server.mjs'), '0'] });
  try {
    await b.withEchoServer(async (url) => {
      const points = [];
      for (const [size, full, quick] of SIZES) {
        const count = b.quick ? quick : full;
        const label = sizeLabel(size);
        b.log(`sizes: ${count.toLocaleString('en-US')} messages of ${label}`);
        const inputPath = join(b.dir, 'sizes.txt');
        writeLines(inputPath, size, count);
        const total = statSync(inputPath).size;
        const hash = await b.fileHash(inputPath);
        // TCP has no messages, and at the small sizes the input is over too soon to time a steady
        // state: it streams the same lines repeated to at least RAW_MIN bytes.
        const repeat = Math.ceil(RAW_MIN(b) / total);
        const rawPath = join(b.dir, 'sizes-raw.txt');
        writeFileSync(rawPath, Buffer.concat(Array.from({ length: repeat }, () => readFileSync(inputPath))));
        const contenders = [
          {
            name: 'wsprobe',
            args: [b.cli, 'connect', url, '-q', '--count', String(count)],
            input: inputPath,
            total,
            hash,
          },
          { name: 'floor', args: [b.floor('lines.mjs'), url], input: inputPath, total, hash },
          {
            name: 'raw TCP',
            args: [b.floor('tcp.mjs'), tcp.url],
            input: rawPath,
            total: total * repeat,
            hash: await b.fileHash(rawPath),
          },
        ];
        const samples = await b.alternate({
          label: `sizes ${label}`,
          contenders,
          runs: b.runs.sweep,
          describe: (s) => `${s.mbs.toFixed(1)} MB/s`,
          measure: async (contender, runLabel) => {
            const result = await b.runHelper({
              label: runLabel,
              cmd: b.node,
              args: [b.load('stream-rate.mjs'), contender.input, b.node, ...contender.args],
              timeoutMs: 300_000,
            });
            if (result.bytes !== contender.total)
              b.fail(runLabel, `${result.bytes} bytes came back, expected ${contender.total}`);
            if (result.sha256 !== contender.hash)
              b.fail(runLabel, 'what came back differs from what was sent (SHA-256)');
            // message bytes (without the newlines) per second of steady state
            const mbs = (result.steadyBytes * (size / (size + 1))) / 1e6 / Math.max(result.steadySeconds, 1e-4);
            return { mbs, totalSeconds: result.totalSeconds };
          },
        });
        const [wsprobe, floor, raw] = samples.map((runs) => {
          const mbs = b.summarize(runs.map((s) => s.mbs));
          return { ...mbs, msgPerSecond: (mbs.median * 1e6) / size, peakRssKiB: 0 };
        });
        points.push({ size, count, wsprobe, floor, raw });
        b.addRow({
          name: `size ${label} × ${count.toLocaleString('en-US')}`,
          unit: 'MB/s',
          wsprobe,
          floorSummary: floor,
          floorName: 'ws script',
          reference: { name: 'raw TCP', summary: raw },
          bars: [],
          higherIsBetter: true,
          sweep: true,
        });
      }
      b.chart.sizes = points;
    });
  } finally {
    await tcp.stop();
  }
}
