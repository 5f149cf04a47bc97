/**
 * Commander's usage errors in our words, on one line: the option first, then its rule.
 *   option '--close-code <code>' argument '999' is invalid. invalid close code 999: …
 *     → --close-code: invalid close code 999: …
 *   unknown option '--jsno'\n(Did you mean --json?)  → unknown option '--jsno' (did you mean --json?)
 *   option '--pretty' cannot be used with option '--json'  → --pretty cannot be used with --json: <why>
 * Messages that are already ours pass through unchanged. Pure.
 */
import { conflictReason } from './option-rules.js';

/** The long flag of commander's `flags` ("-x, --send <text>" → "--send"); the short one if none. */
function flagName(flags: string): string {
  return /--[\w-]+/.exec(flags)?.[0] ?? /-\w/.exec(flags)?.[0] ?? flags;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `reason` already quotes `value` (as a word, or in quotes): no need to say it twice. */
function quotes(reason: string, value: string): boolean {
  if (value === '') return true;
  return new RegExp(`(^|[\\s"'(])${escapeRegExp(value)}($|[\\s"':,)])`).test(reason);
}

function named(name: string, value: string, reason: string): string {
  if (reason.startsWith(`${name} `) || reason.startsWith(`${name}:`)) return reason;
  return quotes(reason, value) ? `${name}: ${reason}` : `${name} ${value}: ${reason}`;
}

const RULES: ReadonlyArray<[RegExp, (...m: string[]) => string]> = [
  [
    /^option '([^']+)' argument '([\s\S]*)' is invalid\. ([\s\S]*)$/,
    (flags, value, reason) => named(flagName(flags), value, reason),
  ],
  [
    /^command-argument value '([\s\S]*)' is invalid for argument '([^']+)'\. ([\s\S]*)$/,
    (value, name, reason) => named(name, value, reason),
  ],
  [
    /^option '([^']+)' argument missing$/,
    (flags) =>
      `${flagName(flags)} needs a value${/[<[].*[>\]]/.test(flags) ? ` (${flags.replace(/^.*?--[\w-]+\s*/, '')})` : ''}`,
  ],
  [
    /^(?:option|environment variable) '([^']+)' cannot be used with (?:option|environment variable) '([^']+)'$/,
    (a, b) => {
      const [x, y] = [flagName(a), flagName(b)];
      const why = conflictReason(x, y);
      return `${x} cannot be used with ${y}${why ? `: ${why}` : ''}`;
    },
  ],
  [
    /^unknown option '([^']+)'(?:\s*\(Did you mean (one of )?([^?]+)\?\))?$/,
    (flag, oneOf, similar) =>
      `unknown option '${flag}'${similar ? ` (did you mean ${oneOf ? 'one of ' : ''}${similar}?)` : ''}`,
  ],
  [
    /^unknown command '([^']+)'(?:\s*\(Did you mean ([^?]+)\?\))?$/,
    (name, similar) => `unknown command "${name}"${similar ? ` (did you mean ${similar}?)` : ''}`,
  ],
  [
    /^too many arguments for '([^']+)'\. Expected (\d+) arguments? but got (\d+)\.$/,
    (name, expected, got) => `too many arguments for ${name}: it takes ${expected}, got ${got}`,
  ],
  [/^too many arguments\. Expected (\d+) arguments? but got (\d+)\.$/, (_e, got) => `unexpected arguments (${got})`],
];

/** A usage error as we print it: one line, without commander's `error: ` prefix. */
export function usageWords(commanderMessage: string): string {
  const text = commanderMessage.trim().replace(/^error: /, '');
  for (const [pattern, word] of RULES) {
    const m = pattern.exec(text);
    if (m) return word(...m.slice(1).map((s) => s ?? ''));
  }
  // Whatever else: still one line.
  return text.replace(/\s*\n\s*/g, ' ');
}
