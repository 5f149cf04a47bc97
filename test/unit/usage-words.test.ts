/** Commander's usage errors in our words, one line each (cli/usage-words.ts), and the rule table. */
import { describe, expect, it } from 'vitest';
import { CONNECT_CONFLICTS, conflictReason, OUTPUT_CONFLICTS } from '../../src/cli/option-rules.js';
import { usageWords } from '../../src/cli/usage-words.js';

describe('usageWords', () => {
  it.each([
    [
      'an invalid value the reason quotes: the option, then the reason',
      "error: option '--close-code <code>' argument '999' is invalid. invalid close code 999: use 1000-1003",
      '--close-code: invalid close code 999: use 1000-1003',
    ],
    [
      'an invalid value the reason does not quote: the value is named',
      "error: option '--send-hex <hex>' argument 'zz' is invalid. invalid hex: unexpected character \"z\"",
      '--send-hex zz: invalid hex: unexpected character "z"',
    ],
    [
      'a short and long flag: the long one',
      "error: option '-w, --wait <seconds>' argument 'x' is invalid. expected a number of seconds >= 0, got \"x\"",
      '--wait: expected a number of seconds >= 0, got "x"',
    ],
    [
      'a reason that already names the option',
      "error: option '--expect-json <path=value>' argument 'a' is invalid. --expect-json \"a\": expected <path>=<value>",
      '--expect-json "a": expected <path>=<value>',
    ],
    [
      'an invalid command argument',
      "error: command-argument value '99999' is invalid for argument 'port'. expected a port number 0-65535, got \"99999\"",
      'port: expected a port number 0-65535, got "99999"',
    ],
    ['a missing value', "error: option '--close-code <code>' argument missing", '--close-code needs a value (<code>)'],
    ['an unknown option', "error: unknown option '--frobnicate'", "unknown option '--frobnicate'"],
    [
      'an unknown option with a suggestion: one line',
      "error: unknown option '--jsno'\n(Did you mean --json?)",
      "unknown option '--jsno' (did you mean --json?)",
    ],
    [
      'several suggestions',
      "error: unknown option '--sen'\n(Did you mean one of --send, --send-hex?)",
      "unknown option '--sen' (did you mean one of --send, --send-hex?)",
    ],
    [
      'a conflict: with its reason, either order',
      "error: option '--json' cannot be used with option '--pretty'",
      '--json cannot be used with --pretty: choose one output mode',
    ],
    [
      'a conflict with a negated option',
      "error: option '--no-stdin' cannot be used with option '--raw'",
      '--no-stdin cannot be used with --raw: --raw is a way to read stdin',
    ],
    [
      'too many arguments',
      "error: too many arguments for 'connect'. Expected 1 argument but got 2.",
      'too many arguments for connect: it takes 1, got 2',
    ],
    [
      'a message of ours: unchanged',
      '--key needs --cert: a client certificate is a pair',
      '--key needs --cert: a client certificate is a pair',
    ],
    ['anything else: on one line', 'error: something\nelse', 'something else'],
  ])('%s', (_, message, words) => {
    expect(usageWords(message)).toBe(words);
  });
});

describe('the conflict table', () => {
  it('gives every pair a reason, in either order', () => {
    for (const { options, why } of [...OUTPUT_CONFLICTS, ...CONNECT_CONFLICTS]) {
      expect(conflictReason(options[0], options[1])).toBe(why);
      expect(conflictReason(options[1], options[0])).toBe(why);
    }
    expect(conflictReason('--json', '--quiet')).toBeUndefined();
  });
});
