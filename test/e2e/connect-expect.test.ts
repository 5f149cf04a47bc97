/** CI smoke checks: --expect, --expect-json, --expect-close, --summary, --write-out, odd stdins. */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI, jsonLines, runCli } from './support/cli.js';
import { startServer } from './support/ws-peers.js';

/** A server that answers each message with `reply(text)` after `delayMs`. */
function replying(reply: (text: string) => string | string[], delayMs = 0) {
  return startServer({
    echo: false,
    onConnection: (ws) =>
      ws.on('message', (data) =>
        setTimeout(() => {
          for (const r of [reply(data.toString())].flat()) ws.send(r);
        }, delayMs),
      ),
  });
}

describe('--expect', () => {
  it('exits 0 and closes with 1000 at once when a reply matching --expect arrives after 200 ms', async () => {
    const server = await replying(() => 'status: pong', 200);
    const started = Date.now();
    const result = await runCli(['connect', server.url, '-x', 'ping', '--expect', 'pong', '--no-stdin']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('status: pong\n');
    expect((await server.waitForClose()).code).toBe(1000);
    // Closed on the match, not after the 1 s idle wait.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('meets several expectations in order, regexes included, one message meeting consecutive ones', async () => {
    const server = await replying(() => ['hello', '{"type":"pong","id":1}', 'done'], 0);
    const result = await runCli([
      'connect',
      server.url,
      '-x',
      'go',
      '--no-stdin',
      '--expect',
      '/^HEL+O$/i',
      '--expect',
      'pong',
      '--expect',
      '"id":1',
      '--expect',
      'done',
    ]);
    expect(result.code).toBe(0);
  });

  it('exits 8 naming the unmet pattern and the last messages when the stream ends without a match', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => {
        ws.send('one');
        ws.send('two');
        ws.close(1000, 'bye');
      },
    });
    const result = await runCli(['connect', server.url, '--expect', 'one', '--expect', 'three', '--keep-open']);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('expectation not met: --expect "three" (1 of 2 met)');
    expect(result.stderr).toContain('last messages received: "one", "two"');
    const json = await runCli(['connect', server.url, '--expect', 'three', '--json']);
    const events = jsonLines(json.out);
    expect(events.find((e) => e.event === 'error' && e.kind === 'expect')).toBeDefined();
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 8 });
  });

  it('exits 124 within about a second against a silent server with --timeout 1, naming the pattern', async () => {
    const server = await startServer({ echo: false });
    const started = Date.now();
    const result = await runCli([
      'connect',
      server.url,
      '-x',
      'ping',
      '--expect',
      'pong',
      '--timeout',
      '1',
      '--no-stdin',
    ]);
    const elapsed = Date.now() - started;
    expect(result.code).toBe(124);
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(elapsed).toBeLessThan(4000);
    expect(result.stderr).toContain('timed out after 1 s');
    expect(result.stderr).toContain('expectation not met: --expect "pong"');
  });

  it('exits 8 when the connection is lost before the expected reply', async () => {
    const server = await startServer({ echo: false, onConnection: (ws) => ws.on('message', () => ws.terminate()) });
    const result = await runCli([
      'connect',
      server.url,
      '-x',
      'ping',
      '--expect',
      'pong',
      '--no-stdin',
      '--timeout',
      '10',
    ]);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('connection lost');
    expect(result.stderr).toContain('expectation not met: --expect "pong" (0 of 1 met); no text message received');
  });

  it('fails with exit 2 on an invalid regex', async () => {
    const result = await runCli(['connect', 'ws://127.0.0.1:1', '--expect', '/(unclosed/']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid --expect regex /(unclosed/');
  });
});

