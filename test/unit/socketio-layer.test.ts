/**
 * The Socket.IO session layer (session/socketio.ts) in-process, over a fake connection and fake timers:
 * what it sends, what it shows, what the end policy hears, and when it gives up.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionEvent, SocketIoEvent } from '../../src/output/events.js';
import type { Failure } from '../../src/protocol/failures.js';
import type { OutMessage } from '../../src/session/outbox.js';
import { prepareSocketIo, type SocketIoPlan } from '../../src/session/socketio.js';

const plan = (over: Partial<SocketIoPlan> = {}): SocketIoPlan => ({
  path: '/socket.io/',
  eio: 4,
  emits: [],
  connectTimeoutMs: 5000,
  ...over,
});

function harness(over: Partial<SocketIoPlan> = {}, url = 'ws://h/') {
  const setup = prepareSocketIo(plan(over), url, [], false, () => Date.now());
  if ('error' in setup) throw new Error(setup.error);
  const sent: string[] = [];
  const shown: SessionEvent[] = [];
  const aborted: Failure[] = [];
  const layer = setup.layer(
    {
      send: (m: OutMessage, done) => {
        sent.push(m.binary ? `<${m.data.toString('hex')}>` : m.data.toString());
        done();
      },
      abort: (f) => aborted.push(f),
    },
    (e) => shown.push(e),
  );
  let ready = false;
  layer.opened(() => {
    ready = true;
  });
  const text = (s: string) => layer.incoming(Buffer.from(s), false);
  const binary = (b: Buffer) => layer.incoming(b, true);
  const sio = () => shown.filter((e): e is SocketIoEvent => e.event === 'socketio');
  return { setup, layer, sent, shown, aborted, text, binary, sio, isReady: () => ready };
}

const OPEN4 = '0{"sid":"s","upgrades":[],"pingInterval":100,"pingTimeout":50}';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the Socket.IO layer, Engine.IO 4', () => {
  it('connects the namespace after the open packet, with the auth payload, and is ready on its CONNECT', () => {
    const h = harness({ auth: { token: 'abc' } }, 'ws://h/admin');
    expect(h.setup.url).toBe('ws://h/socket.io/?EIO=4&transport=websocket');
    expect(h.text(OPEN4)).toEqual([]);
    expect(h.sent).toEqual(['40/admin,{"token":"abc"}']);
    expect(h.isReady()).toBe(false);
    h.text('40/admin,{"sid":"n"}');
    expect(h.isReady()).toBe(true);
    expect(h.sio().map((e) => e.type)).toEqual(['open', 'connect']);
  });

  it('answers the server ping with a pong, and a missing ping is a lost connection', () => {
    const h = harness();
    h.text(OPEN4);
    h.text('40{"sid":"n"}');
    vi.advanceTimersByTime(140);
    h.text('2');
    expect(h.sent.at(-1)).toBe('3');
    vi.advanceTimersByTime(140);
    expect(h.aborted).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(h.aborted).toEqual([
      { kind: 'lost', message: 'connection lost: no Engine.IO ping from the server within 150 ms' },
    ]);
  });

  it('closing stops the heartbeat watch', () => {
    const h = harness();
    h.text(OPEN4);
    h.layer.closing();
    vi.advanceTimersByTime(1000);
    expect(h.aborted).toEqual([]);
  });

  it('an event reaches the policy as its JSON array, with its name and args', () => {
    const h = harness();
    h.text(OPEN4);
    expect(h.text('42["chat","hi",{"from":"ann"}]')).toEqual([
      {
        type: 'message',
        text: '["chat","hi",{"from":"ann"}]',
        event: { name: 'chat', args: ['hi', { from: 'ann' }] },
      },
    ]);
    expect(h.text('2')).toEqual([]);
  });

  it('reassembles a binary event from its packet and frame', () => {
    const h = harness();
    h.text(OPEN4);
    expect(h.text('451-["file",{"_placeholder":true,"num":0}]')).toEqual([]);
    const [input] = h.binary(Buffer.from([1, 2]));
    expect(input).toEqual({
      type: 'message',
      text: '["file",{"$binary":"AQI="}]',
      event: { name: 'file', args: [Buffer.from([1, 2])] },
    });
  });

  it('a CONNECT_ERROR is a refused handshake with its message', () => {
    const h = harness({ namespace: '/admin' });
    h.text(OPEN4);
    h.text('44/admin,{"message":"bad token"}');
    expect(h.aborted).toEqual([
      { kind: 'handshake', message: 'Socket.IO namespace /admin refused the connection: bad token' },
    ]);
    expect(h.isReady()).toBe(false);
  });

  it('a CONNECT without a sid is a Socket.IO 2 server: refused, with the hint --eio 3', () => {
    const h = harness();
    h.text(OPEN4);
    h.text('40');
    expect(h.aborted[0]).toMatchObject({ kind: 'handshake', hint: 'use --eio 3' });
  });

  it('what is not an Engine.IO or Socket.IO packet is a protocol violation', () => {
    const h = harness();
    h.text(OPEN4);
    h.text('42{"not":"an array"}');
    expect(h.aborted[0]).toMatchObject({ kind: 'protocol' });
    expect(h.aborted[0].message).toContain('an event must be a non-empty array');
  });

  it('no open packet within the connect timeout is a refused handshake', () => {
    const h = harness({ connectTimeoutMs: 1000 });
    vi.advanceTimersByTime(1000);
    expect(h.aborted[0]).toMatchObject({ kind: 'handshake', message: 'no Engine.IO open packet within 1 s' });
  });

  it('/emit-ack numbers its acks after the --emit-ack ones, and the ack shows its round trip', () => {
    const setup = prepareSocketIo(plan({ emits: [{ at: 0, text: 'a', ack: true }] }), 'ws://h/', [], false, Date.now);
    if ('error' in setup) throw new Error(setup.error);
    expect(setup.initial.map((m) => m.data.toString())).toEqual(['420["a"]']);
    const shown: SessionEvent[] = [];
    const layer = setup.layer({ send: (_m, done) => done(), abort: () => {} }, (e) => shown.push(e));
    const [message] = setup.prompt.emit('b 1', true) as OutMessage[];
    expect(message.data.toString()).toBe('421["b",1]');
    // The layer sees what is sent (as the run shows it) and times the ack from there.
    layer.view({ event: 'message', time: 0, dir: 'out', data: message.data, binary: false });
    vi.advanceTimersByTime(7);
    layer.incoming(Buffer.from('431["ok"]'), false);
    expect(shown.at(-1)).toMatchObject({ event: 'socketio', type: 'ack', ackId: 1, args: ['ok'], rttMs: 7 });
  });
});

describe('the Socket.IO layer, Engine.IO 3', () => {
  const OPEN3 = '0{"sid":"s","upgrades":[],"pingInterval":100,"pingTimeout":50}';

  it('waits for the automatic main namespace, then asks for its own with the auth as query', () => {
    const h = harness({ eio: 3, auth: { token: 'a b' } }, 'ws://h/admin');
    expect(h.setup.url).toBe('ws://h/socket.io/?EIO=3&transport=websocket');
    h.text(OPEN3);
    expect(h.sent).toEqual([]);
    h.text('40');
    expect(h.sent).toEqual(['40/admin?token=a%20b,']);
    expect(h.isReady()).toBe(false);
    h.text('40/admin');
    expect(h.isReady()).toBe(true);
  });

  it('pings every pingInterval; no pong within pingTimeout is a lost connection', () => {
    const h = harness({ eio: 3 });
    h.text(OPEN3);
    h.text('40');
    vi.advanceTimersByTime(100);
    expect(h.sent).toEqual(['2']);
    h.text('3');
    vi.advanceTimersByTime(100);
    expect(h.sent).toEqual(['2', '2']);
    vi.advanceTimersByTime(49);
    expect(h.aborted).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(h.aborted).toEqual([
      { kind: 'lost', message: 'connection lost: no Engine.IO pong within 50 ms of our ping' },
    ]);
  });

  it('binary frames start with 04, which is not part of the attachment; emits are encoded for Engine.IO 3', () => {
    const h = harness({ eio: 3 });
    h.text(OPEN3);
    h.text('451-["file",{"_placeholder":true,"num":0}]');
    const [input] = h.binary(Buffer.from([4, 9]));
    expect(input).toMatchObject({ event: { name: 'file', args: [Buffer.from([9])] } });
    expect(h.setup.decodeLine(Buffer.from('["chat","x"]'))).toEqual({
      ok: true,
      value: { data: Buffer.from('42["chat","x"]'), binary: false },
    });
  });
});
