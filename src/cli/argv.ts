/**
 * The command line as typed, made into the one commander reads (forgiving input, issue 14). Pure: it
 * reads the words and the option table of the program (`cliSpec`), and answers what to parse, or a
 * usage error, or "show the usage".
 *
 * - `wsprobe` alone: the usage, on stderr, exit 2.
 * - The first word is a command (or alias): as typed. `help [command]` and `version` do what they say.
 * - The first word looks like a URL (protocol/url.ts `looksLikeUrl`: a scheme, a port, a dot, a slash…):
 *   `connect` is meant. Any other first word is an unknown command, with the nearest command name as a
 *   hint when one is close (edit distance ≤ 2, or a prefix): nothing is looked up or connected to.
 * - Options before the command (`wsprobe --json connect URL`, `wsprobe -v URL`) go after it.
 * - wscat's command lines: `-c URL` is `connect URL`, `-l PORT` is `listen PORT`, and wscat's flags with
 *   no wsprobe equivalent of the same name are mapped (`WSCAT_FLAGS`); `-w -1` is `--keep-open`.
 */
import type { Command, Option } from 'commander';
import { looksLikeUrl } from '../protocol/url.js';

export type Arity = 'none' | 'required' | 'optional';

export interface CommandSpec {
  name: string;
  aliases: readonly string[];
  /** Every option name, short and long, and whether it takes a value. */
  options: ReadonlyMap<string, Arity>;
}

/** What `normalizeArgv` needs to know of the program: its commands and their options. */
export interface CliSpec {
  commands: readonly CommandSpec[];
  /** The program's own options: -V, --version, -h, --help. */
  options: ReadonlyMap<string, Arity>;
}

export type ArgvPlan =
  /** Parse this command line. */
  | { kind: 'parse'; argv: string[] }
  /** Nothing was typed: show the usage on stderr and exit 2. */
  | { kind: 'usage' }
  /** A usage error (exit 2) found before commander: an unknown command, `-c` with `-l`… */
  | { kind: 'error'; message: string; hint?: string };

/** The command a URL goes to, and the one wscat's flags apply to. */
const CONNECT = 'connect';
const LISTEN = 'listen';
const WORDS = ['help', 'version'];

/** wscat's flags (wscat 6, bin/wscat) that wsprobe has under another name, or not at all. */
const WSCAT_ARITY: ReadonlyMap<string, Arity> = new Map<string, Arity>([
  ['-c', 'required'],
  ['--connect', 'required'],
  ['-l', 'required'],
  ['--listen', 'required'],
  ['-x', 'required'],
  ['--execute', 'required'],
  ['-w', 'required'],
  ['--wait', 'required'],
  ['-p', 'required'],
  ['--protocol', 'required'],
  ['--host', 'required'],
  ['-n', 'none'],
  ['--no-check', 'none'],
  ['--slash', 'none'],
]);
const CONNECT_FLAGS = new Set(['-c', '--connect']);
const LISTEN_FLAGS = new Set(['-l', '--listen']);
/** wscat closes this long after `-x` when no `-w` is given. */
const WSCAT_EXECUTE_WAIT = '2';

type Item =
  | { kind: 'option'; name: string; value?: string; tokens: string[]; at: number }
  | { kind: 'word'; text: string; tokens: string[]; at: number };
type OptionItem = Extract<Item, { kind: 'option' }>;

/**
 * The commander program's commands and options, as `normalizeArgv` reads them; `names`: every command's
 * names, also of those the program was not built with (listed without options).
 */
export function cliSpec(program: Command, names: readonly string[] = []): CliSpec {
  const arities = (options: readonly Option[]) => {
    const map = new Map<string, Arity>([
      ['-h', 'none'],
      ['--help', 'none'],
    ]);
    for (const o of options) {
      const arity: Arity = o.required ? 'required' : o.optional ? 'optional' : 'none';
      if (o.short) map.set(o.short, arity);
      if (o.long) map.set(o.long, arity);
    }
    return map;
  };
  const commands: CommandSpec[] = program.commands.map((c) => ({
    name: c.name(),
    aliases: c.aliases(),
    options: arities(c.options),
  }));
  const known = (name: string) => commands.some((c) => c.name === name || c.aliases.includes(name));
  for (const name of names) if (!known(name)) commands.push({ name, aliases: [], options: new Map() });
  return { commands, options: arities(program.options) };
}

/**
 * Options as commander would read them: `--name=value`, `--name value`, clusters of short flags
 * (`-vP`, `-vw2`) one item per flag, a short flag's value attached (`-xhello`) or next. A required value
 * is the next word whatever it is (`-w -1`); an optional one only when it is not an option or a command.
 */
