/**
 * `listen --exec`: programs behind each client — cat, a Python script, shell pipelines, programs that
 * never flush — with both ends checked: what the client gets and what the server shows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonLines } from './support/cli.js';
import { alive, childrenOf, eventually, groupMembers, rssKiB, startExecServer } from './support/exec.js';
import { openClient, refusedHandshake } from './support/ws-peers.js';

const text = (got: { data: Buffer }[]) => got.map((m) => m.data.toString('utf8'));

describe('listen --exec: each client has its program', () => {
  it('cat: each message comes back as one text message, byte for byte', async () => {
    const server = await startExecServer(['--exec', 'cat']);
    const client = await openClient(server.url);
    for (const line of ['hello', 'wörld ✓', '', 'tab\there']) await client.send(line);
    const got = await client.waitForMessages(4);
    expect(text(got)).toEqual(['hello', 'wörld ✓', '', 'tab\there']);
    expect(got.every((m) => !m.isBinary)).toBe(true);
    client.ws.close(1000);
    await client.closed;
    await server.waitForOutput('program exited: exit 0');
    expect(server.child.stdout).toBeTruthy();
  });

  it('a python3 script that never flushes answers each line before the client closes', async () => {
    const script = 'import sys\nfor line in sys.stdin:\n    print("answer: " + line.strip().upper())\n';
    const server = await startExecServer(['--exec', `python3 -c '${script}'`]);
    const client = await openClient(server.url);
    await client.send('one');
    expect(text([await client.message(0)])).toEqual(['answer: ONE']);
    await client.send('two');
    expect(text([await client.message(1)])).toEqual(['answer: TWO']);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
  });

  it('sed (block-buffered on a pipe) answers each line at once, under stdbuf -oL', async () => {
    const server = await startExecServer(['--exec', 'sed -e s/^/got:/']);
    const client = await openClient(server.url);
    await client.send('a');
    expect(text([await client.message(0)])).toEqual(['got:a']);
    await client.send('b');
    expect(text([await client.message(1)])).toEqual(['got:b']);
  });

  it('an sh -c pipeline of buffering programs answers each line promptly', async () => {
    const server = await startExecServer(['--exec', "tr a-z A-Z | sed -e 's/^/> /'"]);
    const client = await openClient(server.url);
    await client.send('hello');
    expect(text([await client.message(0)])).toEqual(['> HELLO']);
    await client.send('again');
    expect(text([await client.message(1)])).toEqual(['> AGAIN']);
  });

  it('raw framing: text and binary go in as bytes and come back byte-exact as binary', async () => {
    const server = await startExecServer(['--exec', 'cat', '--exec-framing', 'raw']);
    const client = await openClient(server.url);
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    await client.send(all, { binary: true });
    await client.send('héllo\n', { binary: false });
    const expected = Buffer.concat([all, Buffer.from('héllo\n')]);
    const got = await collect(client, expected.length);
    expect(got.data.equals(expected)).toBe(true);
    expect(got.allBinary).toBe(true);
  });

  it('raw framing: a 10 MB message reaches the program whole and comes back whole', async () => {
    const server = await startExecServer(['--exec', 'cat', '--exec-framing', 'raw']);
    const client = await openClient(server.url);
    const big = randomBytes(10 * 1024 * 1024);
    await client.send(big, { binary: true });
    const got = await collect(client, big.length);
    expect(sha(got.data)).toBe(sha(big));
    // Cut like --raw: no message over 64 KiB.
    expect(Math.max(...client.messages.map((m) => m.data.length))).toBeLessThanOrEqual(65536);
  }, 60_000);

  it('nul framing: NUL-delimited records both ways', async () => {
    const server = await startExecServer(['--exec', 'cat', '--exec-framing', 'nul']);
    const client = await openClient(server.url);
    await client.send('line one\nline two');
    expect(text([await client.message(0)])).toEqual(['line one\nline two']);
  });

  it('json framing: text with newlines and binary mix, typed; a line that is not a message is shown, not sent', async () => {
    const server = await startExecServer([
      '--exec',
      'cat; echo "not json"; echo \'{"type":"text","data":"last"}\'',
      '--exec-framing',
      'json',
    ]);
    const client = await openClient(server.url);
    await client.send('two\nlines');
    await client.send(Buffer.from([0, 255, 10]), { binary: true });
    const [first, second] = await client.waitForMessages(2);
    expect(first).toEqual({ data: Buffer.from('two\nlines'), isBinary: false });
    expect(second).toEqual({ data: Buffer.from([0, 255, 10]), isBinary: true });
    // Its stdin closed, cat ends and the script writes a line that is not a message, then one that is.
    client.ws.close(1000);
    await client.closed;
    await server.waitForOutput('program exited');
    expect(server.printed().err).toMatch(
      /\[#1\] wsprobe: program \d+ wrote a line that is not a --exec-framing json message \(not JSON\): "not json"/,
    );
  });

  it('gives the program the request as CGI variables, as websocketd does', async () => {
    const server = await startExecServer(['--exec', 'env', '-s', 'chat.v2']);
    const client = await openClient(`${server.url}/room/7?user=ada&x=1`, ['chat.v2'], {
      headers: { 'X-Test': 'yes' },
    });
    const closed = await client.closed;
    const env = new Map(text(client.messages).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env.get('REMOTE_ADDR')).toBe('127.0.0.1');
    expect(env.get('REMOTE_PORT')).toMatch(/^\d+$/);
    expect(env.get('REQUEST_URI')).toBe('/room/7?user=ada&x=1');
    expect(env.get('PATH_INFO')).toBe('/room/7');
    expect(env.get('QUERY_STRING')).toBe('user=ada&x=1');
    expect(env.get('HTTP_X_TEST')).toBe('yes');
    expect(env.get('HTTP_SEC_WEBSOCKET_PROTOCOL')).toBe('chat.v2');
    expect(env.get('WSPROBE_SUBPROTOCOL')).toBe('chat.v2');
    expect(env.get('WSPROBE_CONN_ID')).toBe('1');
    expect(env.get('SERVER_PORT')).toBe(String(server.port));
    expect(env.get('PATH')).toBe(process.env.PATH);
    // env exited 0: its client is closed normally.
    expect(closed).toEqual({ code: 1000, reason: '' });
    // Line-buffered by default: stdbuf's preload (inherited by a pipeline) and Python's switch.
    expect(env.get('PYTHONUNBUFFERED')).toBe('1');
    if (existsSync('/usr/bin/stdbuf')) {
      expect(env.get('LD_PRELOAD')).toMatch(/libstdbuf/);
      expect(env.get('_STDBUF_O')).toBe('L');
    }
  });

  it('--exec-buffered leaves the buffering alone: no stdbuf, no PYTHONUNBUFFERED', async () => {
    const server = await startExecServer(['--exec', 'env', '--exec-buffered'], {
      env: { PYTHONUNBUFFERED: undefined },
    });
    const client = await openClient(server.url);
    await client.closed;
    const names = text(client.messages).map((l) => l.slice(0, l.indexOf('=')));
    expect(names).toContain('WSPROBE_CONN_ID');
    expect(names).not.toContain('PYTHONUNBUFFERED');
    expect(names).not.toContain('_STDBUF_O');
  });

  it('a program that stops reading its stdin stops wsprobe reading its client (TCP holds the rest)', async () => {
    // The program never reads: what the client sends fills its stdin pipe, then wsprobe stops reading.
    const server = await startExecServer(['--exec', 'exec sleep 60', '--no-deflate', '-q']);
    const client = await openClient(server.url);
    const before = rssKiB(server.child.pid!);
    const chunk = randomBytes(1024 * 1024);
    for (let i = 0; i < 64; i++) client.ws.send(chunk, { binary: true });
    const clientPort = (client.ws as unknown as { _socket: { localPort: number } })._socket.localPort;
    // The server's socket for this client keeps what it was sent unread in the kernel.
    expect(await eventually(() => unreadBy(server.port, clientPort) > 256 * 1024, 15_000)).toBe(true);
    const rss = rssKiB(server.child.pid!);
    expect(rss - before, `server RSS ${before} -> ${rss} KiB with 64 MiB sent to it`).toBeLessThan(48 * 1024);
    expect(client.ws.bufferedAmount).toBeGreaterThan(32 * 1024 * 1024);
  }, 60_000);

  it("a client that stops reading stops the program's output (it blocks in write), then gets all of it", async () => {
    const size = 100 * 1024 * 1024;
    // No permessage-deflate: zeros would compress to nothing and never fill the socket.
    const server = await startExecServer([
      '--exec',
      `head -c ${size} /dev/zero`,
      '--exec-framing',
      'raw',
      '--no-deflate',
      // No grace: head exits with its last bytes still in the pipe while the client is behind; they
      // must reach it all the same.
      '--exec-grace',
      '0',
      '-q',
    ]);
    const client = await openClient(server.url);
    let received = 0;
    client.ws.on('message', (data: Buffer) => {
      received += data.length;
    });
    client.ws.pause();
    const [program] = await waitForChildren(server.child.pid!);
    // head is stuck writing to its stdout pipe: wsprobe has stopped reading it.
    expect(await eventually(() => blockedInWrite(program), 15_000)).toBe(true);
    const rss = rssKiB(server.child.pid!);
    expect(received).toBe(0);
    expect(rss, `server RSS ${rss} KiB with ${size} bytes pending`).toBeLessThan(160 * 1024);
    client.ws.resume();
    expect(await client.closed).toEqual({ code: 1000, reason: '' });
    expect(received).toBe(size);
  }, 60_000);

  it('a program that exits 3 closes its client with 1011 "exit 3" and the server says so', async () => {
    const server = await startExecServer(['--exec', 'read line; echo "bye $line"; exit 3', '--json']);
    const client = await openClient(server.url);
    await client.send('ada');
    expect(await client.closed).toEqual({ code: 1011, reason: 'exit 3' });
    expect(text(client.messages)).toEqual(['bye ada']);
    await server.waitForOutput('"event":"close"');
    const events = jsonLines((await stop(server)).out);
    const exit = events.find((e) => e.event === 'exec-exit');
    expect(exit).toMatchObject({ conn: 1, code: 3, signal: null, failed: true });
    expect(events.find((e) => e.event === 'close')).toMatchObject({
      conn: 1,
      code: 1011,
      reason: 'exit 3',
      by: 'server',
    });
  });

  it.each([
    ['true', { code: 1000, reason: '' }],
    ['false', { code: 1011, reason: 'exit 1' }],
  ])('a program that exits at once (%s) still closes its client, however early', async (program, close) => {
    const server = await startExecServer(['--exec', program]);
    const client = await openClient(server.url);
    expect(await client.closed).toEqual(close);
  });

  it('a program that cannot start gets its client a 500 and one log line; the server goes on', async () => {
    const server = await startExecServer(['--exec', '/nonexistent/program --flag']);
    const refused = await refusedHandshake(server.url);
    expect(refused.status).toBe(500);
    expect(refused.body).toContain('/nonexistent/program: no such program');
    const again = await refusedHandshake(server.url);
    expect(again.status).toBe(500);
    const result = await stop(server);
    // The refusals, not any line with "500" in it: a port (127.0.0.1:50012, ws://…:35004) may have it.
    const lines = result.stderr.split('\n').filter((l) => l.includes(': 500 Internal Server Error'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\[#1\] wsprobe: refused client #1 \(127\.0\.0\.1:\d+\): 500 Internal Server Error: cannot start --exec program/,
    );
    expect(result.code).toBe(143);
  });

  it("shows the program's stderr with the client's id, and sends it too with --exec-stderr-to-client", async () => {
    const server = await startExecServer(['--exec', 'echo "warming up" >&2; cat', '--exec-stderr-to-client']);
    const client = await openClient(server.url);
    await server.waitForOutput('[#1] stderr: warming up');
    await client.send('x');
    const got = text(await client.waitForMessages(2));
    expect(got.sort()).toEqual(['warming up', 'x']);
  });

  it('a program that ignores SIGTERM is killed (SIGKILL, with its group) after the grace', async () => {
    const server = await startExecServer([
      '--exec',
      "trap '' TERM; sleep 60 & while :; do sleep 0.05; done",
      '--exec-grace',
      '0.3',
      '--json',
    ]);
    const client = await openClient(server.url);
    await server.waitForOutput('"event":"exec-start"');
    const pid = Number(/"event":"exec-start"[^\n]*"pid":(\d+)/.exec(server.printed().out)?.[1]);
    expect(alive(pid)).toBe(true);
    // The shell, its background sleep and its loop's sleeps: one group, the program's.
    expect(await eventually(() => groupMembers(pid).length >= 2)).toBe(true);
    const closedAt = Date.now();
    client.ws.close(1000);
    await server.waitForOutput('"event":"exec-exit"');
    const elapsed = Date.now() - closedAt;
    // stdin closed, 0.3 s, SIGTERM (ignored), 0.3 s, SIGKILL.
    expect(elapsed).toBeGreaterThanOrEqual(550);
    const events = jsonLines((await stop(server)).out);
    expect(events.find((e) => e.event === 'exec-exit')).toMatchObject({ pid, signal: 'SIGKILL', failed: false });
    expect(alive(pid)).toBe(false);
    expect(await eventually(() => groupMembers(pid).length === 0)).toBe(true);
  });
});

describe('listen --exec-shared: one program for every client', () => {
  it("each client's message reaches the one program; its output reaches all three", async () => {
    const server = await startExecServer(['--exec', 'cat', '--exec-shared', '--json']);
    const clients = [await openClient(server.url), await openClient(server.url), await openClient(server.url)];
    await clients[0].send('from one');
    await clients[1].send('from two');
    await clients[2].send('from three');
    for (const client of clients) {
      expect(text(await client.waitForMessages(3)).sort()).toEqual(['from one', 'from three', 'from two']);
    }
    // A line starting with "#<id> " goes to that client only.
    await clients[0].send('#2 just for two');
    expect(text([await clients[1].message(3)])).toEqual(['just for two']);
    await clients[0].send('for all');
    for (const client of clients) await client.waitForMessages(client === clients[1] ? 5 : 4);
    expect(text(clients[0].messages)).not.toContain('just for two');
    const events = jsonLines((await stop(server)).out);
    expect(events.filter((e) => e.event === 'exec-start')).toHaveLength(1);
  });

  it('--exec-ids: the program learns who wrote, and answers that client alone with the same prefix', async () => {
    // Echo each message back to its sender only: "#2 hi" comes in, "#2 you said: hi" goes out.
    const server = await startExecServer([
      '--exec',
      "sed -e 's/^\\(#[0-9]*\\) /\\1 you said: /'",
      '--exec-shared',
      '--exec-ids',
    ]);
    const [one, two] = [await openClient(server.url), await openClient(server.url)];
    await two.send('hi');
    expect(text([await two.message(0)])).toEqual(['you said: hi']);
    await one.send('hello');
    expect(text([await one.message(0)])).toEqual(['you said: hello']);
    expect(text(two.messages)).toEqual(['you said: hi']);
  });
});

async function stop(server: Awaited<ReturnType<typeof startExecServer>>) {
  server.child.kill('SIGTERM');
  return server.result;
}

async function collect(
  client: Awaited<ReturnType<typeof openClient>>,
  bytes: number,
): Promise<{ data: Buffer; allBinary: boolean }> {
  for (;;) {
    const total = client.messages.reduce((n, m) => n + m.data.length, 0);
    if (total >= bytes) break;
    await client.waitForMessages(client.messages.length + 1);
  }
  return {
    data: Buffer.concat(client.messages.map((m) => m.data)),
    allBinary: client.messages.every((m) => m.isBinary),
  };
}

function sha(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function waitForChildren(pid: number): Promise<number[]> {
  await eventually(() => childrenOf(pid).length > 0);
  return childrenOf(pid);
}

/** The process is asleep in write(2): its current system call, from /proc (write is 1 on x86-64, 64 on arm64). */
function blockedInWrite(pid: number): boolean {
  const write = process.arch === 'arm64' ? '64' : '1';
  try {
    const [state] = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return state === 'S' && readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0] === write;
  } catch {
    return false;
  }
}

/** Bytes waiting unread in the receive queue of our server's socket from `remotePort` (/proc/net/tcp). */
function unreadBy(localPort: number, remotePort: number): number {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    if (fields[1].endsWith(`:${hex(localPort)}`) && fields[2].endsWith(`:${hex(remotePort)}`)) {
      return Number.parseInt(fields[4].split(':')[1], 16);
    }
  }
  return 0;
}
