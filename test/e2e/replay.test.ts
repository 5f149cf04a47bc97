/**
 * `wsprobe replay`: a `connect --json` recording made against a real `ws` server, replayed against it
 * (and against one whose answer changed), and served as a mock to a `ws` client, a wsprobe client and
 * a Python websockets client. Both ends are checked: what the server got, what the client got.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { onCleanup } from './support/cleanup.js';
import { jsonLines, runCli, startCli, startServerCli } from './support/cli.js';
import { openClient, startServer } from './support/ws-peers.js';

/**
 * An app server: `{"op":"get","id":n}` → `{"id":n,"value":"vn","ts":<now>}`, `hello` → `world`,
 * binary → the bytes reversed. `changeId` answers that id with another value.
 */
async function appServer(changeId?: number) {
  let tick = 0;
  return startServer({
    echo: false,
    onConnection: (ws: WebSocket) =>
      ws.on('message', (data: Buffer, isBinary) => {
        if (isBinary) return ws.send(Buffer.from(data).reverse(), { binary: true });
        const text = data.toString();
        if (text === 'hello') return ws.send('world');
        const { id } = JSON.parse(text) as { id: number };
        tick++;
        ws.send(JSON.stringify({ id, value: id === changeId ? 'changed' : `v${id}`, ts: Date.now() + tick }));
      }),
  });
}

const SENT = ['{"op":"get","id":1}', '{"op":"get","id":2}', 'hello'];

/**
 * Records a session against `url` as a person would make it: each line typed once the answer to the
 * one before has come, so the recording says which message each answer followed. Returns its path.
 */
async function record(url: string): Promise<string> {
  const cli = startCli(['connect', url, '--count', String(SENT.length), '--json']);
  const answers = ['"value\\":\\"v1', '"value\\":\\"v2', '"data":"world"'];
  for (const [i, line] of SENT.entries()) {
    cli.child.stdin!.write(`${line}\n`);
    await cli.waitForOutput(answers[i]);
  }
  const r = await cli.result;
  expect(r.code).toBe(0);
  const path = join(mkdtempSync(join(tmpdir(), 'wsprobe-replay-')), 'session.ndjson');
  writeFileSync(path, r.stdout);
  return path;
}

