/**
 * The prompt is correct by construction (issue 14): whatever arrives while a long line is typed goes
 * above the whole wrapped input, once, in order, and the input stays intact — at 80 columns, across
 * resizes, with wide characters; the prompt comes back after every line; background jobs leave the
 * terminal alone. Driven through a real pseudo-terminal and a headless terminal emulator.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { type PtyCli, type PtyOptions, startPty } from './support/pty.js';
import { openClient, startServer } from './support/ws-peers.js';

function home(): string {
  return mkdtempSync(join(tmpdir(), 'wsprobe-home-'));
}

const TICKS = Array.from({ length: 50 }, (_, i) => `tick ${String(i + 1).padStart(2, '0')}`);

/** 200 characters in 8 chunks of 25, each chunk marked so copies of it can be counted. */
const CHUNKS = Array.from({ length: 8 }, (_, i) => `[${i}] lorem ipsum dolor sit amet`.slice(0, 25));
const INPUT = CHUNKS.join('');

/** Sends TICKS 20 ms apart; `hold` pauses the sending until the returned function is called. */
function ticker(send: (text: string) => void) {
  let next = 0;
  let held = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (held || next >= TICKS.length) return;
    send(TICKS[next++]);
    timer = setTimeout(tick, 20);
  };
  tick();
  return {
    /** How many were sent so far. */
    sent: () => next,
    hold: () => {
      held = true;
      clearTimeout(timer);
    },
    release: () => {
      held = false;
      tick();
    },
  };
}

const lastLine = (lines: string[]) => (lines.filter((l) => l.trim() !== '').at(-1) ?? '').trimEnd();

/** Resolves once the screen (scrollback included) shows `tick` as a whole line's message. */
function waitForTick(cli: PtyCli, n: number) {
  return cli.waitForLines((lines) => lines.some((l) => l.includes(TICKS[n - 1])));
}

/** Every line holding a tick holds exactly one, and they come once each, in order. */
function expectTicksOnce(lines: string[], prefix: RegExp) {
  const shown = lines.filter((l) => l.includes('tick '));
  for (const line of shown) expect(line).toMatch(new RegExp(`^${prefix.source}tick \\d\\d$`));
  expect(shown.map((l) => l.slice(-7))).toEqual(TICKS);
}

/** The input shows once, on the prompt's line, and nowhere else. */
function expectInputIntact(lines: string[], input: string, normalize = (s: string) => s) {
  expect(normalize(lastLine(lines))).toBe(normalize(`> ${input}`));
  for (const chunk of input === INPUT ? CHUNKS : []) {
    expect(lines.filter((l) => l.includes(chunk.slice(0, 4)))).toHaveLength(1);
  }
}

/**
 * Types `chunks` one by one, each once the tick before it has shown, and `between(i)` before chunk i;
 * then waits for every tick and for the whole input on the prompt's line.
 */
async function typeWhileTicking(
  cli: PtyCli,
  chunks: string[],
  opts: { between?: (i: number) => Promise<void>; normalize?: (s: string) => string; lastTickPrefix?: string } = {},
) {
  const normalize = opts.normalize ?? ((s: string) => s);
  const input = chunks.join('');
  for (const [i, chunk] of chunks.entries()) {
    await waitForTick(cli, 1 + i * 6);
    if (opts.between) {
      // What was typed so far is drawn: no echo of it is in flight.
      const typed = normalize(`> ${chunks.slice(0, i).join('')}`.trimEnd());
      await cli.waitForLines((lines) => normalize(lastLine(lines)) === typed);
      await opts.between(i);
    }
    cli.type(chunk);
  }
  return cli.waitForLines(
    (lines) => lines.some((l) => l.endsWith(TICKS[49])) && normalize(lastLine(lines)) === normalize(`> ${input}`),
  );
}

