/** The command line of the servers, `wsprobe listen` and `wsprobe echo`. Their modules load only when run. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { Env } from '../env.js';
import { type Credentials, parseCredentials } from '../server/credentials.js';
import type { ServerPlan } from '../server/options.js';
import { addExecOptions, EXEC_NEEDS_SERVER, type ExecFlags, execPlan } from './exec-options.js';
import { type Example, GROUP, helpTail } from './help.js';
import { applyOptionRules, execNeeds, LISTEN_EXEC_CONFLICTS, SERVER_NEEDS } from './option-rules.js';
import { addOtherOptions, addOutputOptions, type OutputFlags, outputOptions } from './output-options.js';
import {
  closeCodeArg,
  closeReasonArg,
  collect,
  nonNegativeIntArg,
  positiveIntArg,
  positiveSecondsArg,
  sizeArg,
} from './parsers.js';
import { fileArg } from './send-options.js';

export interface ServerFlags extends OutputFlags {
  host: string;
  subprotocol?: string[];
  origin?: string[];
  auth?: Credentials;
  cert?: string;
  key?: string;
  maxPayload: number;
  maxClients?: number;
  pingInterval?: number;
  deflate: boolean;
  once: boolean;
  greeting?: string;
  closeAfter?: number;
  closeCode: number;
  closeReason: string;
  handshakeTimeout: number;
}

export interface ListenFlags extends ServerFlags, ExecFlags {
  /** `--rules <file>`: scripted replies (the file is read when the command runs, before listening). */
  rules?: string;
  broadcast: boolean;
  console: boolean;
  stdin: boolean;
  history: boolean;
}

export interface EchoFlags extends ServerFlags {
  delay: number;
  rules?: string;
}

export const DEFAULT_PORT = 8080;
/** ws's own default: 100 MiB. */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

/** The exit codes of a server; `echo` has no prompt, so it stops only with --once or a signal. */
export function serverExitCodeHelp(prompt: boolean): string {
  const stopped = prompt
    ? `  0    stopped by /quit or Ctrl+D (every client closed with 1000);
       with --once: the client closed with 1000/1001/1005, or we closed it cleanly`
    : '  0    with --once: the client closed with 1000/1001/1005, or we closed it cleanly';
  return `
Exit codes:
${stopped}
  1    internal error (a bug; run with --debug and please report it)
  2    usage error: bad option, port, close code, unreadable --cert/--key file
  3    cannot listen: address in use, permission denied, address not on this machine
  4    --cert/--key are not a usable certificate and key
  6    with --once: the client's connection was lost or it broke the protocol (1002, 1007, 1009, ...)
  7    with --once: the client closed with another code (1011, 4xxx, ...)${
    prompt ? '\n  10   --exec-shared: the program failed (non-zero exit, or killed); every client closed with 1011' : ''
  }
  129  SIGHUP, 130 Ctrl+C (SIGINT), 143 SIGTERM: every client closed with 1001 (128 + signal)`;
}

export function portArg(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > 65535) {
    throw new InvalidArgumentError(`expected a port number 0-65535 (0 picks a free port), got "${text}"`);
  }
  return Number(text);
}

export function credentialsArg(text: string): Credentials {
  const parsed = parseCredentials(text);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.error);
  return parsed.value;
}

const LISTEN_EXAMPLES: readonly Example[] = [
  {
    what: 'a server on port 8080: see what clients send, type to answer every client (/to 2 hi: one)',
    line: 'wsprobe listen 8080',
  },
  {
    what: 'a chat room with a browser page at http://127.0.0.1:8080/',
    line: 'wsprobe listen 8080 --broadcast --console',
  },
  {
    what: 'every message as a JSON event, any free port (the listening line says which)',
    line: 'wsprobe listen 0 --json > events.ndjson',
  },
  {
    what: 'serve wss:// to pages from one origin, with a password',
    line: 'wsprobe listen 8443 --cert cert.pem --key key.pem --origin https://app.example --auth ada:secret',
  },
];

const ECHO_EXAMPLES: readonly Example[] = [
  { what: 'an echo server on port 8080', line: 'wsprobe echo 8080' },
  {
    what: 'echo after 500 ms, for a test of timeouts; stop after the first client',
    line: 'wsprobe echo 0 --delay 500 --once',
  },
  {
    what: 'greet each client, close it with 4000 after 10 s',
    line: 'wsprobe echo 9001 --greeting hello --close-after 10 --close-code 4000',
  },
];

/**
 * The options both servers share, under their headings, with the command's own (`own`) added where
 * they belong: after the shared client options, before the output options.
 */
