/**
 * Interop: the client against Python's `websockets` server (Debian python3-websockets), an
 * implementation we did not write. The server reports what it negotiated in its first message.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onCleanup } from './support/cleanup.js';
import { jsonLines, runCli } from './support/cli.js';

const SERVER = `
import asyncio, json, sys
import websockets

compression = "deflate" if sys.argv[1] == "on" else None

async def handler(ws, path):
    await ws.send(json.dumps({
        "subprotocol": ws.subprotocol,
        "extensions": [type(e).__name__ + ":" + e.name for e in ws.extensions],
        "path": path,
    }))
    async for message in ws:
        if message == "close please":
            await ws.close(4003, "python says no")
            return
        await ws.send(message)

async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, subprotocols=["chat.v1", "chat.v2"],
                                compression=compression) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()

asyncio.run(main())
`;

/** Starts the Python server (compression on or off); resolves with its ws:// URL. */
async function pythonServer(compression: 'on' | 'off'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'wsprobe-py-'));
  const script = join(dir, 'server.py');
  writeFileSync(script, SERVER);
  const py = spawn('/usr/bin/python3', [script, compression], { stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup(() => {
    py.kill('SIGKILL');
  });
  let errors = '';
  py.stderr.on('data', (d) => (errors += d));
  const port = await new Promise<string>((resolve, reject) => {
    py.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    py.once('exit', () => reject(new Error(`python server exited: ${errors}`)));
  });
  return `ws://127.0.0.1:${port}`;
}

describe('against Python websockets', () => {
  it('negotiates the subprotocol the server prefers among those offered', async () => {
    const url = await pythonServer('on');
    const result = await runCli(['connect', `${url}/room`, '-s', 'chat.v2', '-s', 'chat.v0', '--json', '--count', '1']);
    expect(result.code).toBe(0);
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'open')).toMatchObject({ protocol: 'chat.v2' });
    const report = JSON.parse(events.find((e) => e.event === 'message' && e.dir === 'in')?.data as string);
    expect(report).toMatchObject({ subprotocol: 'chat.v2', path: '/room' });
  });

  it('negotiates permessage-deflate when the server has compression on, and both sides agree', async () => {
    const url = await pythonServer('on');
    const result = await runCli(['connect', url, '--json', '-x', 'a'.repeat(10_000), '-w', '0.5']);
    expect(result.code).toBe(0);
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'open')?.extensions).toContain('permessage-deflate');
    const incoming = events.filter((e) => e.event === 'message' && e.dir === 'in');
    expect(JSON.parse(incoming[0].data as string).extensions).toEqual([expect.stringContaining('permessage-deflate')]);
    expect(incoming[1]).toMatchObject({ type: 'text', size: 10_000 });
  });

  it('goes without compression when the server has it off, and both sides agree', async () => {
    const url = await pythonServer('off');
    const result = await runCli(['connect', url, '--json', '--count', '1']);
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'open')?.extensions).toBe('');
    const report = JSON.parse(events.find((e) => e.event === 'message' && e.dir === 'in')?.data as string);
    expect(report.extensions).toEqual([]);
  });

  it('turns the server closing with 4003 into exit 7 with its code and reason', async () => {
    const url = await pythonServer('on');
    const result = await runCli(['connect', url, '-x', 'close please', '--keep-open', '--no-stdin']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('closed 4003 (Private Use) by server, reason "python says no"');
  });

  it('offers no compression with --no-deflate even to a server that wants it', async () => {
    const url = await pythonServer('on');
    const result = await runCli(['connect', url, '--no-deflate', '--json', '--count', '1']);
    const report = JSON.parse(jsonLines(result.out).find((e) => e.event === 'message')?.data as string);
    expect(report.extensions).toEqual([]);
  });
});
