/**
 * The `exec` workload of `npm run bench`: lines per second through `wsprobe listen --exec cat` and
 * through websocketd running `cat` (the Debian package), with the same load generator
 * (bench/load/flood.mjs: CLIENTS connections — one cat each — sending MESSAGES short text messages with
 * 100 in flight, every echo checked). Rounds alternate the two servers. websocketd is the floor: the
 * ratio is wsprobe's rate over websocketd's (higher is better; the goal is ahead of it).
 */
import { readFileSync } from 'node:fs';

/** The websocketd process under the wrapper `parent` (its first child). */
function websocketdPid(parent) {
  const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(' ');
  return Number(children[0]);
}

export async function execWorkload(b) {
  const clients = b.quick ? 4 : 10;
  const messages = b.quick ? 2_000 : 20_000;
  const servers = [
    { name: 'wsprobe listen --exec cat', args: [b.cli, 'listen', '0', '--exec', 'cat', '-q'] },
    { name: 'websocketd cat', args: [b.floor('websocketd.mjs'), 'cat'] },
  ];
  b.log(
    `exec: ${clients} clients (a cat each) × ${messages.toLocaleString('en-US')} lines of 32 bytes (100 in flight)`,
  );
  const samples = await b.alternate({
    label: 'exec',
    contenders: servers,
    runs: b.runs.long,
    warmUp: b.runs.warmUp,
    describe: (s) => `${Math.round(s.rate)} lines/s`,
    measure: (spec, label) =>
      b.flood({
        label,
        args: spec.args,
        clients,
        messages,
        // websocketd runs under a small wrapper (floor/websocketd.mjs): its own peak is what counts.
        during: (srv, result) => ({
          rate: result.perSecond,
          rss: b.procStatusKiB(spec === servers[1] ? websocketdPid(srv.pid) : srv.pid),
        }),
      }),
  });
  const [wsprobe, base] = samples.map((s) => ({
    ...b.summarize(s.map((x) => x.rate)),
    peakRssKiB: Math.max(...s.map((x) => x.rss)),
  }));
  b.addRow({
    name: `exec cat ${clients}×${messages / 1000}k lines`,
    unit: 'lines/s',
    wsprobe,
    floorSummary: base,
    floorName: 'websocketd',
    bars: [b.atLeast(1)],
    higherIsBetter: true,
    note: 'wsprobe listen --exec cat vs websocketd cat (Debian), same load generator; RSS: the server process (not the cats)',
  });
}
