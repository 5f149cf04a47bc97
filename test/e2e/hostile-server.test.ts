/**
 * The client against misbehaving servers written on raw TCP (issue 8; RFC 6455 and the Autobahn
 * categories: handshake, framing, reserved bits and opcodes, control frames, UTF-8, close handling).
 * Each case runs the built CLI twice at once against the same server, once in pipe mode and once
 * with --json, and checks the exit code of SPEC "Exit codes", the one error line naming the
 * violation, the `error` event, the messages that arrived before the fault, the close code the
 * client sent (as the raw server received it), the absence of a stack trace and a bounded run time.
 */
import { describe, expect, it } from 'vitest';
import { type CliResult, hasStackTrace, jsonLines, runCli } from './support/cli.js';
import { closeFrame, frame, Opcode, textFrame } from './support/frames.js';
import { switchingProtocols } from './support/handshake.js';
import { type RawPeer, type RawPeerOptions, type RawServer, startRawServer } from './support/raw-server.js';

/** What the server sends after a valid handshake, before it breaks the protocol. */
const BEFORE = 'before the fault';
/** Each case must end well within this (the close timeout is 3 s). */
const BOUND_MS = 10_000;

interface Probe {
  pipe: CliResult;
  json: CliResult;
  events: Array<Record<string, unknown>>;
  ms: number;
  server: RawServer;
}

/**
 * Runs `wsprobe connect` in pipe mode and in --json mode at once against a raw server playing
 * `scenario` on each connection. `--timeout` turns a hang into a failing exit code (124) instead
 * of a test timeout.
 */
async function probe(
  scenario: (peer: RawPeer) => void | Promise<void>,
  args: string[] = ['--keep-open'],
  options: RawPeerOptions = {},
): Promise<Probe> {
  const server = await startRawServer(scenario, options);
  const common = ['connect', server.url, '-x', 'hello', '--no-stdin', '--timeout', '20', ...args];
  const started = Date.now();
  const [pipe, json] = await Promise.all([runCli(common), runCli([...common, '--json'])]);
  return { pipe, json, events: jsonLines(json.out), ms: Date.now() - started, server };
}

/** The close codes the client sent on each connection, read once every connection has ended. */
async function sentCloseCodes(server: RawServer): Promise<number[][]> {
  await Promise.all(server.peers.map((peer) => peer.ended));
  return server.peers.map((peer) => peer.closes.map((c) => c.code));
}

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('wsprobe: '));
}

interface Expected {
  exit: number;
  kind: 'handshake' | 'protocol' | 'lost';
  /** How the error line and the error event name the violation. */
  violation: RegExp;
  /** Text messages the client must have printed (received before the fault). */
  before: string[];
}

function expectReported(p: Probe, e: Expected): void {
  for (const run of [p.pipe, p.json]) {
    expect(run.code, run.stderr).toBe(e.exit);
    expect(run.signal).toBeNull();
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stderr).not.toContain('internal error');
  }
  // One line names the violation; in --json stderr holds nothing else.
  const lines = errorLines(p.pipe.stderr);
  expect(lines, p.pipe.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(e.violation);
  expect(p.json.stderr).toBe(`${lines[0]}\n`);
  const errors = p.events.filter((ev) => ev.event === 'error');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ kind: e.kind });
  expect(errors[0].message).toMatch(e.violation);
  expectReceived(p, e.before, e.exit);
  expect(p.ms).toBeLessThan(BOUND_MS);
}

/** Every message received before the end is printed: on stdout in a pipe, as events in --json. */
function expectReceived(p: Probe, before: string[], exit: number): void {
  expect(p.pipe.out).toBe(before.map((m) => `${m}\n`).join(''));
  const incoming = p.events.filter((ev) => ev.event === 'message' && ev.dir === 'in').map((ev) => ev.data);
  expect(incoming).toEqual(before);
  expect(p.events.at(-1)).toMatchObject({ event: 'summary', exitCode: exit, messagesIn: before.length });
}

/** A valid handshake and one good text message, then `bytes`. */
const afterHandshake =
  (...bytes: Buffer[]) =>
  (peer: RawPeer) => {
    peer.accept();
    peer.write(textFrame(BEFORE), ...bytes);
  };

