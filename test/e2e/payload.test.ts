/**
 * Issue 19, end to end: a real `ws` server on 127.0.0.1 sends JSON, gzip-compressed JSON, MessagePack
 * and CBOR; the built CLI shows each decoded (pretty), carries the decoded form beside the original
 * (--json), refuses a 1 GiB gzip bomb within --max-payload and bounded memory, filters in every mode,
 * and changes its filter live at the prompt.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decode as fromMsgpack, encode as msgpack } from '@msgpack/msgpack';
import { encode as cbor, decode as fromCbor } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { jsonLines, runCli, startCli, startServerCli } from './support/cli.js';
import { peakRssMiB } from './support/memory.js';
import { startPty } from './support/pty.js';
import { deadPort } from './support/raw-server.js';
import { openClient, startServer } from './support/ws-peers.js';

const JSON_TEXT = '{"type":"trade","price":12345678901234567890123,"tags":["a","b"]}';
const GZ_JSON = gzipSync('{"type":"gz","n":1}');
const MSGPACK = Buffer.from(msgpack({ type: 'mp', n: 2, ok: true }));
const CBOR = Buffer.from(cbor({ type: 'cbor', list: [1, 'two'] }));

/** A server that sends these on every connection, in order (strings as text, Buffers as binary). */
async function sending(...messages: Array<string | Buffer>) {
  return startServer({
    echo: false,
    onConnection: (ws: WebSocket) => {
      for (const m of messages) ws.send(m, { binary: Buffer.isBuffer(m) });
    },
  });
}

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('--decode: each payload shown decoded', () => {
  it('pretty mode (into a pipe): JSON laid out, gzip, MessagePack and CBOR decoded and laid out as JSON', async () => {
    const server = await sending(JSON_TEXT, GZ_JSON, MSGPACK, CBOR);
    const r = await runCli(['connect', server.url, '--no-stdin', '--count', '4', '--decode', 'auto', '--pretty']);
    expect(r.code).toBe(0);
    expect(plain(r.out).split('\n').slice(1, -2)).toEqual([
      '< {"type": "trade", "price": 12345678901234567890123, "tags": ["a", "b"]}',
      `< {"type": "gz", "n": 1}  (gzip, ${GZ_JSON.length} bytes)`,
      `< {"type": "mp", "n": 2, "ok": true}  (msgpack, ${MSGPACK.length} bytes)`,
      `< {"type": "cbor", "list": [1, "two"]}  (cbor, ${CBOR.length} bytes)`,
    ]);
    // --pretty colours even into a pipe: the keys are painted.
    expect(r.out).toContain('\x1b[36m"type"\x1b[39m');
    // The other end: our client closed normally once it had the four.
    expect(await server.waitForClose()).toEqual({ code: 1000, reason: '' });
  });

  it('--json: the original payload, and beside it the decoded form', async () => {
    const server = await sending(JSON_TEXT, GZ_JSON, MSGPACK, CBOR);
    const r = await runCli(['connect', server.url, '--no-stdin', '--count', '4', '--decode', 'auto', '--json']);
    expect(r.code).toBe(0);
    const messages = jsonLines(r.out).filter((e) => e.event === 'message');
    expect(messages.map(({ time: _, ...e }) => e)).toEqual([
      { event: 'message', dir: 'in', type: 'text', data: JSON_TEXT, size: JSON_TEXT.length },
      {
        event: 'message',
        dir: 'in',
        type: 'binary',
        data: GZ_JSON.toString('base64'),
        encoding: 'base64',
        size: GZ_JSON.length,
        decoded: { codec: 'gzip', text: '{"type":"gz","n":1}', size: 19 },
      },
      {
        event: 'message',
        dir: 'in',
        type: 'binary',
        data: MSGPACK.toString('base64'),
        encoding: 'base64',
        size: MSGPACK.length,
        decoded: { codec: 'msgpack', json: { type: 'mp', n: 2, ok: true } },
      },
      {
        event: 'message',
        dir: 'in',
        type: 'binary',
        data: CBOR.toString('base64'),
        encoding: 'base64',
        size: CBOR.length,
        decoded: { codec: 'cbor', json: { type: 'cbor', list: [1, 'two'] } },
      },
    ]);
    // The original is carried exactly: it decodes back to what the server sent.
    expect(Buffer.from(messages[1].data as string, 'base64')).toEqual(GZ_JSON);
    expect(await server.waitForClose()).toEqual({ code: 1000, reason: '' });
  });

  it('pipe mode writes what the payload decoded to, one line each', async () => {
    const server = await sending(GZ_JSON, MSGPACK);
    const r = await runCli(['connect', server.url, '--no-stdin', '--count', '2', '--decode', 'auto', '-q']);
    expect(r.out).toBe('{"type":"gz","n":1}\n{"type":"mp","n":2,"ok":true}\n');
  });

  it('a payload that does not decode is shown as before, with one note', async () => {
    const server = await sending(Buffer.from([1, 2, 3]));
    const r = await runCli(['connect', server.url, '--no-stdin', '--count', '1', '--decode', 'gzip', '--pretty']);
    expect(r.code).toBe(0);
    expect(plain(r.out).split('\n').slice(1, 4)).toEqual([
      '< binary 3 bytes',
      '  not gzip: incorrect header check',
      '  00000000  01 02 03                                          |...|',
    ]);
  });

  it('a gzip bomb (1 GiB inflated) is refused within --max-payload in one line, memory bounded', async () => {
    // 64 gzip members of 16 MiB of zeros each: 1 GiB once inflated, about 1 MiB on the wire.
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    expect(gunzipSync(member).length).toBe(16 * 1024 * 1024);
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    let client: WebSocket | undefined;
    const server = await startServer({
      echo: false,
      onConnection: (ws) => {
        client = ws;
        ws.send(bomb, { binary: true });
      },
    });
    const cli = startCli(['connect', server.url, '--no-stdin', '--keep-open', '--decode', 'gzip', '--pretty']);
    await cli.waitForOutput('not decoded');
    // Measured while the process still runs (VmHWM is its peak so far); then the server ends it.
    const peak = peakRssMiB(cli.child.pid!);
    client!.close(1000, 'done');
    const r = await cli.result;
    expect(r.code).toBe(0);
    const lines = plain(r.out).split('\n');
    expect(lines[1]).toBe(`< binary ${bomb.length} bytes`);
    expect(lines[2]).toBe('  gzip: decompresses to more than 100.0 MiB (--max-payload); not decoded');
    expect(lines[3]).toMatch(/^ {2}00000000 {2}1f 8b 08/);
    expect(r.out.match(/not decoded/g)).toHaveLength(1);
    expect(peak).toBeDefined();
    // Node itself (~60 MiB) plus at most --max-payload (100 MiB) of output: ~160 MiB measured, far from 1 GiB.
    expect(peak!).toBeLessThan(300);
    expect(server.closes).toEqual([{ code: 1000, reason: 'done' }]);
  });
});