async function connectRepl(url: string, args: string[] = [], options: PtyOptions = {}) {
  const cli = startPty(['connect', url, ...args], { HOME: home() }, { cols: 80, rows: 24, ...options });
  await cli.waitForScreen('connected to');
  return cli;
}

/** Resizes and waits until the program has redrawn the prompt for the new size. */
async function resizeAndRedraw(cli: PtyCli, cols: number, rows: number) {
  const before = cli.raw().length;
  await cli.resize(cols, rows);
  await cli.waitForLines(() => cli.raw().slice(before).includes('\x1b[J'));
}

describe('a long line typed while messages arrive (pty, 80 columns)', () => {
  it('prints each message once, in order, above the wrapped input, and sends the input whole', async () => {
    const server = await startServer();
    const cli = await connectRepl(server.url);
    const ws = await server.nextConnection();
    ticker((t) => ws.send(t));
    const lines = await typeWhileTicking(cli, CHUNKS);
    expectTicksOnce(lines, /< /);
    expectInputIntact(lines, INPUT);
    cli.type('\r');
    await server.waitForMessages(1);
    expect(server.received[0].data.toString()).toBe(INPUT);
    // Sent, then echoed: the prompt is back, empty.
    const after = await cli.waitForLines((l) => l.includes(`< ${INPUT}`) && lastLine(l) === '>');
    expect(after.filter((l) => l === `> ${INPUT}`)).toHaveLength(1);
  });

  /** Variables by which the prompt tells terminals apart (see terminalReflow). */
  const NO_TERMINAL_VARS = {
    TMUX: undefined,
    STY: undefined,
    VTE_VERSION: undefined,
    KITTY_WINDOW_ID: undefined,
    WT_SESSION: undefined,
    WEZTERM_PANE: undefined,
    TERM_PROGRAM: undefined,
    XTERM_VERSION: undefined,
  };

  it.each([
    ['that keeps the cursor’s line as drawn (xterm.js in VS Code)', { TERM_PROGRAM: 'vscode' }, false, true],
    ['that rewraps the cursor’s line (VTE, tmux)', { VTE_VERSION: '7600' }, true, true],
    ['it does not know, losing no line', {}, false, false],
    ['it does not know that rewraps, losing no line', {}, true, false],
  ])(
    'survives resizes while typing (narrower, then wider) on a terminal %s',
    async (_name, vars, reflowCursorLine, intact) => {
      const server = await startServer();
      const cli = startPty(
        ['connect', server.url],
        { HOME: home(), ...NO_TERMINAL_VARS, ...vars },
        { cols: 80, rows: 24, reflowCursorLine },
      );
      await cli.waitForScreen('connected to');
      const ws = await server.nextConnection();
      const ticks = ticker((t) => ws.send(t));
      const lines = await typeWhileTicking(cli, CHUNKS, {
        between: async (i) => {
          if (i !== 3 && i !== 6) return;
          ticks.hold();
          // Nothing in flight: the only output after the resize is the program's answer to it.
          await waitForTick(cli, ticks.sent());
          await resizeAndRedraw(cli, i === 3 ? 50 : 90, 24);
          ticks.release();
        },
      });
      expectTicksOnce(lines, /< /);
      if (intact) expectInputIntact(lines, INPUT);
      else expect(lastLine(lines)).toBe(`> ${INPUT}`);
      cli.type('\r');
      await server.waitForMessages(1);
      expect(server.received[0].data.toString()).toBe(INPUT);
    },
  );

  it('lays out wide characters (CJK, emoji) and combining marks as the terminal does', async () => {
    const server = await startServer();
    const cli = await connectRepl(server.url, [], { wideEmoji: true });
    const ws = await server.nextConnection();
    ticker((t) => ws.send(t));
    // 77 columns after "> " put 中 at the margin: it goes to the next row, as terminals do.
    const chunks = [
      'x'.repeat(77),
      '中文字符',
      '😀🚀🎉',
      'e\u0301te\u0301',
      '日本語のテキストです',
      'ab😀cd😀ef😀gh',
      '한국어텍스트',
      'z'.repeat(60),
    ];
    const input = chunks.join('');
    // A wide character moved to the next row leaves the last cell of its row blank.
    const noBlanks = (s: string) => s.replace(/ /g, '');
    const lines = await typeWhileTicking(cli, chunks, { normalize: noBlanks });
    expectTicksOnce(lines, /< /);
    expectInputIntact(lines, input, noBlanks);
    expect(lines.filter((l) => l.includes('中文字符'))).toHaveLength(1);
    cli.type('\r');
    await server.waitForMessages(1);
    expect(server.received[0].data.toString()).toBe(input);
  });
});

