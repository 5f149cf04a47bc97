/** The queue of messages waiting to be sent (src/session/outbox.ts): bounded by bytes, and keeping nothing sent. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Outbox, type OutMessage } from '../../src/session/outbox.js';

/** A socket that takes messages and reports them written only when `writeAll()` is called. */
function fakeSocket() {
  const unwritten: Array<() => void> = [];
  const sent: OutMessage[] = [];
  return {
    sent,
    send: (message: OutMessage, done: (err?: Error) => void) => {
      sent.push(message);
      unwritten.push(() => done());
    },
    writeAll() {
      for (const done of unwritten.splice(0)) done();
    },
  };
}

const message = (bytes: number): OutMessage => ({ data: Buffer.alloc(bytes), binary: true });

describe('Outbox', () => {
  it('hands the socket no more than its high-water mark of unwritten bytes, and is full from there', () => {
    const outbox = new Outbox(1000);
    const socket = fakeSocket();
    outbox.start(socket.send);
    for (let i = 0; i < 10; i++) outbox.push(message(300));
    // 4 × 300 bytes: the fourth goes out because 900 were in flight, then nothing more.
    expect(socket.sent).toHaveLength(4);
    expect(outbox.bufferedBytes).toBe(3000);
    expect(outbox.isFull).toBe(true);
    socket.writeAll();
    expect(socket.sent).toHaveLength(8);
    socket.writeAll();
    socket.writeAll();
    expect(socket.sent).toHaveLength(10);
    expect(outbox.bufferedBytes).toBe(0);
    expect(outbox.isFull).toBe(false);
  });

  it('calls onDrain when it goes from full to not full', () => {
    const outbox = new Outbox(1000);
    const socket = fakeSocket();
    let drains = 0;
    outbox.onDrain(() => drains++);
    outbox.start(socket.send);
    outbox.push(message(1000));
    expect(outbox.isFull).toBe(true);
    socket.writeAll();
    expect(drains).toBe(1);
    expect(outbox.isFull).toBe(false);
  });

  it('sends every queued message when the socket reports each one at once (a closing connection), without recursing', () => {
    const outbox = new Outbox(1024 * 1024);
    for (let i = 0; i < 100_000; i++) outbox.push(message(8));
    let failed = 0;
    outbox.start((_message, done) => {
      failed++;
      done(new Error('not open'));
    });
    expect(failed).toBe(100_000);
    expect(outbox.pending).toBe(0);
    expect(outbox.bufferedBytes).toBe(0);
  });

  it('keeps no reference to a message once the socket has written it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const outbox = new Outbox(64 * 1024);
    // Written as soon as it is sent.
    outbox.start((_message, done) => done());
    let ref: WeakRef<Buffer> | undefined;
    (() => {
      const first = message(64 * 1024);
      ref = new WeakRef(first.data);
      outbox.push(first);
    })();
    for (let i = 0; i < 10; i++) outbox.push(message(16));
    expect(outbox.pending).toBe(0);
    // A WeakRef keeps its target until the current job is over.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(ref?.deref()).toBeUndefined();
  });
});
