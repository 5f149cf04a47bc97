/**
 * What a user types at the prompt or pipes into `listen`: plain text, `//literal`, and slash commands
 * (SPEC "Input", "Servers"). One table says, for every command, where it exists (client, server or
 * both), its usage and help text, and its parser; `/help` is generated from it (output/status.ts).
 * Pure: the result says what to do; nothing is sent or printed here. A bad command is an error
 * result with a one-line message, never an exception.
 */
import { type Parsed, parseCloseCode, validateCloseReason } from './close-codes.js';
import { parseBase64, parseHex } from './encoding.js';

/** `socketio`: the prompt of `connect --socketio` (a client's, plus /emit, /emit-ack and /ns). */
export type SlashContext = 'client' | 'server' | 'proxy' | 'socketio';
/**
 * Where a line is read: at a client's or a server's prompt, or after a server's `/to <id>`, where it
 * acts on that one client's connection as a client's line acts on its own (`/to 2 /close 4000 bye`).
 */
export type SlashPlace = SlashContext | 'to';

/** What acts on one connection: a client's own, or one client of a server (after `/to <id>`). */
export type ConnectionCommand =
  | { cmd: 'send'; data: Buffer; binary: boolean }
  | { cmd: 'file'; path: string }
  | { cmd: 'ping'; data: Buffer }
  | { cmd: 'pong'; data: Buffer }
  /** Close the connection. */
  | { cmd: 'close'; code: number; reason: string };

export type Command =
  | ConnectionCommand
  | { cmd: 'status' }
  | { cmd: 'help' }
  | { cmd: 'quit' }
  /** Servers: a command for one client (a text, `/hex …`, `/ping`, `/close …`). */
  | { cmd: 'to'; id: number; command: ConnectionCommand }
  /** Servers: list the clients. */
  | { cmd: 'clients' }
  /** Servers: close one client (`id`) or every client (`id` undefined, typed as `all`). */
  | { cmd: 'close-client'; id?: number; code: number; reason: string }
  /** `proxy`: a command for one side of pair `id` — its client, or its upstream (`/client 2 …`, `/server 2 …`). */
  | { cmd: 'inject'; side: 'client' | 'upstream'; id: number; command: ConnectionCommand }
  /** `--socketio`: emit an event (`text`: its name and JSON arguments, checked by the Socket.IO layer). */
  | { cmd: 'emit'; text: string; ack: boolean }
  /** `--socketio`: emits go to this namespace from now on (connected first if need be). */
  | { cmd: 'ns'; ns: string }
  /** `/msgpack <json>`, `/cbor <json>`: the JSON value encoded, sent as one binary message. */
  | { cmd: 'encode'; codec: 'msgpack' | 'cbor'; json: string }
  /** `/filter <expr>`: show only received messages matching it (the --filter language); null: all. */
  | { cmd: 'filter'; expr: string | null };

