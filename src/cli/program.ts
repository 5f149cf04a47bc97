/** The command line: commands, options and help. Command modules are imported only when run. */
import { Command, Option } from 'commander';
import type { Env } from '../env.js';
import { addConnectCommand } from './connect-options.js';
import { choiceArg, increment, nonNegativeIntArg, separatorArg } from './parsers.js';
import { addServerCommands } from './server-options.js';

export interface OutputFlags {
  verbose: number;
  showPingPong: boolean;
  timestamps: boolean;
  pretty?: boolean;
  json: boolean;
  quiet: boolean;
  color: boolean;
  binaryOutput: 'raw' | 'hex' | 'base64';
  /** connect's `--summary`. */
  summary?: boolean;
  separator: string;
  maxDisplay: number;
  showSecrets: boolean;
  debug: boolean;
}

export const EXIT_CODE_HELP = `
Exit codes:
  0    session ended as intended (we closed cleanly, or the peer closed with 1000/1001/1005)
  1    internal error (a bug; run with --debug and please report it)
  2    usage error: bad option, URL, close code, hex/base64, unreadable file
  3    could not connect: DNS, refused, unreachable, connect timeout
  4    TLS failure
  5    WebSocket handshake rejected (non-101 answer) or invalid upgrade
  6    connection lost (1006) or protocol violation (1002, 1007, 1009, 1010)
  7    peer closed with another code (1011, 4xxx, ...)
  8    --expect not satisfied
  124  --timeout elapsed
  130  interrupted (Ctrl+C)`;

export function addOutputOptions(cmd: Command): Command {
  return cmd
    .option('-v, --verbose', 'show the handshake (-v); repeat for more', increment, 0)
    .option('-P, --show-ping-pong', 'show ping and pong frames', false)
    .option('-t, --timestamps', 'prefix each line with the time', false)
    .option('--pretty', 'coloured session log even when stdout is not a terminal')
    .option('--json', 'one JSON event per line (NDJSON) on stdout', false)
    .option('-q, --quiet', 'no status lines, only payloads and errors', false)
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .addOption(
      new Option('--binary-output <how>', 'binary messages in pipe mode: raw, hex or base64')
        .argParser(choiceArg(['raw', 'hex', 'base64'] as const))
        .default('raw'),
    )
    .option(
      '--separator <text>',
      'written after each message in pipe mode (\\n, \\0, \\t understood)',
      separatorArg,
      '\n',
    )
    .option('--max-display <bytes>', 'bytes of a binary message shown as a hex dump', nonNegativeIntArg, 256)
    .option('--show-secrets', 'show Authorization/Cookie header values instead of masking them', false)
    .option('--debug', 'print stack traces of internal errors', false);
}

export function buildProgram(env: Env, version: string, setExit: (code: number) => void): Command {
  const program = new Command('wsprobe')
    .description('A WebSocket debugging tool: connect, listen, echo.')
    .version(version, '-V, --version')
    .configureOutput({
      writeOut: (s) => env.stdout.write(s),
      writeErr: (s) => env.stderr.write(s),
      // One line: "wsprobe: <what>: <why> (see --help)".
      outputError: (s, write) => write(`wsprobe: ${s.trim().replace(/^error: /, '')} (see wsprobe --help)\n`),
    })
    .exitOverride()
    .addHelpText('after', EXIT_CODE_HELP);

  addConnectCommand(program, env, setExit);
  addServerCommands(program, env, setExit);
  return program;
}