describe('replay against a server', () => {
  it('exits 0 when the server answers as recorded (the timestamp ignored), and sends what was recorded', async () => {
    const server = await appServer();
    const recording = await record(server.url);
    const r = await runCli(['replay', recording, '--ignore-json-path', 'ts', '-w', '0.3']);
    expect(r.stderr).toContain('replay: the conversation matched the recording (3 of 3 replies)');
    expect(r.code).toBe(0);
    // The server got the recorded messages twice, in order, with their types and bytes.
    const got = server.received.map((m) => (m.isBinary ? `bin:${m.data.toString('hex')}` : m.data.toString()));
    expect(got).toEqual([...SENT, ...SENT]);
    expect(r.out).toContain('world');
  });

  it('exits 9 when the timestamp is not ignored, showing the field that differs', async () => {
    const server = await appServer();
    const recording = await record(server.url);
    const r = await runCli(['replay', recording, '-w', '0.3', '--speed', 'max']);
    expect(r.code).toBe(9);
    expect(r.stderr).toMatch(/reply #1 \(answer to sent message #1 .*\) differs:/);
    expect(r.stderr).toMatch(/ {2}ts: \d+ → \d+/);
  });

  it('exits 9 against a server that changed one reply, naming the message and the sent one it answered, with the diff', async () => {
    const recording = await record((await appServer()).url);
    const changed = await appServer(2);
    const r = await runCli(['replay', recording, changed.url, '--ignore-json-path', 'ts', '--lockstep', '-w', '2']);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('reply #2 (answer to sent message #2 "{\\"op\\":\\"get\\",\\"id\\":2}") differs:');
    expect(r.stderr).toContain('  value: "v2" → "changed"');
    expect(r.stderr).toContain(
      'did not match the recording: 2 equal, 1 differing, 0 missing, 0 extra; first at reply #2',
    );
    expect(changed.received).toHaveLength(3);
    // --json: one compare event per reply, the verdict, and the summary's exit code.
    const j = jsonLines(
      (await runCli(['replay', recording, changed.url, '--ignore-json-path', 'ts', '--json', '-w', '0.3'])).out,
    );
    const compares = j.filter((e) => e.event === 'compare');
    expect(compares.map((e) => e.result)).toEqual(['equal', 'differing', 'equal']);
    expect(compares[1]).toMatchObject({ index: 2, after: 2, diff: ['value: "v2" → "changed"'] });
    expect(j.find((e) => e.event === 'replay')).toMatchObject({ matched: false, first: 2, differing: 1 });
    expect(j.at(-1)).toMatchObject({ event: 'summary', exitCode: 9 });
  });

  it('reports a reply that never came as missing', async () => {
    const recording = await record((await appServer()).url);
    const silent = await startServer({ echo: false });
    const r = await runCli(['replay', recording, silent.url, '--speed', 'max', '-w', '0.3']);
    expect(r.code).toBe(9);
    expect(r.stderr).toContain('reply #1 (answer to sent message #1 "{\\"op\\":\\"get\\",\\"id\\":1}") missing');
    expect(silent.received).toHaveLength(3);
  });

  it('replays a proxy --json recording (the first pair) against the upstream it recorded', async () => {
    const server = await appServer();
    const proxy = await startServerCli(['proxy', server.url, '0', '--json', '--no-stdin']);
    const client = await runCli(['connect', `${proxy.url}/api`, '-x', SENT[2], '-x', SENT[0], '--count', '2', '-q']);
    expect(client.code).toBe(0);
    proxy.child.kill('SIGTERM');
    const recorded = await proxy.result;
    expect(recorded.code).toBe(143);
    const path = join(mkdtempSync(join(tmpdir(), 'wsprobe-replay-')), 'proxy.ndjson');
    writeFileSync(path, recorded.stdout);
    const r = await runCli(['replay', path, '--ignore-json-path', 'ts', '-w', '0.3']);
    expect(r.stderr).toContain('replay: the conversation matched the recording (2 of 2 replies)');
    expect(r.code).toBe(0);
    expect(server.received.slice(2).map((m) => m.data.toString())).toEqual([SENT[2], SENT[0]]);
    expect(server.requests.at(-1)?.url).toBe('/api');
  });

  it('refuses a file that is not a recording with exit 2 and the line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wsprobe-replay-')), 'bad.ndjson');
    writeFileSync(path, '{"event":"open","url":"ws://127.0.0.1:9/"}\nnot json\n');
    const r = await runCli(['replay', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^wsprobe: .*bad\.ndjson: line 2: not JSON/);
  });

  it('a bad line after the first message: what came before is sent and compared, then exit 2 naming the line', async () => {
    const server = await startServer();
    const path = join(mkdtempSync(join(tmpdir(), 'wsprobe-replay-')), 'broken.ndjson');
    const message = (dir: string, data: string) => JSON.stringify({ event: 'message', dir, type: 'text', data });
    writeFileSync(path, [message('out', 'one'), message('in', 'one'), message('out', 'two'), '{"event":'].join('\n'));
    const r = await runCli(['replay', path, server.url, '--speed', 'max', '-w', '0.3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.ndjson: line 4: not JSON/);
    expect(r.stderr).not.toContain('the conversation matched');
    expect(server.received.map((m) => m.data.toString())).toEqual(['one', 'two']);
  });

  it('a silent server: more answers expected than a replay reads ahead, yet everything is sent and the missing reported', async () => {
    const silent = await startServer({ echo: false });
    // 40 answers of 16 KiB expected (640 KiB, beyond the 256 KiB read ahead): the pacer waits -w for one, then goes on.
    const events = Array.from({ length: 40 }, (_, i) => [
      JSON.stringify({ event: 'message', dir: 'out', type: 'text', data: `q${i}` }),
      JSON.stringify({ event: 'message', dir: 'in', type: 'text', data: 'a'.repeat(16 * 1024) }),
    ]).flat();
    const path = join(mkdtempSync(join(tmpdir(), 'wsprobe-replay-')), 'silent.ndjson');
    writeFileSync(path, events.join('\n'));
    const r = await runCli(['replay', path, silent.url, '--speed', 'max', '-w', '0.3', '--json']);
    expect(r.code).toBe(9);
    expect(silent.received.map((m) => m.data.toString())).toEqual(Array.from({ length: 40 }, (_, i) => `q${i}`));
    const verdict = jsonLines(r.out).find((e) => e.event === 'replay');
    expect(verdict).toMatchObject({ matched: false, expected: 40, missing: 40 });
  });

  it('replays a recording longer than one read exactly: multi-byte text split across reads, in order', async () => {
    const server = await startServer();
    // About 3 MiB: three 1 MiB reads, whose boundaries fall inside lines and inside multi-byte characters.
    const sent = Array.from({ length: 3000 }, (_, i) => `${i} ${'é€😀'.repeat(50 + (i % 97))}`);
    const events = sent.flatMap((data) => [
      JSON.stringify({ event: 'message', dir: 'out', type: 'text', data }),
      JSON.stringify({ event: 'message', dir: 'in', type: 'text', data }),
    ]);
    const path = join(mkdtempSync(join(tmpdir(), 'wsprobe-replay-')), 'long.ndjson');
    writeFileSync(path, `${events.join('\n')}\n`);
    const r = await runCli(['replay', path, server.url, '--speed', 'max', '-q', '--count', String(sent.length)]);
    expect(r.stderr).toContain(
      `replay: the conversation matched the recording (${sent.length} of ${sent.length} replies)`,
    );
    expect(r.code).toBe(0);
    expect(server.received.map((m) => m.data.toString())).toEqual(sent);
    expect(r.out).toBe(`${sent.join('\n')}\n`);
  });
});