describe('hostile server: the opening handshake', () => {
  it('handshake answered with 200 OK: exit 5, the status named, the body shown', async () => {
    const p = await probe((peer) =>
      peer.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nnot a ws!\r\n'),
    );
    expectReported(p, { exit: 5, kind: 'handshake', violation: /handshake rejected by ws:.*: 200 OK$/, before: [] });
    expect(p.pipe.stderr).toContain('< HTTP/1.1 200 OK');
    expect(p.pipe.stderr).toContain('not a ws!');
    expect(p.events.find((ev) => ev.event === 'response')).toMatchObject({ status: 200, body: 'not a ws!\r\n' });
  });

  it('garbage instead of an HTTP answer: exit 5, the parse error named', async () => {
    const p = await probe((peer) => peer.write(Buffer.from([0, 0xff]), 'garbage\r\n\r\n'));
    expectReported(p, {
      exit: 5,
      kind: 'handshake',
      violation: /invalid HTTP answer to the handshake from ws:.*: Parse Error/,
      before: [],
    });
  });

  it('a wrong Sec-WebSocket-Accept: exit 5 naming the header', async () => {
    const p = await probe((peer) => peer.accept({ accept: 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }));
    expectReported(p, {
      exit: 5,
      kind: 'handshake',
      violation: /invalid WebSocket upgrade from ws:.*: Invalid Sec-WebSocket-Accept header/,
      before: [],
    });
  });

  it('an unrequested subprotocol: exit 5 naming it', async () => {
    const p = await probe((peer) => peer.accept({ protocol: 'chat.v9' }));
    expectReported(p, {
      exit: 5,
      kind: 'handshake',
      violation: /invalid WebSocket upgrade .*: Server sent a subprotocol but none was requested/,
      before: [],
    });
  });

  it('a subprotocol other than the ones requested: exit 5 naming it', async () => {
    const p = await probe((peer) => peer.accept({ protocol: 'chat.v9' }), ['--keep-open', '-s', 'chat.v1']);
    expectReported(p, {
      exit: 5,
      kind: 'handshake',
      violation: /invalid WebSocket upgrade .*: Server sent an invalid subprotocol/,
      before: [],
    });
  });

  it('an unrequested extension: exit 5 naming it', async () => {
    const p = await probe((peer) => peer.accept({ extensions: 'x-webkit-frobnicate' }));
    expectReported(p, {
      exit: 5,
      kind: 'handshake',
      violation: /invalid WebSocket upgrade .*: Server indicated an extension that was not requested/,
      before: [],
    });
  });

  it('an extension when none was offered (--no-deflate): exit 5 naming it', async () => {
    const p = await probe((peer) => peer.accept({ extensions: 'permessage-deflate' }), ['--keep-open', '--no-deflate']);
    expectReported(p, {
      exit: 5,
      kind: 'handshake',
      violation:
        /invalid WebSocket upgrade .*: Server sent a Sec-WebSocket-Extensions header but no extension was requested/,
      before: [],
    });
  });

  it('the handshake and the first frame dripped byte by byte: a valid, slow server, exit 0 with a normal echo', async () => {
    const p = await probe(
      async (peer) => {
        // Each byte in its own TCP segment, a few ms apart.
        await peer.drip(Buffer.concat([Buffer.from(switchingProtocols(peer.request), 'latin1'), textFrame('slow')]), 2);
        const hello = await peer.nextFrame((f) => f.opcode === Opcode.Text);
        peer.write(textFrame(hello.payload));
      },
      ['--count', '2'],
    );
    for (const run of [p.pipe, p.json]) {
      expect(run.code, run.stderr).toBe(0);
      expect(errorLines(run.stderr)).toEqual([]);
    }
    expect(p.json.stderr).toBe('');
    expectReceived(p, ['slow', 'hello'], 0);
    expect(p.events.find((ev) => ev.event === 'close')).toMatchObject({ code: 1000, by: 'client', clean: true });
    expect(await sentCloseCodes(p.server)).toEqual([[1000], [1000]]);
    expect(p.ms).toBeLessThan(BOUND_MS);
  });
});

