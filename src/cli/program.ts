/** The command line: commands, options and help. Command modules are imported only when run. */
import { Command } from 'commander';
import type { Env } from '../env.js';
import { addConnectCommand } from './connect-options.js';
import { EXIT_CODE_HELP } from './output-options.js';
import { addServerCommands } from './server-options.js';

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
