/**
 * `connect --exec`: a program as the client. Its stdout is what is sent, what arrives goes to its
 * stdin; the session ends when it exits (then as when stdin ends) or when the server closes (then it
 * is ended). Both ends checked: what the server received and how wsprobe exited.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, type RunningCli, runCli, startCli } from './support/cli.js';
import { alive } from './support/exec.js';
import { startServer } from './support/ws-peers.js';

function script(body: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'wsprobe-exec-')), 'bot.sh');
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A server that wants `auth secret` first, answers `ok` (or `denied`), then takes what comes. */
function authServer() {
  return startServer({
    echo: false,
    onConnection: (ws) =>
      ws.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        if (text.startsWith('auth ')) ws.send(text === 'auth secret' ? 'ok' : 'denied');
      }),
  });
}

const messages = (server: { received: { data: Buffer }[] }) => server.received.map((m) => m.data.toString('utf8'));

describe('connect --exec', () => {
  it('a script that authenticates, waits for the reply and streams: exit 0, all of it received', async () => {
    const server = await authServer();
    const bot = script(
      [
        'echo "auth secret"',
        'read reply',
        '[ "$reply" = ok ] || { echo "no auth: $reply" >&2; exit 4; }',
        'for i in 1 2 3; do echo "data $i"; done',
      ].join('\n'),
    );
    const result = await runCli(['connect', server.url, '--exec', bot, '-w', '0.2', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(messages(server)).toEqual(['auth secret', 'data 1', 'data 2', 'data 3']);
    expect(await server.waitForClose()).toEqual({ code: 1000, reason: '' });
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'exec-exit')).toMatchObject({ code: 0, failed: false });
    expect(events.find((e) => e.event === 'message' && e.dir === 'in')).toMatchObject({ data: 'ok' });
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 0, messagesOut: 4, messagesIn: 1 });
  });

  it("the program's failure is reported with its code: exit 10, its stderr shown", async () => {
    const server = await authServer();
    const bot = script('echo "auth wrong"\nread reply\necho "refused: $reply" >&2\nexit 4');
    const result = await runCli(['connect', server.url, '--exec', bot, '-w', '0.3']);
    expect(messages(server)).toEqual(['auth wrong']);
    expect(result.stderr).toContain('stderr: refused: denied');
    expect(result.stderr).toMatch(/program exited: exit 4 \(pid \d+/);
    expect(result.code).toBe(10);
    // The session itself ended normally.
    expect(await server.waitForClose()).toEqual({ code: 1000, reason: '' });
  });

  it('a server close ends the program (stdin closed, then SIGTERM after the grace); exit by the close', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => ws.on('message', () => ws.close(4001, 'enough')),
    });
    // A program that never reads its stdin: only the signal ends it.
    const result = await runCli([
      'connect',
      server.url,
      '--exec',
      'echo hello; exec sleep 60',
      '--exec-grace',
      '0.2',
      '--json',
    ]);
    expect(messages(server)).toEqual(['hello']);
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'close')).toMatchObject({ code: 4001, by: 'server' });
    const exit = events.find((e) => e.event === 'exec-exit');
    expect(exit).toMatchObject({ signal: 'SIGTERM', failed: false });
    expect(alive(exit!.pid as number)).toBe(false);
    // 4001 from the server: exit 7, as without --exec.
    expect(result.code).toBe(7);
  });

  it('messages from the server reach the program, which answers them (a bot)', async () => {
    const server = await startServer({
      echo: false,
      onConnection: (ws) => {
        ws.send('2 3');
        ws.on('message', (data: Buffer) => {
          if (data.toString('utf8') === 'sum 5') ws.close(1000);
        });
      },
    });
    const result = await runCli(['connect', server.url, '--exec', 'read a b; echo "sum $((a + b))"; read rest']);
    expect(messages(server)).toEqual(['sum 5']);
    expect(result.code).toBe(0);
  });

  it('Ctrl+C (SIGINT) exits 130 and passes the signal to the program at once', async () => {
    const server = await startServer({ echo: false });
    const cli = startCli(['connect', server.url, '--exec', 'echo up; exec sleep 60', '--exec-grace', '30']);
    const printed = collectStderr(cli);
    await server.waitForMessages(1);
    await cli.waitForOutput('program started');
    const pid = Number(/program started: .* \(pid (\d+)\)/.exec(printed())?.[1]);
    expect(alive(pid)).toBe(true);
    cli.child.kill('SIGINT');
    const result = await cli.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/program exited: signal SIGINT/);
    expect(alive(pid)).toBe(false);
  });

  it('a program that cannot start is a usage error before connecting', async () => {
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--exec', '/nonexistent/bot']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot start --exec program: /nonexistent/bot: no such program');
    expect(server.requests).toHaveLength(0);
  });

  it.each([
    [['--raw'], '--exec'],
    [['--no-stdin'], '--exec'],
    [['--exec-grace', '1'], '--exec-grace needs --exec'],
  ])('refuses %j with --exec as a usage error', async (extra, words) => {
    const args = extra[0] === '--exec-grace' ? extra : ['--exec', 'cat', ...extra];
    const result = await runCli(['connect', 'ws://127.0.0.1:9', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(words);
  });
});

/** What the CLI has printed on stderr so far (from now on). */
function collectStderr(cli: RunningCli): () => string {
  let stderr = '';
  cli.child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return () => stderr;
}