export function addServerOptions(cmd: Command, own: (cmd: Command) => Command): Command {
  cmd
    .optionsGroup(GROUP.access)
    .option('--host <host>', 'address to bind (0.0.0.0 or :: for every interface: a warning says so)', '127.0.0.1')
    .option(
      '-s, --subprotocol <protocol>',
      'accept this subprotocol (repeatable; default: whatever is offered)',
      collect,
    )
    .option(
      '-o, --origin <origin>',
      "let pages from this origin in (repeatable; '*' for any); default: loopback pages and clients without Origin; others get 403",
      collect,
    )
    .option('--auth <user:password>', 'require HTTP Basic credentials (others get 401)', credentialsArg)
    .option('--max-clients <n>', 'clients at once (more get 503)', positiveIntArg)
    .optionsGroup(GROUP.clients)
    .option('--greeting <text>', 'send this text message to each client when it connects')
    .option('--close-after <seconds>', 'close each client this long after it connects', positiveSecondsArg)
    .option('--close-code <code>', 'close code for --close-after (1000-1003, 1007-1014, 3000-4999)', closeCodeArg, 1000)
    .option('--close-reason <text>', 'close reason for --close-after (at most 123 bytes)', closeReasonArg, '')
    .option('--once', 'exit after the first client leaves', false);
  addOutputOptions(own(cmd))
    .optionsGroup(GROUP.tls)
    .option('--cert <file>', 'TLS certificate (PEM): serve wss:// (needs --key)', fileArg)
    .option('--key <file>', 'TLS private key (PEM) for --cert', fileArg)
    .optionsGroup(GROUP.limits)
    .option(
      '--ping-interval <seconds>',
      'ping every client this often; drop those that miss a pong',
      positiveSecondsArg,
    )
    .addOption(
      new Option('--max-payload <bytes>', 'largest message accepted, e.g. 64k, 16M (larger: close 1009)')
        .argParser(sizeArg)
        .default(DEFAULT_MAX_PAYLOAD, '100 MiB'),
    )
    .option(
      '--handshake-timeout <seconds>',
      'drop connections that have not finished the handshake',
      positiveSecondsArg,
      10,
    )
    .option('--no-deflate', 'do not accept permessage-deflate');
  return applyOptionRules(addOtherOptions(cmd), [], SERVER_NEEDS);
}

export function addServerCommands(program: Command, env: Env, setExit: (code: number) => void): void {
  const listen = program
    .command('listen')
    .summary('run a server: show what clients send, send what you type')
    .description('Run a server: show what clients send, send what you type (to every client, or /to <id>).')
    .argument('[port]', 'port to listen on; 0 picks a free one', portArg, DEFAULT_PORT);
  addServerOptions(listen, (cmd) =>
    addExecOptions(
      cmd
        .option('--broadcast', "relay every client's messages to all the other clients (a chat room)", false)
        .option('--console', 'also serve a browser chat page at http://HOST:PORT/', false)
        .option('--rules <file>', 'answer clients by the rules in this JSON file (docs/rules.md)', fileArg)
        .optionsGroup(GROUP.input)
        .option('--no-stdin', 'do not read stdin (background jobs)')
        .option('--no-history', 'interactive mode: do not read or write ~/.wsprobe_history'),
      'server',
    ),
  );
  applyOptionRules(listen, LISTEN_EXEC_CONFLICTS, [
    ...execNeeds(EXEC_NEEDS_SERVER),
    { option: '--exec-ids', needs: '--exec-shared', why: 'it names the clients of the one program' },
  ])
    .addHelpText(
      'after',
      helpTail({ command: 'listen', examples: LISTEN_EXAMPLES, slash: 'server', exitCodes: serverExitCodeHelp(true) }),
    )
    .action(async (port: number, flags: ListenFlags) => {
      const { runListen } = await import('../commands/listen.js');
      const { broadcast, console, stdin, history } = flags;
      const exec = execPlan(flags);
      // --rules: read once, before listening (a bad file is exit 2); its code loads only then.
      const rules = flags.rules ? (await import('../rules/load.js')).loadRules(flags.rules, '--rules') : undefined;
      setExit(
        await runListen(
          { ...serverPlan(port, flags), listen: { broadcast, console, stdin, history }, exec, rules },
          env,
        ),
      );
    });

  const echo = program
    .command('echo')
    .summary('run an echo server: every message comes back with the same type')
    .description('Run an echo server: every message comes back with the same type (text as text, binary as binary).')
    .argument('[port]', 'port to listen on; 0 picks a free one', portArg, DEFAULT_PORT);
  addServerOptions(echo, (cmd) =>
    cmd
      .option('--delay <ms>', 'wait this many milliseconds before each echo', nonNegativeIntArg, 0)
      .option(
        '--rules <file>',
        'answer by the rules in this JSON file; echo what no rule answers (docs/rules.md)',
        fileArg,
      ),
  )
    .addHelpText('after', helpTail({ command: 'echo', examples: ECHO_EXAMPLES, exitCodes: serverExitCodeHelp(false) }))
    .action(async (port: number, flags: EchoFlags) => {
      const { runEcho } = await import('../commands/echo.js');
      const rules = flags.rules ? (await import('../rules/load.js')).loadRules(flags.rules, '--rules') : undefined;
      setExit(await runEcho({ ...serverPlan(port, flags), delayMs: flags.delay, rules }, env));
    });
}

/** The flags both servers share, resolved once into one small object per concern. */
export function serverPlan(port: number, f: ServerFlags): ServerPlan {
  return {
    host: f.host,
    port,
    tls: { cert: f.cert, key: f.key },
    admission: {
      origins: f.origin ?? [],
      credentials: f.auth,
      maxClients: f.maxClients,
      subprotocols: f.subprotocol ?? [],
    },
    limits: {
      maxPayload: f.maxPayload,
      handshakeTimeoutMs: f.handshakeTimeout * 1000,
      pingIntervalMs: f.pingInterval !== undefined ? f.pingInterval * 1000 : undefined,
      deflate: f.deflate,
    },
    lifecycle: {
      once: f.once,
      greeting: f.greeting,
      closeAfterMs: f.closeAfter !== undefined ? f.closeAfter * 1000 : undefined,
      closeCode: f.closeCode,
      closeReason: f.closeReason,
    },
    output: outputOptions(f),
  };
}
