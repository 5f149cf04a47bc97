/** The command line of `wsprobe proxy <upstream-url> [port]`. Its modules load only when it runs. */
import { type Command, Option } from 'commander';
import type { ProxyPlan } from '../commands/proxy.js';
import type { Env } from '../env.js';
import type { Credentials } from '../server/credentials.js';
import { type Example, GROUP, helpTail } from './help.js';
import { applyOptionRules, type Needs } from './option-rules.js';
import { addOtherOptions, addOutputOptions, type OutputFlags, outputOptions } from './output-options.js';
import { collect, headerArg, positiveIntArg, positiveSecondsArg, sizeArg } from './parsers.js';
import { fileArg } from './send-options.js';
import { credentialsArg, DEFAULT_MAX_PAYLOAD, DEFAULT_PORT, portArg } from './server-options.js';

export interface ProxyFlags extends OutputFlags {
  host: string;
  origin?: string[];
  auth?: Credentials;
  maxClients?: number;
  tlsCert?: string;
  tlsKey?: string;
  header?: Array<[string, string]>;
  upstreamOrigin?: string;
  upstreamAuth?: string;
  deflate: boolean;
  connectTimeout: number;
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string | true;
  insecure: boolean;
  proxy?: string;
  maxPayload: number;
  handshakeTimeout: number;
  stdin: boolean;
  history: boolean;
}

const PROXY_EXAMPLES: readonly Example[] = [
  {
    what: 'see what a browser app and its server say: point the app at ws://127.0.0.1:8080/… instead',
    line: 'wsprobe proxy wss://api.example.com/ 8080',
  },
  {
    what: 'both handshakes and every ping, as JSON events: a complete recording of every pair',
    line: 'wsprobe proxy ws://127.0.0.1:9000/base 8080 -v -P --json > session.ndjson',
  },
  {
    what: 'a token for the upstream instead of what the client sends; a test CA for its certificate',
    line: "wsprobe proxy wss://staging.example/ws 0 -H 'Authorization: Bearer TOKEN' --ca test-ca.pem",
  },
  {
    what: 'serve wss:// to pages from one origin',
    line: 'wsprobe proxy ws://127.0.0.1:9000 8443 --tls-cert cert.pem --tls-key key.pem --origin https://app.example',
  },
];

const PROXY_EXIT_CODES = `
Exit codes:
  0    stopped by /quit or Ctrl+D (every pair closed with 1000)
  1    internal error (a bug; run with --debug and please report it)
  2    usage error: bad option, port or upstream URL, unreadable file
  3    cannot listen: address in use, permission denied, address not on this machine
  4    --tls-cert/--tls-key are not a usable certificate and key
  129  SIGHUP, 130 Ctrl+C (SIGINT), 143 SIGTERM: every pair closed with 1001 (128 + signal)
A pair's troubles (upstream refused: its status passed on; unreachable: 502; a side lost: the other
closed with 1011 (upstream lost) or 1001 (client lost)) are log lines, not exit codes.`;

const PROXY_NEEDS: readonly Needs[] = [
  { option: '--tls-cert', needs: '--tls-key', why: 'give both to serve wss://', together: true },
  { option: '--tls-key', needs: '--tls-cert', why: 'give both to serve wss://', together: true },
  { option: '--key', needs: '--cert', why: 'a client certificate is a pair' },
  { option: '--cert', needs: '--key', why: 'a client certificate is a pair' },
  { option: '--passphrase', needs: '--key', why: 'it unlocks the key' },
];

