/**
 * Help a person can read (issue 14, item 3): `wsprobe --help` (and `wsprobe` alone) lists the three
 * commands with an example each; each command's help groups its options under headings, ends with
 * examples, its slash commands (from the one table, protocol/slash.ts), its exit codes and where the
 * full reference is.
 */
import { describe, expect, it } from 'vitest';
import { commandsFor } from '../../src/protocol/slash.js';
import { runCli } from './support/cli.js';

/** The headings of a help text: lines like "Connection:" at the start of a line. */
function headings(help: string): string[] {
  return help
    .split('\n')
    .filter((line) => /^[A-Z][\w &.]*(?: \([^)]*\))?:$/.test(line))
    .map((line) => line.replace(/ \(.*\)/, ''));
}

describe('wsprobe --help', () => {
  it('lists the three commands, one example each, and where to read more', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}connect\|c .*open a client connection/m);
    expect(r.out).toMatch(/^ {2}listen .*run a server/m);
    expect(r.out).toMatch(/^ {2}echo .*run an echo server/m);
    for (const example of ['wsprobe connect wss://', 'wsprobe listen 8080', 'wsprobe echo 0']) {
      expect(r.out).toContain(`\n  ${example}`);
    }
    expect(r.out).toContain('Run `wsprobe <command> --help` for its options');
    expect(r.out).toContain('docs/');
  });

  it('is what `wsprobe` alone shows, on stderr, with exit 2', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Run `wsprobe <command> --help` for its options');
    expect(r.stderr).toMatch(/^ {2}listen /m);
  });
});

describe('connect --help', () => {
  it('groups the options under headings, in order', async () => {
    const r = await runCli(['connect', '--help']);
    expect(r.code).toBe(0);
    expect(headings(r.out)).toEqual([
      'Arguments:',
      'Connection:',
      'Input:',
      'Ending the session:',
      'CI checks:',
      'Output:',
      'TLS:',
      'Proxy:',
      'Keepalive & limits:',
      'Program:',
      'Socket.IO:',
      'Other:',
      'Examples:',
      'Slash commands:',
      'Exit codes:',
    ]);
    // No option is left in commander's flat "Options:" list.
    expect(r.out).not.toMatch(/^Options:$/m);
    const section = (title: string) => r.out.split(`\n${title}\n`)[1].split('\n\n')[0];
    expect(section('TLS:')).toMatch(/--ca <file>/);
    expect(section('Input:')).toMatch(/--send-text-file <path>/);
    expect(section('CI checks:')).toMatch(/--expect <pattern>/);
    expect(section('Socket.IO:')).toMatch(/--expect-event <name>/);
    expect(section('Keepalive & limits:')).toMatch(/--max-payload <bytes> .*\n.*\n.*\(default: 100 MiB\)/);
    // Switches do not say "(default: false)".
    expect(r.out).not.toContain('(default: false)');
  });

  it('ends with examples, the client slash commands, exit codes and the reference', async () => {
    const r = await runCli(['connect', '--help']);
    expect(r.out).toContain('\n  wsprobe connect ws://svc/health -x ping --expect pong --timeout 5\n');
    const slash = r.out.split('\nSlash commands')[1].split('\n\n')[0];
    for (const spec of commandsFor('client')) expect(slash).toContain(`  ${spec.usage}`);
    expect(slash).not.toContain('/clients');
    expect(r.out).toContain('  8    --expect not satisfied');
    expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/^Reference: docs\/connect\.md in the wsprobe package/);
  });

  it('is the same for the alias and `wsprobe help connect`', async () => {
    const [full, alias, help] = await Promise.all([
      runCli(['connect', '--help']),
      runCli(['c', '-h']),
      runCli(['help', 'connect']),
    ]);
    expect(alias.out).toBe(full.out);
    expect(help.out).toBe(full.out);
  });
});

describe('listen --help and echo --help', () => {
  it('listen: server headings, its slash commands (/to, /clients) and docs/listen.md', async () => {
    const r = await runCli(['listen', '--help']);
    expect(r.code).toBe(0);
    expect(headings(r.out)).toEqual([
      'Arguments:',
      'Server access:',
      'Clients:',
      'Input:',
      'Program:',
      'Output:',
      'TLS:',
      'Keepalive & limits:',
      'Other:',
      'Examples:',
      'Slash commands:',
      'Exit codes:',
    ]);
    expect(r.out).toMatch(/^Clients:\n(?:.*\n)*? {2}--broadcast /m);
    const slash = r.out.split('\nSlash commands')[1].split('\n\n')[0];
    for (const spec of commandsFor('server')) expect(slash).toContain(`  ${spec.usage}`);
    expect(r.out).toContain('\n  wsprobe listen 8080 --broadcast --console\n');
    expect(r.out).toContain('Reference: docs/listen.md');
  });

  it('echo: no prompt, so no slash commands and no /quit', async () => {
    const r = await runCli(['echo', '--help']);
    expect(r.code).toBe(0);
    expect(headings(r.out)).toEqual([
      'Arguments:',
      'Server access:',
      'Clients:',
      'Output:',
      'TLS:',
      'Keepalive & limits:',
      'Other:',
      'Examples:',
      'Exit codes:',
    ]);
    expect(r.out).toMatch(/^Clients:\n(?:.*\n)*? {2}--delay <ms> /m);
    expect(r.out).not.toContain('/quit');
    expect(r.out).not.toContain('Slash commands');
    expect(r.out).not.toContain('--no-stdin');
    expect(r.out).toContain('\n  wsprobe echo 8080\n');
    expect(r.out).toContain('Reference: docs/echo.md');
  });
});
