/**
 * Parsing of what a user types at the prompt: plain text, `//literal`, and slash commands
 * (SPEC "Input"). Pure: the result says what to do; nothing is sent or printed here. A bad command
 * is an error result with a one-line message, never an exception.
 */
import { type Parsed, parseCloseCode, validateCloseReason } from './close-codes.js';
import { parseBase64, parseHex } from './encoding.js';

export type SlashContext = 'client' | 'server';

export type Command =
  | { cmd: 'send'; data: Buffer; binary: boolean }
  | { cmd: 'file'; path: string }
  | { cmd: 'ping'; data: Buffer }
  | { cmd: 'pong'; data: Buffer }
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

export interface CommandHelp {
  usage: string;
  text: string;
  context: SlashContext | 'both';
}

export const COMMANDS: readonly CommandHelp[] = [
  { usage: '<text>', text: 'send a text message', context: 'both' },
  { usage: '//text', text: 'send "/text" (a text starting with a slash)', context: 'both' },
  { usage: '/text <text>', text: 'send a text message as typed (spaces kept)', context: 'both' },
  { usage: '/hex <hex>', text: 'send a binary message given in hex ("00 ff 0a")', context: 'both' },
  { usage: '/base64 <b64>', text: 'send a binary message given in base64', context: 'both' },
  { usage: '/file <path>', text: "send a file's bytes as one binary message", context: 'both' },
  { usage: '/json <json>', text: 'check JSON and send it compact as text', context: 'both' },
  { usage: '/ping [text]', text: 'send a ping; the pong shows the round trip', context: 'both' },
  { usage: '/pong [text]', text: 'send an unsolicited pong', context: 'both' },
  { usage: '/close [code] [reason]', text: 'close (default 1000) and wait for the answer', context: 'client' },
  { usage: '/to <id> <text>', text: 'send a text message to one client', context: 'server' },
  { usage: '/clients', text: 'list the connected clients', context: 'server' },
  { usage: '/close <id|all> [code] [reason]', text: 'close one client or all of them', context: 'server' },
  { usage: '/status', text: 'state, URL, protocol, extensions, counts, buffered bytes, last RTT', context: 'client' },
  { usage: '/help', text: 'this list', context: 'both' },
  { usage: '/quit', text: 'close with 1000 and exit', context: 'both' },
];

const ok = (value: Command): Parsed<Command> => ({ ok: true, value });
const fail = (error: string): Parsed<Command> => ({ ok: false, error });
const text = (s: string) => Buffer.from(s, 'utf8');

/** A control frame's payload is at most 125 bytes (RFC 6455 §5.5). */
const MAX_CONTROL_PAYLOAD = 125;

function control(cmd: 'ping' | 'pong', arg: string): Parsed<Command> {
  const data = text(arg);
  if (data.length > MAX_CONTROL_PAYLOAD) {
    return fail(`/${cmd}: payload is ${data.length} bytes; a ${cmd} carries at most ${MAX_CONTROL_PAYLOAD}`);
  }
  return ok({ cmd, data });
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

export function parseInputLine(line: string, context: SlashContext = 'client'): Parsed<Command> {
  if (line.startsWith('//')) return ok({ cmd: 'send', data: text(line.slice(1)), binary: false });
  if (!line.startsWith('/')) return ok({ cmd: 'send', data: text(line), binary: false });
  const match = /^\/(\S*)(?:\s([\s\S]*))?$/.exec(line)!;
  const name = match[1].toLowerCase();
  const rest = match[2] ?? '';
  const args = rest.trim();

  switch (name) {
    case 'text':
      return ok({ cmd: 'send', data: text(rest), binary: false });
    case 'hex':
    case 'base64': {
      if (args === '') return fail(`/${name}: expected a payload, e.g. /${name} ${name === 'hex' ? '00ff' : 'AAH/'}`);
      const bytes = name === 'hex' ? parseHex(args) : parseBase64(args);
      return bytes.ok ? ok({ cmd: 'send', data: bytes.value, binary: true }) : fail(`/${name}: ${bytes.error}`);
    }
    case 'file':
      return args === '' ? fail('/file: expected a path') : ok({ cmd: 'file', path: args });
    case 'json': {
      if (args === '') return fail('/json: expected a JSON value, e.g. /json {"type":"ping"}');
      try {
        return ok({ cmd: 'send', data: text(JSON.stringify(JSON.parse(args))), binary: false });
      } catch (err) {
        return fail(`/json: invalid JSON: ${(err as Error).message}`);
      }
    }
    case 'ping':
    case 'pong':
      return control(name, rest);
    case 'close': {
      if (context === 'client') {
        const parsed = closeArgs(args);
        return parsed.ok ? ok({ cmd: 'close', ...parsed.value }) : fail(`/close: ${parsed.error}`);
      }
      const [target, ...more] = args.split(/\s+/);
      const parsed = closeArgs(args.slice(target.length).trim());
      if (!parsed.ok) return fail(`/close: ${parsed.error}`);
      if (target === 'all') return ok({ cmd: 'close-client', ...parsed.value });
      const id = clientId(target, '/close');
      void more;
      return id.ok ? ok({ cmd: 'close-client', id: id.value, ...parsed.value }) : fail(`${id.error} (or "all")`);
    }
    case 'to': {
      if (context !== 'server') break;
      const to = /^(\S+)\s?([\s\S]*)$/.exec(args);
      const id = clientId(to?.[1], '/to');
      if (!id.ok) return id;
      return ok({ cmd: 'to', id: id.value, data: text(to![2]), binary: false });
    }
    case 'clients':
      if (context !== 'server') break;
      return ok({ cmd: 'clients' });
    case 'status':
      return ok({ cmd: 'status' });
    case 'help':
    case '?':
      return ok({ cmd: 'help' });
    case 'quit':
    case 'exit':
      return ok({ cmd: 'quit' });
  }
  return fail(`unknown command "/${name}" (type /help for the list, // to send a text starting with /)`);
}