const TRADE_1 = '{"type":"trade","id":1}';
const QUOTE = '{"type":"quote","id":2}';
const HEARTBEAT = 'heartbeat';
const TRADE_3 = '{"type":"trade","id":3}';

describe('--filter in every mode', () => {
  const run = async (...args: string[]) => {
    const server = await sending(TRADE_1, QUOTE, HEARTBEAT, TRADE_3);
    const r = await runCli(['connect', server.url, '--no-stdin', '--count', '4', ...args]);
    expect(r.code).toBe(0);
    expect(await server.waitForClose()).toEqual({ code: 1000, reason: '' });
    return r;
  };

  it('pipe: a JSON path keeps the trades; the summary counts the rest', async () => {
    const r = await run('--filter', 'type=trade', '--summary');
    expect(r.out).toBe(`${TRADE_1}\n${TRADE_3}\n`);
    expect(r.stderr).toContain('filtered: 2 received messages not shown');
    expect(r.stderr).toContain('traffic: in 4 messages');
  });

  it('pipe: a regex, and --filter-out', async () => {
    expect((await run('--filter', '/"id":[12]}$/')).out).toBe(`${TRADE_1}\n${QUOTE}\n`);
    expect((await run('--filter-out', '/^heart/')).out).toBe(`${TRADE_1}\n${QUOTE}\n${TRADE_3}\n`);
  });

  it('pretty: a JSON path', async () => {
    const r = await run('--filter', 'type=trade', '--pretty');
    const shown = plain(r.out)
      .split('\n')
      .filter((l) => l.startsWith('<'));
    expect(shown).toEqual(['< {"type": "trade", "id": 1}', '< {"type": "trade", "id": 3}']);
  });

  it('--json: a regex', async () => {
    const events = jsonLines((await run('--filter', '/^heart|"id":1/', '--json')).out);
    expect(events.filter((e) => e.event === 'message').map((e) => e.data)).toEqual([TRADE_1, HEARTBEAT]);
    expect(events.at(-1)).toMatchObject({ event: 'summary', filtered: 2 });
  });

  it('pretty: only the matching messages are drawn', async () => {
    const r = await run('--filter', '/quote|heartbeat/', '--pretty');
    const shown = plain(r.out)
      .split('\n')
      .filter((l) => l.startsWith('<'));
    expect(shown).toEqual(['< {"type": "quote", "id": 2}', '< heartbeat']);
  });

  it('--json: only the matching message events, and `filtered` in the summary', async () => {
    const r = await run('--filter', 'id=3', '--json');
    const events = jsonLines(r.out);
    expect(events.filter((e) => e.event === 'message').map((e) => e.data)).toEqual([TRADE_3]);
    const summary = events.at(-1)!;
    expect(summary).toMatchObject({ event: 'summary', messagesIn: 4, filtered: 3 });
  });

  it('a bad expression is a usage error naming the option', async () => {
    const r = await runCli(['connect', 'ws://127.0.0.1:9', '--filter', '/[/']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--filter.*invalid --filter regex \/\[\//);
  });
});

describe('--filter and --decode on a server', () => {
  it('echo --json: what clients send is filtered and decoded; the echo itself is untouched', async () => {
    const server = await startServerCli(['echo', '0', '--json', '--filter', 'type=trade', '--decode', 'gzip']);
    const client = await openClient(server.url);
    await client.send(QUOTE);
    await client.send(gzipSync(TRADE_1), { binary: true });
    await client.send(TRADE_3);
    // Every message comes back as it was sent: filters choose what is shown, nothing else.
    const echoed = await client.waitForMessages(3);
    expect(echoed.map((m) => m.isBinary)).toEqual([false, true, false]);
    expect(gunzipSync(echoed[1].data).toString()).toBe(TRADE_1);
    client.ws.close(1000);
    await client.closed;
    server.child.kill('SIGTERM');
    const r = await server.result;
    expect(r.code).toBe(143);
    const received = jsonLines(r.out).filter((e) => e.event === 'message' && e.dir === 'in');
    expect(received.map((e) => (e.decoded as { text?: string } | undefined)?.text ?? e.data)).toEqual([
      TRADE_1,
      TRADE_3,
    ]);
    expect(jsonLines(r.out).at(-1)).toMatchObject({ event: 'summary', filtered: 1 });
  });
});

describe('/filter at the prompt', () => {
  it('changes what is shown live, and /filter off shows everything again', async () => {
    let peer: WebSocket | undefined;
    const server = await startServer({
      echo: false,
      onConnection: (ws) => {
        peer = ws;
      },
    });
    const home = mkdtempSync(join(tmpdir(), 'wsprobe-home-'));
    const cli = startPty(['connect', server.url], { HOME: home }, { cols: 100, rows: 30 });
    await cli.waitForScreen('connected to');
    cli.type('/filter type=trade\r');
    await cli.waitForScreen('filter: only received messages matching type=trade are shown');
    peer!.send(QUOTE);
    peer!.send(TRADE_1);
    await cli.waitForScreen('< {"type": "trade", "id": 1}');
    cli.type('/filter off\r');
    await cli.waitForScreen('filter off: every received message is shown');
    // 90 columns: one line on this 100-column terminal (it would be indented at 80).
    peer!.send(JSON.stringify({ type: 'news', text: 'x'.repeat(64) }));
    await cli.waitForScreen(`< {"type": "news", "text": "${'x'.repeat(64)}"}`);
    const lines = await cli.lines();
    // The quote arrived before the trade, and was never drawn.
    expect(lines.some((l) => l.includes('"quote"'))).toBe(false);
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
    expect(server.closes).toEqual([{ code: 1000, reason: '' }]);
  });
});

describe('sending encoded', () => {
  it('--send-msgpack and --send-cbor send the JSON value encoded, as binary, in command-line order', async () => {
    const server = await startServer({ echo: false });
    const r = await runCli([
      'connect',
      server.url,
      '--no-stdin',
      '-w',
      '0',
      '--send-msgpack',
      '{"type":"mp","list":[1,2.5,"x"],"big":4294967296}',
      '-x',
      'between',
      '--send-cbor',
      '{"type":"cbor","ok":true}',
    ]);
    expect(r.code).toBe(0);
    await server.waitForMessages(3);
    expect(server.received.map((m) => m.isBinary)).toEqual([true, false, true]);
    expect(fromMsgpack(server.received[0].data)).toEqual({ type: 'mp', list: [1, 2.5, 'x'], big: 4294967296 });
    expect(server.received[1].data.toString()).toBe('between');
    expect(fromCbor(server.received[2].data)).toEqual({ type: 'cbor', ok: true });
  });

  it('with --decode, what was sent encoded is shown decoded too', async () => {
    const server = await startServer({ echo: false });
    const r = await runCli([
      'connect',
      server.url,
      '--no-stdin',
      '-w',
      '0',
      '--send-msgpack',
      '{"op":"sub"}',
      '--decode',
      'msgpack',
      '--pretty',
    ]);
    expect(plain(r.out).split('\n')[1]).toBe('> {"op": "sub"}  (msgpack, 8 bytes)');
    await server.waitForMessages(1);
    expect(fromMsgpack(server.received[0].data)).toEqual({ op: 'sub' });
  });

  it('invalid JSON is a usage error before connecting', async () => {
    const r = await runCli(['connect', 'ws://127.0.0.1:9', '--send-msgpack', '{nope}']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--send-msgpack');
    expect(r.stderr).toContain('invalid JSON');
  });

  it('/msgpack and /cbor at the prompt', async () => {
    const server = await startServer({ echo: false });
    const home = mkdtempSync(join(tmpdir(), 'wsprobe-home-'));
    const cli = startPty(['connect', server.url], { HOME: home }, { cols: 100, rows: 30 });
    await cli.waitForScreen('connected to');
    cli.type('/msgpack {"op":"sub","id":7}\r');
    cli.type('/cbor [1,"two",null]\r');
    cli.type('/cbor {bad\r');
    await cli.waitForScreen('/cbor: invalid JSON');
    await server.waitForMessages(2);
    expect(fromMsgpack(server.received[0].data)).toEqual({ op: 'sub', id: 7 });
    expect(fromCbor(server.received[1].data)).toEqual([1, 'two', null]);
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
    expect(server.received).toHaveLength(2);
  });
});

describe('the MessagePack and CBOR libraries are loaded only when --decode needs them', () => {
  const TRACER = fileURLToPath(new URL('../fixtures/trace-loads.mjs', import.meta.url));
  const loads = async (args: string[]) => {
    const file = join(mkdtempSync(join(tmpdir(), 'wsprobe-trace-')), 'loads.txt');
    const r = await runCli(['connect', `ws://127.0.0.1:${await deadPort()}`, ...args], {
      env: { NODE_OPTIONS: `--import ${TRACER}`, WSPROBE_TRACE_LOADS: file },
    });
    expect(r.code).toBe(3);
    const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const holding = (marker: string) =>
      urls.some((url) => url.startsWith('file:') && readFileSync(fileURLToPath(url), 'utf8').includes(marker));
    return { msgpack: holding('Unrecognized type byte'), cbor: holding('end of buffer not reached') };
  };

  it.each([
    [[], { msgpack: false, cbor: false }],
    [['--decode', 'gzip'], { msgpack: false, cbor: false }],
    [['--decode', 'msgpack'], { msgpack: true, cbor: false }],
    [['--decode', 'auto'], { msgpack: true, cbor: true }],
  ])('%j loads %j', async (args, expected) => {
    expect(await loads(args)).toEqual(expected);
  });
});
