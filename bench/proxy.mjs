/**
 * The `proxy` workload of `npm run bench`: messages per second through `wsprobe proxy` and through a
 * minimal `ws` relay (bench/floor/relay.mjs), both in front of the same `ws` echo server, with the
 * same load generator (bench/load/flood.mjs: CLIENTS connections sending MESSAGES text messages of
 * 32 bytes with 100 in flight, every echo checked — each message crosses the relay twice). Rounds
 * alternate the two relays; the bar is wsprobe at 0.85× the floor or better. Then the latency a relay
 * adds per message (bench/load/latency.mjs: one message at a time), median and p99, against the echo
 * server reached directly.
 */

export async function proxyWorkload(b) {
  const clients = b.quick ? 4 : 10;
  const messages = b.quick ? 2_000 : 20_000;
  const pings = b.quick ? 500 : 2_000;
  const echo = await b.startServer({ label: 'ws echo server', cmd: b.node, args: [b.floor('echo-server.mjs'), '0'] });
  try {
    const relays = [
      { name: 'wsprobe proxy', args: [b.cli, 'proxy', echo.url, '0', '-q', '--no-stdin'] },
      { name: 'ws relay', args: [b.floor('relay.mjs'), echo.url] },
    ];
    b.log(
      `proxy: ${clients} clients × ${messages.toLocaleString('en-US')} messages of 32 bytes (100 in flight) through a relay to a ws echo server`,
    );
    // each round measures both relays and, for the latency, the echo server reached directly (rotating order)
    const direct = { name: 'direct', args: null };
    const results = await b.alternate({
      label: 'proxy',
      contenders: [...relays, direct],
      runs: b.runs.long,
      warmUp: b.runs.warmUp,
      describe: (s) => (s.rate ? `${Math.round(s.rate)} msg/s` : `direct p50 ${s.median.toFixed(3)} ms`),
      measure: async (spec, label) => {
        if (spec === direct) {
          const straight = await b.runHelper({
            label: `${label} latency`,
            cmd: b.node,
            args: [b.load('latency.mjs'), echo.url, String(pings)],
            timeoutMs: 120_000,
          });
          return { median: straight.medianMs, p99: straight.p99Ms };
        }
        return b.flood({
          label,
          args: spec.args,
          clients,
          messages,
          during: async (srv, result) => {
            const latency = await b.runHelper({
              label: `${label} latency`,
              cmd: b.node,
              args: [b.load('latency.mjs'), srv.url, String(pings)],
              timeoutMs: 120_000,
            });
            return {
              rate: result.perSecond,
              rss: b.procStatusKiB(srv.pid),
              median: latency.medianMs,
              p99: latency.p99Ms,
            };
          },
        });
      },
    });
    const column = (runs, key) => runs.map((r) => r[key]);
    const samples = results.map((runs) => ({
      rate: column(runs, 'rate'),
      rss: column(runs, 'rss'),
      median: column(runs, 'median'),
      p99: column(runs, 'p99'),
    }));
    const straight = samples[2];
    const [wsprobe, base] = samples
      .slice(0, 2)
      .map((s) => ({ ...b.summarize(s.rate), peakRssKiB: Math.max(...s.rss) }));
    const med = (values) => b.summarize(values).median;
    const ms = (x) => `${x.toFixed(3)} ms`;
    const added = (s) =>
      `median +${ms(med(s.median) - med(straight.median))}, p99 +${ms(med(s.p99) - med(straight.p99))}`;
    const note =
      `each message crosses the relay twice (to the echo server and back); round-trip latency direct: median ${ms(med(straight.median))}, p99 ${ms(med(straight.p99))}; ` +
      `added by wsprobe proxy: ${added(samples[0])}; by the ws relay: ${added(samples[1])}`;
    b.log(`  proxy latency: ${note}`);
    b.addRow({
      name: `proxy ${clients}×${messages / 1000}k msgs`,
      unit: 'msg/s',
      wsprobe,
      floorSummary: base,
      floorName: 'ws relay',
      bars: [b.atLeast(0.85)],
      higherIsBetter: true,
      note,
    });
  } finally {
    await echo.stop();
  }
}
