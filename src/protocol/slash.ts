/**
 * What a user types at the prompt or pipes into `listen`: plain text, `//literal`, and slash commands
 * (SPEC "Input", "Servers"). One table says, for every command, where it exists (client, server or
 * both), its usage and help text, and its parser; `/help` is generated from it (output/status.ts).
 * Pure: the result says what to do; nothing is sent or printed here. A bad command is an error
 * result with a one-line message, never an exception.
 */
import { type Parsed, parseCloseCode, validateCloseReason } from './close-codes.js';
import { parseBase64, parseHex } from './encoding.js';

export type SlashContext = 'client' | 'server';

export type Command =
  | { cmd: 'send'; data: Buffer; binary: boolean }
  | { cmd: 'file'; path: string }
  | { cmd: 'ping'; data: Buffer }
  | { cmd: 'pong'; data: Buffer }
  /** Client: close the connection. */
  | { cmd: 'close'; code: number; reason: string }
  | { cmd: 'status' }
  | { cmd: 'help' }
  | { cmd: 'quit' }
  /** Servers: send to one client. */
  | { cmd: 'to'; id: number; data: Buffer; binary: boolean }
  /** Servers: list the clients. */
  | { cmd: 'clients' }
  /** Servers: close one client (`id`) or every client (`id` undefined, typed as `all`). */
  | { cmd: 'close-client'; id?: number; code: number; reason: string };

export interface CommandSpec {
  /** A name for tests and lookups; unique in the table. */
  id: string;
  /** The words after the slash that select this row (none for the two kinds of plain line). */
  names: readonly string[];
  /** Where the command exists. */
  where: SlashContext | 'both';
  usage: string;
  /** The `/help` text, or one text per place when they say different things. */
  help: string | Readonly<Record<SlashContext, string>>;
  /** `rest`: what follows the command word and one space, as typed (a plain line: the text to send). */
  parse(rest: string): Parsed<Command>;
}

const ok = (value: Command): Parsed<Command> => ({ ok: true, value });
const fail = (error: string): Parsed<Command> => ({ ok: false, error });
const text = (s: string) => Buffer.from(s, 'utf8');
const sendText = (s: string) => ok({ cmd: 'send', data: text(s), binary: false });

/** A control frame's payload is at most 125 bytes (RFC 6455 §5.5). */
const MAX_CONTROL_PAYLOAD = 125;

function control(cmd: 'ping' | 'pong', arg: string): Parsed<Command> {
  const data = text(arg);
  if (data.length > MAX_CONTROL_PAYLOAD) {
    return fail(`/${cmd}: payload is ${data.length} bytes; a ${cmd} carries at most ${MAX_CONTROL_PAYLOAD}`);
  }
  return ok({ cmd, data });
}

function binary(name: 'hex' | 'base64', args: string): Parsed<Command> {
  if (args === '') return fail(`/${name}: expected a payload, e.g. /${name} ${name === 'hex' ? '00ff' : 'AAH/'}`);
  const bytes = name === 'hex' ? parseHex(args) : parseBase64(args);
  return bytes.ok ? ok({ cmd: 'send', data: bytes.value, binary: true }) : fail(`/${name}: ${bytes.error}`);
}

function closeArgs(args: string): Parsed<{ code: number; reason: string }> {
  const match = /^(\S+)?\s*([\s\S]*)$/.exec(args)!;
  if (!match[1]) return { ok: true, value: { code: 1000, reason: '' } };
  const code = parseCloseCode(match[1]);
  if (!code.ok) return code;
  const reason = validateCloseReason(match[2]);
  if (!reason.ok) return reason;
  return { ok: true, value: { code: code.value, reason: reason.value } };
}

function clientId(word: string | undefined, command: string): Parsed<number> {
  if (!word || !/^\d+$/.test(word) || Number(word) < 1) {
    return { ok: false, error: `${command}: expected a client id (a number from /clients), got "${word ?? ''}"` };
  }
  return { ok: true, value: Number(word) };
}

/** A line that does not start with a slash. */
const PLAIN_LINE: CommandSpec = {
  id: 'line',
  names: [],
  where: 'both',
  usage: '<text>',
  help: { client: 'send a text message', server: 'send a text message to every client' },
  parse: sendText,
};

/** `//text`: `rest` is the line without its first slash. */
const LITERAL_LINE: CommandSpec = {
  id: 'literal',
  names: [],
  where: 'both',
  usage: '//text',
  help: 'send "/text" (a text starting with a slash)',
  parse: sendText,
};

