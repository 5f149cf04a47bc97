/**
 * Issue 13, server items, the pure parts: which origins get in by default (item 5), the warning for a
 * server on every interface, the memory budget that drops the biggest holders (items 6 and 8), and
 * which messages the server compresses (items 6 and 14).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFLATE_THRESHOLD_BYTES,
  SERVER_COMPRESS_MAX_BYTES,
  SERVER_DEFLATE,
  serverCompresses,
} from '../../src/connection/deflate.js';
import { type BudgetHolder, budgetFor, MemoryBudget, makeRoom } from '../../src/server/budget.js';
import { admit, isLoopbackOrigin, originAllowed, ownOrigin } from '../../src/server/policy.js';
import { exposureWarning } from '../../src/server/run.js';

const MiB = 1024 * 1024;

describe('origins a server lets in by default (item 5)', () => {
  it.each([
    ['http://localhost:3000', true],
    ['https://localhost', true],
    ['http://127.0.0.1:8080', true],
    ['http://127.8.9.10:1', true],
    ['http://[::1]:5173', true],
    ['https://evil.example', false],
    ['http://localhost.evil.example', false],
    ['http://evil.localhost', false],
    ['http://127.0.0.1.nip.io', false],
    ['null', false],
    ['file://', false],
    ['chrome-extension://abcdef', false],
    ['not a url', false],
  ])('%j is a loopback page: %s', (origin, loopback) => {
    expect(isLoopbackOrigin(origin)).toBe(loopback);
    expect(originAllowed(origin, [])).toBe(loopback);
  });

  it('lets in clients without Origin (command-line tools) by default, not with an --origin list', () => {
    expect(originAllowed(undefined, [])).toBe(true);
    expect(originAllowed(undefined, ['https://app.example'])).toBe(false);
    expect(originAllowed(undefined, ['*'])).toBe(true);
  });

  it("always lets in the server's own pages, by address, never by a name in the Host header", () => {
    const own = ownOrigin({ localAddress: '::ffff:192.168.1.5', localPort: 8080 }, false);
    expect(own).toBe('http://192.168.1.5:8080');
    expect(originAllowed('http://192.168.1.5:8080', [], own)).toBe(true);
    expect(originAllowed('http://192.168.1.5:8080', ['https://app.example'], own)).toBe(true);
    expect(originAllowed('http://192.168.1.5:8081', [], own)).toBe(false);
    expect(originAllowed('http://rebound.example:8080', [], own)).toBe(false);
    expect(ownOrigin({ localAddress: '::1', localPort: 443 }, true)).toBe('https://[::1]');
  });

  it('refuses another origin with 403 and one line that names --origin', () => {
    const refusal = admit({ origin: 'https://evil.example' }, { origins: [] }, 0);
    expect(refusal?.status).toBe(403);
    expect(refusal?.reason).not.toContain('\n');
    expect(refusal?.reason).toBe(
      'origin "https://evil.example" is not allowed: by default only pages from localhost, 127.0.0.1 or [::1] ' +
        "and clients without Origin may connect (allow it with --origin https://evil.example, or any with --origin '*')",
    );
    expect(admit({ origin: 'https://evil.example' }, { origins: ['*'] }, 0)).toBeNull();
    expect(admit({}, { origins: [] }, 0)).toBeNull();
  });

  it('warns in one line when the server listens beyond loopback, naming what is exposed and how to restrict it', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost'])
      expect(exposureWarning(host, 8080)).toBeUndefined();
    expect(exposureWarning('0.0.0.0', 8080, 'what you type or pipe')).toBe(
      'wsprobe: warning: listening on every interface (0.0.0.0): anyone who can reach this machine on port 8080 ' +
        'can connect and get what you type or pipe; use --host 127.0.0.1 to keep it local, or require --auth user:password',
    );
    expect(exposureWarning('::', 1, 'x')).toContain('every interface (::)');
    expect(exposureWarning('192.168.1.5', 1, 'x')).toContain('listening on 192.168.1.5:');
  });
});

class Holder implements BudgetHolder {
  dropped = false;
  refused = 0;
  constructor(
    readonly name: string,
    private held: number,
    private readonly budget: MemoryBudget,
  ) {
    budget.take(held);
  }
  get heldBytes(): number {
    return this.held;
  }
  dropForBudget(): void {
    this.dropped = true;
    this.budget.give(this.held);
    this.held = 0;
  }
  refuseForBudget(size: number): void {
    this.refused = size;
  }
}

describe('the memory budget (items 6 and 8)', () => {
  it('is 2.5 × --max-payload, at least 64 MiB', () => {
    expect(budgetFor(100 * MiB)).toBe(250 * MiB);
    expect(budgetFor(1024)).toBe(64 * MiB);
  });

  it('drops the clients holding the most until a large message fits; small holders are never dropped', () => {
    const budget = new MemoryBudget(250 * MiB);
    const bomb1 = new Holder('bomb1', 99 * MiB, budget);
    const bomb2 = new Holder('bomb2', 99.5 * MiB, budget);
    const reader = new Holder('reader', 0.5 * MiB, budget);
    const sender = new Holder('sender', 0, budget);
    expect(makeRoom(budget, [bomb1, bomb2, reader, sender], sender, 99 * MiB)).toBe(true);
    expect([bomb1.dropped, bomb2.dropped, reader.dropped]).toEqual([false, true, false]);
    expect(budget.held).toBe(99.5 * MiB);
  });

  it('refuses the message when dropping holders cannot make room (output or small holders fill it)', () => {
    const budget = new MemoryBudget(64 * MiB, () => 60 * MiB);
    const reader = new Holder('reader', 0.5 * MiB, budget);
    const sender = new Holder('sender', 0, budget);
    expect(makeRoom(budget, [reader, sender], sender, 8 * MiB)).toBe(false);
    expect(sender.refused).toBe(8 * MiB);
    expect(reader.dropped).toBe(false);
  });

  it('does not keep the message of a sender that was itself the biggest holder', () => {
    const budget = new MemoryBudget(64 * MiB);
    const sender = new Holder('sender', 60 * MiB, budget);
    expect(makeRoom(budget, [sender], sender, 8 * MiB)).toBe(false);
    expect(sender.dropped).toBe(true);
    expect(budget.held).toBe(0);
  });
});

describe('what the server compresses (items 6 and 14)', () => {
  it('only messages from 1 KiB to 64 KiB; every message starts a fresh compressor', () => {
    expect(serverCompresses(40)).toBe(false);
    expect(serverCompresses(DEFLATE_THRESHOLD_BYTES - 1)).toBe(false);
    expect(serverCompresses(DEFLATE_THRESHOLD_BYTES)).toBe(true);
    expect(serverCompresses(SERVER_COMPRESS_MAX_BYTES)).toBe(true);
    expect(serverCompresses(SERVER_COMPRESS_MAX_BYTES + 1)).toBe(false);
    expect(SERVER_DEFLATE).toMatchObject({ serverNoContextTakeover: true, clientNoContextTakeover: true });
  });
});
