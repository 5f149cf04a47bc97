/** The command line of `wsprobe mock <rules.json> [port]`. Its modules load only when it runs. */
import type { Command } from 'commander';
import type { Env } from '../env.js';
import { type Example, helpTail } from './help.js';
import { fileArg } from './send-options.js';
import {
  addServerOptions,
  DEFAULT_PORT,
  portArg,
  type ServerFlags,
  serverExitCodeHelp,
  serverPlan,
} from './server-options.js';

const MOCK_EXAMPLES: readonly Example[] = [
  {
    what: 'a stand-in server on port 8080 that answers as rules.json says',
    line: 'wsprobe mock rules.json 8080',
  },
  {
    what: 'on a free port for a test run, quiet, in the background (the listening line says which port)',
    line: 'wsprobe mock rules.json 0 -q > /dev/null 2> mock.log &',
  },
  {
    what: 'every message and which rule sent it, as JSON events',
    line: 'wsprobe mock rules.json 0 --json > mock.ndjson',
  },
];

export function addMockCommand(program: Command, env: Env, setExit: (code: number) => void): void {
  const mock = program
    .command('mock')
    .summary('run a mock server that answers by a rules file')
    .description(
      'Run a mock server: each client is answered by the rules of a JSON file — on connect, on a matching message (regex or JSON path=value, with templates), every N seconds, a close after K messages.',
    )
    .argument('<rules>', 'the rules file (JSON; format: docs/rules.md)', fileArg)
    .argument('[port]', 'port to listen on; 0 picks a free one', portArg, DEFAULT_PORT);
  addServerOptions(mock, (cmd) => cmd)
    .addHelpText(
      'after',
      helpTail({
        command: 'rules',
        examples: MOCK_EXAMPLES,
        exitCodes: serverExitCodeHelp(false).replace(
          'unreadable --cert/--key file',
          'invalid rules, unreadable --cert/--key file',
        ),
      }),
    )
    .action(async (rulesFile: string, port: number, flags: ServerFlags) => {
      const { loadRules } = await import('../rules/load.js');
      const rules = loadRules(rulesFile, 'rules file');
      const { runMock } = await import('../commands/mock.js');
      setExit(await runMock({ ...serverPlan(port, flags), rules }, env));
    });
}
