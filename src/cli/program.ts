/** The command line: commands, options and help. Command modules are imported only when run. */
import { Command } from 'commander';
import type { Env } from '../env.js';
import type { WriteOut } from '../output/summary.js';
import { addConnectCommand } from './connect-options.js';
import { shownError } from './error-display.js';
import { EXIT_CODE_HELP } from './output-options.js';
import { addServerCommands } from './server-options.js';

/** A usage error as commander reports it, without its `error: ` prefix. */
export function usageMessage(commanderMessage: string): string {
  return commanderMessage.trim().replace(/^error: /, '');
}

/**
 * `argv` is the command line being parsed: a usage error is printed before the output options exist,
 * so whether secrets may be shown is read from it (error-display.ts).
 */
export function buildProgram(
  env: Env,
  version: string,
  setExit: (code: number) => void,
  argv: readonly string[] = [],
): Command {
  const program = new Command('wsprobe')
    .description('A WebSocket debugging tool: connect, listen, echo.')
    .version(version, '-V, --version')
    .configureOutput({
      writeOut: (s) => env.stdout.write(s),
      writeErr: (s) => env.stderr.write(s),
      // One line: "wsprobe: <what>: <why> (see --help)", with what was typed for a secret masked.
      outputError: (s, write) =>
        write(`wsprobe: ${shownError(usageMessage(s), argv, env.vars)} (see wsprobe --help)\n`),
    })
    .exitOverride()
    .addHelpText('after', EXIT_CODE_HELP)
    // `-W` is compiled while parsing, perhaps before `--show-secrets` is seen: tell it once all is parsed.
    .hook('preAction', (_program, command) => {
      const { writeOut, showSecrets } = command.opts<{ writeOut?: WriteOut; showSecrets?: boolean }>();
      if (writeOut && showSecrets)
        command.setOptionValue('writeOut', (e: Parameters<WriteOut>[0]) => writeOut(e, { showSecrets }));
    });

  addConnectCommand(program, env, setExit);
  addServerCommands(program, env, setExit);
  return program;
}