describe('hostile server: frames after a valid handshake', () => {
  it.each([
    ['a reserved data opcode (3)', 3],
    ['a reserved control opcode (0xB)', 0xb],
  ])('%s: exit 6, closes with 1002', async (_name, opcode) => {
    const p = await probe(afterHandshake(frame({ opcode, payload: 'x' })));
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: new RegExp(`protocol violation by the peer: .*invalid opcode ${opcode}; closing with 1002`),
      before: [BEFORE],
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1002], [1002]]);
  });

  it.each([
    ['RSV1 set without a negotiated extension', { rsv1: true }, 'RSV1'],
    ['RSV2 set', { rsv2: true }, 'RSV2 and RSV3'],
    ['RSV3 set', { rsv3: true }, 'RSV2 and RSV3'],
  ])('%s: exit 6, closes with 1002', async (_name, bits, named) => {
    const p = await probe(afterHandshake(frame({ opcode: Opcode.Text, payload: 'x', ...bits })));
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: new RegExp(`protocol violation by the peer: .*${named} must be clear; closing with 1002`),
      before: [BEFORE],
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1002], [1002]]);
  });

  it('a masked server frame: exit 6, closes with 1002', async () => {
    const p = await probe(
      afterHandshake(frame({ opcode: Opcode.Text, payload: 'masked', mask: Buffer.from([1, 2, 3, 4]) })),
    );
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: /protocol violation by the peer: .*MASK must be clear; closing with 1002/,
      before: [BEFORE],
    });
    // The close shown is the one we sent, not ws's 1006 for an answer it no longer reads.
    expect(p.events.find((ev) => ev.event === 'close')).toMatchObject({ code: 1002, by: 'client' });
    expect(await sentCloseCodes(p.server)).toEqual([[1002], [1002]]);
  });

  it('a fragmented control frame (ping without FIN): exit 6, closes with 1002', async () => {
    const p = await probe(afterHandshake(frame({ opcode: Opcode.Ping, fin: false, payload: 'frag' })));
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: /protocol violation by the peer: .*FIN must be set; closing with 1002/,
      before: [BEFORE],
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1002], [1002]]);
  });

  it.each([
    ['ping', Opcode.Ping],
    ['pong', Opcode.Pong],
  ])('an oversized (126-byte) control frame (%s): exit 6, closes with 1002', async (_name, opcode) => {
    const p = await probe(afterHandshake(frame({ opcode, payload: Buffer.alloc(126, 0x61) })));
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: /protocol violation by the peer: .*invalid payload length 126; closing with 1002/,
      before: [BEFORE],
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1002], [1002]]);
  });

  it.each([
    ['in one frame', [textFrame(Buffer.from([0x6f, 0x6b, 0xc3, 0x28]))]],
    [
      'in the continuation of a fragmented message',
      [
        frame({ opcode: Opcode.Text, fin: false, payload: 'ok ' }),
        frame({ opcode: Opcode.Continuation, payload: Buffer.from([0xed, 0xa0, 0x80]) }),
      ],
    ],
  ])('invalid UTF-8 in a text message (%s): exit 6, closes with 1007', async (_name, frames) => {
    const p = await probe(afterHandshake(...frames));
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: /protocol violation by the peer: .*invalid UTF-8 sequence; closing with 1007/,
      before: [BEFORE],
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1007], [1007]]);
  });
});

