/** The -vv wire view: every frame in both directions, next to the messages they make up. */
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './support/cli.js';
import { frame, Opcode, textFrame } from './support/frames.js';
import { switchingProtocols } from './support/handshake.js';
import { startRawServer } from './support/raw-server.js';
import { startServer } from './support/ws-peers.js';

type Json = Record<string, unknown>;
const frames = (events: Json[], dir?: 'in' | 'out') =>
  events.filter((e) => e.event === 'frame' && (dir === undefined || e.dir === dir));

describe('-vv frames', () => {
  it('shows a message sent as 3 fragments with a ping between them: 4 frames in order, one message', async () => {
    const server = await startRawServer((peer) => {
      // One write with the 101: the tap must also see the bytes that came with the upgrade answer.
      peer.write(
        Buffer.concat([
          Buffer.from(switchingProtocols(peer.request), 'latin1'),
          frame({ opcode: Opcode.Text, fin: false, payload: 'Hel' }),
          frame({ opcode: Opcode.Continuation, fin: false, payload: 'lo, ' }),
          frame({ opcode: Opcode.Ping, payload: 'between' }),
          frame({ opcode: Opcode.Continuation, fin: true, payload: 'world' }),
        ]),
      );
    });
    const result = await runCli(['connect', server.url, '-vv', '--json', '--count', '1', '--no-deflate']);
    const events = jsonLines(result.out);
    const incoming = frames(events, 'in');
    expect(incoming.slice(0, 4).map((f) => [f.opcode, f.type, f.fin, f.length])).toEqual([
      [1, 'text', false, 3],
      [0, 'continuation', false, 4],
      [9, 'ping', true, 7],
      [0, 'continuation', true, 5],
    ]);
    expect(incoming.every((f) => f.masked === false)).toBe(true);
    const messages = events.filter((e) => e.event === 'message' && e.dir === 'in');
    expect(messages).toEqual([expect.objectContaining({ type: 'text', data: 'Hello, world', size: 12 })]);
    // Wire order: the message follows the frame that completes it.
    const order = events.map((e) => (e.event === 'frame' ? `${e.dir}:${e.type}` : e.event));
    expect(order.indexOf('message')).toBeGreaterThan(order.lastIndexOf('in:continuation'));
    // Our answer to the ping, and our close, are masked frames.
    const outgoing = frames(events, 'out');
    expect(outgoing.map((f) => f.type)).toEqual(['pong', 'close']);
    expect(outgoing.every((f) => f.masked === true)).toBe(true);
    expect(outgoing[1]).toMatchObject({ closeCode: 1000 });
  });

  it('shows RSV1 and a compressed length smaller than the message for a 10 KB compressible message', async () => {
    const server = await startServer({ perMessageDeflate: { threshold: 0 } });
    const text = 'wsprobe '.repeat(1280);
    const result = await runCli(['connect', server.url, '-vv', '--json', '-x', text, '-w', '0.3']);
    expect(result.code).toBe(0);
    const events = jsonLines(result.out);
    const outData = frames(events, 'out').find((f) => f.type === 'text')!;
    const inData = frames(events, 'in').find((f) => f.type === 'text')!;
    for (const f of [outData, inData]) {
      expect(f.rsv1).toBe(true);
      expect(f.fin).toBe(true);
      expect(f.length as number).toBeLessThan(text.length);
    }
    expect(outData.masked).toBe(true);
    expect(inData.masked).toBe(false);
    expect(events.find((e) => e.event === 'message' && e.dir === 'in')).toMatchObject({ size: text.length });
  });

  it('prints a compact line per frame in pretty mode, and no frames without -vv', async () => {
    const server = await startRawServer((peer) => {
      peer.accept();
      peer.write(textFrame('hi'));
    });
    const result = await runCli(['connect', server.url, '-vv', '--pretty', '--no-color', '--count', '1']);
    expect(result.out).toContain('  frame < text         FIN ---- ----        2 bytes\n< hi\n');
    const quiet = await runCli(['connect', server.url, '-v', '--json', '--count', '1']);
    expect(frames(jsonLines(quiet.out))).toEqual([]);
  });
});
