/**
 * Issue 13, item 1 — "a slow stdout reader loses data and blames the server": a consumer of stdout that
 * stalls longer than --wait (1 s) and than the close timeout (3 s) made `connect` stop reading, time out
 * its idle wait and then its close handshake, and drop the rest (exit 6, "the server did not answer our
 * close frame"). The short variant of test/soak/slow-reader.mjs (`npm run soak` runs every case at the
 * issue's sizes): one case per input, output mode and echo server, the reader stalling 4.5 s and 1.5 s
 * every MiB — every byte must come back (length and SHA-256), exit 0.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { onCleanup } from './support/cleanup.js';

const SLOW_READER = fileURLToPath(new URL('../soak/slow-reader.mjs', import.meta.url));

const CASES = ['raw-pipe-ws', 'raw-json-wsprobe', 'lines-pipe-wsprobe', 'lines-json-ws'];

it('a stdout reader stalling 4.5 s and 1.5 s every MiB: every byte comes back, exit 0 (raw, lines; pipe, json; ws, wsprobe echo)', async () => {
  const args = [
    ...['--bytes', String(2.5 * 1024 * 1024), '--json-bytes', String(1024 * 1024)],
    ...['--lines', '60000', '--json-lines', '8000'],
    ...['--every', String(1024 * 1024), '--stalls', '4500,1500'],
    ...['--concurrency', '4', '--case-timeout', '90', '--max-rss-mib', '150', '--cases', CASES.join(',')],
  ];
  const child = spawn(process.execPath, [SLOW_READER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const [code] = (await once(child, 'close')) as [number | null];
  expect(code, output).toBe(0);
  expect(output).toContain('PASS: every byte came back, in order, exit 0');
  for (const name of CASES) {
    expect(output).toMatch(new RegExp(`^ +${name} +ok: .*exit 0, (\\d+) bytes back, SHA-256 equal`, 'm'));
  }
}, 150_000);
