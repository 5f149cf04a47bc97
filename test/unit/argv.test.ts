/**
 * cli/argv.ts: the command line as typed → the one commander parses (issue 14, forgiving input), read
 * against the real program's option table. No sockets: what each row then does is test/seam/first-contact.
 */
import { describe, expect, it } from 'vitest';
import { type ArgvPlan, cliSpec, editDistance, nearest, normalizeArgv } from '../../src/cli/argv.js';
import { buildProgram, COMMANDS } from '../../src/cli/program.js';
import { fakeEnv } from '../seam/fake-env.js';

const spec = cliSpec(buildProgram(fakeEnv(), '0.0.0', () => {}));
const plan = (...argv: string[]): ArgvPlan => normalizeArgv(argv, spec);
const parsed = (...argv: string[]): ArgvPlan => ({ kind: 'parse', argv });
const U = 'ws://h:1/';

describe('normalizeArgv: words', () => {
  it.each<[string, string[], ArgvPlan]>([
    ['nothing: the usage', [], { kind: 'usage' }],
    ['a command as typed', ['connect', U, '-x', 'a'], parsed('connect', U, '-x', 'a')],
    ['an alias as typed', ['c', U], parsed('c', U)],
    ['a server command as typed', ['echo', '0', '-q'], parsed('echo', '0', '-q')],
    ['a URL means connect', [U, '-q'], parsed('connect', U, '-q')],
    ['host:port means connect', ['localhost:8080'], parsed('connect', 'localhost:8080')],
    ['a dotted host means connect', ['example.com'], parsed('connect', 'example.com')],
    ['localhost means connect', ['localhost'], parsed('connect', 'localhost')],
    ['a bare port means connect', ['9102'], parsed('connect', '9102')],
    [':port means connect', [':9102'], parsed('connect', ':9102')],
    ['a mistyped scheme goes to connect, which says why', ['ws:/h'], parsed('connect', 'ws:/h')],
    ['a scheme without its colon too', ['wss//h'], parsed('connect', 'wss//h')],
    ['version', ['version'], parsed('--version')],
    ['help', ['help'], parsed('--help')],
    ['help <command>', ['help', 'connect'], parsed('connect', '--help')],
    ['help <alias>', ['help', 'c'], parsed('c', '--help')],
    ['help help', ['help', 'help'], parsed('--help')],
    [
      'help <typo>',
      ['help', 'lisen'],
      { kind: 'error', message: 'unknown command "lisen"', hint: 'did you mean listen?' },
    ],
    ['a typo', ['echoo'], { kind: 'error', message: 'unknown command "echoo"', hint: 'did you mean echo?' }],
    [
      'a typo before a URL',
      ['conect', 'ws://x'],
      { kind: 'error', message: 'unknown command "conect"', hint: 'did you mean connect?' },
    ],
    ['a prefix', ['lis'], { kind: 'error', message: 'unknown command "lis"', hint: 'did you mean listen?' }],
    ['a transposition', ['ehco'], { kind: 'error', message: 'unknown command "ehco"', hint: 'did you mean echo?' }],
    ['versoin', ['versoin'], { kind: 'error', message: 'unknown command "versoin"', hint: 'did you mean version?' }],
    [
      'a word far from any command',
      ['frobnicate'],
      {
        kind: 'error',
        message: 'unknown command "frobnicate"',
        hint: 'the commands are connect, listen, echo, proxy, replay and mock; for a host named frobnicate, write ws://frobnicate',
      },
    ],
    [
      'a word that cannot be a host name',
      ['-'],
      {
        kind: 'error',
        message: 'unknown command "-"',
        hint: 'the commands are connect, listen, echo, proxy, replay and mock',
      },
    ],
    ['an explicit connect to a bare name is kept', ['connect', 'echoo'], parsed('connect', 'echoo')],
    ['after --, nothing is read', ['connect', '--', '-weird'], parsed('connect', '--', '-weird')],
  ])('%s', (_, argv, expected) => {
    expect(plan(...argv)).toEqual(expected);
  });
});

