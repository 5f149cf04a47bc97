/**
 * A slow peer must not make the client lose, reorder or hoard data: when the server stops reading,
 * the client stops reading stdin, and its memory stays bounded.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCli } from './support/cli.js';
import { startServer } from './support/ws-peers.js';

/** The child's resident set size in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return kb / 1024;
}

/** Resolves true on `drain`, false when none came within `ms` (the reader has stopped reading). */
function drainedWithin(stream: NodeJS.WritableStream, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stream.removeListener('drain', onDrain);
      resolve(false);
    }, ms);
    const onDrain = () => {
      clearTimeout(timer);
      resolve(true);
    };
    stream.once('drain', onDrain);
  });
}

describe('backpressure', () => {
  it('stops reading stdin while the server stalls, then delivers every line in order', async () => {
    let resume!: () => void;
    const server = await startServer({
      onConnection: (ws) => {
        // The server stops reading its socket until the test says so.
        ws.pause();
        resume = () => ws.resume();
      },
    });
    const cli = startCli(['connect', server.url, '-q']);
    await server.nextConnection();

    const line = `${'x'.repeat(90)}\n`;
    const block = line.repeat(10_000); // ~0.9 MiB
    const limit = 256; // blocks: 230 MiB if the client never pushed back
    let sent = 0;
    let stalled = false;
    while (sent < limit) {
      const ok = cli.child.stdin!.write(block);
      sent++;
      if (!ok && !(await drainedWithin(cli.child.stdin!, 1500))) {
        stalled = true;
        break;
      }
    }
    expect(stalled).toBe(true);
    const rss = rssMiB(cli.child.pid!);
    expect(rss).toBeLessThan(150);

    resume();
    cli.child.stdin!.end();
    const result = await cli.result;
    expect(result.code).toBe(0);
    expect(server.received).toHaveLength(sent * 10_000);
    expect(result.out.length).toBe(sent * block.length);
    expect(result.out).toBe(block.repeat(sent));
  });
});
