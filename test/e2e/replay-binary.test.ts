/**
 * `wsprobe replay` with a binary-heavy recording: a megabyte of random bytes sent with `--raw` to a
 * `ws` server that answers each message with its bytes reversed. The replay sends the same bytes and
 * compares the answers byte for byte; the mock answers with the recorded bytes exactly.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { jsonLines, runCli, startServerCli } from './support/cli.js';
import { openClient, startServer } from './support/ws-peers.js';

/** Answers each binary message with its bytes reversed; `flip`: the n-th answer (1-based) has its first byte changed. */
function reverser(flip?: number) {
  let n = 0;
  return startServer({
    echo: false,
    onConnection: (ws: WebSocket) =>
      ws.on('message', (data: Buffer, isBinary) => {
        n++;
        const answer = Buffer.from(data).reverse();
        if (n === flip) answer[0] ^= 0xff;
        ws.send(answer, { binary: isBinary });
      }),
  });
}

describe('replay of a binary-heavy recording', () => {
  it('sends and compares byte for byte: exit 0 as recorded, 9 when one byte of one answer changed; the mock answers exactly', async () => {
    const input = randomBytes(1024 * 1024);
    const server = await reverser();
    const rec = await runCli(['connect', server.url, '--raw', '--chunk-size', '16k', '--json'], { stdin: input });
    expect(rec.code).toBe(0);
    const path = join(mkdtempSync(join(tmpdir(), 'wsprobe-replay-')), 'binary.ndjson');
    writeFileSync(path, rec.stdout);
    const sent = jsonLines(rec.out).filter((e) => e.event === 'message' && e.dir === 'out');
    const answers = jsonLines(rec.out).filter((e) => e.event === 'message' && e.dir === 'in');
    expect(sent.length).toBeGreaterThanOrEqual(64);
    expect(answers).toHaveLength(sent.length);
    const serverGotWhileRecording = server.received.length;

    // Against the same server: the same bytes go out, the answers are equal byte for byte.
    const same = await runCli(['replay', path, '--speed', 'max', '-w', '0.5']);
    expect(same.stderr).toContain(`matched the recording (${sent.length} of ${sent.length} replies)`);
    expect(same.code).toBe(0);
    const replayed = server.received.slice(serverGotWhileRecording);
    expect(replayed.every((m) => m.isBinary)).toBe(true);
    expect(Buffer.concat(replayed.map((m) => m.data)).equals(input)).toBe(true);

    // One byte of the 10th answer changed: found, and named.
    const flipped = await reverser(10);
    const diff = await runCli(['replay', path, flipped.url, '--speed', 'max', '-w', '0.5']);
    expect(diff.code).toBe(9);
    expect(diff.stderr).toMatch(
      /reply #10 \(answer to sent message #\d+ binary \d+ bytes\) differs:\n.*\n.*\n {2}bytes differ at byte 0\n/,
    );
    expect(diff.stderr).toContain('first at reply #10');

    // The mock: a client sending the recorded messages gets the recorded answers, byte for byte.
    const mock = await startServerCli(['replay', path, '--serve', '0', '-q']);
    const client = await openClient(mock.url);
    for (const m of sent) await client.send(Buffer.from(m.data as string, 'base64'), { binary: true });
    const got = await client.waitForMessages(answers.length);
    expect(got.every((m) => m.isBinary)).toBe(true);
    expect(
      Buffer.concat(got.map((m) => m.data)).equals(
        Buffer.concat(answers.map((a) => Buffer.from(a.data as string, 'base64'))),
      ),
    ).toBe(true);
  });
});
