/** The `connect` command and its options. The session module is imported only when it runs. */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ConnectPlan } from '../commands/connect-plan.js';
import type { Env } from '../env.js';
import type { SummaryEvent } from '../output/events.js';
import type { Expectation } from '../protocol/expect.js';
import { addExecOptions, EXEC_NEEDS_CLIENT, type ExecFlags, execPlan } from './exec-options.js';
import { type Example, GROUP, helpTail } from './help.js';
import {
  applyOptionRules,
  CONNECT_CONFLICTS,
  CONNECT_EXEC_CONFLICTS,
  CONNECT_NEEDS,
  execNeeds,
  SOCKETIO_CONFLICTS,
} from './option-rules.js';
import {
  addOtherOptions,
  addOutputOptions,
  EXIT_CODE_HELP,
  type OutputFlags,
  outputOptions,
} from './output-options.js';
import {
  choiceArg,
  closeCodeArg,
  closeReasonArg,
  collect,
  expectCloseArg,
  expectParsers,
  headerArg,
  nonNegativeIntArg,
  positiveIntArg,
  positiveSecondsArg,
  secondsArg,
  sizeArg,
  writeOutArg,
} from './parsers.js';
import { fileArg, type SendItem, sendParsers } from './send-options.js';
import { DEFAULT_MAX_PAYLOAD } from './server-options.js';
import { addSocketIoOptions, SOCKETIO_NEEDS, type SocketIoFlags, socketioPlan } from './socketio-options.js';

export interface ConnectFlags extends OutputFlags, ExecFlags, SocketIoFlags {
  input: 'text' | 'hex' | 'base64';
  raw: boolean;
  chunkSize: number;
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
  maxPayload: number;
  auth?: string;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string | true;
  insecure: boolean;
  history: boolean;
  expectClose?: number;
  writeOut?: (e: SummaryEvent) => string;
  proxy?: string;
  location: boolean;
  maxRedirects: number;
  protocolVersion: 8 | 13;
  pingInterval?: number;
  pingTimeout?: number;
  /** `--reconnect` alone: without a limit. */
  reconnect?: number | true;
  /** `--rules <file>`: auto-replies (read when the command runs, before connecting). */
  rules?: string;
}

const CONNECT_EXAMPLES: readonly Example[] = [
  {
    what: 'type messages, see what comes back (/help at the prompt, Ctrl+D closes)',
    line: 'wsprobe connect wss://echo.example.org/ws',
  },
  {
    what: 'send one message, print the replies that come within 2 s',
    line: 'wsprobe ws://localhost:8080 -x \'{"op":"ping"}\' -w 2',
  },
  {
    what: 'lines in, messages out',
    line: 'jq -c . events.json | wsprobe connect ws://localhost:8080/in > replies.txt',
  },
  {
    what: 'a CI check: exit 0 on "pong", 8 if the connection ends first, 124 after 5 s',
    line: 'wsprobe connect ws://svc/health -x ping --expect pong --timeout 5',
  },
  {
    what: 'show the handshake, with a header; every event as JSON',
    line: "wsprobe connect wss://api.example.com/ws -H 'Authorization: Bearer TOKEN' -v --json",
  },
  {
    what: 'send a file as one text message (a pipe works too: --send-text-file <(jq -c . msg.json))',
    line: 'wsprobe connect ws://localhost:8080 --send-text-file msg.json --no-stdin',
  },
];