function tokenize(
  tokens: readonly string[],
  arity: (name: string) => Arity | undefined,
  isCommand: (w: string) => boolean,
) {
  const items: Item[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const at = i;
    const tok = tokens[i];
    const takesNext = (a: Arity | undefined): boolean => {
      const next = tokens[i + 1];
      if (next === undefined || a === undefined || a === 'none') return false;
      return a === 'required' || (!next.startsWith('-') && !isCommand(next));
    };
    if (tok.startsWith('--') && tok.length > 2) {
      const eq = tok.indexOf('=');
      if (eq > 0) items.push({ kind: 'option', name: tok.slice(0, eq), value: tok.slice(eq + 1), tokens: [tok], at });
      else if (takesNext(arity(tok))) {
        items.push({ kind: 'option', name: tok, value: tokens[i + 1], tokens: [tok, tokens[i + 1]], at });
        i++;
      } else items.push({ kind: 'option', name: tok, tokens: [tok], at });
      continue;
    }
    if (tok.startsWith('-') && tok.length > 1 && tok !== '--') {
      // An unknown first flag: the token stays whole, for commander to name in its error.
      if (arity(tok.slice(0, 2)) === undefined) {
        items.push({ kind: 'option', name: tok, tokens: [tok], at });
        continue;
      }
      for (let j = 1; j < tok.length; j++) {
        const name = `-${tok[j]}`;
        const a = arity(name);
        if (a === undefined || a === 'none') {
          items.push({ kind: 'option', name, tokens: [name], at });
        } else if (j + 1 < tok.length) {
          const value = tok.slice(j + 1);
          items.push({ kind: 'option', name, value, tokens: [`${name}${value}`], at });
          break;
        } else if (takesNext(a)) {
          items.push({ kind: 'option', name, value: tokens[i + 1], tokens: [name, tokens[i + 1]], at });
          i++;
        } else items.push({ kind: 'option', name, tokens: [name], at });
      }
      continue;
    }
    items.push({ kind: 'word', text: tok, tokens: [tok], at });
  }
  return items;
}

