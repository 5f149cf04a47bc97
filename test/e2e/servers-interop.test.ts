/**
 * Interop: Python's `websockets` (Debian python3-websockets), an implementation we did not write,
 * against `wsprobe echo` and `wsprobe listen`. The Python client is a small script written here.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { onCleanup } from './support/cleanup.js';
import { jsonLines, startServerCli } from './support/cli.js';

const PYTHON = process.env.WSPROBE_TEST_PYTHON ?? '/usr/bin/python3';

const CLIENT = `
import asyncio, hashlib, json, sys
import websockets

def out(**fields):
    print(json.dumps(fields), flush=True)

async def echo(url):
    async with websockets.connect(url, subprotocols=["chat.v2", "json"], max_size=None) as ws:
        out(step="open", subprotocol=ws.subprotocol, extensions=[e.name for e in ws.extensions])
        await ws.send("héllo from python ✓")
        reply = await ws.recv()
        out(step="text", type=type(reply).__name__, data=reply)
        await ws.send(bytes(range(256)))
        reply = await ws.recv()
        out(step="binary", type=type(reply).__name__, same=reply == bytes(range(256)))
        await ws.send("")
        out(step="empty", data=await ws.recv())
        big = bytes(i * 7 % 251 for i in range(4 * 1024 * 1024))
        await ws.send(big)
        reply = await ws.recv()
        out(step="big", size=len(reply), same=hashlib.sha256(reply).digest() == hashlib.sha256(big).digest())
        await ws.send(["frag", "mented ", "text"])
        out(step="fragmented", data=await ws.recv())
        pong = await ws.ping(b"rtt?")
        await asyncio.wait_for(pong, 5)
        out(step="ping", ok=True)
        await ws.close(1000, "python done")
        out(step="closed", code=ws.close_code)

async def listen(url):
    async with websockets.connect(url) as ws:
        out(step="open")
        typed = await ws.recv()
        out(step="typed", data=typed)
        await ws.send("python says " + typed)
        closing = ws.wait_closed()
        await asyncio.wait_for(closing, 10)
        out(step="closed", code=ws.close_code, reason=ws.close_reason)

asyncio.run({"echo": echo, "listen": listen}[sys.argv[1]](sys.argv[2]))
`;

let script: string;
beforeAll(() => {
  // Fail with a clear message, not a silent skip: CI installs it (.ci/run).
  execFileSync(PYTHON, ['-c', 'import websockets'], { stdio: 'pipe' });
  script = join(mkdtempSync(join(tmpdir(), 'wsprobe-py-')), 'client.py');
  writeFileSync(script, CLIENT);
});

interface PythonRun {
  lines: () => Array<Record<string, unknown>>;
  waitForStep(step: string): Promise<Record<string, unknown>>;
  done: Promise<{ code: number | null; stderr: string }>;
}

function runPython(mode: 'echo' | 'listen', url: string): PythonRun {
  const child = spawn(PYTHON, [script, mode, url], { stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => {
    child.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ step: string; resolve: (e: Record<string, unknown>) => void }> = [];
  const lines = () => jsonLines(stdout);
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const w of waiters.slice()) {
      const found = lines().find((e) => e.step === w.step);
      if (found) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(found);
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return {
    lines,
    waitForStep: (step) =>
      new Promise((resolve) => {
        const found = lines().find((e) => e.step === step);
        if (found) resolve(found);
        else waiters.push({ step, resolve });
      }),
    done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))),
  };
}

describe("interop with Python's websockets client", () => {
  it('exchanges text, binary, empty, 4 MiB and fragmented messages with wsprobe echo, with a subprotocol and deflate', async () => {
    const server = await startServerCli(['echo', '0', '-s', 'json', '--json']);
    const python = runPython('echo', server.url);
    const { code, stderr } = await python.done;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const steps = Object.fromEntries(python.lines().map((e) => [e.step, e]));
    expect(steps.open).toEqual({ step: 'open', subprotocol: 'json', extensions: ['permessage-deflate'] });
    expect(steps.text).toEqual({ step: 'text', type: 'str', data: 'héllo from python ✓' });
    expect(steps.binary).toEqual({ step: 'binary', type: 'bytes', same: true });
    expect(steps.empty).toEqual({ step: 'empty', data: '' });
    expect(steps.big).toEqual({ step: 'big', size: 4 * 1024 * 1024, same: true });
    expect(steps.fragmented).toEqual({ step: 'fragmented', data: 'fragmented text' });
    expect(steps.ping).toEqual({ step: 'ping', ok: true });
    expect(steps.closed).toEqual({ step: 'closed', code: 1000 });

    await server.waitForOutput('"event":"close"');
    server.child.kill('SIGTERM');
    const events = jsonLines((await server.result).out);
    expect(events.find((e) => e.event === 'request')?.headers).toMatchObject({
      'user-agent': expect.stringContaining('websockets/'),
    });
    expect(events.find((e) => e.event === 'open')).toMatchObject({ conn: 1, protocol: 'json' });
    const incoming = events.filter((e) => e.event === 'message' && e.dir === 'in');
    expect(incoming.map((e) => [e.type, e.size])).toEqual([
      ['text', Buffer.byteLength('héllo from python ✓')],
      ['binary', 256],
      ['text', 0],
      ['binary', 4 * 1024 * 1024],
      ['text', 15],
    ]);
    const big = incoming[3].data as string;
    const expected = Buffer.from(Array.from({ length: 4 * 1024 * 1024 }, (_, i) => (i * 7) % 251));
    expect(createHash('sha256').update(Buffer.from(big, 'base64')).digest('hex')).toBe(
      createHash('sha256').update(expected).digest('hex'),
    );
    expect(events.find((e) => e.event === 'ping')).toMatchObject({ dir: 'in', data: 'rtt?' });
    expect(events.find((e) => e.event === 'close')).toMatchObject({
      code: 1000,
      reason: 'python done',
      by: 'client',
      clean: true,
    });
  });

  it('talks both ways with wsprobe listen: a typed line reaches Python, its answer is printed, /close ends it', async () => {
    const server = await startServerCli(['listen', '0']);
    const python = runPython('listen', server.url);
    await python.waitForStep('open');
    server.child.stdin!.write('hi python\n');
    expect(await python.waitForStep('typed')).toMatchObject({ data: 'hi python' });
    await server.waitForOutput('python says hi python\n');
    server.child.stdin!.write('/close all 4000 enough\n');
    expect(await python.waitForStep('closed')).toEqual({ step: 'closed', code: 4000, reason: 'enough' });
    expect((await python.done).code).toBe(0);
    server.child.kill('SIGINT');
    const result = await server.result;
    expect(result.code).toBe(130);
    expect(result.out).toBe('python says hi python\n');
    expect(result.stderr).toContain('[#1] closed 4000 (Private Use) by server, reason "enough", clean');
  });
});