export function addConnectCommand(program: Command, env: Env, setExit: (code: number) => void): void {
  const sends: SendItem[] = [];
  const send = sendParsers(sends);
  const expectations: Expectation[] = [];
  const expect = expectParsers(expectations);
  const emits: Array<{ at: number; text: string; ack?: boolean }> = [];
  const connect = program
    .command('connect', { isDefault: true })
    .alias('c')
    .summary('open a client connection: type or pipe messages, see what comes back')
    .description('Open a client connection: type or pipe messages, see what comes back (also: wsprobe <url>).')
    .argument('<url>', 'ws://, wss://, http(s):// (mapped to ws(s)://), host:port, ws+unix:///sock:/path')
    .optionsGroup(GROUP.connection)
    .option('-H, --header <header>', 'extra request header "Name: value" (repeatable)', headerArg)
    .option('-s, --subprotocol <protocol>', 'offer a subprotocol (repeatable)', collect)
    .option('-o, --origin <origin>', 'Origin header')
    .option('--auth <user[:password]>', 'HTTP Basic auth; a missing password is asked for (hidden)')
    .option('--no-deflate', 'do not offer permessage-deflate')
    .addOption(
      new Option('--protocol-version <version>', 'Sec-WebSocket-Version to send')
        .argParser((v) => Number(choiceArg(['8', '13'] as const)(v)) as 8 | 13)
        .default(13),
    )
    .option('--connect-timeout <seconds>', 'limit for the TCP connect and the handshake', positiveSecondsArg, 30)
    .option('-L, --location', 'follow redirects (3xx) of the handshake', false)
    .option('--max-redirects <n>', 'most redirects followed with -L', nonNegativeIntArg, 10)
    .option(
      '--reconnect [attempts]',
      'reconnect after a lost connection, with backoff (no number: no limit)',
      positiveIntArg,
    )
    .optionsGroup(GROUP.input)
    .option('-x, --send <text>', 'send a text message after open (repeatable; --send* go in order)', send.text)
    .option('--send-hex <hex>', 'send a binary message given in hex', send.hex)
    .option('--send-base64 <b64>', 'send a binary message given in base64', send.base64)
    .option('--send-file <path>', 'send a file as one binary message (a pipe, <(...) too)', send.file)
    .option('--send-text-file <path>', 'send a file as one text message (UTF-8; a pipe too)', send.textFile)
    .option('--send-msgpack <json>', 'send a JSON value encoded as MessagePack (binary)', send.msgpack)
    .option('--send-cbor <json>', 'send a JSON value encoded as CBOR (binary)', send.cbor)
    .addOption(
      new Option('--input <how>', 'piped lines are text, or hex/base64 for binary')
        .argParser(choiceArg(['text', 'hex', 'base64'] as const))
        .default('text'),
    )
    .option('--raw', 'send stdin as bytes, in binary messages', false)
    .addOption(
      new Option('--chunk-size <bytes>', 'largest message --raw makes (64k, 1M, ...)')
        .argParser(sizeArg)
        .default(65536, '64 KiB'),
    )
    .option('--no-stdin', 'do not read stdin (cron, nohup, background jobs)')
    .option('--no-history', 'do not read or write ~/.wsprobe_history')
    .option(
      '--rules <file>',
      'answer the server by the rules in this JSON file, e.g. its pings (docs/rules.md)',
      fileArg,
    )
    .optionsGroup(GROUP.ending)
    .option('-w, --wait <seconds>', 'once input ends, close after this long quiet', secondsArg, 1)
    .option('--keep-open', 'after input ends, wait for the server to close', false)
    .option('--count <n>', 'close after receiving n messages', positiveIntArg)
    .option('--timeout <seconds>', 'give up after this long in all (exit 124)', positiveSecondsArg)
    .option('--close-code <code>', 'close code we send: 1000-1003, 1007-1014, 3000-4999', closeCodeArg, 1000)
    .option('--close-reason <text>', 'close reason we send (at most 123 bytes)', closeReasonArg, '')
    .optionsGroup(GROUP.checks)
    .option(
      '--expect <pattern>',
      'succeed once a text message matches (/regex/flags or a substring; repeatable, in order)',
      expect.text,
    )
    .option(
      '--expect-json <path=value>',
      'succeed once a JSON message has this value at path (data.items[0].id=7)',
      expect.json,
    )
    .option('--expect-close <code>', 'succeed only if the peer closes with this code', expectCloseArg)
    .option('--summary', 'print timings and traffic to stderr at the end', false)
    .option(
      '-W, --write-out <format>',
      'print this at the end, curl-style (%{time_connect}, %{exit_code}, ...)',
      writeOutArg,
    );
  addOutputOptions(connect)
    .optionsGroup(GROUP.tls)
    .option('--ca <file>', 'trust the CA certificates in this PEM file', fileArg)
    .option('--cert <file>', 'client certificate (PEM; needs --key)', fileArg)
    .option('--key <file>', 'private key (PEM) of --cert', fileArg)
    .option('--passphrase [passphrase]', 'passphrase of --key (no value: asked for, hidden)')
    .option('-k, --insecure', 'do not verify the server certificate', false)
    .optionsGroup(GROUP.proxy)
    .option('--proxy <url>', 'HTTP CONNECT proxy, http://[user:pass@]host:port (default: $HTTPS_PROXY, $HTTP_PROXY)')
    .optionsGroup(GROUP.limits)
    .option('--ping-interval <seconds>', 'send a ping this often; see --ping-timeout', positiveSecondsArg)
    .option(
      '--ping-timeout <seconds>',
      'no pong this long after a ping: the peer is gone, exit 6 (default: the interval)',
      positiveSecondsArg,
    )
    .addOption(
      new Option(
        '--max-payload <bytes>',
        'largest incoming message, e.g. 16M (larger: close 1009); also the most --send-file reads from a pipe',
      )
        .argParser(sizeArg)
        .default(DEFAULT_MAX_PAYLOAD, '100 MiB'),
    );
  addExecOptions(connect, 'client');
  addSocketIoOptions(connect, sends, emits, (name) => expectations.push({ kind: 'event', source: name, name }));
  addOtherOptions(connect);
  applyOptionRules(
    connect,
    [...CONNECT_CONFLICTS, ...CONNECT_EXEC_CONFLICTS, ...SOCKETIO_CONFLICTS],
    [
      ...CONNECT_NEEDS,
      ...execNeeds(EXEC_NEEDS_CLIENT),
      ...SOCKETIO_NEEDS.map((option) => ({ option, needs: '--socketio' })),
    ],
  )
    .addHelpText(
      'after',
      helpTail({ command: 'connect', examples: CONNECT_EXAMPLES, slash: 'client', exitCodes: EXIT_CODE_HELP }),
    )
    .action(async (url: string, flags: ConnectFlags, command: Command) => {
      const { runConnect } = await import('../commands/connect.js');
      // -x, --send-hex, --send-base64, --send-file and --send-text-file append to one list, --expect
      // and --expect-json to another, each in command-line order.
      const waitGiven = command.getOptionValueSource('wait') === 'cli';
      // --rules: read once, before connecting (a bad file is exit 2); its code loads only then.
      const rules = flags.rules ? (await import('../rules/load.js')).loadRules(flags.rules, '--rules') : undefined;
      setExit(
        await runConnect(
          {
            ...connectPlan(url, flags, sends, expectations, waitGiven),
            socketio: socketioPlan(flags, emits, flags.connectTimeout * 1000),
            rules,
          },
          env,
        ),
      );
    });
}

