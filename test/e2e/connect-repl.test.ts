/** The interactive client, driven through a real pseudo-terminal against a ws server in the test. */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { startPty } from './support/pty.js';
import { startServer } from './support/ws-peers.js';

const UP = '\x1b[A';

function home(): string {
  return mkdtempSync(join(tmpdir(), 'wsprobe-home-'));
}

/** Starts the CLI in a pty against `url` with a private HOME, and waits for the prompt after open. */
async function repl(url: string, extra: string[] = [], env: Record<string, string> = {}) {
  const cli = startPty(['connect', url, ...extra], { HOME: home(), ...env });
  await cli.waitForScreen('connected to');
  return cli;
}

describe('interactive client (pty)', () => {
  it('sends a typed line and shows the echo', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type('hello there\r');
    await cli.waitForScreen(/^< hello there$/m);
    expect(server.received.map((m) => m.data.toString())).toEqual(['hello there']);
    expect(await cli.screen()).toContain('> hello there');
  });

  it('sends /hex 00ff as 2 binary bytes', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type('/hex 00ff\r');
    await server.waitForMessages(1);
    expect(server.received[0].isBinary).toBe(true);
    expect([...server.received[0].data]).toEqual([0x00, 0xff]);
    await cli.waitForScreen('< binary 2 bytes');
  });

  it('closes with /close 4000 done: the server gets 4000 "done" and the CLI exits 0', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type('/close 4000 done\r');
    expect(await server.waitForClose()).toEqual({ code: 4000, reason: 'done' });
    expect(await cli.exit).toBe(0);
    await cli.waitForScreen('closed 4000 (Private Use) by client, reason "done", clean');
  });

  it('prints an error for /close 999 and keeps the session open', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type('/close 999\r');
    await cli.waitForScreen('wsprobe: /close: invalid close code 999');
    cli.type('still here\r');
    await cli.waitForScreen(/^< still here$/m);
    expect(server.closes).toEqual([]);
    expect(server.received.map((m) => m.data.toString())).toEqual(['still here']);
  });

  it.each([
    ['/hex zz', 'wsprobe: /hex: invalid hex'],
    ['/json {nope', 'wsprobe: /json: invalid JSON'],
    ['/frobnicate', 'wsprobe: unknown command "/frobnicate"'],
    ['/file /nonexistent/x', 'wsprobe: /file: cannot read /nonexistent/x: no such file (ENOENT)'],
  ])('rejects %s with one line and sends nothing', async (line, message) => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type(`${line}\r`);
    await cli.waitForScreen(message);
    cli.type('after\r');
    await cli.waitForScreen(/^< after$/m);
    expect(server.received.map((m) => m.data.toString())).toEqual(['after']);
  });

  it('sends //text as the literal "/text" and /json compacted', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type('//not a command\r');
    cli.type('/json { "a" : [1, 2] }\r');
    await server.waitForMessages(2);
    expect(server.received.map((m) => m.data.toString())).toEqual(['/not a command', '{"a":[1,2]}']);
    // Pretty mode lays the echoed JSON out (issue 19); what was sent is compact.
    await cli.waitForScreen('< {"a": [1, 2]}');
  });

  it('keeps a half-typed line intact on screen when a message arrives', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    const ws = await server.nextConnection();
    cli.type('half typ');
    await cli.waitForScreen(/^> half typ$/m);
    ws.send('incoming!');
    const screen = await cli.waitForScreen(/^< incoming!\n> half typ$/m);
    // The message is above the prompt, and the prompt still holds what was typed.
    const last = screen.filter((row) => row !== '').at(-1);
    expect(last).toBe('> half typ');
    cli.type('ed\r');
    await server.waitForMessages(1);
    expect(server.received[0].data.toString()).toBe('half typed');
  });

  it('shows the round-trip time for /ping, and the state and counts for /status', async () => {
    const server = await startServer();
    const cli = await repl(server.url, ['-P']);
    cli.type('/ping hi\r');
    await cli.waitForScreen(/< pong 2 bytes, rtt \d+\.\d ms "hi"/);
    cli.type('x\r');
    await cli.waitForScreen(/^< x$/m);
    cli.type('/status\r');
    const screen = (await cli.waitForScreen('last RTT:')).join('\n');
    expect(screen).toContain('state:       OPEN');
    expect(screen).toContain(`url:         ${server.url}/`);
    expect(screen).toContain('received:    1 message, 1 byte');
    expect(screen).toContain('sent:        1 message, 1 byte');
    expect(screen).toMatch(/last RTT: {4}\d+\.\d ms/);
  });

  it('lists the commands with /help', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type('/help\r');
    const screen = (await cli.waitForScreen('/quit')).join('\n');
    for (const command of ['/ping [text]', '/close [code] [reason]', '/hex <hex>', '/status']) {
      expect(screen).toContain(command);
    }
  });

  it('closes with 1000 on Ctrl+D and exits 0', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type('\x04');
    expect((await server.waitForClose()).code).toBe(1000);
    expect(await cli.exit).toBe(0);
  });

  it('exits 130 on Ctrl+C', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    cli.type('\x03');
    expect(await cli.exit).toBe(130);
  });

  it('ends the REPL with the code shown when the server closes', async () => {
    const server = await startServer();
    const cli = await repl(server.url);
    const ws = await server.nextConnection();
    ws.close(4001, 'kicked');
    await cli.waitForScreen('closed 4001 (Private Use) by server, reason "kicked"');
    expect(await cli.exit).toBe(7);
  });

  it('shows a spinner while connecting on a terminal, and none in a pipe', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startServer({
      verifyClient: (_info, done) => {
        void held.then(() => done(true));
      },
    });
    const cli = startPty(['connect', server.url], { HOME: home() });
    await cli.waitForScreen(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] connecting to ws:\/\/127\.0\.0\.1/);
    release();
    const screen = await cli.waitForScreen('connected to');
    expect(screen.join('\n')).not.toContain('connecting to');
    cli.type('\x04');
    expect(await cli.exit).toBe(0);

    const piped = await runCli(['connect', server.url, '-x', 'hi']);
    expect(piped.stderr).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(piped.stderr).not.toContain('connecting to');
    expect(piped.stderr).not.toContain('\x1b');
  });
});

