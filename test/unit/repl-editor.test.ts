/**
 * The line editor (session/repl.ts) in-process: keys in through a stream, what it draws into a headless
 * terminal emulator. No pty, no sockets.
 */
import { PassThrough, Writable } from 'node:stream';
import xterm from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { Repl } from '../../src/session/repl.js';

function setup(cols = 20) {
  const term = new xterm.Terminal({ cols, rows: 10, allowProposedApi: true, scrollback: 1000 });
  let written = Promise.resolve();
  const terminal = Object.assign(
    new Writable({
      write(chunk: Buffer, _e, cb) {
        const text = chunk.toString('utf8').replace(/\n/g, '\r\n');
        written = new Promise((resolve) => term.write(text, resolve));
        cb();
      },
    }),
    { columns: cols },
  );
  const input = new PassThrough();
  const lines: string[] = [];
  let ended = 0;
  let interrupted = 0;
  const repl = new Repl({
    input,
    terminal,
    prompt: '> ',
    onLine: (line) => lines.push(line),
    onEnd: () => ended++,
    onInterrupt: () => interrupted++,
    onNotice: () => {},
    resizeReflow: 'keeps',
  });
  repl.start();
  const out = repl.wrap(terminal);
  /** The buffer's lines, wrapped rows joined. */
  const screen = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    await written;
    const buffer = term.buffer.active;
    const result: string[] = [];
    for (let i = 0; i < buffer.length; i++) {
      const line = buffer.getLine(i)!;
      const text = line.translateToString(!buffer.getLine(i + 1)?.isWrapped);
      if (line.isWrapped) result[result.length - 1] += text;
      else result.push(text);
    }
    return result.map((l) => l.trimEnd()).filter((l) => l !== '');
  };
  const type = async (keys: string) => {
    input.write(keys);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { repl, out, type, screen, lines, counts: () => ({ ended, interrupted }) };
}

describe('line editor', () => {
  it('edits in the middle of the line and sends the whole of it', async () => {
    const t = setup();
    await t.type('hello');
    await t.type('\x1b[D\x1b[D');
    await t.type('X');
    expect((await t.screen()).at(-1)).toBe('> helXlo');
    await t.type('\r');
    expect(t.lines).toEqual(['helXlo']);
    // The line stays as typed above a fresh prompt.
    expect(await t.screen()).toEqual(['> helXlo', '>']);
  });

  it('deletes a word (Ctrl+W), to the start (Ctrl+U) and to the end (Ctrl+K)', async () => {
    const t = setup(40);
    await t.type('one two three\x17');
    expect((await t.screen()).at(-1)).toBe('> one two');
    await t.type('\x01\x1b[C\x1b[C\x1b[C\x0b');
    expect((await t.screen()).at(-1)).toBe('> one');
    await t.type('\x15');
    expect((await t.screen()).at(-1)).toBe('>');
  });

  it('recalls history with Up and Down, keeping the line being typed', async () => {
    const t = setup(40);
    await t.type('first\rsecond\r');
    await t.type('draft');
    await t.type('\x1b[A');
    expect((await t.screen()).at(-1)).toBe('> second');
    await t.type('\x1b[A');
    expect((await t.screen()).at(-1)).toBe('> first');
    await t.type('\x1b[B\x1b[B');
    expect((await t.screen()).at(-1)).toBe('> draft');
  });

  it('takes a pasted CRLF as one Enter', async () => {
    const t = setup();
    await t.type('a\r\nb\r\n');
    expect(t.lines).toEqual(['a', 'b']);
  });

  it('shows control and bidi characters escaped, and sends them as typed', async () => {
    const t = setup(40);
    await t.type('a\u202eb\r');
    expect(await t.screen()).toContain('> a\\u202eb');
    expect(t.lines).toEqual(['a\u202eb']);
  });

  it('ends on Ctrl+D on an empty line, clearing the prompt; Ctrl+C interrupts', async () => {
    const t = setup();
    await t.type('x\x04');
    expect(t.counts().ended).toBe(0);
    await t.type('\x7f\x04');
    expect(t.counts().ended).toBe(1);
    expect(await t.screen()).toEqual([]);
    await t.type('\x03');
    expect(t.counts().interrupted).toBe(1);
  });

  it('prints every line above a wrapped input, once each, in order', async () => {
    const t = setup(20);
    await t.type('0123456789'.repeat(5));
    for (let i = 1; i <= 30; i++) {
      t.out.write(`line ${i}\n`);
      if (i % 7 === 0) await t.type('ab');
    }
    const screen = await t.screen();
    expect(screen.filter((l) => l.startsWith('line '))).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i + 1}`));
    expect(screen.at(-1)).toBe(`> ${'0123456789'.repeat(5)}abababab`);
  });

  it('starts output on a row of its own after a line without a newline', async () => {
    const t = setup(40);
    await t.type('typed');
    t.out.write('partial');
    expect(await t.screen()).toEqual(['partial', '> typed']);
  });
});
