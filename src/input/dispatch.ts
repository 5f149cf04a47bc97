/**
 * Carrying out a typed or piped line. What the client and the servers do alike (send text, hex,
 * base64, JSON or a file, ping, pong, status, help, quit) is written once here; they differ only in
 * the target — the session, or every client — and in the few commands only one of them has.
 */
import { helpLines } from '../output/status.js';
import { type Command, parseInputLine, type SlashContext } from '../protocol/slash.js';
import type { OutMessage } from '../session/outbox.js';
import { encodeJson } from './encode.js';
import { readFileOrUsage } from './files.js';

type SharedCommand = 'send' | 'file' | 'encode' | 'ping' | 'pong' | 'status' | 'help' | 'quit';

/** The commands one place has and the other has not (client `/close`; server `/to`, `/clients`, `/close <id>`). */
export type OwnCommand = Exclude<Command, { cmd: SharedCommand }>;

/** Where a command's effect goes. */
export interface CommandTarget {
  readonly context: SlashContext;
  /** A message for the peer (client) or for every client (server), in order. */
  send(message: OutMessage): void;
  /** Sends a ping or a pong now; returns why it could not (nobody to send it to), or null. */
  control(kind: 'ping' | 'pong', data: Buffer): string | null;
  /** The `/status` lines. */
  status(): string[];
  /** `/quit`: close with 1000 and exit. */
  quit(): void;
  /** Lines that answer a command (`/status`, `/help`, `/clients`). */
  reply(lines: string[]): void;
  /** A one-line complaint about a command; nothing was done. */
  problem(message: string): void;
  /** A command only this place has. */
  own(command: OwnCommand): void;
}

export function runCommand(command: Command, target: CommandTarget): void {
  switch (command.cmd) {
    case 'send':
      target.send({ data: command.data, binary: command.binary });
      return;
    case 'file': {
      // Read now, not later: what is typed or piped after `/file` goes after the file.
      let data: Buffer;
      try {
        data = readFileOrUsage(command.path, '/file');
      } catch (err) {
        target.problem((err as Error).message);
        return;
      }
      target.send({ data, binary: true });
      return;
    }
    case 'encode': {
      // The library is loaded at the first such command (input/encode.ts).
      const encoded = encodeJson(command.codec, command.json);
      if (encoded.ok) target.send({ data: encoded.value, binary: true });
      else target.problem(`/${command.codec}: ${encoded.error}`);
      return;
    }
    case 'ping':
    case 'pong': {
      const why = target.control(command.cmd, command.data);
      if (why !== null) target.problem(`/${command.cmd}: ${why}`);
      return;
    }
    case 'status':
      target.reply(target.status());
      return;
    case 'help':
      target.reply(helpLines(target.context));
      return;
    case 'quit':
      target.quit();
      return;
    default:
      target.own(command);
  }
}

/**
 * Parses `line` in the target's place and carries it out; a bad line is one `problem`. `before` sees
 * a good command first (the prompt erases a line it is about to show as sent).
 */
export function runInputLine(line: string, target: CommandTarget, before?: (command: Command) => void): void {
  const parsed = parseInputLine(line, target.context);
  if (!parsed.ok) {
    target.problem(parsed.error);
    return;
  }
  before?.(parsed.value);
  runCommand(parsed.value, target);
}