export function addProxyCommand(program: Command, env: Env, setExit: (code: number) => void): void {
  const proxy = program
    .command('proxy')
    .summary('relay clients to a server, showing everything both ways')
    .description(
      'Relay every client to its own connection to the upstream server, forwarding everything as it was (path, query, headers, subprotocol, message types, pings, close codes) and showing it.',
    )
    .argument(
      '<upstream-url>',
      'the server: ws://, wss://, http(s)://, host:port; client paths are appended to its path',
    )
    .argument('[port]', 'port to listen on; 0 picks a free one', portArg, DEFAULT_PORT)
    .optionsGroup(GROUP.access)
    .option('--host <host>', 'address to bind (0.0.0.0 or :: for every interface: a warning says so)', '127.0.0.1')
    .option(
      '--origin <origin>',
      "let pages from this origin in (repeatable; '*' for any); default: loopback pages and clients without Origin",
      collect,
    )
    .option('--auth <user:password>', 'require HTTP Basic credentials of clients (not passed upstream)', credentialsArg)
    .option('--max-clients <n>', 'clients at once (more get 503)', positiveIntArg)
    .optionsGroup(GROUP.connection)
    .option(
      '-H, --header <header>',
      'header for the upstream "Name: value", replacing the client\'s (repeatable)',
      headerArg,
    )
    .option('-o, --upstream-origin <origin>', "Origin for the upstream, replacing the client's")
    .option('--upstream-auth <user[:password]>', "HTTP Basic for the upstream, replacing the client's Authorization")
    .option('--no-deflate', 'neither offer nor accept permessage-deflate (on both hops)')
    .option('--connect-timeout <seconds>', 'limit for reaching the upstream (then 502)', positiveSecondsArg, 10);
  addOutputOptions(proxy)
    .option('--summary', 'print traffic totals to stderr at the end', false)
    .optionsGroup(GROUP.input)
    .option('--no-stdin', 'do not read the terminal (no prompt)')
    .option('--no-history', 'do not read or write ~/.wsprobe_history')
    .optionsGroup(GROUP.tls)
    .option('--tls-cert <file>', 'TLS certificate (PEM): serve wss:// (needs --tls-key)', fileArg)
    .option('--tls-key <file>', 'TLS private key (PEM) for --tls-cert', fileArg)
    .option('--ca <file>', "trust the CA certificates in this PEM file for the upstream's certificate", fileArg)
    .option('--cert <file>', 'client certificate for the upstream (PEM; needs --key)', fileArg)
    .option('--key <file>', 'private key (PEM) of --cert', fileArg)
    .option('--passphrase [passphrase]', 'passphrase of --key (no value: asked for, hidden)')
    .option('-k, --insecure', "do not verify the upstream's certificate", false)
    .optionsGroup(GROUP.proxy)
    .option('--proxy <url>', 'reach the upstream through this HTTP CONNECT proxy (default: $HTTPS_PROXY, $HTTP_PROXY)')
    .optionsGroup(GROUP.limits)
    .addOption(
      new Option('--max-payload <bytes>', 'largest message accepted from either side, e.g. 16M (larger: close 1009)')
        .argParser(sizeArg)
        .default(DEFAULT_MAX_PAYLOAD, '100 MiB'),
    )
    .option(
      '--handshake-timeout <seconds>',
      "drop clients that have not finished the handshake (the upstream's answer not counted)",
      positiveSecondsArg,
      10,
    );
  applyOptionRules(addOtherOptions(proxy), [], PROXY_NEEDS)
    .addHelpText(
      'after',
      helpTail({ command: 'proxy', examples: PROXY_EXAMPLES, slash: 'proxy', exitCodes: PROXY_EXIT_CODES }),
    )
    .action(async (upstream: string, port: number, flags: ProxyFlags) => {
      const { runProxy } = await import('../commands/proxy.js');
      setExit(await runProxy(proxyPlan(upstream, port, flags), env));
    });
}

/** The flags, resolved once into one small object per concern. */
export function proxyPlan(upstream: string, port: number, f: ProxyFlags): ProxyPlan {
  return {
    upstream,
    host: f.host,
    port,
    tls: { cert: f.tlsCert, key: f.tlsKey },
    admission: { origins: f.origin ?? [], credentials: f.auth, maxClients: f.maxClients, subprotocols: [] },
    limits: {
      maxPayload: f.maxPayload,
      handshakeTimeoutMs: f.handshakeTimeout * 1000,
      deflate: f.deflate,
    },
    lifecycle: { once: false, closeCode: 1000, closeReason: '' },
    output: outputOptions(f),
    connection: {
      headers: f.header ?? [],
      subprotocols: [],
      origin: f.upstreamOrigin,
      deflate: f.deflate,
      maxPayload: f.maxPayload,
      connectTimeoutMs: f.connectTimeout * 1000,
      protocolVersion: 13,
      followRedirects: false,
      maxRedirects: 0,
      tapFrames: f.verbose >= 2,
      auth: f.upstreamAuth,
      proxy: f.proxy,
      tls: { ca: f.ca, cert: f.cert, key: f.key, passphrase: f.passphrase, insecure: f.insecure },
    },
    prompt: { stdin: f.stdin, history: f.history },
  };
}
