/**
 * Options that cannot go together, and options that are meaningless without another: one table, in our
 * words. Conflicts are registered with commander (`Option.conflicts`), whose message usage-words.ts
 * rewrites with the reason from here; "needs" rules are checked before a command runs.
 */
import type { Command, Option } from 'commander';

export interface Conflict {
  /** Long flags, as typed (`--no-stdin` for a negated option). */
  options: readonly [string, string];
  why: string;
}

export interface Needs {
  option: string;
  needs: string;
  why?: string;
  /** Worded as a pair: "--cert and --key go together". */
  together?: boolean;
}

/** Every output command: one output mode, and the pipe-mode options do not apply to JSON. */
export const OUTPUT_CONFLICTS: readonly Conflict[] = [
  { options: ['--pretty', '--json'], why: 'choose one output mode' },
  { options: ['--json', '--binary-output'], why: 'JSON events carry binary payloads in base64' },
  { options: ['--json', '--separator'], why: 'JSON events are one per line' },
  { options: ['--json', '--format'], why: 'JSON events carry payloads as they came' },
  { options: ['--json', '--max-text'], why: 'JSON events carry whole payloads' },
];

export const CONNECT_CONFLICTS: readonly Conflict[] = [
  { options: ['--raw', '--input'], why: '--raw sends stdin as bytes, --input decodes it line by line' },
  { options: ['--no-stdin', '--raw'], why: '--raw is a way to read stdin' },
  { options: ['--no-stdin', '--input'], why: '--input says how to read stdin' },
  { options: ['--keep-open', '--wait'], why: '--keep-open waits for the server to close, --wait closes when quiet' },
];

/** `listen --exec`: the program answers each client. */
export const LISTEN_EXEC_CONFLICTS: readonly Conflict[] = [
  {
    options: ['--exec', '--broadcast'],
    why: 'the program answers each client; --broadcast relays clients to each other',
  },
];

/** `connect --exec`: the program's output is the input, for one connection. */
export const CONNECT_EXEC_CONFLICTS: readonly Conflict[] = [
  { options: ['--exec', '--raw'], why: "the program's output is what is sent (--exec-framing raw sends bytes)" },
  { options: ['--exec', '--input'], why: "the program's output is what is sent" },
  { options: ['--exec', '--no-stdin'], why: 'the program replaces stdin as the input' },
  { options: ['--exec', '--reconnect'], why: 'a program runs for one connection' },
];

/** Options of `--exec` that mean nothing without it. */
export function execNeeds(options: readonly string[]): Needs[] {
  return options.map((option) => ({ option, needs: '--exec' }));
}

/** `connect --socketio`: piped lines are JSON arrays, each an event. */
export const SOCKETIO_CONFLICTS: readonly Conflict[] = [
  { options: ['--socketio', '--raw'], why: 'with --socketio each piped line is an event, a JSON array' },
  { options: ['--socketio', '--input'], why: 'with --socketio each piped line is an event, a JSON array' },
  { options: ['--socketio', '--rules'], why: '--rules answers WebSocket messages, not Socket.IO events' },
];

export const CONNECT_NEEDS: readonly Needs[] = [
  { option: '--key', needs: '--cert', why: 'a client certificate is a pair' },
  { option: '--cert', needs: '--key', why: 'a client certificate is a pair' },
  { option: '--passphrase', needs: '--key', why: 'it unlocks the key' },
  { option: '--ping-timeout', needs: '--ping-interval', why: 'it is how long a ping may stay unanswered' },
  { option: '--chunk-size', needs: '--raw', why: 'it sizes the messages --raw makes' },
];

export const SERVER_NEEDS: readonly Needs[] = [
  { option: '--cert', needs: '--key', why: 'give both to serve wss://', together: true },
  { option: '--key', needs: '--cert', why: 'give both to serve wss://', together: true },
];

const ALL_CONFLICTS: readonly Conflict[] = [
  ...OUTPUT_CONFLICTS,
  ...CONNECT_CONFLICTS,
  ...LISTEN_EXEC_CONFLICTS,
  ...CONNECT_EXEC_CONFLICTS,
  ...SOCKETIO_CONFLICTS,
];

/** The reason two options conflict, whichever order they are named in. */
export function conflictReason(a: string, b: string): string | undefined {
  return ALL_CONFLICTS.find(({ options: [x, y] }) => (x === a && y === b) || (x === b && y === a))?.why;
}

function optionOf(cmd: Command, flag: string): Option {
  const option = cmd.options.find((o) => o.long === flag || o.short === flag);
  if (!option) throw new Error(`option-rules: ${cmd.name()} has no option ${flag}`);
  return option;
}

/** Given on the command line (not a default), with a value that means something. */
function given(cmd: Command, option: Option): boolean {
  const key = option.attributeName();
  const source = cmd.getOptionValueSource(key);
  return source !== undefined && source !== 'default' && source !== 'implied' && cmd.getOptionValue(key) !== undefined;
}

/** Registers the conflicts with commander and checks the needs before the command's action. */
export function applyOptionRules(cmd: Command, conflicts: readonly Conflict[], needs: readonly Needs[] = []): Command {
  for (const { options } of conflicts) {
    const [a, b] = options.map((flag) => optionOf(cmd, flag));
    a.conflicts(b.attributeName());
  }
  if (needs.length === 0) return cmd;
  const rules = needs.map((rule) => ({ ...rule, of: optionOf(cmd, rule.option), needed: optionOf(cmd, rule.needs) }));
  return cmd.hook('preAction', (command) => {
    for (const rule of rules) {
      if (!given(command, rule.of) || given(command, rule.needed)) continue;
      const what = rule.together
        ? `${rule.option} and ${rule.needs} go together`
        : `${rule.option} needs ${rule.needs}`;
      command.error(`${what}${rule.why ? `: ${rule.why}` : ''}`, { exitCode: 2, code: 'wsprobe.optionNeeds' });
    }
  });
}
