/**
 * --socketio costs nothing without the flag: the Engine.IO/Socket.IO layer and its codec are a chunk of
 * their own, loaded by `connect` only when --socketio is given. And a server of the other protocol
 * generation gets a hint naming the --eio that fits.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { deadPort } from './support/raw-server.js';
import { startSocketIoServer } from './support/socketio-servers.js';
import { startServer } from './support/ws-peers.js';

const TRACER = fileURLToPath(new URL('../fixtures/trace-loads.mjs', import.meta.url));

async function loadedBy(args: string[], exitCode: number): Promise<string[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'wsprobe-trace-')), 'loads.txt');
  const result = await runCli(args, { env: { NODE_OPTIONS: `--import ${TRACER}`, WSPROBE_TRACE_LOADS: file } });
  expect(result.code).toBe(exitCode);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** The codec's mark: the placeholder of a binary attachment, a word no other module has. */
const isSocketIo = (url: string): boolean =>
  url.startsWith('file:') && readFileSync(fileURLToPath(url), 'utf8').includes('_placeholder');

describe('--socketio is lazy', () => {
  it('a session without --socketio loads no Socket.IO code', async () => {
    const server = await startServer();
    const loaded = await loadedBy(['connect', server.url, '-x', 'hi', '--no-stdin', '-w', '0'], 0);
    expect(loaded.some((url) => url.includes('/dist/'))).toBe(true);
    expect(loaded.filter(isSocketIo)).toEqual([]);
  });

  it('--help loads none either; a session with --socketio does (so the tracer sees what it should)', async () => {
    expect((await loadedBy(['connect', '--help'], 0)).filter(isSocketIo)).toEqual([]);
    const loaded = await loadedBy(['connect', `http://127.0.0.1:${await deadPort()}`, '--socketio'], 3);
    expect(loaded.filter(isSocketIo)).toHaveLength(1);
  });
});

describe('the other protocol generation', () => {
  it('--eio 4 (the default) against Socket.IO 2: exit 5 with a hint to use --eio 3', async () => {
    const server = await startSocketIoServer(2);
    const result = await runCli(['connect', server.url, '--socketio', '--no-stdin']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('the server speaks Socket.IO 2 (Engine.IO 3)');
    expect(result.stderr).toContain('use --eio 3');
    expect(server.received).toEqual([]);
  });

  it('--eio 3 against Socket.IO 4 ("Unsupported protocol version"): a hint to use --eio 4', async () => {
    const server = await startSocketIoServer(4);
    const result = await runCli(['connect', server.url, '--socketio', '--eio', '3', '--no-stdin']);
    // The 400 comes after a 101, as bytes that are not a frame: a protocol violation, exit 6.
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('try --eio 4');
    expect(server.connections).toBe(0);
  });
});