/** Optimal string alignment distance (Levenshtein with transpositions: `ehco` is 1 from `echo`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The name `word` was probably meant to be: at most 2 edits away, or a prefix either way. */
export function nearest(word: string, names: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const prefix = name.startsWith(w) || (w.startsWith(name) && name.length >= 3);
    const distance = prefix ? 0 : editDistance(w, name);
    if ((prefix || distance <= 2) && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

function unknownCommand(word: string, spec: CliSpec): ArgvPlan {
  const names = spec.commands.map((c) => c.name);
  const meant = nearest(word, [...names, ...WORDS]);
  const message = `unknown command "${word}"`;
  if (meant) return { kind: 'error', message, hint: `did you mean ${meant}?` };
  const list = `the commands are ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  // A word that could be a host name on the local network (`backend`) gets told how to reach it.
  const host = /^[a-z0-9][a-z0-9-]*$/i.test(word) ? `; for a host named ${word}, write ws://${word}` : '';
  return { kind: 'error', message, hint: `${list}${host}` };
}

function isOption(item: Item, names: ReadonlySet<string>): item is OptionItem {
  return item.kind === 'option' && names.has(item.name);
}

/**
 * One option of a `connect` command line as wsprobe reads it: `-w -1` is `--keep-open`; wscat's flags
 * that wsprobe does not define map to ours (`-n` → `-k`, `--execute` → `-x`, `-p` → `--protocol-version`)
 * or go (`--slash`: slash commands are always on).
 */
function connectTokens(item: Item, known: ReadonlyMap<string, Arity>): string[] {
  if (item.kind === 'word') return item.tokens;
  const { name, value } = item;
  if ((name === '-w' || name === '--wait') && value?.trim() === '-1') return ['--keep-open'];
  if (known.has(name)) return item.tokens;
  const given = value === undefined ? [] : [value];
  switch (name) {
    case '-n':
    case '--no-check':
      return ['-k'];
    case '--slash':
      return [];
    case '--execute':
      return ['-x', ...given];
    case '-p':
    case '--protocol':
      return ['--protocol-version', ...given];
    default:
      return item.tokens;
  }
}

/** `wsprobe -c URL …` / `wsprobe -l PORT …`: what wscat did, as `connect` / `listen`. */
function wscatLine(items: readonly Item[], tail: readonly string[], spec: CliSpec): ArgvPlan {
  const connect = items.filter((i) => isOption(i, CONNECT_FLAGS));
  const listen = items.filter((i) => isOption(i, LISTEN_FLAGS));
  if (connect.length > 0 && listen.length > 0) {
    return { kind: 'error', message: 'use either -c (connect) or -l (listen), not both' };
  }
  const command = connect.length > 0 ? CONNECT : LISTEN;
  const target = [...connect, ...listen].at(-1) as OptionItem;
  if (target.value === undefined) {
    const what = command === CONNECT ? 'a URL: wsprobe -c ws://host' : 'a port: wsprobe -l 8080';
    return { kind: 'error', message: `option ${target.name} needs ${what}` };
  }
  const known = spec.commands.find((c) => c.name === command)?.options ?? new Map<string, Arity>();
  const out: string[] = [command, target.value];
  const rest = items.filter((i: Item): boolean => !isOption(i, CONNECT_FLAGS) && !isOption(i, LISTEN_FLAGS));
  if (command === LISTEN) {
    for (const item of rest) if (!(item.kind === 'option' && item.name === '--slash')) out.push(...item.tokens);
    return { kind: 'parse', argv: [...out, ...tail] };
  }
  const names = new Set(rest.flatMap((i) => (i.kind === 'option' ? [i.name] : [])));
  for (const item of rest) {
    // wscat's --host is the Host header of the request.
    const host = item.kind === 'option' && item.name === '--host' && !known.has('--host') ? item.value : undefined;
    out.push(...(host !== undefined ? ['-H', `Host: ${host}`] : connectTokens(item, known)));
  }
  // wscat -x: the message is sent, stdin is not, and the connection closes 2 s later (or after -w).
  if (names.has('-x') || names.has('--execute')) {
    if (!names.has('--no-stdin')) out.push('--no-stdin');
    if (!['-w', '--wait', '--keep-open'].some((n) => names.has(n))) out.push('--wait', WSCAT_EXECUTE_WAIT);
  }
  return { kind: 'parse', argv: [...out, ...tail] };
}

/** What to parse for a command line as typed (see the top of this file). */
export function normalizeArgv(argv: readonly string[], spec: CliSpec): ArgvPlan {
  if (argv.length === 0) return { kind: 'usage' };
  const cut = argv.indexOf('--');
  const head = cut < 0 ? argv : argv.slice(0, cut);
  const tail = cut < 0 ? [] : argv.slice(cut);
  const commandOf = (word: string) => spec.commands.find((c) => c.name === word || c.aliases.includes(word));
  const isCommand = (word: string) => commandOf(word) !== undefined || WORDS.includes(word);
  // Before the command, an option may belong to any command (or be wscat's).
  const anyArity = (name: string): Arity | undefined => {
    for (const c of spec.commands) {
      const a = c.options.get(name);
      if (a !== undefined) return a;
    }
    return spec.options.get(name) ?? WSCAT_ARITY.get(name);
  };
  const items = tokenize(head, anyArity, isCommand);
  const first = items.findIndex((i) => i.kind === 'word');
  const leading = first < 0 ? items : items.slice(0, first);
  const undefinedHere = (i: Item) =>
    i.kind === 'option' && !spec.commands.some((c) => c.options.has(i.name)) && !spec.options.has(i.name);
  if (
    leading.some(
      (i) =>
        undefinedHere(i) && (CONNECT_FLAGS.has((i as OptionItem).name) || LISTEN_FLAGS.has((i as OptionItem).name)),
    )
  ) {
    return wscatLine(items, tail, spec);
  }
  if (leading.some((i) => isOption(i, new Set(['-V', '--version'])) && !undefinedHere(i))) {
    return { kind: 'parse', argv: ['--version'] };
  }
  if (first < 0) return { kind: 'parse', argv: [...argv] };

  const word = items[first] as Extract<Item, { kind: 'word' }>;
  let after = head.slice(word.at + 1);
  if (word.text === 'version') return { kind: 'parse', argv: ['--version'] };
  if (word.text === 'help') {
    const topic = after[0];
    if (topic === undefined || topic.startsWith('-') || WORDS.includes(topic))
      return { kind: 'parse', argv: ['--help'] };
    return commandOf(topic) ? { kind: 'parse', argv: [topic, '--help'] } : unknownCommand(topic, spec);
  }
  let command = commandOf(word.text);
  let name = word.text;
  if (!command) {
    if (!looksLikeUrl(word.text)) return unknownCommand(word.text, spec);
    command = spec.commands.find((c) => c.name === CONNECT);
    if (!command) return { kind: 'parse', argv: [...argv] };
    name = CONNECT;
    after = [word.text, ...after];
  }
  const known = command.options;
  const translate = (item: Item) => (command.name === CONNECT ? connectTokens(item, known) : item.tokens);
  // An option with an optional value that took none goes last, where it cannot take the URL.
  const valueless = (i: Item) => i.kind === 'option' && i.value === undefined && anyArity(i.name) === 'optional';
  const restItems = tokenize(after, (n) => known.get(n) ?? WSCAT_ARITY.get(n), isCommand);
  return {
    kind: 'parse',
    argv: [
      name,
      ...leading.filter((i) => !valueless(i)).flatMap(translate),
      ...restItems.flatMap(translate),
      ...leading.filter(valueless).flatMap(translate),
      ...tail,
    ],
  };
}
