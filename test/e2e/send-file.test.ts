/**
 * `--send-file` and `--send-text-file` (issue 14, item 8): a file, a pipe, process substitution
 * (`<(…)`) or `/dev/stdin`, sent whole as one message — binary, or text for `--send-text-file` — to a
 * real `ws` server, which checks what it got. A pipe is read up to --max-payload bytes; text must be UTF-8.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackChild } from './support/cleanup.js';
import { CLI, runCli } from './support/cli.js';
import { startServer } from './support/ws-peers.js';

/** Runs `script` in bash, with `wsprobe` the built CLI: process substitution needs a shell. */
function bash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', `wsprobe() { "$NODE" "$CLI" "$@"; }; ${script}`], {
    env: { ...process.env, NODE: process.execPath, CLI, NO_COLOR: undefined, FORCE_COLOR: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackChild(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('--send-file from a pipe', () => {
  it('process substitution: <(printf …) arrives as one binary message', async () => {
    const server = await startServer({ echo: false });
    const r = await bash(`wsprobe connect ${server.url} --send-file <(printf 'hi\\x00there') --no-stdin -w 0 -q`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(server.received).toHaveLength(1);
    expect(server.received[0].isBinary).toBe(true);
    expect(server.received[0].data).toEqual(Buffer.from('hi\0there'));
  });

  it('a pipe larger than one read (300 KB) arrives whole, in order with -x', async () => {
    const server = await startServer({ echo: false });
    const r = await bash(
      `wsprobe connect ${server.url} -x first --send-file <(head -c 300000 /dev/zero | tr '\\0' a) -x last --no-stdin -w 0 -q`,
    );
    expect(r.code).toBe(0);
    expect(server.received.map((m) => [m.data.length, m.isBinary])).toEqual([
      [5, false],
      [300000, true],
      [4, false],
    ]);
  });

  it('/dev/stdin: what was piped in, as one message', async () => {
    const server = await startServer({ echo: false });
    const r = await runCli(['connect', server.url, '--send-file', '/dev/stdin', '-w', '0', '-q'], {
      stdin: 'line one\nline two\n',
    });
    expect(r.code).toBe(0);
    expect(server.received).toHaveLength(1);
    expect(server.received[0].data.toString()).toBe('line one\nline two\n');
  });

  it('more than --max-payload from a pipe is a usage error naming the option, before connecting', async () => {
    const server = await startServer({ echo: false });
    const r = await bash(
      `wsprobe connect ${server.url} --send-file <(head -c 5000 /dev/zero) --max-payload 4k --no-stdin`,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wsprobe: --send-file \/dev\/fd\/\d+: more than 4096 bytes \(the --max-payload limit\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(server.requests).toHaveLength(0);
  });
});

describe('--send-text-file', () => {
  it('sends a file as one text message, bytes as they are', async () => {
    const server = await startServer({ echo: false });
    const file = join(mkdtempSync(join(tmpdir(), 'wsprobe-send-')), 'msg.json');
    writeFileSync(file, '{"op": "héllo"}\n');
    const r = await runCli(['connect', server.url, '--send-text-file', file, '--no-stdin', '-w', '0', '-q']);
    expect(r.code).toBe(0);
    expect(server.received).toHaveLength(1);
    expect(server.received[0].isBinary).toBe(false);
    expect(server.received[0].data.toString('utf8')).toBe('{"op": "héllo"}\n');
  });

  it('from process substitution, as text', async () => {
    const server = await startServer({ echo: false });
    const r = await bash(`wsprobe connect ${server.url} --send-text-file <(printf 'ping') --no-stdin -w 0 -q`);
    expect(r.code).toBe(0);
    expect(server.received).toEqual([{ data: Buffer.from('ping'), isBinary: false }]);
  });

  it('refuses what is not UTF-8, pointing to --send-file', async () => {
    const server = await startServer({ echo: false });
    const r = await bash(`wsprobe connect ${server.url} --send-text-file <(printf '\\xff\\xfe') --no-stdin`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wsprobe: --send-text-file \/dev\/fd\/\d+: not UTF-8 text \(use --send-file/);
    expect(server.requests).toHaveLength(0);
  });
});
