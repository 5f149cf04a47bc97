import { describe, expect, it } from 'vitest';
import type { ErrorKind } from '../../src/errors.js';
import { type ClosedBy, exitCodeFor } from '../../src/protocol/outcome.js';

const closed = (by: ClosedBy, code: number, clean: boolean) =>
  ({ type: 'closed', close: { code, reason: '', by, clean } }) as const;

describe('exitCodeFor', () => {
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
    expect(exitCodeFor(closed(by, code, clean))).toBe(exitCode);
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
    expect(exitCodeFor(closed(by, code, by !== 'none'), expected)).toBe(exitCode);
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
    expect(exitCodeFor({ type: 'error', kind })).toBe(exitCode);
  });

  it('exits an interrupted session with 130', () => {
    expect(exitCodeFor({ type: 'interrupted' })).toBe(130);
  });

  it('exits an interrupted session with 130 even when a close code was expected', () => {
    expect(exitCodeFor({ type: 'interrupted' }, 1000)).toBe(130);
  });
});
