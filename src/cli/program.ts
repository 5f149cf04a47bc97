/** The command line: commands, options and help. Command modules are imported only when run. */
import { Command, CommanderError } from 'commander';
import type { Env } from '../env.js';
import type { WriteOut } from '../output/summary.js';
import { addConnectCommand } from './connect-options.js';
import { shownError } from './error-display.js';
import { helpConfiguration } from './help.js';
import { addMockCommand } from './mock-options.js';
import { addProxyCommand } from './proxy-options.js';
import { addReplayCommand } from './replay-options.js';
import { addServerCommands } from './server-options.js';
import { usageWords } from './usage-words.js';

/** A usage error as we print it: commander's message in our words, one line (usage-words.ts). */
export function usageMessage(commanderMessage: string): string {
  return usageWords(commanderMessage);
}

/** A usage error raised while parsing `command`'s part of the command line. */
class CommandUsageError extends CommanderError {
  readonly command: string;
  constructor(err: CommanderError, command: string) {
    super(err.exitCode, err.code, err.message);
    this.command = command;
  }
}

/** Where to read about what went wrong: the help of the command whose command line it was. */
export function usageHint(err?: unknown): string {
  return err instanceof CommandUsageError ? `see wsprobe ${err.command} --help` : 'see wsprobe --help';
}

const PROGRAM_HELP = `
Examples:
  # a client: type messages, see what comes back (also: wsprobe <url>)
  wsprobe connect wss://echo.example.org/ws
  # a server on port 8080: see what clients send, type to answer them
  wsprobe listen 8080
  # an echo server on a free port (the listening line says which)
  wsprobe echo 0
  # a relay: point an app at ws://127.0.0.1:8080/… to see what it and its server say
  wsprobe proxy wss://api.example.com/ 8080
  # a mock server that answers each client by the rules of a JSON file
  wsprobe mock rules.json 8080
  # replay a recorded session (connect --json > session.ndjson) and compare the answers: exit 9 if one changed
  wsprobe replay session.ndjson --speed max

Run \`wsprobe <command> --help\` for its options, examples and exit codes.
Reference: docs/ in the wsprobe package (connect.md, listen.md, echo.md, proxy.md, rules.md, replay.md).`;

type AddCommands = (program: Command, env: Env, setExit: (code: number) => void) => void;

/**
 * The commands, by the names (and aliases) that choose them, each with what adds it to the program, in
 * order; `withConnect`: it takes connect's options from the connect command, which must be there first.
 */
export const COMMANDS: ReadonlyArray<{ names: readonly string[]; add: AddCommands; withConnect?: true }> = [
  { names: ['connect', 'c'], add: addConnectCommand },
  { names: ['listen', 'echo'], add: addServerCommands },
  { names: ['proxy'], add: addProxyCommand },
  { names: ['replay'], add: addReplayCommand, withConnect: true },
  { names: ['mock'], add: addMockCommand },
];

/**
 * `argv` gives the command line being parsed (read when an error is printed: main.ts builds the program
 * once, before it has normalized the command line): a usage error is printed before the output options
 * exist, so whether secrets may be shown is read from it (error-display.ts).
 */
export function buildProgram(
  env: Env,
  version: string,
  setExit: (code: number) => void,
  argv: () => readonly string[] = () => [],
  /**
   * The command line starts with this command's name: only it is built (building every command's
   * options is a good part of start-up). Otherwise, or when undefined, all are.
   */
  only?: string,
): Command {
  // One line: "wsprobe: <what>: <why> (see wsprobe <command> --help)", what was typed for a secret masked.
  const output = (help: string) => ({
    outputError: (s: string, write: (s: string) => void) =>
      write(`wsprobe: ${shownError(usageMessage(s), argv(), env.vars)} (${help})\n`),
  });
  // Help is wrapped to the terminal it is written to; to 80 columns elsewhere.
  const width = (stream: NodeJS.WritableStream, isTTY: boolean) => () =>
    (isTTY ? (stream as NodeJS.WriteStream).columns : undefined) ?? 80;
  const program = new Command('wsprobe')
    .usage('<command> [options]   (or: wsprobe <url> [options], as connect)')
    .description(
      'A WebSocket debugging tool: a client (connect), a server (listen), an echo server (echo) and a relay (proxy).',
    )
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .configureHelp(helpConfiguration())
    .configureOutput({
      writeOut: (s) => env.stdout.write(s),
      writeErr: (s) => env.stderr.write(s),
      getOutHelpWidth: width(env.stdout, env.stdoutIsTTY),
      getErrHelpWidth: width(env.stderr, env.stderrIsTTY),
      ...output(usageHint()),
    })
    .exitOverride()
    .addHelpText('after', PROGRAM_HELP)
    // `-W` is compiled while parsing, perhaps before `--show-secrets` is seen: tell it once all is parsed.
    .hook('preAction', (_program, command) => {
      const { writeOut, showSecrets } = command.opts<{ writeOut?: WriteOut; showSecrets?: boolean }>();
      if (writeOut && showSecrets)
        command.setOptionValue('writeOut', (e: Parameters<WriteOut>[0]) => writeOut(e, { showSecrets }));
    });

  const chosen = COMMANDS.find((c) => only !== undefined && c.names.includes(only));
  const built = !chosen ? COMMANDS : chosen.withConnect ? [COMMANDS[0]!, chosen] : [chosen];
  for (const command of built) command.add(program, env, setExit);
  // Each command's usage errors point to its own help, and say (to `usageHint`) whose they were.
  for (const command of program.commands) {
    const name = command.name();
    if (name === 'help') continue;
    command.configureOutput(output(`see wsprobe ${name} --help`)).exitOverride((err) => {
      throw new CommandUsageError(err, name);
    });
  }
  return program;
}
