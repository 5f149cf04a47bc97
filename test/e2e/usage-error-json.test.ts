/**
 * The diagnostics gap of a usage error under --json (issue 13, item 13): a program reading the NDJSON
 * stream got nothing at all. Now stdout carries an `error` event of kind usage and a `summary` with
 * exitCode 2, and stderr keeps its one line — whether commander refused the command line or the command
 * refused a value afterwards, and wherever --json stands on the line.
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './support/cli.js';

describe('a usage error under --json writes an error event and a summary', () => {
  it.each([
    ['an unknown option', ['connect', 'ws://127.0.0.1:1/', '--frobnicate', '--json'], "unknown option '--frobnicate'"],
    [
      'an invalid close code, --json after it',
      ['connect', 'ws://127.0.0.1:1/', '--close-code', '5', '--json'],
      'invalid close code 5',
    ],
    [
      'an invalid close code, --json before it',
      ['connect', '--json', 'ws://127.0.0.1:1/', '--close-code', '5'],
      'invalid close code 5',
    ],
    ['a missing URL', ['connect', '--json'], "missing required argument 'url'"],
    ['an unsupported URL scheme', ['connect', 'ftp://example.org', '--json'], 'unsupported URL scheme "ftp"'],
    [
      'an unreadable --send-file',
      ['connect', 'ws://127.0.0.1:1/', '--send-file', '/nonexistent/file', '--json'],
      'cannot read /nonexistent/file',
    ],
    ['--key without --cert', ['connect', 'ws://127.0.0.1:1/', '--key', '/dev/null', '--json'], '--key needs --cert'],
    ['a bad port for listen', ['listen', '99999', '--json'], 'expected a port number'],
    ['echo --cert without --key', ['echo', '0', '--cert', '/dev/null', '--json'], '--cert and --key go together'],
  ])('%s', async (_, args, what) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wsprobe: /);
    expect(lines[0]).toContain(what);
    const events = jsonLines(r.out);
    expect(events.map((e) => e.event)).toEqual(['error', 'summary']);
    expect(events[0]).toMatchObject({ kind: 'usage' });
    expect(events[0].message).toContain(what);
    expect(events[1]).toMatchObject({ exitCode: 2, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 });
    for (const e of events) expect(typeof e.time).toBe('string');
  });

  it('writes nothing on stdout without --json, and nothing for --help', async () => {
    const plain = await runCli(['connect', 'ws://127.0.0.1:1/', '--close-code', '5']);
    expect(plain.code).toBe(2);
    expect(plain.out).toBe('');
    const help = await runCli(['connect', '--help', '--json']);
    expect(help.code).toBe(0);
    expect(help.out).not.toContain('"event"');
  });

  it('a session error under --json still ends with one summary (not two)', async () => {
    const r = await runCli(['connect', 'ws://127.0.0.1:1/', '--no-stdin', '--json']);
    expect(r.code).toBe(3);
    expect(jsonLines(r.out).filter((e) => e.event === 'summary')).toHaveLength(1);
  });
});