export interface CommandSpec {
  /** A name for tests and lookups; unique in the table. */
  id: string;
  /** The words after the slash that select this row (none for the two kinds of plain line). */
  names: readonly string[];
  /** Where the command exists (`both`: a client's and a server's prompt). */
  where: SlashContext | 'both';
  /** It exists at a `proxy`'s prompt too. */
  inProxy?: boolean;
  /** It can follow a server's `/to <id>`: it acts on one connection. */
  afterTo?: boolean;
  usage: string;
  /** The `/help` text, or one text per place when they say different things. */
  help: string | Readonly<Record<'client' | 'server', string> & { proxy?: string; socketio?: string }>;
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

/** `/client <id> …` and `/server <id> …` at a proxy's prompt: what follows the id acts on that one side. */
function inject(side: 'client' | 'upstream', name: string, rest: string): Parsed<Command> {
  const match = /^\s*(\S+)(?:\s([\s\S]*))?$/.exec(rest);
  const id = clientId(match?.[1], name);
  if (!id.ok) return id;
  const inner = parseInputLine(match?.[2] ?? '', 'to');
  if (!inner.ok) return fail(`${name} ${id.value}: ${inner.error}`);
  return isConnectionCommand(inner.value)
    ? ok({ cmd: 'inject', side, id: id.value, command: inner.value })
    : fail(`${name} ${id.value}: not a command for one side`);
}

function clientId(word: string | undefined, command: string): Parsed<number> {
  if (!word || !/^\d+$/.test(word) || Number(word) < 1) {
    return { ok: false, error: `${command}: expected a client id (a number from /clients), got "${word ?? ''}"` };
  }
  return { ok: true, value: Number(word) };
}

/** `/emit`, `/emit-ack` and a plain line at a --socketio prompt: the event, checked when it is sent. */
function emitCommand(rest: string, ack: boolean): Parsed<Command> {
  const text = rest.trim();
  if (text === '') return fail(`/emit${ack ? '-ack' : ''}: expected an event name, then its JSON arguments`);
  return ok({ cmd: 'emit', text, ack });
}

/** A line that does not start with a slash. */
const PLAIN_LINE: CommandSpec = {
  id: 'line',
  names: [],
  where: 'both',
  afterTo: true,
  usage: '<text>',
  help: {
    client: 'send a text message',
    server: 'send a text message to every client',
    socketio: 'emit an event: chat "hi" {"to":"ann"} (or ["chat","hi"])',
  },
  parse: sendText,
};

/** `//text`: `rest` is the line without its first slash. */
const LITERAL_LINE: CommandSpec = {
  id: 'literal',
  names: [],
  where: 'both',
  afterTo: true,
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
    afterTo: true,
    usage: '/text <text>',
    help: 'send a text message as typed (spaces kept)',
    parse: sendText,
  },
  {
    id: 'hex',
    names: ['hex'],
    where: 'both',
    afterTo: true,
    usage: '/hex <hex>',
    help: 'send a binary message given in hex ("00 ff 0a")',
    parse: (rest) => binary('hex', rest.trim()),
  },
  {
    id: 'base64',
    names: ['base64'],
    where: 'both',
    afterTo: true,
    usage: '/base64 <b64>',
    help: 'send a binary message given in base64',
    parse: (rest) => binary('base64', rest.trim()),
  },
  {
    id: 'file',
    names: ['file'],
    where: 'both',
    afterTo: true,
    usage: '/file <path>',
    help: "send a file's bytes as one binary message",
    parse: (rest) => (rest.trim() === '' ? fail('/file: expected a path') : ok({ cmd: 'file', path: rest.trim() })),
  },
  {
    id: 'json',
    names: ['json'],
    where: 'both',
    afterTo: true,
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
    afterTo: true,
    usage: '/ping [text]',
    help: 'send a ping; the pong shows the round trip',
    parse: (rest) => control('ping', rest),
  },
  {
    id: 'pong',
    names: ['pong'],
    where: 'both',
    afterTo: true,
    usage: '/pong [text]',
    help: 'send an unsolicited pong',
    parse: (rest) => control('pong', rest),
  },
  {
    id: 'close',
    names: ['close'],
    where: 'client',
    afterTo: true,
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
    usage: '/to <id> <text|/command>',
    get help() {
      return `to one client: a text, or ${afterToNames()}`;
    },
    parse(rest) {
      const to = /^\s*(\S+)(?:\s([\s\S]*))?$/.exec(rest);
      const id = clientId(to?.[1], '/to');
      if (!id.ok) return id;
      // What follows the id is read as a line typed for that one client, from this same table.
      const inner = parseInputLine(to?.[2] ?? '', 'to');
      if (!inner.ok) return fail(`/to ${id.value}: ${inner.error}`);
      return isConnectionCommand(inner.value)
        ? ok({ cmd: 'to', id: id.value, command: inner.value })
        : fail(`/to ${id.value}: not a command for one client`);
    },
  },
  {
    id: 'inject-client',
    names: ['client'],
    where: 'proxy',
    usage: '/client <id> <text|/command>',
    get help() {
      return `to the client of pair <id>: a text, or ${afterToNames()}`;
    },
    parse: (rest) => inject('client', '/client', rest),
  },
  {
    id: 'inject-server',
    names: ['server'],
    where: 'proxy',
    usage: '/server <id> <text|/command>',
    get help() {
      return `to the upstream server of pair <id>: the same (/close closes both sides)`;
    },
    parse: (rest) => inject('upstream', '/server', rest),
  },
  {
    id: 'clients',
    names: ['clients'],
    where: 'server',
    inProxy: true,
    usage: '/clients',
    help: 'list the connected clients',
    parse: () => ok({ cmd: 'clients' }),
  },
  {
    id: 'close-client',
    names: ['close'],
    where: 'server',
    inProxy: true,
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
    id: 'emit',
    names: ['emit'],
    where: 'socketio',
    usage: '/emit <event> [json…]',
    help: 'emit an event with JSON arguments',
    parse: (rest) => emitCommand(rest, false),
  },
  {
    id: 'emit-ack',
    names: ['emit-ack'],
    where: 'socketio',
    usage: '/emit-ack <event> [json…]',
    help: 'emit asking for an ack: the ack is shown with its round trip',
    parse: (rest) => emitCommand(rest, true),
  },
  {
    id: 'ns',
    names: ['ns'],
    where: 'socketio',
    usage: '/ns <namespace>',
    help: 'emit to this namespace from now on (connecting it first)',
    parse(rest) {
      const ns = rest.trim();
      return /^\/\S*$/.test(ns)
        ? ok({ cmd: 'ns', ns })
        : fail('/ns: expected a namespace starting with /, e.g. /ns /admin');
    },
  },
  ...(['msgpack', 'cbor'] as const).map(
    (codec): CommandSpec => ({
      id: codec,
      names: [codec],
      where: 'both',
      usage: `/${codec} <json>`,
      help: `send a JSON value encoded as ${codec === 'msgpack' ? 'MessagePack' : 'CBOR'} (binary)`,
      parse(rest) {
        const json = rest.trim();
        if (json === '') return fail(`/${codec}: expected a JSON value, e.g. /${codec} {"type":"ping"}`);
        try {
          JSON.parse(json);
        } catch (err) {
          return fail(`/${codec}: invalid JSON: ${(err as Error).message}`);
        }
        return ok({ cmd: 'encode', codec, json });
      },
    }),
  ),
  {
    id: 'filter',
    names: ['filter'],
    where: 'client',
    usage: '/filter <expr|off>',
    help: 'show only received messages matching /regex/, path=value or text',
    parse(rest) {
      const expr = rest.trim();
      if (expr === '') return fail('/filter: expected an expression (/regex/, path=value or text) or "off"');
      return ok({ cmd: 'filter', expr: expr === 'off' ? null : expr });
    },
  },
  {
    id: 'status',
    names: ['status'],
    where: 'both',
    inProxy: true,
    usage: '/status',
    help: {
      client: 'state, URL, protocol, extensions, counts, buffered bytes, last RTT',
      server: 'URL, clients, counts, messages waiting to be sent',
      proxy: 'URL, upstream, pairs, counts',
    },
    parse: () => ok({ cmd: 'status' }),
  },
  {
    id: 'help',
    names: ['help', '?'],
    where: 'both',
    inProxy: true,
    usage: '/help',
    help: 'this list',
    parse: () => ok({ cmd: 'help' }),
  },
  {
    id: 'quit',
    names: ['quit', 'exit'],
    where: 'both',
    inProxy: true,
    usage: '/quit',
    help: {
      client: 'close with 1000 and exit',
      server: 'close every client with 1000 and exit',
      proxy: 'close every pair with 1000 and exit',
    },
    parse: () => ok({ cmd: 'quit' }),
  },
];