describe('history', () => {
  it('survives a restart, in a file of mode 0600', async () => {
    const server = await startServer();
    const dir = home();
    const first = startPty(['connect', server.url], { HOME: dir });
    await first.waitForScreen('connected to');
    first.type('remember me\r');
    await first.waitForScreen(/^< remember me$/m);
    first.type('\x04');
    await first.exit;
    const file = join(dir, '.wsprobe_history');
    expect(readFileSync(file, 'utf8')).toBe('remember me\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = startPty(['connect', server.url], { HOME: dir });
    await second.waitForScreen('connected to');
    second.type(UP);
    await second.waitForScreen(/^> remember me$/m);
    second.type('\r');
    await second.waitForScreen(/^< remember me$/m);
    expect(server.received.map((m) => m.data.toString())).toEqual(['remember me', 'remember me']);
  });

  it('writes nothing with --no-history', async () => {
    const server = await startServer();
    const dir = home();
    const cli = startPty(['connect', server.url, '--no-history'], { HOME: dir });
    await cli.waitForScreen('connected to');
    cli.type('forget me\r');
    await cli.waitForScreen(/^< forget me$/m);
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
    expect(existsSync(join(dir, '.wsprobe_history'))).toBe(false);
  });
});

describe('--auth password prompt', () => {
  const expected = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;

  it('asks for the password, hidden, on a terminal and sends it as Basic auth', async () => {
    const server = await startServer({
      verifyClient: (info, done) => done(info.req.headers.authorization === expected, 401, 'Unauthorized'),
    });
    const cli = startPty(['connect', server.url, '--auth', 'alice'], { HOME: home() });
    await cli.waitForScreen('Password for alice:');
    await cli.echoOff();
    cli.type('s3cret\r');
    await cli.waitForScreen('connected to');
    expect((await cli.screen()).join('\n')).not.toContain('s3cret');
    expect(server.requests[0].headers.authorization).toBe(expected);
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
  });

  it('fails fast with exit 2 when there is no terminal to ask on', async () => {
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--auth', 'alice']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--auth alice: no password given and no terminal to ask for it');
    expect(server.requests).toHaveLength(0);
  });

  it('sends --auth user:password without asking', async () => {
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--auth', 'alice:s3cret', '-w', '0']);
    expect(result.code).toBe(0);
    expect(server.requests[0].headers.authorization).toBe(expected);
  });
});
