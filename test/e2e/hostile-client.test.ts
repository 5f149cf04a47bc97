/**
 * Hostile clients, frame by frame: the Autobahn categories servers-hostile.test.ts does not cover
 * (reserved opcodes and bits, bad fragmentation, broken control frames, bad close frames, data after
 * close), each sent by a raw client on `node:net` to `wsprobe echo 0` and to `wsprobe listen 0`.
 * For each: the server answers with a close frame carrying the right code (1002 for a protocol error,
 * 1007 for bad UTF-8) and ends the connection, reports an error and a close for that client id, keeps
 * running, and a well-behaved `ws` client connected all along still gets its round trips; nothing
 * prints a stack trace, and each case is over in well under 10 s.
 */
import { describe, expect, it } from 'vitest';
import { hasStackTrace, type RunningServerCli, startServerCli } from './support/cli.js';
import { clientCloseFrame, clientFrame, Opcode } from './support/frames.js';
import { RawClient } from './support/raw-client.js';
import { openClient, type TestClient } from './support/ws-peers.js';

type Event = Record<string, unknown>;

/** Bound for every case, server start and stop included. */
const CASE_MS = 10_000;

/** Rejects with `what` if `promise` takes longer than `ms`: a hang fails with a name, not a test timeout. */
function within<T>(promise: Promise<T>, what: string, ms = CASE_MS - 1000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The server's NDJSON events (`--json`), as they arrive. */
class EventLog {
  readonly all: Event[] = [];
  private partial = '';
  private started = false;
  private readonly waiters: Array<{ test: (e: Event) => boolean; resolve: (e: Event) => void }> = [];

  constructor(server: RunningServerCli) {
    server.child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk.toString('utf8')));
  }

  /** Resolves with the first event (already seen or to come) that passes `test`. */
  next(test: (e: Event) => boolean, what: string): Promise<Event> {
    const seen = this.all.find(test);
    if (seen) return Promise.resolve(seen);
    return within(new Promise((resolve) => this.waiters.push({ test, resolve })), what);
  }

  private onData(text: string): void {
    let data = this.partial + text;
    // startServerCli has read up to the `listening` event: skip the rest of that line, if any.
    if (!this.started) {
      this.started = true;
      if (!data.startsWith('{')) data = data.slice(data.indexOf('\n') + 1);
    }
    const lines = data.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') continue;
      const e = JSON.parse(line) as Event;
      this.all.push(e);
      for (const w of this.waiters.slice()) {
        if (w.test(e)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  }
}

type Kind = 'echo' | 'listen';

interface Setup {
  server: RunningServerCli;
  events: EventLog;
  good: TestClient;
  goodId: number;
  /**
   * The well-behaved client still works. echo: its message comes back. listen: its message shows up
   * in the server's output, and a line written to the server's stdin reaches it.
   */
  roundTrip(text: string): Promise<void>;
}

/** Starts the server with `--json` and connects the well-behaved client (path `/good`). */
async function setup(kind: Kind): Promise<Setup> {
  const server = await startServerCli([kind, '0', '--json']);
  const events = new EventLog(server);
  const good = await openClient(`${server.url}/good`);
  const opened = await events.next((e) => e.event === 'open' && String(e.url).endsWith('/good'), 'the good client');
  const goodId = opened.conn as number;
  const roundTrip = async (text: string) => {
    const before = good.messages.length;
    await good.send(text);
    await events.next(
      (e) => e.event === 'message' && e.conn === goodId && e.dir === 'in' && e.data === text,
      `the server to receive "${text}"`,
    );
    const expected = kind === 'echo' ? text : `typed: ${text}`;
    if (kind === 'listen') server.child.stdin!.write(`${expected}\n`);
    const got = await within(good.message(before), `"${expected}" to reach the good client`);
    expect(got.data.toString('utf8')).toBe(expected);
    expect(got.isBinary).toBe(false);
  };
  return { server, events, good, goodId, roundTrip };
}

interface Violation {
  /** The test's name. */
  name: string;
  /** A `Sec-WebSocket-Extensions` the raw client offers. */
  extensions?: string;
  /** The bytes that break the protocol, written at once. */
  bytes: () => Buffer;
  /** The close code the server must answer with. */
  code: number;
  /** What the server says about it (after `broke the protocol: `). */
  says: string;
}

const text = (payload: string | Buffer, more: { fin?: boolean; rsv1?: boolean; rsv2?: boolean; rsv3?: boolean } = {}) =>
  clientFrame({ opcode: Opcode.Text, payload, ...more });

const violations: Violation[] = [
  {
    name: 'reserved opcode 3 (a non-control opcode)',
    bytes: () => clientFrame({ opcode: 0x3, payload: 'reserved' }),
    code: 1002,
    says: 'invalid opcode 3',
  },
  {
    name: 'reserved opcode 0xB (a control opcode)',
    bytes: () => clientFrame({ opcode: 0xb, payload: 'reserved' }),
    code: 1002,
    says: 'invalid opcode 11',
  },
  {
    name: 'RSV1 set without an extension',
    bytes: () => text('rsv1', { rsv1: true }),
    code: 1002,
    says: 'RSV1 must be clear',
  },
  {
    name: 'RSV2 set without an extension',
    bytes: () => text('rsv2', { rsv2: true }),
    code: 1002,
    says: 'RSV2 and RSV3 must be clear',
  },
  {
    name: 'RSV3 set without an extension',
    bytes: () => text('rsv3', { rsv3: true }),
    code: 1002,
    says: 'RSV2 and RSV3 must be clear',
  },
  {
    name: 'RSV1 set on a control frame (a ping) with permessage-deflate negotiated',
    extensions: 'permessage-deflate',
    bytes: () => clientFrame({ opcode: Opcode.Ping, payload: 'compressed?', rsv1: true }),
    code: 1002,
    says: 'RSV1 must be clear',
  },
  {
    name: 'a fragmented control frame (a ping without FIN)',
    bytes: () =>
      Buffer.concat([
        clientFrame({ opcode: Opcode.Ping, payload: 'frag', fin: false }),
        clientFrame({ opcode: Opcode.Continuation, payload: 'ment' }),
      ]),
    code: 1002,
    says: 'FIN must be set',
  },
  {
    name: 'an oversized control frame (a ping with 126 bytes)',
    bytes: () => clientFrame({ opcode: Opcode.Ping, payload: Buffer.alloc(126, 0x2a) }),
    code: 1002,
    says: 'invalid payload length 126',
  },
  {
    name: 'a continuation frame with no message started',
    bytes: () => clientFrame({ opcode: Opcode.Continuation, payload: 'orphan' }),
    code: 1002,
    says: 'invalid opcode 0',
  },
  {
    name: 'a new data frame while a fragmented message is open',
    bytes: () => Buffer.concat([text('first half', { fin: false }), text('a new message')]),
    code: 1002,
    says: 'invalid opcode 1',
  },
  ...[999, 1005, 1006, 5000].map(
    (code): Violation => ({
      name: `a close frame with the invalid code ${code}`,
      bytes: () => clientCloseFrame(code, 'bad code'),
      code: 1002,
      says: `invalid status code ${code}`,
    }),
  ),
  {
    name: 'a close frame with a 1-byte payload',
    bytes: () => clientFrame({ opcode: Opcode.Close, payload: Buffer.from([0x03]) }),
    code: 1002,
    says: 'invalid payload length 1',
  },
  {
    name: 'invalid UTF-8 in a close reason',
    // "hi", then 0xc3 0x28: a lead byte followed by a byte that cannot continue it.
    bytes: () => clientCloseFrame(1000, Buffer.from([0x68, 0x69, 0xc3, 0x28])),
    code: 1007,
    says: 'invalid UTF-8 sequence',
  },
];

/** Connects a raw client (path `/offender`), returning it and its id in the server's events. */
async function connectOffender(s: Setup, extensions?: string): Promise<{ raw: RawClient; id: number }> {
  const raw = await within(RawClient.connect(s.server.port, { path: '/offender', extensions }), 'the raw handshake');
  const opened = await s.events.next(
    (e) => e.event === 'open' && String(e.url).endsWith('/offender'),
    'the offender to be open',
  );
  expect(opened.conn).not.toBe(s.goodId);
  return { raw, id: opened.conn as number };
}

/** The server is still running; stop it: exit 143 (SIGTERM), no stack trace. Returns its stderr. */
async function stop(s: Setup): Promise<string> {
  expect(s.server.child.exitCode).toBeNull();
  expect(s.server.child.signalCode).toBeNull();
  s.server.child.kill('SIGTERM');
  const { code, stderr } = await within(s.server.result, 'the server to stop');
  expect(code).toBe(143);
  expect(hasStackTrace(stderr)).toBe(false);
  return stderr;
}

for (const kind of ['echo', 'listen'] as const) {
  describe(`a raw client breaking the protocol against wsprobe ${kind}`, () => {
    for (const v of violations) {
      it(
        v.name,
        async () => {
          const start = performance.now();
          const s = await setup(kind);
          await s.roundTrip('before the offender');
          const { raw, id } = await connectOffender(s, v.extensions);
          if (v.extensions) {
            expect(raw.response.headers['sec-websocket-extensions'] ?? 'no extension negotiated').toContain(
              v.extensions,
            );
          }

          raw.write(v.bytes());
          const close = await within(raw.serverClose(), "the server's close frame");
          expect(close.code).toBe(v.code);
          expect(close.frame.masked).toBe(false);
          expect(close.frame.fin).toBe(true);
          // The server closes the connection after its close frame; nothing else came from it.
          await within(raw.ended, 'the offending connection to end');
          expect(raw.frames.map((f) => f.opcode)).toEqual([Opcode.Close]);

          const error = await s.events.next((e) => e.event === 'error' && e.conn === id, 'an error event');
          expect(error).toMatchObject({
            kind: 'protocol',
            message: `client #${id} broke the protocol: Invalid WebSocket frame: ${v.says}; closing with ${v.code}`,
          });
          const closed = await s.events.next((e) => e.event === 'close' && e.conn === id, 'a close event');
          expect(closed).toMatchObject({ code: v.code, by: 'server' });
          // Nothing the offender sent counted as a message.
          expect(s.events.all.filter((e) => e.event === 'message' && e.conn === id)).toEqual([]);

          await s.roundTrip('after the offender');
          const stderr = await stop(s);
          expect(stderr).toContain(`wsprobe: client #${id} broke the protocol: Invalid WebSocket frame: ${v.says}`);
          expect(performance.now() - start).toBeLessThan(CASE_MS);
        },
        CASE_MS,
      );
    }

    it(
      'data after the client’s close frame',
      async () => {
        const start = performance.now();
        const s = await setup(kind);
        await s.roundTrip('before the offender');
        const { raw, id } = await connectOffender(s);

        // A close frame, then a text and a binary message and a ping, all in one write.
        raw.write(
          clientCloseFrame(1000, 'bye'),
          text('after close'),
          clientFrame({ opcode: Opcode.Binary, payload: Buffer.from([1, 2, 3]) }),
          clientFrame({ opcode: Opcode.Ping, payload: 'still there?' }),
        );
        // The close is answered as usual (its code echoed); what followed it is ignored.
        const close = await within(raw.serverClose(), "the server's close frame");
        expect(close).toMatchObject({ code: 1000 });
        expect(close.frame.masked).toBe(false);
        await within(raw.ended, 'the connection to end');
        expect(raw.frames.map((f) => f.opcode)).toEqual([Opcode.Close]);

        const closed = await s.events.next((e) => e.event === 'close' && e.conn === id, 'a close event');
        expect(closed).toMatchObject({ code: 1000, reason: 'bye', by: 'client' });
        expect(
          s.events.all.filter((e) => e.conn === id && ['message', 'ping', 'pong', 'error'].includes(String(e.event))),
        ).toEqual([]);

        await s.roundTrip('after the offender');
        await stop(s);
        expect(performance.now() - start).toBeLessThan(CASE_MS);
      },
      CASE_MS,
    );
  });
}

// The raw client itself: a valid session works end to end, so a failure above is the server's.
describe('the raw client', () => {
  it('completes a valid session against wsprobe echo: masked text, fragmented binary, ping, close', async () => {
    const s = await setup('echo');
    const { raw, id } = await connectOffender(s, 'x-unknown-extension');
    expect(raw.response.headers['sec-websocket-extensions']).toBeUndefined();
    raw.write(
      text('hello'),
      clientFrame({ opcode: Opcode.Binary, payload: Buffer.from([0, 1]), fin: false }),
      clientFrame({ opcode: Opcode.Ping, payload: 'mid-message' }),
      clientFrame({ opcode: Opcode.Continuation, payload: Buffer.from([0xff]) }),
    );
    const echoed = await within(
      raw.nextFrame((f) => f.opcode === Opcode.Binary),
      'the binary echo',
    );
    expect(echoed.payload).toEqual(Buffer.from([0, 1, 0xff]));
    const opcodes = raw.frames.map((f) => f.opcode);
    expect(opcodes).toContain(Opcode.Text);
    expect(opcodes).toContain(Opcode.Pong);
    expect(raw.frames.find((f) => f.opcode === Opcode.Text)?.payload.toString()).toBe('hello');
    expect(raw.frames.find((f) => f.opcode === Opcode.Pong)?.payload.toString()).toBe('mid-message');
    raw.write(clientCloseFrame(1000));
    expect((await within(raw.serverClose(), 'the close answer')).code).toBe(1000);
    await within(raw.ended, 'the connection to end');
    expect(await s.events.next((e) => e.event === 'close' && e.conn === id, 'a close event')).toMatchObject({
      code: 1000,
      by: 'client',
      clean: true,
    });
    await stop(s);
  });
});