describe('normalizeArgv: options before the command go after it', () => {
  it.each<[string, string[], string[]]>([
    ['--json connect URL', ['--json', 'connect', U], ['connect', '--json', U]],
    ['-v URL', ['-v', U], ['connect', '-v', U]],
    ['-vv -P URL', ['-vvP', U], ['connect', '-v', '-v', '-P', U]],
    ['a value taken with its option', ['-H', 'X-A: 1', U], ['connect', '-H', 'X-A: 1', U]],
    ['a value attached', ['-xhello', U, '-x', 'b'], ['connect', '-xhello', U, '-x', 'b']],
    ['--name=value', ['--close-code=4000', 'connect', U], ['connect', '--close-code=4000', U]],
    ['a server option before listen', ['--json', 'listen', '0'], ['listen', '--json', '0']],
    ['--help before a command: its help', ['--help', 'connect'], ['connect', '--help']],
    ['an optional value that took none goes last', ['--reconnect', '-q', U], ['connect', '-q', U, '--reconnect']],
    ['an optional value taken', ['--reconnect', '3', U], ['connect', '--reconnect', '3', U]],
    ['an optional value never takes the command', ['--passphrase', 'connect', U], ['connect', U, '--passphrase']],
    ['an unknown option is left to commander', ['--frob', U], ['connect', '--frob', U]],
    ['-V before anything: the version', ['-V', '-v'], ['--version']],
    ['options only: as typed', ['--json'], ['--json']],
  ])('%s', (_, argv, expected) => {
    expect(plan(...argv)).toEqual({ kind: 'parse', argv: expected });
  });
});

describe('normalizeArgv: -w -1 means --keep-open', () => {
  it.each<[string[], string[]]>([
    [
      ['connect', U, '-w', '-1'],
      ['connect', U, '--keep-open'],
    ],
    [
      [U, '--wait', '-1'],
      ['connect', U, '--keep-open'],
    ],
    [
      [U, '--wait=-1'],
      ['connect', U, '--keep-open'],
    ],
    [
      [U, '-w-1'],
      ['connect', U, '--keep-open'],
    ],
    [
      ['-w', '-1', U],
      ['connect', '--keep-open', U],
    ],
    [
      [U, '-w', '2'],
      ['connect', U, '-w', '2'],
    ],
    // `-w` is the message here, and `-1` an option commander refuses.
    [
      [U, '-x', '-w', '-1'],
      ['connect', U, '-x', '-w', '-1'],
    ],
  ])('%j', (argv, expected) => {
    expect(plan(...argv)).toEqual({ kind: 'parse', argv: expected });
  });

  it('leaves a message "-1" alone', () => {
    expect(plan(U, '-x', '-1')).toEqual(parsed('connect', U, '-x', '-1'));
  });
});

describe("normalizeArgv: wscat's command lines", () => {
  it.each<[string, string[], string[]]>([
    ['-c URL', ['-c', U], ['connect', U]],
    ['--connect URL', ['--connect', U], ['connect', U]],
    ['--connect=URL', [`--connect=${U}`], ['connect', U]],
    ['-c URL -x msg: no stdin, 2 s', ['-c', U, '-x', 'hi'], ['connect', U, '-x', 'hi', '--no-stdin', '--wait', '2']],
    ['--execute', ['-c', U, '--execute', 'hi'], ['connect', U, '-x', 'hi', '--no-stdin', '--wait', '2']],
    ['-x with -w', ['-c', U, '-x', 'hi', '-w', '5'], ['connect', U, '-x', 'hi', '-w', '5', '--no-stdin']],
    ['-x with -w -1', ['-c', U, '-x', 'hi', '-w', '-1'], ['connect', U, '-x', 'hi', '--keep-open', '--no-stdin']],
    ['-w without -x', ['-c', U, '-w', '3'], ['connect', U, '-w', '3']],
    ['-n', ['-c', U, '-n'], ['connect', U, '-k']],
    ['--no-check', ['--no-check', '-c', U], ['connect', U, '-k']],
    ['--slash', ['-c', U, '--slash'], ['connect', U]],
    ['-P -L', ['-c', U, '-P', '-L'], ['connect', U, '-P', '-L']],
    ['-nP cluster', ['-c', U, '-nP'], ['connect', U, '-k', '-P']],
    [
      '-H -s -o',
      ['-c', U, '-H', 'X-A:1', '-s', 'chat', '-o', 'http://o'],
      ['connect', U, '-H', 'X-A:1', '-s', 'chat', '-o', 'http://o'],
    ],
    ['-p 8', ['-c', U, '-p', '8'], ['connect', U, '--protocol-version', '8']],
    ['--host', ['-c', U, '--host', 'example.org'], ['connect', U, '-H', 'Host: example.org']],
    [
      '--auth, --ca, --no-color',
      ['-c', U, '--auth', 'u:p', '--no-color'],
      ['connect', U, '--auth', 'u:p', '--no-color'],
    ],
    ['our own flags too', ['-c', U, '--json', '-q'], ['connect', U, '--json', '-q']],
    ['-c with a bare port', ['-c', '9102'], ['connect', '9102']],
    ['-l PORT', ['-l', '9102'], ['listen', '9102']],
    ['--listen PORT with -P and --slash', ['--listen', '9102', '-P', '--slash'], ['listen', '9102', '-P']],
    ['-l PORT --host', ['-l', '9102', '--host', '0.0.0.0'], ['listen', '9102', '--host', '0.0.0.0']],
  ])('%s', (_, argv, expected) => {
    expect(plan(...argv)).toEqual({ kind: 'parse', argv: expected });
  });

  it.each<[string[], string]>([
    [['-c', U, '-l', '1'], 'use either -c (connect) or -l (listen), not both'],
    [['-c'], 'option -c needs a URL: wsprobe -c ws://host'],
    [['-l'], 'option -l needs a port: wsprobe -l 8080'],
  ])('%j is a usage error', (argv, message) => {
    expect(plan(...argv)).toEqual({ kind: 'error', message });
  });

  it('only at the top level: after a command, -c is that command’s (unknown) option', () => {
    expect(plan('connect', U, '-c', 'x')).toEqual(parsed('connect', U, '-c', 'x'));
  });
});

