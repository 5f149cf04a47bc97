/**
 * Issue 13, item 9 (client) — "signals under pressure": with stdout backed up (a reader that stopped
 * reading), Ctrl+C needed a second press and SIGTERM/SIGHUP hung, since the exit waited for stdout to be
 * flushed. A signal now ends `connect` at once whatever stdout is doing: close 1001 to the server, one
 * `interrupted` line on stderr, exit 128 + the signal; what stdout has not taken is given a moment only.
 */
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { jsonLines, startCli, startServerCli } from './support/cli.js';
import { startServer } from './support/ws-peers.js';

const MiB = 1024 * 1024;

/** Resolves once `check()` holds (looked at every 20 ms), or rejects after `ms`. */
async function until(what: string, check: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A server that sends 64 KiB messages to its client as long as less than 4 MiB wait to be written. */
function flood(ws: WebSocket): void {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const pump = () => {
    while (ws.readyState === ws.OPEN && ws.bufferedAmount < 4 * MiB) ws.send(chunk, { binary: true });
    if (ws.readyState === ws.OPEN) setTimeout(pump, 10);
  };
  pump();
}

describe('attack: a signal while stdout is backed up', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)('%s ends connect at once: close 1001, exit %i', async (signal, code) => {
    let server!: WebSocket;
    const peer = await startServer({
      echo: false,
      onConnection: (ws) => {
        server = ws;
        flood(ws);
      },
    });
    const cli = startCli(['connect', peer.url, '--binary-output', 'raw']);
    // Nobody reads the client's stdout.
    cli.child.stdout!.pause();
    await peer.nextConnection();
    // Backed up: the client has stopped reading the socket, so what the server sends piles up there.
    await until('the server to be backed up', () => server.bufferedAmount >= 4 * MiB);
    const started = Date.now();
    cli.child.kill(signal);
    const exit = await Promise.race([
      cli.result,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 10_000)),
    ]);
    expect(exit, `connect did not exit within 10 s of ${signal}`).not.toBeNull();
    const elapsed = Date.now() - started;
    expect(exit!.code).toBe(code);
    expect(elapsed).toBeLessThan(3000);
    expect((await peer.waitForClose()).code).toBe(1001);
    expect(exit!.stderr).toMatch(new RegExp(`interrupted \\((Ctrl\\+C, )?${signal}[,)]`));
    expect(exit!.stderr).not.toMatch(/lost|did not answer|1006/);
  });

  it('SIGTERM against wsprobe echo, which stops reading us until we read it: its close is 1001', async () => {
    const echo = await startServerCli(['echo', '0']);
    // Lines in, echoes not read: the echo server's backlog to us fills, and it stops reading our lines.
    const cli = startCli(['connect', echo.url]);
    cli.child.stdout!.pause();
    await cli.waitForOutput('connected to');
    const line = `${'x'.repeat(1000)}\n`;
    const block = line.repeat(1024);
    let written = 0;
    // Write until the client stops taking stdin (it holds sending while its stdout is backed up).
    for (;;) {
      const more = cli.child.stdin!.write(block);
      written += block.length;
      if (!more) {
        const drained = await Promise.race([
          new Promise<boolean>((resolve) => cli.child.stdin!.once('drain', () => resolve(true))),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 1500)),
        ]);
        if (!drained) break;
      }
      if (written > 256 * MiB) throw new Error('the client never pushed back');
    }
    const started = Date.now();
    cli.child.kill('SIGTERM');
    const result = await cli.result;
    expect(result.code).toBe(143);
    expect(Date.now() - started).toBeLessThan(3000);
    await echo.waitForOutput('closed 1001 (Going Away) by client');
  }, 60_000);

  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const)(
    '%s with --json (stdout read): close 1001, interrupted and summary events, exit %i',
    async (signal, code) => {
      const peer = await startServer();
      const cli = startCli(['connect', peer.url, '--json']);
      await cli.waitForOutput('"event":"open"');
      cli.child.kill(signal);
      const result = await cli.result;
      expect(result.code).toBe(code);
      expect((await peer.waitForClose()).code).toBe(1001);
      const events = jsonLines(result.out);
      expect(events.slice(-2)).toMatchObject([
        { event: 'interrupted', signal },
        { event: 'summary', exitCode: code },
      ]);
      expect(events.some((e) => e.event === 'error')).toBe(false);
    },
  );
});
