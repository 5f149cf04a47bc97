/** The one line source behind `connect`'s and `listen`'s stdin (src/input/line-source.ts), and StdinReader on it. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineSource } from '../../src/input/line-source.js';
import { Outbox, type OutMessage } from '../../src/session/outbox.js';
import { StdinReader } from '../../src/session/stdin-reader.js';

/** A queue that is full until `drain()` is called. */
function fakePressure(full = false) {
  const listeners: Array<() => void> = [];
  return {
    isFull: full,
    onDrain: (listener: () => void) => listeners.push(listener),
    drain() {
      this.isFull = false;
      for (const listener of listeners) listener();
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function collect(options: { chunkSize?: number; full?: boolean } = {}) {
  const stream = new PassThrough();
  const pressure = fakePressure(options.full);
  const items: string[] = [];
  let ended = 0;
  const source = new LineSource(stream, pressure, {
    chunkSize: options.chunkSize,
    onItem: (data) => items.push(data.toString('latin1')),
    onEnd: () => ended++,
  });
  source.start();
  return { stream, pressure, items, source, ended: () => ended };
}

describe('LineSource', () => {
  it('gives lines without their \\n or \\r\\n, across chunks, and a last line without a newline at the end', async () => {
    const { stream, items, ended } = collect();
    stream.write('one\r\ntw');
    stream.write('o\n\nthree');
    await tick();
    expect(items).toEqual(['one', 'two', '']);
    stream.end();
    await tick();
    expect(items).toEqual(['one', 'two', '', 'three']);
    expect(ended()).toBe(1);
  });

  it('cuts the bytes into pieces of at most chunkSize (--raw), newlines kept', async () => {
    const { stream, items, ended } = collect({ chunkSize: 4 });
    stream.end('abcdefghij\n');
    await tick();
    expect(items).toEqual(['abcd', 'efgh', 'ij\n']);
    expect(ended()).toBe(1);
  });

  it('pauses while the queue is full and resumes when it drains', async () => {
    const { stream, pressure, items } = collect({ full: true });
    stream.write('a\n');
    await tick();
    expect(items).toEqual(['a']);
    expect(stream.isPaused()).toBe(true);
    stream.write('b\n');
    await tick();
    expect(items).toEqual(['a']);
    pressure.drain();
    await tick();
    expect(items).toEqual(['a', 'b']);
    expect(stream.isPaused()).toBe(false);
  });

  it('stops at once when stopped from a line, and never reports the end', async () => {
    const stream = new PassThrough();
    const items: string[] = [];
    let ended = false;
    const source: LineSource = new LineSource(stream, fakePressure(), {
      onItem(data) {
        items.push(data.toString());
        if (data.toString() === 'stop') source.stop();
      },
      onEnd: () => {
        ended = true;
      },
    });
    source.start();
    stream.write('go\nstop\nnever\n');
    await tick();
    expect(items).toEqual(['go', 'stop']);
    expect(ended).toBe(false);
    expect(stream.destroyed).toBe(true);
  });

  it('ends the input once on a read error', async () => {
    const { stream, items, ended } = collect();
    stream.write('half');
    await tick();
    stream.destroy(new Error('EIO'));
    await tick();
    expect(items).toEqual(['half']);
    expect(ended()).toBe(1);
  });
});

describe('StdinReader (connect: lines become messages)', () => {
  function reader(input: 'text' | 'hex' | 'base64', raw = false) {
    const stream = new PassThrough();
    const outbox = new Outbox();
    const sent: OutMessage[] = [];
    outbox.start((message, done) => {
      sent.push(message);
      done();
    });
    const events: string[] = [];
    new StdinReader(stream, { input, raw, chunkSize: 3 }, outbox, {
      onEnd: () => events.push('end'),
      onBadInput: (message) => events.push(message),
    }).start();
    return { stream, sent, events };
  }

  it('decodes hex lines to binary messages and stops at a bad one, naming its line', async () => {
    const { stream, sent, events } = reader('hex');
    stream.end('00ff\nzz\n01\n');
    await tick();
    expect(sent).toEqual([{ data: Buffer.from([0, 255]), binary: true }]);
    expect(events).toEqual(['stdin line 2: invalid hex: unexpected character "z"']);
  });

  it('sends text lines as text and --raw pieces as binary', async () => {
    const text = reader('text');
    text.stream.end('a\nb');
    const raw = reader('text', true);
    raw.stream.end('abcdef');
    await tick();
    expect(text.sent).toEqual([
      { data: Buffer.from('a'), binary: false },
      { data: Buffer.from('b'), binary: false },
    ]);
    expect(text.events).toEqual(['end']);
    expect(raw.sent).toEqual([
      { data: Buffer.from('abc'), binary: true },
      { data: Buffer.from('def'), binary: true },
    ]);
  });
});