describe('nearest / editDistance', () => {
  it.each([
    ['echo', 'echo', 0],
    ['echoo', 'echo', 1],
    ['ehco', 'echo', 1],
    ['conect', 'connect', 1],
    ['lsiten', 'listen', 1],
    ['', 'abc', 3],
  ])('%j → %j is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it.each([
    ['echoo', 'echo'],
    ['Connect', 'connect'],
    ['listn', 'listen'],
    ['connection', 'connect'],
    ['vers', 'version'],
    ['frobnicate', undefined],
    ['send', undefined],
  ])('%j → %j', (word, meant) => {
    expect(nearest(word, ['connect', 'listen', 'echo', 'help', 'version'])).toBe(meant);
  });
});

describe('a program built for the one command typed first', () => {
  it('COMMANDS names every command and alias of the whole program', () => {
    const program = buildProgram(fakeEnv(), '0.0.0', () => {});
    const names = program.commands.flatMap((c) => [c.name(), ...c.aliases()]).filter((n) => n !== 'help');
    expect(COMMANDS.flatMap((c) => c.names).sort()).toEqual(names.sort());
  });

  it('builds only that command (and its group), and reads the command line as the whole program does', () => {
    const whole = (argv: string[]) => normalizeArgv(argv, spec);
    const lean = (argv: string[]) => {
      const program = buildProgram(
        fakeEnv(),
        '0.0.0',
        () => {},
        () => argv,
        argv[0],
      );
      return {
        program,
        plan: normalizeArgv(
          argv,
          cliSpec(
            program,
            COMMANDS.flatMap((c) => c.names),
          ),
        ),
      };
    };
    for (const argv of [
      ['connect', U, '-x', 'a', '-w', '-1', '--reconnect', 'listen'],
      ['c', U, '-vP', '--count', '2'],
      ['listen', '0', '--reconnect', 'echo', '-q'],
      ['echo', '9001', '--delay', '5', '--exec', 'cat'],
      ['proxy', U, '8080', '--json'],
      ['replay', 'rec.ndjson', '--speed', 'max'],
      ['mock', 'rules.json', '0'],
      ['connect', U, '--no-such-option', 'x'],
    ]) {
      const { program, plan } = lean(argv);
      expect(plan, argv.join(' ')).toEqual(whole(argv));
      const built = program.commands.map((c) => c.name()).filter((n) => n !== 'help');
      const expected: Record<string, string[]> = {
        c: ['connect'],
        listen: ['listen', 'echo'],
        echo: ['listen', 'echo'],
        replay: ['connect', 'replay'],
      };
      expect(built, argv.join(' ')).toEqual(expected[argv[0]!] ?? [argv[0]]);
    }
  });
});
