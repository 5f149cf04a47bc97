/**
 * Issue 13, item 2 — "connect has no message size limit": without --max-payload the option reached ws
 * as `undefined`, which ws reads as "no limit". A frame header announcing 1 GiB was accepted and waited
 * on; a permessage-deflate message of about 1 MiB on the wire inflated the client to gigabytes; a
 * message too large to render ended in "internal error … this is a bug". Now: 100 MiB by default,
 * refused from the frame header (or as soon as inflating passes it) with 1009, exit 6, one line; a
 * message too large to show is a named error, closed with 1009.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { hasStackTrace, jsonLines, startCli } from './support/cli.js';
import { frame, Opcode } from './support/frames.js';
import { watchPeakRss } from './support/memory.js';
import { type RawServer, startRawServer } from './support/raw-server.js';

const MiB = 1024 * 1024;

/**
 * A permessage-deflate payload (RFC 7692 §7.2.1: the trailing 00 00 ff ff removed) that inflates to
 * `inflatedMiB` MiB of zeros: 8 MiB compressed with a full flush (each piece starts afresh, so pieces
 * can follow each other), repeated.
 */
function deflateBomb(inflatedMiB: number): Buffer {
  const piece = deflateRawSync(Buffer.alloc(8 * MiB), { finishFlush: constants.Z_FULL_FLUSH, level: 9 });
  const all = Buffer.concat(Array.from({ length: inflatedMiB / 8 }, () => piece));
  return all.subarray(0, all.length - 4);
}

/** A server that accepts (offering `extensions`), sends `bytes`, and never answers our close frame. */
function hostile(bytes: () => Buffer, extensions?: string): Promise<RawServer> {
  return startRawServer(
    (peer) => {
      peer.accept({ extensions });
      peer.write(bytes());
    },
    { answerClose: false },
  );
}

describe('attack: no message size limit on connect', () => {
  it('a frame header announcing 1 GiB is refused from the header: 1009, exit 6, at once', async () => {
    const server = await hostile(() =>
      frame({ opcode: Opcode.Binary, payload: Buffer.alloc(1024, 7), claimedLength: 1n << 30n }),
    );
    const started = Date.now();
    const cli = startCli(['connect', server.url, '--no-stdin', '--keep-open']);
    const rss = watchPeakRss(cli.child.pid!);
    const close = await (await server.nextPeer()).waitForClose();
    const peakMiB = rss.stop();
    const result = await cli.result;
    expect(close.code).toBe(1009);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain(
      'wsprobe: protocol violation by the peer: Max payload size exceeded; closing with 1009',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(peakMiB).toBeLessThan(120);
  });

  it('a deflate bomb (1 GiB of zeros in about 1 MiB) is refused past 100 MiB: 1009, exit 6, bounded RSS', async () => {
    const bomb = deflateBomb(1024);
    expect(bomb.length).toBeLessThan(2 * MiB);
    const server = await hostile(
      () => frame({ opcode: Opcode.Binary, rsv1: true, payload: bomb }),
      'permessage-deflate; server_no_context_takeover; client_no_context_takeover',
    );
    const cli = startCli(['connect', server.url, '--no-stdin', '--keep-open', '--json']);
    const rss = watchPeakRss(cli.child.pid!);
    // The server does not answer our close: the client stays up for the close timeout, so the peak is
    // read while it still runs.
    const close = await (await server.nextPeer()).waitForClose();
    const peakMiB = rss.stop();
    const result = await cli.result;
    expect(close.code).toBe(1009);
    expect(result.code).toBe(6);
    const events = jsonLines(result.out);
    expect(events.filter((e) => e.event === 'message')).toEqual([]);
    expect(events.find((e) => e.event === 'error')).toMatchObject({
      kind: 'protocol',
      message: 'protocol violation by the peer: Max payload size exceeded; closing with 1009',
    });
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 6 });
    // 100 MiB inflated before the refusal, and Node itself: far from the gigabytes of the attack.
    expect(peakMiB).toBeLessThan(300);
  }, 60_000);

  it('--max-payload still sets the limit (1 KiB): a 2 KiB message is refused with 1009, exit 6', async () => {
    const server = await hostile(() => frame({ opcode: Opcode.Text, payload: 'x'.repeat(2048) }));
    const result = await startCli(['connect', server.url, '--no-stdin', '--keep-open', '--max-payload', '1024']).result;
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('Max payload size exceeded; closing with 1009');
    expect(server.peers[0].closes.map((c) => c.code)).toEqual([1009]);
  });

  it('a message too large to show in --json (90 MiB of control characters) is a named error: 1009, exit 6', async () => {
    // Under the 100 MiB limit, but each \x01 becomes \u0001 in JSON: 540 M characters, over V8's string limit.
    const server = await hostile(() => frame({ opcode: Opcode.Text, payload: Buffer.alloc(90 * MiB, 1) }));
    const cli = startCli(['connect', server.url, '--no-stdin', '--keep-open', '--json']);
    const rss = watchPeakRss(cli.child.pid!);
    const close = await (await server.nextPeer()).waitForClose();
    const peakMiB = rss.stop();
    const result = await cli.result;
    expect(close.code).toBe(1009);
    expect(result.code).toBe(6);
    expect(result.stderr).not.toContain('internal error');
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stderr).toContain(
      "wsprobe: message too large to show: a text message of 94371840 bytes exceeds JavaScript's string limit in this output mode; closing with 1009",
    );
    const events = jsonLines(result.out);
    expect(events.find((e) => e.event === 'error')).toMatchObject({ kind: 'protocol' });
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 6, messagesIn: 1 });
    // The attempt to build the JSON line itself costs up to V8's limit (~512 MiB); nothing beyond.
    expect(peakMiB).toBeLessThan(1200);
  }, 60_000);
});
