/**
 * `listen --exec` over many clients: 1 000 connect/send/close cycles leave no program behind (no
 * child of the server, no zombie, every program's pid gone), no extra file descriptors, and the
 * server's RSS near where it started.
 */
import { describe, expect, it } from 'vitest';
import { jsonLines } from './support/cli.js';
import { alive, childrenOf, eventually, fdCount, rssKiB, startExecServer } from './support/exec.js';
import { openClient } from './support/ws-peers.js';

const CYCLES = 1000;
const AT_ONCE = 8;
// The heap grows to its working size in the first few hundred cycles (then stays flat: 97 MiB from 1 000
// to 3 000 cycles on a 2-core machine); RSS is compared from after that.
const WARM_UP = 200;

async function cycle(url: string, n: number): Promise<void> {
  const client = await openClient(url);
  await client.send(`ping ${n}`);
  const [reply] = await client.waitForMessages(1);
  if (reply.data.toString('utf8') !== `ping ${n}`) throw new Error(`cycle ${n}: got ${reply.data.toString('utf8')}`);
  client.ws.close(1000);
  await client.closed;
}

async function cycles(url: string, from: number, count: number): Promise<void> {
  let next = from;
  const end = from + count;
  await Promise.all(
    Array.from({ length: AT_ONCE }, async () => {
      while (next < end) await cycle(url, next++);
    }),
  );
}

describe('listen --exec lifecycle', () => {
  it(`${CYCLES} connect/close cycles leave no program, no descriptor and no memory behind`, async () => {
    const server = await startExecServer(['--exec', 'cat', '--json']);
    const pid = server.child.pid!;
    await cycles(server.url, 0, WARM_UP);
    expect(await eventually(() => childrenOf(pid).length === 0)).toBe(true);
    const fdsBefore = fdCount(pid);
    const rssBefore = rssKiB(pid);

    await cycles(server.url, WARM_UP, CYCLES);

    // Every program has exited and been reaped: the server has no child left, zombie or not.
    expect(await eventually(() => childrenOf(pid).length === 0, 15_000), `children: ${childrenOf(pid)}`).toBe(true);
    // Its pipes are closed: the descriptors come back (a socket or two may still be closing).
    expect(await eventually(() => fdCount(pid) <= fdsBefore + 2, 15_000), `fds ${fdCount(pid)} vs ${fdsBefore}`).toBe(
      true,
    );
    const rssAfter = rssKiB(pid);
    expect(rssAfter - rssBefore, `RSS ${rssBefore} KiB -> ${rssAfter} KiB`).toBeLessThan(40 * 1024);

    server.child.kill('SIGTERM');
    const result = await server.result;
    expect(result.code).toBe(143);
    const events = jsonLines(result.out);
    const started = events.filter((e) => e.event === 'exec-start');
    const exited = events.filter((e) => e.event === 'exec-exit');
    expect(started).toHaveLength(CYCLES + WARM_UP);
    expect(exited).toHaveLength(CYCLES + WARM_UP);
    // cat sees its stdin close and exits 0 by itself: nobody needed a signal.
    expect(exited.every((e) => e.code === 0 && e.failed === false)).toBe(true);
    expect(started.filter((e) => alive(e.pid as number))).toEqual([]);
  }, 180_000);

  it('--max-clients bounds the programs: the next handshake gets 503 while one is running', async () => {
    const server = await startExecServer(['--exec', 'cat', '--max-clients', '1']);
    const first = await openClient(server.url);
    await first.send('a');
    await first.waitForMessages(1);
    const { refusedHandshake } = await import('./support/ws-peers.js');
    expect((await refusedHandshake(server.url)).status).toBe(503);
    expect(childrenOf(server.child.pid!)).toHaveLength(1);
  });
});
