/**
 * Issue 13, item 13 (diagnostics) — "a peer dropped by ws for a ping flood is reported only as 'no close
 * frame'": ws drops a peer that sends pings without reading the pongs once 60 pongs wait to be written.
 * The reason is now said: `connection lost: dropped for a ping flood (…)`, exit 6 — on the client, and
 * for a server's client.
 */
import { describe, expect, it } from 'vitest';
import { hasStackTrace, jsonLines, startCli, startServerCli } from './support/cli.js';
import { clientFrame, frame, Opcode } from './support/frames.js';
import { RawClient } from './support/raw-client.js';
import { startRawServer } from './support/raw-server.js';

const PING = Buffer.alloc(125, 0x70);

/** Writes `ping()` frames to `socket` as fast as it takes them, until it closes (or `max` were sent). */
async function pingFlood(socket: NodeJS.WritableStream & { destroyed: boolean }, ping: () => Buffer, max = 400_000) {
  const batch = Buffer.concat(Array.from({ length: 500 }, ping));
  for (let sent = 0; sent < max && !socket.destroyed; sent += 500) {
    if (!socket.write(batch)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.removeListener('drain', done);
          socket.removeListener('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }
}

describe('attack: a ping flood that never reads our pongs', () => {
  it('connect names the ping flood: exit 6, not "no close frame"', async () => {
    const server = await startRawServer(async (peer) => {
      peer.accept();
      // Never read what the client sends (its pongs pile up), and ping it without end.
      peer.socket.pause();
      await pingFlood(peer.socket, () => frame({ opcode: Opcode.Ping, payload: PING }));
    });
    const result = await startCli(['connect', server.url, '--no-stdin', '--keep-open', '--json']).result;
    expect(result.code).toBe(6);
    const line =
      'wsprobe: connection lost: dropped for a ping flood (the server sent pings without reading our pongs; 60 pongs waiting)';
    expect(result.stderr).toContain(line);
    expect(result.stderr).not.toContain('without a close frame');
    expect(hasStackTrace(result.stderr)).toBe(false);
    const events = jsonLines(result.out);
    expect(events.filter((e) => e.event === 'error')).toMatchObject([{ kind: 'lost' }]);
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 6 });
  }, 60_000);

  it('wsprobe echo names the ping flood of a client it dropped', async () => {
    const echo = await startServerCli(['echo', '0']);
    const client = await RawClient.connect(echo.port);
    // Never read what the server sends (its pongs pile up), and ping it without end.
    client.socket.pause();
    await pingFlood(client.socket, () => clientFrame({ opcode: Opcode.Ping, payload: PING }));
    await echo.waitForOutput(
      'client #1: connection lost: dropped for a ping flood (the client sent pings without reading our pongs; 60 pongs waiting)',
    );
  }, 60_000);
});
