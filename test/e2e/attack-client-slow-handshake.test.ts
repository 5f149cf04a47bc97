/**
 * Issue 13, item 3 — "--connect-timeout does not bound a trickling handshake": ws's handshake timer is
 * an idle timer, restarted by every byte, so a server sending `100 Continue` now and then, or its answer
 * one byte a second, held `connect` forever. --connect-timeout now bounds the whole opening handshake:
 * exit 3, one line naming the timeout.
 */
import { describe, expect, it } from 'vitest';
import { hasStackTrace, jsonLines, startCli } from './support/cli.js';
import { switchingProtocols } from './support/handshake.js';
import { type RawPeer, startRawServer } from './support/raw-server.js';

/** Resolves once the peer's connection has closed (the client gave up), or rejects after `ms`. */
function closedWithin(peer: RawPeer, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the client was still connected after ${ms} ms`)), ms);
    void peer.ended.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('attack: a handshake that trickles past --connect-timeout', () => {
  it.each([
    [
      'a `100 Continue` every 300 ms, never a 101',
      async (peer: RawPeer) => {
        while (!peer.socket.destroyed) {
          peer.write('HTTP/1.1 100 Continue\r\n\r\n');
          await new Promise((resolve) => setTimeout(resolve, 300));
        }
      },
    ],
    ['a valid 101 answer, one byte every 250 ms', (peer: RawPeer) => peer.drip(switchingProtocols(peer.request), 250)],
  ])('%s: exit 3 after --connect-timeout 2, "timed out after 2 s"', async (_name, scenario) => {
    const server = await startRawServer(scenario);
    const started = Date.now();
    const cli = startCli(['connect', server.url, '--connect-timeout', '2', '--no-stdin', '--json']);
    const peer = await server.nextPeer();
    await closedWithin(peer, 8000);
    const result = await cli.result;
    const elapsed = Date.now() - started;
    expect(result.code).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(8000);
    const message = `cannot connect to ${server.url}/: timed out after 2 s (the opening handshake was not complete)`;
    expect(result.stderr).toContain(`wsprobe: ${message}`);
    expect(result.stderr).toContain('see --connect-timeout');
    expect(hasStackTrace(result.stderr)).toBe(false);
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'error')).toMatchObject({ kind: 'connect', message });
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 3 });
    expect(events.some((e) => e.event === 'open')).toBe(false);
  });

  it('a handshake answered in time is not affected by --connect-timeout', async () => {
    const server = await startRawServer((peer) => peer.accept());
    const result = await startCli(['connect', server.url, '--connect-timeout', '2', '--no-stdin', '-w', '0']).result;
    expect(result.code).toBe(0);
  });
});
