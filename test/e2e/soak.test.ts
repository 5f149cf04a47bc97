/**
 * The short soak: test/soak/soak.mjs with small parameters (the long one is `npm run soak`). It checks
 * the echo server's file descriptors and RSS across ws and CLI connect/close cycles, and that every line
 * of a pipeline through one `wsprobe connect` comes back (count and SHA-256) within a bounded peak RSS.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { onCleanup } from './support/cleanup.js';

const SOAK = fileURLToPath(new URL('../soak/soak.mjs', import.meta.url));

it('short soak: 500 ws cycles and 20 CLI runs against wsprobe echo, 100 000 lines through one connect', async () => {
  const child = spawn(process.execPath, [SOAK, '--ws-cycles', '500', '--cli-cycles', '20', '--lines', '100000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The slow-reader section has its own short variant (attack-client-slow-reader.test.ts), and so
    // has the hostile-servers one (attack-servers-memory.test.ts).
    env: { ...process.env, WSPROBE_SOAK_SLOW_READER: 'off', WSPROBE_SOAK_HOSTILE_SERVERS: 'off' },
  });
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
  expect(output).toContain('PASS: every bound held');
  expect(output).toMatch(/ws cycles: +500 .* 500 ok, 0 failed/);
  expect(output).toMatch(/cli runs: +20 .* 20 ok, 0 failed/);
  expect(output).toMatch(/lines: +100000 in, 100000 at the server, 100000 out/);
}, 180_000);
