/**
 * The heap keeper (session/heap.ts): once a client session has carried 1 MiB it frees one 16 MiB block,
 * so that glibc stops handing its heap back after every collection. Its effect is measured by the bytes
 * row of `npm run bench`; here: when it allocates, how much, how often, and that only our client's
 * messages (both ways) count, not a server's.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { EndPolicy } from '../../src/protocol/end-policy.js';
import { ClientSession } from '../../src/session/client.js';
import { ClientRun } from '../../src/session/client-run.js';
import { BULK_BYTES, clientHeap, HeapKeeper } from '../../src/session/heap.js';
import { Outbox } from '../../src/session/outbox.js';
import { clientOptions, endRules } from './fixtures.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('HeapKeeper', () => {
  it('allocates one 16 MiB block when the bytes carried reach 1 MiB, and never again', () => {
    const allocations: number[] = [];
    const keeper = new HeapKeeper((bytes) => allocations.push(bytes));
    for (let i = 0; i < 1023; i++) keeper.carried(1024);
    expect(allocations).toEqual([]);
    keeper.carried(1023);
    expect(allocations).toEqual([]);
    keeper.carried(1);
    expect(allocations).toEqual([16 * 1024 * 1024]);
    for (let i = 0; i < 100; i++) keeper.carried(BULK_BYTES);
    expect(allocations).toHaveLength(1);
  });

  it('one message past the mark is enough, and a short session allocates nothing', () => {
    const big: number[] = [];
    new HeapKeeper((bytes) => big.push(bytes)).carried(64 * BULK_BYTES);
    expect(big).toEqual([16 * 1024 * 1024]);
    const short: number[] = [];
    const keeper = new HeapKeeper((bytes) => short.push(bytes));
    for (const size of [2, 5, 4096, 0]) keeper.carried(size);
    expect(short).toEqual([]);
  });

  it('by default the block is a Buffer that is never written to', () => {
    const slow = vi.spyOn(Buffer, 'allocUnsafeSlow');
    new HeapKeeper().carried(BULK_BYTES);
    expect(slow.mock.calls).toEqual([[16 * 1024 * 1024]]);
  });
});

describe('a client session feeds the keeper it is given', () => {
  it('with the size of every message it sends and receives; the server side does not', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    await once(wss, 'listening');
    wss.on('connection', (ws) =>
      ws.on('message', (data, isBinary) =>
        ws.send(Buffer.concat([data as Buffer, data as Buffer]), { binary: isBinary }),
      ),
    );
    const session = new ClientSession(
      clientOptions(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`, { deflate: false }),
      () => {},
      Date.now,
    );
    cleanups.push(() => session.terminate());
    const keeper = new HeapKeeper(() => {});
    const carried = vi.spyOn(keeper, 'carried');
    session.heap = keeper;
    const open = new Promise<void>((resolve) => {
      session.onOpen = resolve;
    });
    session.connect();
    await open;
    const answered = new Promise<void>((resolve) => {
      session.onIncoming = () => resolve();
    });
    session.send({ data: Buffer.alloc(3000), binary: true }, () => {});
    await answered;
    expect(carried.mock.calls).toEqual([[3000], [6000]]);
  });
});

describe('which sessions keep the heap', () => {
  const options = clientOptions('ws://127.0.0.1:9');

  it('a session of connect or replay (a ClientRun) is given the process keeper', () => {
    const policy = new EndPolicy(endRules());
    const run = new ClientRun(policy, { connection: options, initial: [] }, new Outbox(), () => {}, Date.now);
    expect(run.session.heap).toBe(clientHeap);
  });

  it('a bare ClientSession, as the proxy makes for each upstream, is given none', () => {
    expect(new ClientSession(options, () => {}, Date.now).heap).toBeUndefined();
  });
});