const PY_CLIENT = `
import asyncio, base64, json, sys
import websockets

async def main():
    async with websockets.connect(sys.argv[1]) as ws:
        for m in json.loads(sys.argv[2]):
            await ws.send(bytes.fromhex(m["hex"]) if "hex" in m else m["text"])
        for _ in range(int(sys.argv[3])):
            r = await asyncio.wait_for(ws.recv(), 20)
            if isinstance(r, bytes):
                print(json.dumps({"hex": r.hex()}), flush=True)
            else:
                print(json.dumps({"text": r}), flush=True)

asyncio.run(main())
`;

function pythonClient(
  url: string,
  messages: object[],
  replies: number,
): Promise<{ code: number | null; out: string; err: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'wsprobe-py-'));
  const script = join(dir, 'client.py');
  writeFileSync(script, PY_CLIENT);
  const py = spawn('/usr/bin/python3', [script, url, JSON.stringify(messages), String(replies)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(() => {
    py.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  py.stdout.on('data', (d) => (out += d));
  py.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => py.on('close', (code) => resolve({ code, out, err })));
}

describe('replay --serve', () => {
  it('answers a Python websockets client and a wsprobe client as the recorded server did; an unexpected message is reported, and the mock goes on', async () => {
    const server = await appServer();
    const recording = await record(server.url);
    const recorded = jsonLines((await import('node:fs')).readFileSync(recording, 'utf8')).filter(
      (e) => e.event === 'message' && e.dir === 'in',
    );
    const mock = await startServerCli(['replay', recording, '--serve', '0']);

    // A wsprobe client gets the recorded answers, timestamps and all.
    const w = await runCli(['connect', mock.url, ...SENT.flatMap((m) => ['-x', m]), '--count', '3', '--json']);
    expect(w.code).toBe(0);
    const got = jsonLines(w.out).filter((e) => e.event === 'message' && e.dir === 'in');
    expect(got.map((e) => [e.type, e.data])).toEqual(recorded.map((e) => [e.type, e.data]));

    // So does Python's websockets.
    const py = await pythonClient(
      mock.url,
      SENT.map((text) => ({ text })),
      3,
    );
    expect(py.err).toBe('');
    expect(py.code).toBe(0);
    expect(
      py.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ text: recorded[0].data }, { text: recorded[1].data }, { text: 'world' }]);

    // An unexpected message is reported and answered with nothing; the recorded one still works after it.
    const client = await openClient(mock.url);
    await client.send('what is this');
    await mock.waitForOutput(
      'unexpected message #1 "what is this"; the recording has "{\\"op\\":\\"get\\",\\"id\\":1}" here',
    );
    await client.send('{"op":"get","id":1}');
    expect((await client.message(0)).data.toString()).toBe(recorded[0].data);
    expect(client.messages).toHaveLength(1);
    expect(mock.child.exitCode).toBeNull();
  });
});
