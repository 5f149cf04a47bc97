/**
 * What `--help` shows around commander's option list: the headings options are grouped under, and the
 * text after it — examples, the slash commands (rendered from the one table, protocol/slash.ts), the
 * exit codes and where the full reference is. Pure text; nothing here loads a session module.
 */
import type { Help, Option } from 'commander';
import { helpLines } from '../output/status.js';
import type { SlashContext } from '../protocol/slash.js';

/** The headings of every command's help, in the order they appear. */
export const GROUP = {
  connection: 'Connection:',
  input: 'Input:',
  ending: 'Ending the session:',
  checks: 'CI checks:',
  access: 'Server access:',
  clients: 'Clients:',
  output: 'Output:',
  tls: 'TLS:',
  proxy: 'Proxy:',
  limits: 'Keepalive & limits:',
  program: 'Program (--exec):',
  other: 'Other:',
} as const;

export interface Example {
  /** What it does, shown as a comment above the command line. */
  what: string;
  line: string;
}

/** Where a command's full reference is: a file in the package. */
export function referenceLine(command: string): string {
  return `Reference: docs/${command}.md in the wsprobe package (every option, with examples).`;
}

function exampleLines(examples: readonly Example[]): string[] {
  return examples.flatMap(({ what, line }) => [`  # ${what}`, `  ${line}`]);
}

/** The slash commands of `context`, as `/help` at the prompt lists them. */
export function slashHelp(context: SlashContext): string {
  const title =
    context === 'client'
      ? 'Slash commands (interactive mode, at the prompt; /help lists them):'
      : 'Slash commands (typed or piped; /help lists them):';
  return [title, ...helpLines(context).map((line) => `  ${line}`)].join('\n');
}

/** The text after a command's options: examples, its slash commands if it has any, exit codes, reference. */
export function helpTail(parts: {
  command: string;
  examples: readonly Example[];
  slash?: SlashContext;
  exitCodes: string;
}): string {
  const sections = [['Examples:', ...exampleLines(parts.examples)].join('\n')];
  if (parts.slash) sections.push(slashHelp(parts.slash));
  sections.push(parts.exitCodes.trim(), referenceLine(parts.command));
  return `\n${sections.join('\n\n')}`;
}

/**
 * An option's description with its default, as commander gives it, but without the `(default: false)`
 * of every switch: a switch is off unless given.
 */
export function optionDescription(option: Option): string {
  const shown = option.defaultValue !== undefined && option.defaultValue !== '' && (option.required || option.optional);
  const plain = typeof option.defaultValue === 'string' && /^[\w.:/-]+$/.test(option.defaultValue);
  const value = option.defaultValueDescription ?? (plain ? option.defaultValue : JSON.stringify(option.defaultValue));
  return shown ? `${option.description} (default: ${value})` : option.description;
}

/** The help settings every command inherits (set on the program before its commands are added). */
export function helpConfiguration(): Partial<Help> {
  return { optionDescription, sortOptions: false, sortSubcommands: false };
}