/** The table, in `/help` order. */
export const COMMANDS: readonly CommandSpec[] = [
  PLAIN_LINE,
  LITERAL_LINE,
  {
    id: 'text',
    names: ['text'],
    where: 'both',
    usage: '/text <text>',
    help: 'send a text message as typed (spaces kept)',
    parse: sendText,
  },
  {
    id: 'hex',
    names: ['hex'],
    where: 'both',
    usage: '/hex <hex>',
    help: 'send a binary message given in hex ("00 ff 0a")',
    parse: (rest) => binary('hex', rest.trim()),
  },
  {
    id: 'base64',
    names: ['base64'],
    where: 'both',
    usage: '/base64 <b64>',
    help: 'send a binary message given in base64',
    parse: (rest) => binary('base64', rest.trim()),
  },
  {
    id: 'file',
    names: ['file'],
    where: 'both',
    usage: '/file <path>',
    help: "send a file's bytes as one binary message",
    parse: (rest) => (rest.trim() === '' ? fail('/file: expected a path') : ok({ cmd: 'file', path: rest.trim() })),
  },
  {
    id: 'json',
    names: ['json'],
    where: 'both',
    usage: '/json <json>',
    help: 'check JSON and send it compact as text',
    parse(rest) {
      const args = rest.trim();
      if (args === '') return fail('/json: expected a JSON value, e.g. /json {"type":"ping"}');
      try {
        return sendText(JSON.stringify(JSON.parse(args)));
      } catch (err) {
        return fail(`/json: invalid JSON: ${(err as Error).message}`);
      }
    },
  },
  {
    id: 'ping',
    names: ['ping'],
    where: 'both',
    usage: '/ping [text]',
    help: 'send a ping; the pong shows the round trip',
    parse: (rest) => control('ping', rest),
  },
  {
    id: 'pong',
    names: ['pong'],
    where: 'both',
    usage: '/pong [text]',
    help: 'send an unsolicited pong',
    parse: (rest) => control('pong', rest),
  },
  {
    id: 'close',
    names: ['close'],
    where: 'client',
    usage: '/close [code] [reason]',
    help: 'close (default 1000) and wait for the answer',
    parse(rest) {
      const parsed = closeArgs(rest.trim());
      return parsed.ok ? ok({ cmd: 'close', ...parsed.value }) : fail(`/close: ${parsed.error}`);
    },
  },
  {
    id: 'to',
    names: ['to'],
    where: 'server',
    usage: '/to <id> <text>',
    help: 'send a text message to one client',
    parse(rest) {
      const to = /^(\S+)\s?([\s\S]*)$/.exec(rest.trim());
      const id = clientId(to?.[1], '/to');
      return id.ok ? ok({ cmd: 'to', id: id.value, data: text(to![2]), binary: false }) : id;
    },
  },
  {
    id: 'clients',
    names: ['clients'],
    where: 'server',
    usage: '/clients',
    help: 'list the connected clients',
    parse: () => ok({ cmd: 'clients' }),
  },
  {
    id: 'close-client',
    names: ['close'],
    where: 'server',
    usage: '/close <id|all> [code] [reason]',
    help: 'close one client or all of them (default 1000)',
    parse(rest) {
      const args = rest.trim();
      const target = args.split(/\s+/)[0];
      const parsed = closeArgs(args.slice(target.length).trim());
      if (!parsed.ok) return fail(`/close: ${parsed.error}`);
      if (target === 'all') return ok({ cmd: 'close-client', ...parsed.value });
      const id = clientId(target, '/close');
      return id.ok ? ok({ cmd: 'close-client', id: id.value, ...parsed.value }) : fail(`${id.error} (or "all")`);
    },
  },
  {
    id: 'status',
    names: ['status'],
    where: 'both',
    usage: '/status',
    help: {
      client: 'state, URL, protocol, extensions, counts, buffered bytes, last RTT',
      server: 'URL, clients, counts, messages waiting to be sent',
    },
    parse: () => ok({ cmd: 'status' }),
  },
  {
    id: 'help',
    names: ['help', '?'],
    where: 'both',
    usage: '/help',
    help: 'this list',
    parse: () => ok({ cmd: 'help' }),
  },
  {
    id: 'quit',
    names: ['quit', 'exit'],
    where: 'both',
    usage: '/quit',
    help: { client: 'close with 1000 and exit', server: 'close every client with 1000 and exit' },
    parse: () => ok({ cmd: 'quit' }),
  },
];

export function existsIn(spec: CommandSpec, context: SlashContext): boolean {
  return spec.where === 'both' || spec.where === context;
}

/** The rows that exist in `context`, in table order. */
export function commandsFor(context: SlashContext): CommandSpec[] {
  return COMMANDS.filter((spec) => existsIn(spec, context));
}

export function helpText(spec: CommandSpec, context: SlashContext): string {
  return typeof spec.help === 'string' ? spec.help : spec.help[context];
}

export function parseInputLine(line: string, context: SlashContext = 'client'): Parsed<Command> {
  if (line.startsWith('//')) return LITERAL_LINE.parse(line.slice(1));
  if (!line.startsWith('/')) return PLAIN_LINE.parse(line);
  const match = /^\/(\S*)(?:\s([\s\S]*))?$/.exec(line)!;
  const name = match[1].toLowerCase();
  const spec = COMMANDS.find((s) => s.names.includes(name) && existsIn(s, context));
  if (spec) return spec.parse(match[2] ?? '');
  return fail(`unknown command "/${name}" (type /help for the list, // to send a text starting with /)`);
}