export function existsIn(spec: CommandSpec, place: SlashPlace): boolean {
  // A --socketio prompt has a client's commands and its own; those exist nowhere else.
  if (place === 'socketio') return spec.where === 'socketio' || existsIn(spec, 'client');
  if (spec.where === 'socketio') return false;
  if (place === 'to') return spec.afterTo === true;
  if (place === 'proxy') return spec.where === 'proxy' || spec.inProxy === true;
  if (spec.where === 'proxy') return false;
  return spec.where === 'both' || spec.where === place;
}

/** The rows that exist in `place`, in table order. */
export function commandsFor(place: SlashPlace): CommandSpec[] {
  return COMMANDS.filter((spec) => existsIn(spec, place));
}

const CONNECTION_COMMANDS: ReadonlySet<Command['cmd']> = new Set(['send', 'file', 'ping', 'pong', 'close']);

function isConnectionCommand(command: Command): command is ConnectionCommand {
  return CONNECTION_COMMANDS.has(command.cmd);
}

/** The slash commands that can follow `/to <id>`: `/text, /hex, …, /close`. */
function afterToNames(): string {
  return commandsFor('to')
    .filter((spec) => spec.names.length > 0)
    .map((spec) => `/${spec.names[0]}`)
    .join(', ');
}

export function helpText(spec: CommandSpec, context: SlashContext): string {
  if (typeof spec.help === 'string') return spec.help;
  if (context === 'socketio') return spec.help.socketio ?? spec.help.client;
  return context === 'proxy' ? (spec.help.proxy ?? spec.help.server) : spec.help[context];
}

export function parseInputLine(line: string, place: SlashPlace = 'client'): Parsed<Command> {
  if (line.startsWith('//')) return LITERAL_LINE.parse(line.slice(1));
  if (!line.startsWith('/')) return place === 'socketio' ? emitCommand(line, false) : PLAIN_LINE.parse(line);
  const match = /^\/(\S*)(?:\s([\s\S]*))?$/.exec(line)!;
  const name = match[1].toLowerCase();
  const spec = COMMANDS.find((s) => s.names.includes(name) && existsIn(s, place));
  if (spec) return spec.parse(match[2] ?? '');
  if (place === 'to') {
    return fail(
      `"/${name}" is not for one client; after /to <id>: a text, or ${afterToNames()} (// for a text starting with /)`,
    );
  }
  return fail(`unknown command "/${name}" (type /help for the list, // to send a text starting with /)`);
}
