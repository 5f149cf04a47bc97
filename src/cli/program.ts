/** The command line: commands, options and help. Command modules are imported only when run. */
import { Command, Option } from 'commander';
import type { Env } from '../env.js';
import {
  choiceArg,
  closeCodeArg,
  closeReasonArg,
  collect,
  headerArg,
  increment,
  nonNegativeIntArg,
  positiveIntArg,
  positiveSecondsArg,
  type SendItem,
  secondsArg,
  sendParsers,
  separatorArg,
} from './parsers.js';

export interface OutputFlags {
  verbose: number;
  showPingPong: boolean;
  timestamps: boolean;
  pretty?: boolean;
  json: boolean;
  quiet: boolean;
  color: boolean;
  binaryOutput: 'raw' | 'hex' | 'base64';
  separator: string;
  maxDisplay: number;
  showSecrets: boolean;
  debug: boolean;
}

export interface ConnectFlags extends OutputFlags {
  input: 'text' | 'hex' | 'base64';
  raw: boolean;
  chunkSize: number;
  send?: SendItem[];
  stdin: boolean;
  wait: number;
  keepOpen: boolean;
  count?: number;
  timeout?: number;
  closeCode: number;
  closeReason: string;
  connectTimeout: number;
  header?: Array<[string, string]>;
  subprotocol?: string[];
  origin?: string;
  deflate: boolean;
  maxPayload?: number;
  auth?: string;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string | true;
  insecure: boolean;
  history: boolean;
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

function addOutputOptions(cmd: Command): Command {
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

export type CommandRunner = (flags: ConnectFlags, url: string, env: Env) => Promise<number>;

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

  const sends: SendItem[] = [];
  const send = sendParsers(sends);
  const connect = program
    .command('connect', { isDefault: true })
    .alias('c')
    .description('open a client connection (also: wsprobe <url>)')
    .argument('<url>', 'ws://, wss://, http(s):// (mapped to ws(s)://), host:port, ws+unix:///sock:/path');
  addOutputOptions(connect)
    .option('-x, --send <text>', 'send a text message after open (repeatable, in order)', send.text)
    .option('--send-hex <hex>', 'send a binary message given in hex (repeatable)', send.hex)
    .option('--send-base64 <b64>', 'send a binary message given in base64 (repeatable)', send.base64)
    .option('--send-file <path>', "send a file's bytes as one binary message (repeatable)", send.file)
    .option('--no-stdin', 'do not read stdin (cron, nohup, background jobs)')
    .addOption(
      new Option('--input <how>', 'piped lines are text, or hex/base64 decoded to binary')
        .argParser(choiceArg(['text', 'hex', 'base64'] as const))
        .default('text'),
    )
    .option('--raw', 'send stdin as a byte stream of binary messages (see --chunk-size)', false)
    .option('--chunk-size <bytes>', 'largest binary message made from stdin with --raw', positiveIntArg, 65536)
    .option('-w, --wait <seconds>', 'after input ends, close when nothing arrived for this long', secondsArg, 1)
    .option('--keep-open', 'after input ends, wait for the server to close', false)
    .option('--count <n>', 'close after receiving n messages', positiveIntArg)
    .option('--timeout <seconds>', 'give up after this long in all (exit 124)', positiveSecondsArg)
    .option('--close-code <code>', 'close code we send (1000-1003, 1007-1014, 3000-4999)', closeCodeArg, 1000)
    .option('--close-reason <text>', 'close reason we send (at most 123 bytes)', closeReasonArg, '')
    .option('--connect-timeout <seconds>', 'limit for TCP connect and the WebSocket handshake', positiveSecondsArg, 30)
    .option('-H, --header <header>', 'extra request header "Name: value" (repeatable)', headerArg)
    .option('-s, --subprotocol <protocol>', 'offer a subprotocol (repeatable)', collect)
    .option('-o, --origin <origin>', 'Origin header')
    .option('--no-deflate', 'do not offer permessage-deflate')
    .option('--max-payload <bytes>', 'largest incoming message accepted (larger: close 1009)', positiveIntArg)
    .option('--auth <user[:password]>', 'HTTP Basic auth; asks for the password (hidden) when missing on a terminal')
    .option('--ca <file>', 'trust the CA certificate(s) in this PEM file for wss://')
    .option('--cert <file>', 'client certificate (PEM) for wss://')
    .option('--key <file>', 'private key (PEM) of --cert')
    .option('--passphrase [passphrase]', 'passphrase of --key; asked for (hidden) when given without a value')
    .option('-k, --insecure', 'do not verify the server certificate', false)
    .option('--no-history', 'interactive mode: do not read or write ~/.wsprobe_history')
    .addHelpText('after', EXIT_CODE_HELP)
    .action(async (url: string, flags: ConnectFlags) => {
      const { runConnect } = await import('../commands/connect.js');
      // -x, --send-hex, --send-base64 and --send-file all append to one list, in command-line order.
      setExit(await runConnect(url, { ...flags, send: sends }, env));
    });

  return program;
}
