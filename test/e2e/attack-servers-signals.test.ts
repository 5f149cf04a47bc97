/**
 * Issue 13, item 9 (servers): a server whose stdout is backed up (a reader that stopped reading) needed
 * a second signal to stop. Now the first SIGTERM, SIGHUP or SIGINT closes every client with 1001 and
 * the server exits with 128 + signal within the close timeout plus a second's grace for stdout, whatever
 * stdout is doing.
 */
import { describe, expect, it } from 'vitest';
import { startQuietServer, until } from './support/attack-servers.js';
import { openClient } from './support/ws-peers.js';

describe('signals with a backed-up stdout (item 9)', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)(
    'the first %s stops a server whose stdout nobody reads: exit %i, the client gets 1001',
    async (signal, code) => {
      const server = await startQuietServer(['listen', '0', '--no-stdin'], 'stalled');
      const client = await openClient(server.url, [], { perMessageDeflate: false });
      const line = `${'x'.repeat(64 * 1024 - 1)}`;
      for (let i = 0; i < 256; i++) client.ws.send(line);
      // stdout fills up and the server stops reading the client: what the client has buffered stops going down.
      let last = Number.POSITIVE_INFINITY;
      let since = performance.now();
      await until(
        () => {
          const now = client.ws.bufferedAmount;
          if (now < last) {
            last = now;
            since = performance.now();
          }
          return now > 0 && performance.now() - since > 500;
        },
        (stuck) => stuck,
        'the server to stop reading (stdout backed up)',
      );
      const sent = performance.now();
      server.child.kill(signal);
      const exit = await server.exited;
      const tookMs = performance.now() - sent;
      expect(exit).toEqual({ code, signal: null });
      expect(tookMs).toBeLessThan(8000);
      expect((await client.closed).code).toBe(1001);
      expect(server.stderr()).toMatch(
        new RegExp(`^interrupted \\(${signal === 'SIGINT' ? 'Ctrl\\+C, ' : ''}${signal}`, 'm'),
      );
    },
    30_000,
  );
});
