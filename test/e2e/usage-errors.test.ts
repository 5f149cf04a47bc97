/**
 * Every usage error is one line (issue 14, item 3): `wsprobe: <option> <value>: <rule> (see wsprobe
 * <command> --help)`, exit 2, no stack trace, no help dumped — for bad values, unknown options,
 * missing values, conflicting options, options that need another, and files that cannot be read.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, runCli } from './support/cli.js';

/** Nothing listens here: a usage error must come before any attempt to connect. */
const URL = 'ws://127.0.0.1:9/';
const dir = mkdtempSync(join(tmpdir(), 'wsprobe-usage-'));
const secret = join(dir, 'secret.pem');

beforeAll(() => {
  writeFileSync(secret, 'x');
  chmodSync(secret, 0o000);
});

/** [what, argv, command whose help is named, text the line must contain] */
const ROWS: Array<[string, string[], string, string]> = [
  [
    'a close code out of range',
    ['connect', URL, '--close-code', '999'],
    'connect',
    '--close-code: invalid close code 999',
  ],
  [
    'a close code that is not a number',
    ['connect', URL, '--close-code', 'abc'],
    'connect',
    '--close-code: invalid close code "abc"',
  ],
  ['a close reason too long', ['connect', URL, '--close-reason', 'x'.repeat(200)], 'connect', '--close-reason '],
  ['an unknown option', ['connect', URL, '--frobnicate'], 'connect', "unknown option '--frobnicate'"],
  ['a misspelt option', ['connect', URL, '--jsno'], 'connect', "unknown option '--jsno' (did you mean --json?)"],
  ['an option without its value', ['connect', URL, '--close-code'], 'connect', '--close-code needs a value (<code>)'],
  ['seconds that are not a number', ['connect', URL, '-w', 'soon'], 'connect', '--wait: expected a number of seconds'],
  ['a count of 0', ['connect', URL, '--count', '0'], 'connect', '--count: expected a whole number >= 1'],
  ['bad hex', ['connect', URL, '--send-hex', 'zz'], 'connect', '--send-hex zz: invalid hex'],
  ['bad base64', ['connect', URL, '--send-base64', '%%%'], 'connect', '--send-base64 %%%: invalid base64'],
  ['a malformed header', ['connect', URL, '-H', 'no-colon'], 'connect', '--header: invalid header "no-colon"'],
  [
    'an --input that is not a choice',
    ['connect', URL, '--input', 'utf16'],
    'connect',
    '--input: expected one of text, hex, base64',
  ],
  ['too many arguments', ['connect', URL, 'extra'], 'connect', 'too many arguments for connect'],
  [
    '--pretty with --json',
    ['connect', URL, '--pretty', '--json'],
    'connect',
    '--pretty cannot be used with --json: choose one output mode',
  ],
  ['--raw with --input', ['connect', URL, '--raw', '--input', 'hex'], 'connect', '--raw cannot be used with --input'],
  ['--no-stdin with --raw', ['connect', URL, '--no-stdin', '--raw'], 'connect', '--no-stdin cannot be used with --raw'],
  [
    '--keep-open with --wait',
    ['connect', URL, '--keep-open', '-w', '2'],
    'connect',
    '--keep-open cannot be used with --wait',
  ],
  [
    '--json with --separator',
    ['connect', URL, '--json', '--separator', ','],
    'connect',
    '--json cannot be used with --separator',
  ],
  ['--key without --cert', ['connect', URL, '--key', '/dev/null'], 'connect', '--key needs --cert'],
  [
    '--ping-timeout without --ping-interval',
    ['connect', URL, '--ping-timeout', '2'],
    'connect',
    '--ping-timeout needs --ping-interval',
  ],
  ['--chunk-size without --raw', ['connect', URL, '--chunk-size', '10'], 'connect', '--chunk-size needs --raw'],
  [
    'a missing --send-file',
    ['connect', URL, '--send-file', join(dir, 'nope')],
    'connect',
    `--send-file: cannot read ${join(dir, 'nope')}: no such file (ENOENT)`,
  ],
  [
    'a directory as --send-file',
    ['connect', URL, '--send-file', dir],
    'connect',
    `--send-file: cannot read ${dir}: it is a directory`,
  ],
  [
    'a missing --send-text-file',
    ['connect', URL, '--send-text-file', join(dir, 'nope')],
    'connect',
    '--send-text-file: cannot read',
  ],
  ['a missing --ca', ['connect', URL, '--ca', join(dir, 'ca.pem')], 'connect', '--ca: cannot read'],
  [
    'a size that is not one',
    ['connect', URL, '--max-payload', 'lots'],
    'connect',
    '--max-payload: expected a size in bytes',
  ],
  ['a port out of range', ['listen', '99999'], 'listen', 'port: expected a port number 0-65535'],
  ['--max-clients 0', ['listen', '0', '--max-clients', '0'], 'listen', '--max-clients: expected a whole number >= 1'],
  ['--auth without a password', ['listen', '0', '--auth', 'ada'], 'listen', '--auth: expected user:password'],
  ['an unknown option of echo', ['echo', '0', '--frobnicate'], 'echo', "unknown option '--frobnicate'"],
  ['echo --cert without --key', ['echo', '0', '--cert', '/dev/null'], 'echo', '--cert and --key go together'],
  ['a missing echo --key', ['echo', '0', '--key', join(dir, 'key.pem')], 'echo', '--key: cannot read'],
  ['--delay that is not a number', ['echo', '0', '--delay', 'x'], 'echo', '--delay: expected a whole number >= 0'],
  [
    '--pretty with --json, for a server',
    ['echo', '0', '--pretty', '--json'],
    'echo',
    '--pretty cannot be used with --json',
  ],
];

// Root reads every file: the permission row only means something for other users.
if (process.getuid?.() !== 0) {
  ROWS.push([
    'an unreadable --cert',
    ['connect', URL, '--cert', secret, '--key', '/dev/null'],
    'connect',
    'permission denied (EACCES)',
  ]);
}

describe('a usage error is one line naming the option and the right help', () => {
  it.each(ROWS)('%s', async (_, args, command, text) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(hasStackTrace(r.stderr)).toBe(false);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^wsprobe: /);
    expect(lines[0]).toContain(text);
    expect(lines[0]).toMatch(new RegExp(`\\(see wsprobe ${command} --help\\)$`));
    // commander's own wording is gone.
    expect(lines[0]).not.toMatch(/argument '.*' is invalid|Did you mean|option '.* <\w+>'/);
    expect(r.out).not.toContain('Usage:');
  });

  it('there are at least 20 of them', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(20);
  });
});