/** The flags, resolved once into one small object per concern. */
export function connectPlan(
  url: string,
  f: ConnectFlags,
  send: SendItem[],
  expect: Expectation[],
  waitGiven: boolean,
): ConnectPlan {
  const { input, raw, chunkSize, stdin, history } = f;
  return {
    url,
    connection: {
      headers: f.header ?? [],
      subprotocols: f.subprotocol ?? [],
      origin: f.origin,
      deflate: f.deflate,
      maxPayload: f.maxPayload,
      connectTimeoutMs: f.connectTimeout * 1000,
      protocolVersion: f.protocolVersion,
      followRedirects: f.location,
      maxRedirects: f.maxRedirects,
      tapFrames: f.verbose >= 2,
      auth: f.auth,
      proxy: f.proxy,
      tls: { ca: f.ca, cert: f.cert, key: f.key, passphrase: f.passphrase, insecure: f.insecure },
    },
    keepalive:
      f.pingInterval !== undefined
        ? { intervalMs: f.pingInterval * 1000, timeoutMs: (f.pingTimeout ?? f.pingInterval) * 1000 }
        : undefined,
    // A pipe given to --send-file is read up to --max-payload bytes.
    input: {
      input,
      raw,
      chunkSize,
      stdin,
      history,
      send: send.map((item) => (item.kind === 'file' ? { ...item, maxBytes: f.maxPayload } : item)),
    },
    ending: {
      waitMs: f.wait * 1000,
      waitGiven,
      keepOpen: f.keepOpen,
      count: f.count,
      expect,
      expectClose: f.expectClose,
      timeoutSeconds: f.timeout,
      reconnect: f.reconnect,
      closeCode: f.closeCode,
      closeReason: f.closeReason,
    },
    output: outputOptions(f),
    writeOut: f.writeOut,
    exec: execPlan(f),
  };
}
