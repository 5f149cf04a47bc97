/**
 * The connection sweeps of `npm run bench`, `wsprobe echo -q` against a plain `ws` echo server
 * (bench/floor/echo-server.mjs), each round starting both servers afresh, in alternating order:
 * - `server`: 1, 50 and 200 active clients (bench/load/flood.mjs: 32-byte text messages, 100 in flight
 *   per client, every echo checked; 300 000 to 500 000 messages, so a run lasts seconds, not a warm-up):
 *   messages/s, bar ≥ 1.0× at each count against the plain `ws` echo, with the same echo corked (one
 *   write per read of a client, as wsprobe's servers do) beside it as the reference. The clients do not
 *   offer permessage-deflate, so the servers do the same protocol work (wsprobe echo accepts deflate by
 *   default, plain ws does not): only the server code differs.
 * - `idle`: 1 000, 10 000 and 30 000 idle connections (bench/load/idle.mjs): growth of the server's RSS
 *   per connection, from after a warm-up of 200 connections opened and closed (what a server spends once,
 *   at its first connections, is not per connection), bar ≤ 1.15× at 10 000 and 30 000. Each process may hold at most its hard
 *   `ulimit -n` of descriptors (Node raises its soft limit to the hard one; a process cannot raise the
 *   hard one without CAP_SYS_RESOURCE): a count above it is cut to what fits, and the row says so.
 *   Above 16 000 the connections come from several 127.0.0.x source addresses (the loopback has ~28 000
 *   ephemeral ports per source address).
 */
import { execFileSync } from 'node:child_process';

const servers = (b) => [
  { name: 'wsprobe echo -q', args: [b.cli, 'echo', '0', '-q'] },
  { name: 'ws echo', args: [b.floor('echo-server.mjs'), '0'] },
];
/** The server rows' reference: the plain echo tuned as wsprobe's servers are (one write per read). */
const corkedEcho = (b) => ({ name: 'ws echo, corked', args: [b.floor('echo-server.mjs'), '0', 'cork'] });

export async function serverWorkload(b) {
  const sweep = b.quick
    ? [
        [1, 4_000],
        [50, 200],
        [200, 50],
      ]
    : [
        [1, 300_000],
        [50, 6_000],
        [200, 2_500],
      ];
  for (const [clients, messages] of sweep) {
    b.log(`server: ${clients} clients × ${messages.toLocaleString('en-US')} messages of 32 bytes (100 in flight each)`);
    const extensions = [];
    const samples = await b.alternate({
      label: `server ${clients}`,
      contenders: [...servers(b), corkedEcho(b)],
      runs: b.runs.long,
      warmUp: b.runs.warmUp,
      describe: (s) => `${Math.round(s.rate)} msg/s`,
      measure: (spec, label) =>
        b.flood({
          label,
          args: spec.args,
          clients,
          messages,
          during: (srv, result) => {
            extensions.push(`${spec.name} "${result.extensions}"`);
            return { rate: result.perSecond, rss: b.procStatusKiB(srv.pid) };
          },
        }),
    });
    const [wsprobe, base, corked] = samples.map((s) => ({
      ...b.summarize(s.map((x) => x.rate)),
      peakRssKiB: Math.max(...s.map((x) => x.rss)),
    }));
    b.addRow({
      name: `server ${clients}×${messages / 1000}k msgs`,
      unit: 'msg/s',
      wsprobe,
      floorSummary: base,
      floorName: 'ws echo',
      bars: [b.atLeast(1)],
      higherIsBetter: true,
      reference: { name: 'ws echo, corked', summary: corked },
      note: `negotiated extensions: ${[...new Set(extensions)].join(', ')}`,
    });
  }
}

function hardFileLimit() {
  try {
    const text = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** Connections opened and closed before an idle count starts (see below). */
const WARM_UP = 200;

export async function idleWorkload(b) {
  const limit = hardFileLimit();
  const wanted = b.quick ? [1_000] : [1_000, 10_000, 30_000];
  for (const requested of wanted) {
    // the server and the load generator each need a descriptor per connection, and ~100 of their own
    const count = Math.min(requested, limit - 100);
    const limited = count < requested ? ` (${count.toLocaleString('en-US')} reached)` : '';
    const addresses = count > 16_000 ? 4 : 1;
    b.log(
      `idle: ${count.toLocaleString('en-US')} idle connections held${limited ? ` of ${requested.toLocaleString('en-US')} (ulimit -Hn ${limit})` : ''}${addresses > 1 ? `, from ${addresses} source addresses` : ''}; server RSS per connection`,
    );
    const samples = await b.alternate({
      label: `idle ${requested}`,
      contenders: servers(b),
      runs: b.runs.idle,
      describe: (s) => `${s.perConn.toFixed(2)} KiB/conn`,
      measure: async (spec, label) => {
        const srv = await b.startServer({ label, cmd: b.node, args: spec.args });
        try {
          // What a server spends once, at its first connections (code compiled on first use, pools),
          // is not a connection's cost: WARM_UP connections open and close before the count starts.
          await b.runHelper({
            label: `${label} (warm-up)`,
            cmd: b.node,
            args: [b.load('idle.mjs'), srv.url, String(WARM_UP)],
            timeoutMs: 60_000,
            onLine: (line, child) => line.startsWith('{"ready"') && child.stdin.end(),
          });
          await new Promise((resolve) => setTimeout(resolve, 500));
          const before = b.procStatusKiB(srv.pid, 'VmRSS');
          let after = 0;
          await b.withServerState(
            srv,
            b.runHelper({
              label,
              cmd: b.node,
              args: [b.load('idle.mjs'), srv.url, String(count), String(addresses)],
              timeoutMs: 300_000,
              onLine: (line, child) => {
                if (!line.startsWith('{"ready"')) return;
                setTimeout(() => {
                  after = b.procStatusKiB(srv.pid, 'VmRSS');
                  child.stdin.end();
                }, 1000);
              },
            }),
          );
          b.checkServer(label, srv);
          if (!after) b.fail(label, 'could not read the server RSS while the connections were held');
          return { perConn: (after - before) / count, rss: b.procStatusKiB(srv.pid) };
        } finally {
          await srv.stop();
        }
      },
    });
    const [wsprobe, base] = samples.map((s) => ({
      ...b.summarize(s.map((x) => x.perConn)),
      peakRssKiB: Math.max(...s.map((x) => x.rss)),
    }));
    b.addRow({
      name: `idle ${requested / 1000}k conns${limited}`,
      unit: 'KiB/conn',
      wsprobe,
      floorSummary: base,
      floorName: 'ws echo',
      bars: requested >= 10_000 ? [b.atMost(1.15)] : [],
      note: limited
        ? `${requested.toLocaleString('en-US')} requested, ${count.toLocaleString('en-US')} reached: ulimit -Hn is ${limit} (each process needs a descriptor per connection; raising the hard limit needs CAP_SYS_RESOURCE)`
        : undefined,
    });
  }
}