describe('the prompt after each line', () => {
  it('shows the pong of /ping with its round trip without -P, and the prompt after /ping and /pong', async () => {
    const server = await startServer();
    const cli = await connectRepl(server.url);
    cli.type('/ping hi\r');
    const lines = await cli.waitForLines(
      (l) => l.some((x) => /^< pong 2 bytes, rtt \d+\.\d ms "hi"$/.test(x)) && lastLine(l) === '>',
    );
    expect(lines.filter((l) => l.includes('pong'))).toHaveLength(1);
    cli.type('/pong\r');
    await cli.waitForLines((l) => l.includes('> /pong') && lastLine(l) === '>');
    cli.type('typed');
    await cli.waitForLines((l) => lastLine(l) === '> typed');
  });

  it('shows the pong once with -P', async () => {
    const server = await startServer();
    const cli = await connectRepl(server.url, ['-P']);
    cli.type('/ping hi\r');
    await cli.waitForLines((l) => l.some((x) => /< pong 2 bytes, rtt/.test(x)) && lastLine(l) === '>');
    cli.type('x\r');
    const lines = await cli.waitForLines((l) => l.includes('< x') && lastLine(l) === '>');
    expect(lines.filter((l) => l.includes('< pong'))).toHaveLength(1);
  });

  it('keeps the prompt on the terminal after each line when stdout is redirected', async () => {
    const server = await startServer();
    const out = join(home(), 'out.log');
    const cli = await connectRepl(server.url, [], { stdoutFile: out });
    await cli.waitForLines(
      (l) => l.includes('/help for commands · Ctrl+D to close · Ctrl+C to quit') && lastLine(l) === '>',
    );
    for (const word of ['one', 'two']) {
      cli.type(`${word}\r`);
      await cli.waitForLines((l) => l.includes(`> ${word}`) && lastLine(l) === '>');
    }
    await server.waitForMessages(2);
    cli.type('/ping\r');
    await cli.waitForLines((l) => l.some((x) => /^< pong 0 bytes, rtt \d+\.\d ms$/.test(x)) && lastLine(l) === '>');
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
    // The echoes went to the file, plain; the prompt never did.
    expect(readFileSync(out, 'utf8')).toBe('one\ntwo\n');
  });

  it('clears the prompt before the close line after Ctrl+D', async () => {
    const server = await startServer();
    const cli = await connectRepl(server.url);
    await cli.waitForLines((l) => lastLine(l) === '>');
    cli.type('\x04');
    expect(await cli.exit).toBe(0);
    const lines = await cli.waitForLines((l) => l.some((x) => x.includes('closed 1000')));
    const closed = lines.find((l) => l.includes('closed 1000'));
    expect(closed?.startsWith('closed 1000')).toBe(true);
    expect(lines.filter((l) => l.startsWith('>'))).toEqual([]);
  });

  it('keeps what is typed while connecting off the spinner line, for the prompt', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startServer({
      verifyClient: (_info, done) => {
        void held.then(() => done(true));
      },
    });
    const cli = startPty(['connect', server.url], { HOME: home() }, { cols: 80, rows: 24 });
    await cli.waitForScreen('connecting to');
    await cli.echoOff();
    cli.type('early');
    // Read, not echoed: the next spinner frame comes and the line shows no "early".
    const before = cli.raw().length;
    await cli.waitForLines(() => /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/.test(cli.raw().slice(before)));
    expect((await cli.lines()).join('\n')).not.toContain('early');
    release();
    const lines = await cli.waitForLines((l) => lastLine(l) === '> early');
    expect(lines.filter((l) => l.includes('early'))).toHaveLength(1);
    cli.type(' bird\r');
    await server.waitForMessages(1);
    expect(server.received[0].data.toString()).toBe('early bird');
  });

  it('shows the hint once after "connected to", and none with -q or --json', async () => {
    const server = await startServer();
    const cli = await connectRepl(server.url);
    const lines = await cli.waitForLines((l) => lastLine(l) === '>');
    const at = lines.findIndex((l) => l.startsWith('connected to'));
    expect(lines[at + 1]).toBe('/help for commands · Ctrl+D to close · Ctrl+C to quit');
    for (const flag of ['-q', '--json']) {
      const quiet = startPty(['connect', server.url, flag], { HOME: home() }, { cols: 80, rows: 24 });
      await quiet.waitForLines((l) => lastLine(l) === '>');
      expect((await quiet.lines()).join('\n')).not.toContain('/help for commands');
    }
  });
});

