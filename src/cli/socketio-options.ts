/**
 * `connect --socketio` and its options, under one help heading. Only types come from the Socket.IO
 * layer: its code (and the codec) loads when a session with `--socketio` runs; what needs the codec to
 * be checked (`--emit`'s JSON) is checked then, before connecting.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { SocketIoPlan } from '../session/socketio.js';
import { choiceArg } from './parsers.js';
import type { SendItem } from './send-options.js';

export const SOCKETIO_GROUP = 'Socket.IO:';

export interface SocketIoFlags {
  socketio?: boolean;
  socketioPath: string;
  eio: 3 | 4;
  namespace?: string;
  socketioAuth?: Record<string, unknown>;
}

/** Options that mean nothing without --socketio (checked before the command runs). */
export const SOCKETIO_NEEDS = [
  '--socketio-path',
  '--eio',
  '--namespace',
  '--socketio-auth',
  '--emit',
  '--emit-ack',
  '--expect-event',
];

function namespaceArg(text: string): string {
  if (!/^\/\S*$/.test(text)) throw new InvalidArgumentError(`a namespace starts with "/", e.g. /admin; got "${text}"`);
  return text.length > 1 ? text.replace(/\/+$/, '') : text;
}

function authArg(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // reported below
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`expected a JSON object, e.g. '{"token":"abc"}'`);
  }
  return value as Record<string, unknown>;
}

/**
 * Adds the options. `--emit` goes into `emits` with its place among the --send messages (`sends`),
 * so -x and --emit are sent in command-line order.
 */
export function addSocketIoOptions(
  cmd: Command,
  sends: readonly SendItem[],
  emits: Array<{ at: number; text: string; ack?: boolean }>,
  expectEvent: (name: string) => void,
): Command {
  return cmd
    .optionsGroup(SOCKETIO_GROUP)
    .option('--socketio', 'speak Socket.IO (Engine.IO over WebSocket): events, acks, namespaces, heartbeat')
    .option('--socketio-path <path>', 'the Engine.IO path on the server', '/socket.io/')
    .addOption(
      new Option('--eio <version>', 'Engine.IO version: 4 (Socket.IO 3 and 4) or 3 (Socket.IO 2)')
        .argParser((v) => Number(choiceArg(['3', '4'] as const)(v)) as 3 | 4)
        .default(4),
    )
    .option('--namespace <ns>', 'the namespace to connect (default: the URL path, or /)', namespaceArg)
    .option('--socketio-auth <json>', 'the namespace auth payload (Socket.IO 2: sent as its query)', authArg)
    .option(
      '--emit <event-and-args>',
      'emit an event after connect: \'chat "hi" {"to":"ann"}\' (repeatable, in order with -x)',
      (text: string) => {
        emits.push({ at: sends.length, text });
        return text;
      },
    )
    .option(
      '--emit-ack <event-and-args>',
      'as --emit, asking for an ack: the ack is shown with its round trip',
      (text: string) => {
        emits.push({ at: sends.length, text, ack: true });
        return text;
      },
    )
    .option(
      '--expect-event <name>',
      'succeed once this event arrives (--expect-json then looks at its first arg)',
      (name: string) => {
        expectEvent(name);
        return name;
      },
    );
}

/** The flags, resolved once; undefined without --socketio. */
export function socketioPlan(
  f: SocketIoFlags,
  emits: ReadonlyArray<{ at: number; text: string; ack?: boolean }>,
  connectTimeoutMs: number,
): SocketIoPlan | undefined {
  if (!f.socketio) return undefined;
  return {
    path: f.socketioPath,
    eio: f.eio,
    namespace: f.namespace,
    auth: f.socketioAuth,
    emits: [...emits],
    connectTimeoutMs,
  };
}
