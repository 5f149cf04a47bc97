import { describe, expect, it } from 'vitest';
import type { ErrorKind } from '../../src/errors.js';
import {
  clientExit,
  closeExitCode,
  errorExitCode,
  isSignalExitCode,
  onceExitCode,
  serverExit,
  signalExitCode,
} from '../../src/protocol/exit.js';
import { type Expectation, ExpectationList, parseExpectPattern } from '../../src/protocol/expect.js';
import type { ClosedBy, CloseInfo } from '../../src/protocol/outcome.js';

const closed = (by: ClosedBy, code: number, clean: boolean): CloseInfo => ({ code, reason: '', by, clean });

describe('closeExitCode (the client side)', () => {
  // [exit code, situation, closed by, close code, clean]
  it.each<[number, string, ClosedBy, number, boolean]>([
    [0, 'we closed and the close handshake completed', 'client', 1000, true],
    [0, 'we closed with 4000 and the close handshake completed', 'client', 4000, true],
    [6, 'we closed and the close handshake did not complete', 'client', 1000, false],
    [0, 'the peer closed with 1000', 'server', 1000, true],
    [0, 'the peer closed with 1001', 'server', 1001, true],
    [0, 'the peer closed with 1005 (no status)', 'server', 1005, true],
    [6, 'the connection was lost without a close frame', 'none', 1006, false],
    [6, 'the close was reported with 1006', 'server', 1006, false],
    [6, 'the peer closed with 1002 (protocol error)', 'server', 1002, true],
    [6, 'the peer closed with 1007 (invalid payload)', 'server', 1007, true],
    [6, 'the peer closed with 1009 (message too big)', 'server', 1009, true],
    [6, 'the peer closed with 1010 (mandatory extension)', 'server', 1010, true],
    [7, 'the peer closed with 1003', 'server', 1003, true],
    [7, 'the peer closed with 1008', 'server', 1008, true],
    [7, 'the peer closed with 1011', 'server', 1011, true],
    [7, 'the peer closed with 3000', 'server', 3000, true],
    [7, 'the peer closed with 4000', 'server', 4000, true],
    [7, 'the peer closed with 4999', 'server', 4999, true],
  ])('exits %i when %s', (exitCode, _, by, code, clean) => {
    expect(closeExitCode(closed(by, code, clean))).toBe(exitCode);
  });

  // [exit code, situation, closed by, close code, expected close code]
  it.each<[number, string, ClosedBy, number, number]>([
    [0, 'the peer closed with the expected 4000', 'server', 4000, 4000],
    [0, 'the peer closed with the expected 1011', 'server', 1011, 1011],
    [0, 'the peer closed with the expected 1000', 'server', 1000, 1000],
    [7, 'the peer closed with 1000 while 4000 was expected', 'server', 1000, 4000],
    [7, 'the peer closed with 4001 while 4000 was expected', 'server', 4001, 4000],
    [7, 'we closed while the peer was expected to close with 1000', 'client', 1000, 1000],
    [6, 'the connection was lost while 4000 was expected', 'none', 1006, 4000],
    [6, 'the connection was lost while 1000 was expected', 'none', 1006, 1000],
  ])('with --expect-close, exits %i when %s', (exitCode, _, by, code, expected) => {
    expect(closeExitCode(closed(by, code, by !== 'none'), 'client', expected)).toBe(exitCode);
  });

  it.each<[ErrorKind, number]>([
    ['usage', 2],
    ['connect', 3],
    ['tls', 4],
    ['handshake', 5],
    ['protocol', 6],
    ['lost', 6],
    ['expect', 8],
    ['timeout', 124],
    ['internal', 1],
  ])('exits a %s error with %i', (kind, exitCode) => {
    expect(errorExitCode(kind)).toBe(exitCode);
  });

  it.each([
    ['SIGHUP', 129],
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('exits a session stopped by %s with %i (128 + signal)', (signal, code) => {
    expect(signalExitCode(signal)).toBe(code);
    expect(isSignalExitCode(code)).toBe(true);
  });

  it.each([0, 1, 2, 6, 7, 124, 128, 131])('does not take exit %i for a signal', (code) => {
    expect(isSignalExitCode(code)).toBe(false);
  });
});

const pattern = (source: string): Expectation => {
  const parsed = parseExpectPattern(source);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe('clientExit', () => {
  const none = () => new ExpectationList([]);
  const end = { type: 'closed', close: closed('server', 1000, true) } as const;

  it('a signal wins over everything, even an expected close code', () => {
    expect(
      clientExit({ end, signal: 'SIGINT', badInput: true, expected: none(), recent: [], expectClose: 4000 }),
    ).toEqual({
      exitCode: 130,
    });
  });

  it('a bad input line makes a clean end a usage error', () => {
    expect(clientExit({ end, badInput: true, expected: none(), recent: [] }).exitCode).toBe(2);
  });

  it('an unmet --expect after the connection ended is 8, with the pattern and the last messages', () => {
    const expected = new ExpectationList([pattern('pong')]);
    const d = clientExit({ end, badInput: false, expected, recent: ['ping'] });
    expect(d.exitCode).toBe(8);
    expect(d.report).toBe('expectation not met: --expect "pong" (0 of 1 met); last messages received: "ping"');
  });

  it('an unmet --expect when time ran out is 124, explained', () => {
    const expected = new ExpectationList([pattern('x')]);
    const failed = { type: 'failed', failure: { kind: 'timeout', message: 'timed out after 1 s' } } as const;
    const d = clientExit({ end: failed, badInput: false, expected, recent: [] });
    expect(d).toEqual({
      exitCode: 124,
      report: 'expectation not met: --expect "x" (0 of 1 met); no text message received',
    });
  });

  it('--expect-close explains a different close', () => {
    const d = clientExit({ end, badInput: false, expected: none(), recent: [], expectClose: 4000 });
    expect(d).toEqual({ exitCode: 7, report: '--expect-close 4000: the server closed with 1000' });
  });

  it('a replay whose answers did not match is 9 when the session went well, and keeps a bad end its own code', () => {
    expect(clientExit({ end, badInput: false, expected: none(), recent: [], mismatch: true })).toEqual({ exitCode: 9 });
    const lost = { type: 'closed', close: closed('none', 1006, false) } as const;
    expect(clientExit({ end: lost, badInput: false, expected: none(), recent: [], mismatch: true }).exitCode).toBe(6);
    expect(
      clientExit({ end, signal: 'SIGTERM', badInput: false, expected: none(), recent: [], mismatch: true }).exitCode,
    ).toBe(143);
  });
});

describe('the server side', () => {
  it.each([
    [{ code: 1000, reason: '', by: 'client', clean: true }, 0],
    [{ code: 1001, reason: '', by: 'client', clean: true }, 0],
    [{ code: 1005, reason: '', by: 'client', clean: true }, 0],
    [{ code: 4000, reason: 'x', by: 'client', clean: true }, 7],
    [{ code: 1011, reason: '', by: 'client', clean: true }, 7],
    [{ code: 1002, reason: '', by: 'client', clean: true }, 6],
    [{ code: 1006, reason: '', by: 'none', clean: false }, 6],
    [{ code: 4002, reason: '', by: 'server', clean: true }, 0],
    [{ code: 1009, reason: '', by: 'server', clean: false }, 6],
  ] as const)('--once maps %j to %i', (close, code) => {
    expect(onceExitCode(close)).toBe(code);
    expect(closeExitCode(close, 'server')).toBe(code);
  });

  it.each([
    [{ type: 'signal', signal: 'SIGINT' }, 130],
    [{ type: 'signal', signal: 'SIGTERM' }, 143],
    [{ type: 'signal', signal: 'SIGHUP' }, 129],
    [{ type: 'quit' }, 0],
    [{ type: 'output-gone' }, 0],
    [{ type: 'failed', kind: 'connect' }, 3],
    [{ type: 'once', close: { code: 4000, reason: '', by: 'client', clean: true } }, 7],
  ] as const)('a run stopped by %j exits %i', (stop, code) => {
    expect(serverExit(stop)).toBe(code);
  });
});