describe('listen: a long line typed while a client sends', () => {
  it('prints each message once, in order, above the wrapped input, and sends the input whole', async () => {
    const cli = startPty(['listen', '0'], { HOME: home() }, { cols: 80, rows: 24 });
    const screen = (await cli.waitForScreen(/listening on ws:\/\/127\.0\.0\.1:\d+/)).join('\n');
    const url = screen.match(/ws:\/\/127\.0\.0\.1:\d+/)![0];
    const client = await openClient(url);
    const start = await cli.waitForLines((l) => lastLine(l) === '>');
    expect(start).toContain('/help for commands · Ctrl+D or Ctrl+C to stop');
    ticker((t) => (client.ws as WebSocket).send(t));
    const lines = await typeWhileTicking(cli, CHUNKS);
    expectTicksOnce(lines, /\[#1\] < /);
    expectInputIntact(lines, INPUT);
    cli.type('\r');
    const [got] = await client.waitForMessages(1);
    expect(got.data.toString()).toBe(INPUT);
  });
});

describe('a background job', () => {
  it('does not read or set up the terminal: it runs as with --no-stdin and is not stopped', async () => {
    const server = await startServer();
    const out = join(home(), 'out.log');
    const cli = startPty(
      [],
      { HOME: home(), OUT: out, URL: server.url },
      { bash: '$WSPROBE connect "$URL" -x hi -w 0.3 > "$OUT" & wait $!; echo "job exit $?"' },
    );
    await cli.waitForScreen(/job exit \d+/);
    expect((await cli.lines()).join('\n')).toContain('job exit 0');
    expect(cli.raw()).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
    expect(readFileSync(out, 'utf8')).toBe('hi\n');
  });

  it('listen: does not read the terminal either, and serves as with --no-stdin', async () => {
    const out = join(home(), 'out.log');
    const cli = startPty(
      [],
      { HOME: home(), OUT: out },
      { bash: '$WSPROBE listen 0 --once > "$OUT" & wait $!; echo "job exit $?"' },
    );
    const screen = (await cli.waitForScreen(/listening on ws:\/\/127\.0\.0\.1:\d+/)).join('\n');
    const client = await openClient(screen.match(/ws:\/\/127\.0\.0\.1:\d+/)![0]);
    await client.send('from the client');
    client.ws.close(1000);
    await cli.waitForScreen(/job exit \d+/);
    expect((await cli.lines()).join('\n')).toContain('job exit 0');
    expect((await cli.lines()).join('\n')).not.toContain('/help for commands');
    expect(readFileSync(out, 'utf8')).toContain('from the client');
  });
});