describe('--expect-json', () => {
  it('matches a nested value, a string value and ignores non-matching JSON', async () => {
    const server = await replying(() => [
      'not json',
      '{"type":"pong","data":{"items":[{"id":6}]}}',
      '{"type":"pong","data":{"items":[{"id":7}]}}',
    ]);
    const result = await runCli([
      'connect',
      server.url,
      '-x',
      'q',
      '--no-stdin',
      '--expect-json',
      'type=pong',
      '--expect-json',
      'data.items[0].id=7',
    ]);
    expect(result.code).toBe(0);
    expect(result.out.trim().split('\n')).toHaveLength(3);
  });

  it('exits 8 when the value differs', async () => {
    const server = await replying(() => '{"data":{"items":[{"id":"7"}]}}');
    const result = await runCli([
      'connect',
      server.url,
      '-x',
      'q',
      '--no-stdin',
      '--expect-json',
      'data.items[0].id=7',
      '-w',
      '0.5',
    ]);
    expect(result.code).toBe(8);
    expect(result.stderr).toContain('--expect-json "data.items[0].id=7"');
  });

  it('rejects a malformed path with exit 2', async () => {
    const result = await runCli(['connect', 'ws://127.0.0.1:1', '--expect-json', 'a..b=1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid JSON path');
  });
});

describe('--expect-close', () => {
  const closingWith = (code: number) =>
    startServer({ echo: false, onConnection: (ws) => ws.on('message', () => ws.close(code, 'done')) });

  it('exits 0 when the server closes with the expected 4000', async () => {
    const server = await closingWith(4000);
    const result = await runCli(['connect', server.url, '-x', 'bye', '--no-stdin', '--expect-close', '4000']);
    expect(result.code).toBe(0);
  });

  it('exits 7 and says what happened when the server closes with another code', async () => {
    const server = await closingWith(4001);
    const result = await runCli(['connect', server.url, '-x', 'bye', '--no-stdin', '--expect-close', '4000']);
    expect(result.code).toBe(7);
    expect(result.stderr).toContain('--expect-close 4000: the server closed with 4001');
  });

  it('exits 7 when the server closes normally instead', async () => {
    const server = await closingWith(1000);
    const result = await runCli(['connect', server.url, '-x', 'bye', '--no-stdin', '--expect-close', '4000']);
    expect(result.code).toBe(7);
  });
});

describe('summary and write-out', () => {
  it('ends --json output with a summary whose exitCode equals the exit code, for success and failure', async () => {
    const server = await startServer({ onConnection: (ws) => ws.on('message', () => ws.close(4002, 'x')) });
    for (const [args, code] of [
      [['-x', 'hi', '-w', '0'], 0],
      [['-x', 'hi', '--keep-open'], 7],
    ] as const) {
      const result = await runCli(['connect', server.url, '--json', '--no-stdin', ...args]);
      const events = jsonLines(result.out);
      expect(events.at(-1)?.event).toBe('summary');
      expect(events.at(-1)?.exitCode).toBe(result.code);
      expect(result.code).toBe(code);
    }
  });

  it('prints timings, traffic and ping RTTs to stderr with --summary', async () => {
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--summary', '-x', 'hello', '-w', '0.3', '-q']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('hello\n');
    expect(result.stderr).toMatch(
      /^timings: dns -, connect \d+ ms, tls -, upgrade \d+ ms, first message \d+ ms, total \d+ ms$/m,
    );
    expect(result.stderr).toContain('traffic: in 1 message / 5 bytes, out 1 message / 5 bytes');
    expect(result.stderr).toContain('exit:    0');
  });

  it('prints the requested figures with -W/--write-out', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => ws.on('message', () => ws.close(4005, 'over')),
    });
    const result = await runCli([
      'connect',
      server.url,
      '-x',
      'abc',
      '--no-stdin',
      '--keep-open',
      '-q',
      '-W',
      'connect=%{time_connect} upgrade=%{time_upgrade} in=%{messages_in} out=%{messages_out} bytes=%{bytes_out} close=%{close_code}/%{close_reason} exit=%{exit_code} 100%%\\n',
    ]);
    expect(result.code).toBe(7);
    expect(result.out).toMatch(
      /^connect=\d+\.\d{3} upgrade=\d+\.\d{3} in=0 out=1 bytes=3 close=4005\/over exit=7 100%\n$/,
    );
  });

  it('rejects an unknown --write-out variable with exit 2, listing the known ones', async () => {
    const result = await runCli(['connect', 'ws://127.0.0.1:1', '-W', '%{nope}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown --write-out variable %{nope}');
    expect(result.stderr).toContain('time_connect');
  });
});

describe('awkward stdins', () => {
  /** Runs the CLI through sh so the test can use shell redirections. */
  function sh(command: string): Promise<{ code: number | null; out: string; err: string }> {
    return new Promise((resolve) => {
      const child = spawn('sh', ['-c', command], { env: { ...process.env, WSPROBE: `${process.execPath} ${CLI}` } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => resolve({ code, out, err }));
    });
  }

  it.each([
    ['< /dev/null', '< /dev/null'],
    ['with stdin closed (0<&-)', '0<&-'],
  ])('works %s', async (_name, redirect) => {
    const server = await startServer();
    const result = await sh(`$WSPROBE connect ${server.url} -x hi -w 0.3 ${redirect}`);
    expect(result.code).toBe(0);
    expect(result.out).toBe('hi\n');
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
  });

  it('works under nohup in the background with --no-stdin', async () => {
    const server = await startServer();
    const result = await sh(
      `cd "$(mktemp -d)"; nohup $WSPROBE connect ${server.url} -x bg --no-stdin -w 0.3 > out.txt 2>&1 & wait $!; echo "exit=$?"; cat out.txt`,
    );
    expect(result.out).toContain('exit=0');
    expect(result.out).toContain('bg');
    expect(server.received.map((m) => m.data.toString())).toEqual(['bg']);
  });
});