describe('hostile server: the closing handshake', () => {
  it.each([999, 1005, 1006, 5000])('a close frame with the invalid code %i: exit 6, closes with 1002', async (code) => {
    const p = await probe(afterHandshake(closeFrame(code, 'bad')));
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: new RegExp(`protocol violation by the peer: .*invalid status code ${code}; closing with 1002`),
      before: [BEFORE],
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1002], [1002]]);
  });

  it('a close frame with a 1-byte payload: exit 6, closes with 1002', async () => {
    const p = await probe(afterHandshake(frame({ opcode: Opcode.Close, payload: Buffer.from([0x03]) })));
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: /protocol violation by the peer: .*invalid payload length 1; closing with 1002/,
      before: [BEFORE],
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1002], [1002]]);
  });

  it('a close reason that is not UTF-8: exit 6, closes with 1007', async () => {
    const payload = Buffer.from([0x03, 0xe8, 0xff, 0xfe]);
    const p = await probe(afterHandshake(frame({ opcode: Opcode.Close, payload })));
    expectReported(p, {
      exit: 6,
      kind: 'protocol',
      violation: /protocol violation by the peer: .*invalid UTF-8 sequence; closing with 1007/,
      before: [BEFORE],
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1007], [1007]]);
  });

  it('data frames after the close frame: discarded unseen (RFC 6455 §1.4), exit by the close code', async () => {
    // After its close frame the server sends a text message and a ping, then waits for our answer.
    const p = await probe(
      async (peer) => {
        afterHandshake(closeFrame(1000, 'bye'), textFrame('after the close'), frame({ opcode: Opcode.Ping }))(peer);
        await peer.waitForClose();
        peer.socket.end();
      },
      ['--keep-open'],
      { answerClose: false },
    );
    for (const run of [p.pipe, p.json]) {
      expect(run.code, run.stderr).toBe(0);
      expect(hasStackTrace(run.stderr)).toBe(false);
    }
    // Nothing after the close frame is shown or counted.
    expectReceived(p, [BEFORE], 0);
    expect(p.pipe.stderr).not.toContain('after the close');
    expect(p.events.some((ev) => ev.event === 'ping')).toBe(false);
    expect(p.events.find((ev) => ev.event === 'close')).toMatchObject({
      code: 1000,
      reason: 'bye',
      by: 'server',
      clean: true,
    });
    expect(await sentCloseCodes(p.server)).toEqual([[1000], [1000]]);
    expect(p.ms).toBeLessThan(BOUND_MS);
  });

  it('a server that never answers our close: dropped after the 3 s close timeout, exit 6', async () => {
    const p = await probe(afterHandshake(), ['--count', '1'], { answerClose: false });
    for (const run of [p.pipe, p.json]) {
      expect(run.code, run.stderr).toBe(6);
      expect(hasStackTrace(run.stderr)).toBe(false);
    }
    expectReceived(p, [BEFORE], 6);
    expect(p.pipe.stderr).not.toContain('closed 1006');
    expect(p.events.find((ev) => ev.event === 'close')).toMatchObject({ code: 1006, by: 'client', clean: false });
    // One line says why.
    expect(errorLines(p.pipe.stderr)).toEqual([
      'wsprobe: connection lost: the server did not answer our close frame within 3 s',
    ]);
    expect(p.events.filter((ev) => ev.event === 'error')).toEqual([expect.objectContaining({ kind: 'lost' })]);
    expect(await sentCloseCodes(p.server)).toEqual([[1000], [1000]]);
    // It waited for the answer (the close timeout), and not much longer.
    expect(p.ms).toBeGreaterThanOrEqual(2900);
    expect(p.ms).toBeLessThan(BOUND_MS);
  });

  /** After the client's close frame: a message every 400 ms, `count` of them (forever: Infinity), then its answer. */
  const talksAfterClose = (count: number) => async (peer: RawPeer) => {
    peer.accept();
    peer.write(textFrame(BEFORE));
    const close = await peer.waitForClose();
    for (let i = 1; i <= count && !peer.socket.destroyed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      if (!peer.socket.destroyed) peer.write(textFrame(`still working ${i}`));
    }
    if (!peer.socket.destroyed) peer.socket.end(closeFrame(close.code));
  };

  it('a server still sending after our close (5 s, never silent for 3 s) is waited for: clean close, exit 0', async () => {
    const p = await probe(talksAfterClose(12), ['--count', '1'], { answerClose: false });
    for (const run of [p.pipe, p.json]) expect(run.code, run.stderr).toBe(0);
    expect(p.events.find((ev) => ev.event === 'close')).toMatchObject({ code: 1000, by: 'client', clean: true });
    expect(p.pipe.stderr).not.toContain('connection lost');
    expect(await sentCloseCodes(p.server)).toEqual([[1000], [1000]]);
    // It outlived the 3 s close timeout: the silence restarted with each message.
    expect(p.ms).toBeGreaterThanOrEqual(4500);
  });

  it('a server that keeps sending and never answers our close: dropped after 30 s in all, exit 6', async () => {
    const p = await probe(talksAfterClose(Number.POSITIVE_INFINITY), ['--count', '1', '--timeout', '60'], {
      answerClose: false,
    });
    for (const run of [p.pipe, p.json]) {
      expect(run.code, run.stderr).toBe(6);
      expect(hasStackTrace(run.stderr)).toBe(false);
    }
    expect(errorLines(p.pipe.stderr)).toEqual([
      'wsprobe: connection lost: the server kept sending for 30 s but did not answer our close frame',
    ]);
    expect(p.events.find((ev) => ev.event === 'close')).toMatchObject({ code: 1006, by: 'client', clean: false });
    expect(p.ms).toBeGreaterThanOrEqual(29_000);
  }, 60_000);

  it('a server that resets the connection mid-message: exit 6, connection lost, what came before printed', async () => {
    const p = await probe(async (peer) => {
      peer.accept();
      // The first fragment of a message, then a ping: its pong proves the client has read all of it.
      peer.write(
        textFrame(BEFORE),
        frame({ opcode: Opcode.Text, fin: false, payload: 'first half, ' }),
        frame({ opcode: Opcode.Ping, payload: 'sync' }),
      );
      await peer.nextFrame((f) => f.opcode === Opcode.Pong);
      // The start of the next fragment's header and payload, then RST.
      peer.write(frame({ opcode: Opcode.Continuation, payload: 'second half'.repeat(20) }).subarray(0, 10));
      peer.socket.resetAndDestroy();
    });
    for (const run of [p.pipe, p.json]) {
      expect(run.code, run.stderr).toBe(6);
      expect(hasStackTrace(run.stderr)).toBe(false);
      expect(run.stderr).not.toContain('internal error');
    }
    expectReceived(p, [BEFORE], 6);
    // The loss is told once, by its error line (the json stream keeps its close event).
    expect(p.pipe.stderr).not.toContain('1006');
    expect(p.events.find((ev) => ev.event === 'close')).toMatchObject({ code: 1006, by: 'none', clean: false });
    expect(errorLines(p.pipe.stderr)).toEqual([
      'wsprobe: connection lost: the connection closed without a close frame',
    ]);
    expect(p.events.filter((ev) => ev.event === 'error')).toEqual([expect.objectContaining({ kind: 'lost' })]);
    expect(await sentCloseCodes(p.server)).toEqual([[], []]);
    expect(p.ms).toBeLessThan(BOUND_MS);
  });
});
