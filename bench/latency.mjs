/**
 * The `latency` workload of `npm run bench`: request/reply round trips with one in flight, through
 * `wsprobe connect URL -q --count N` in pipe mode and through the floor lines script
 * (bench/floor/lines.mjs), both against the bench's `ws` echo server. The driver
 * (bench/load/pipe-latency.mjs) writes a line to the contender's stdin, waits for its echo on the
 * contender's stdout, then writes the next, and times each round trip: what a script or a person
 * driving wsprobe through pipes waits for each answer. Reports p50 and p99 per contender (medians
 * over the alternating rounds); the bar is on p50.
 */

export async function latencyWorkload(b) {
  const count = b.quick ? 1_000 : 10_000;
  b.log(`latency: ${count.toLocaleString('en-US')} round trips, one in flight, through stdin/stdout pipes`);
  await b.withEchoServer(async (url) => {
    const contenders = [
      { name: 'wsprobe', args: [b.cli, 'connect', url, '-q', '--count', String(count)] },
      { name: 'floor', args: [b.floor('lines.mjs'), url] },
    ];
    const samples = await b.alternate({
      label: 'latency',
      contenders,
      runs: b.runs.long,
      describe: (s) => `p50 ${s.p50Ms.toFixed(3)} ms p99 ${s.p99Ms.toFixed(3)} ms`,
      measure: (contender, label) =>
        b.runHelper({
          label,
          cmd: b.node,
          args: [b.load('pipe-latency.mjs'), String(count), b.node, ...contender.args],
          timeoutMs: 300_000,
        }),
    });
    const [wsprobe, base] = samples.map((runs) => ({
      ...b.summarize(runs.map((s) => s.p50Ms)),
      p99: b.summarize(runs.map((s) => s.p99Ms)),
      peakRssKiB: 0,
    }));
    const ms = (x) => `${x.toFixed(3)} ms`;
    b.addRow({
      name: `latency p50 (${count / 1000}k round trips)`,
      unit: 'ms',
      wsprobe,
      floorSummary: base,
      floorName: 'ws script',
      bars: [b.atMost(1.1)],
      note: `one in flight through pipes; p99 wsprobe ${ms(wsprobe.p99.median)}, floor ${ms(base.p99.median)} (${(wsprobe.p99.median / base.p99.median).toFixed(2)}×)`,
    });
    b.addRow({
      name: `latency p99 (${count / 1000}k round trips)`,
      unit: 'ms',
      wsprobe: { ...wsprobe.p99, peakRssKiB: 0 },
      floorSummary: { ...base.p99, peakRssKiB: 0 },
      floorName: 'ws script',
      bars: [],
    });
  });
}
