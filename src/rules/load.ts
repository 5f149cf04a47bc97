/** Reading a `--rules` file (or `mock`'s): once, before anything listens or connects; a bad one is exit 2. */
import { usageError } from '../errors.js';
import { readFileOrUsage } from '../input/files.js';
import { parseRules, type Rule } from '../protocol/rules.js';

export function loadRules(path: string, what: string): Rule[] {
  const text = readFileOrUsage(path, what).toString('utf8');
  const parsed = parseRules(text);
  if (!parsed.ok) throw usageError(`${what} ${path}: ${parsed.error}`, 'the format is in docs/rules.md');
  return parsed.value;
}
