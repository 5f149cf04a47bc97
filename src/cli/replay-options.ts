/**
 * The `replay` command. Against a server it is a `connect` whose input is a recording: it takes
 * `connect`'s own options (the same Option objects, so the same parsers, defaults, help and rules)
 * except those that are input (stdin, --send*: the recording is the input), --expect/--expect-json
 * (the recording is the expectation), --exec and --socketio. The replay module loads only when it runs.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Env } from '../env.js';
import type { JsonPath } from '../protocol/compare.js';
import { parseJsonPath } from '../protocol/expect.js';
import type { ReplayPlan } from '../replay/plan.js';
import { type ConnectFlags, connectPlan } from './connect-options.js';
import { type Example, GROUP, helpTail } from './help.js';
import { applyOptionRules, CONNECT_NEEDS } from './option-rules.js';
import { EXIT_CODE_HELP, outputOptions } from './output-options.js';
import { positiveIntArg } from './parsers.js';
import { DEFAULT_PORT, portArg } from './server-options.js';

/** `connect` options a replay does not take: the recording is its input and its expectation. */
const NOT_REPLAYED: ReadonlySet<string> = new Set([GROUP.input, GROUP.program, 'Socket.IO:']);
const NOT_REPLAYED_FLAGS: ReadonlySet<string> = new Set(['--expect', '--expect-json', '--rules']);

const REPLAY_GROUP = 'Replay:';

interface ReplayFlags extends ConnectFlags {
  serve?: number | true;
  host: string;
  conn?: number;
  speed: number | 'max';
  lockstep: boolean;
  ignoreJsonPath?: JsonPath[];
}

const REPLAY_EXAMPLES: readonly Example[] = [
  {
    what: 'record a session',
    line: 'wsprobe connect ws://localhost:8080/api -x \'{"op":"get"}\' --json > session.ndjson',
  },
  {
    what: 'a CI check: replay it as fast as the server answers; exit 9 if an answer changed',
    line: 'wsprobe replay session.ndjson --speed max --ignore-json-path ts',
  },
  { what: 'the same against another server', line: 'wsprobe replay session.ndjson ws://staging:8080/api' },
  {
    what: 'a mock server on port 9001 that answers as the recorded server did',
    line: 'wsprobe replay session.ndjson --serve 9001',
  },
];

const REPLAY_EXIT_CODE_HELP = EXIT_CODE_HELP.replace(
  /^( {2}8 .*)$/m,
  "$1\n  9    the server's answers did not match the recording (replay)",
);

function speedArg(text: string): number | 'max' {
  if (text === 'max') return 'max';
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError(`"${text}" is not a speed: a positive factor (2, 0.5) or max`);
  return n;
}

function ignorePathArg(text: string, previous: JsonPath[] | undefined): JsonPath[] {
  // The path as --expect-json reads it (expect.ts is loaded for connect anyway; compare.ts is not, at start).
  const parsed = parseJsonPath(text);
  if (!parsed.ok) throw new InvalidArgumentError(parsed.error);
  return [...(previous ?? []), parsed.value];
}

export function addReplayCommand(program: Command, env: Env, setExit: (code: number) => void): void {
  const connect = program.commands.find((c) => c.name() === 'connect');
  if (!connect) throw new Error('replay: the connect command must be registered first');
  const replay = program
    .command('replay')
    .summary("replay a recorded session against a server and compare the answers, or serve the server's side")
    .description(
      'Replay a recording (connect --json or proxy --json output) against a server and compare its answers with the recorded ones; or, with --serve, be a mock server that answers as the recorded server did.',
    )
    .argument('<recording>', 'the NDJSON of wsprobe connect --json or proxy --json (- for stdin)')
    .argument('[url]', 'the server to replay against (default: the URL in the recording)')
    .optionsGroup(REPLAY_GROUP)
    .addOption(
      new Option('--speed <factor>', 'pace: 2 is twice the recorded pace; max: as fast as possible')
        .argParser(speedArg)
        .default(1),
    )
    .option('--lockstep', 'send each message once the replies recorded before it have come (at most -w later)', false)
    .option(
      '--ignore-json-path <path>',
      'a JSON field that does not count when answers are compared (ts, data.items[0].id; repeatable)',
      ignorePathArg,
    )
    .option('--conn <n>', 'a proxy (or server) recording: replay this connection (default: the first)', positiveIntArg)
    .option(
      '--serve [port]',
      'be a mock server on this port (0: a free one) answering as the recorded server did',
      portArg,
    )
    .option('--host <host>', '--serve: the address to bind', '127.0.0.1');
  for (const option of connect.options) {
    if (NOT_REPLAYED.has(option.helpGroupHeading ?? '') || NOT_REPLAYED_FLAGS.has(option.long ?? '')) continue;
    replay.addOption(option);
  }
  // connect's conflicts travel with its Option objects; its help option goes under the same heading.
  replay.optionsGroup(GROUP.other).helpOption('-h, --help', 'show this help');
  applyOptionRules(
    replay,
    [],
    CONNECT_NEEDS.filter((rule) => rule.option !== '--chunk-size'),
  )
    .addHelpText('after', helpTail({ command: 'replay', examples: REPLAY_EXAMPLES, exitCodes: REPLAY_EXIT_CODE_HELP }))
    .action(async (recording: string, url: string | undefined, flags: ReplayFlags, command: Command) => {
      const { runReplay } = await import('../commands/replay.js');
      const waitGiven = command.getOptionValueSource('wait') === 'cli';
      setExit(await runReplay(replayPlan(recording, url, flags, waitGiven), env));
    });
}

function replayPlan(recording: string, url: string | undefined, f: ReplayFlags, waitGiven: boolean): ReplayPlan {
  const connect = connectPlan(url ?? '', { ...f, stdin: false, history: false }, [], [], waitGiven);
  const plan: ReplayPlan = {
    recording,
    conn: f.conn,
    ignore: f.ignoreJsonPath ?? [],
    pace: { speed: f.speed, lockstep: f.lockstep },
    connect,
  };
  if (f.serve !== undefined) {
    plan.serve = {
      host: f.host,
      port: f.serve === true ? DEFAULT_PORT : f.serve,
      tls: {},
      admission: { origins: [], subprotocols: f.subprotocol ?? [] },
      limits: { maxPayload: f.maxPayload, handshakeTimeoutMs: 10_000, deflate: f.deflate },
      lifecycle: { once: false, closeCode: 1000, closeReason: '' },
      output: outputOptions(f),
    };
  }
  return plan;
}
