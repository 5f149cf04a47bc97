/** `connect`'s options, resolved once from the command line (cli/connect-options.ts), one object per concern. */

import type { SendItem } from '../cli/send-options.js';
import { usageError } from '../errors.js';
import type { ExecPlan } from '../exec/plan.js';
import { readFileOrStream } from '../input/files.js';
import type { SummaryEvent } from '../output/events.js';
import type { OutputOptions } from '../output/options.js';
import type { EndRules } from '../protocol/end-policy.js';
import type { Rule } from '../protocol/rules.js';
import type { OutMessage } from '../session/outbox.js';
import type { SocketIoPlan } from '../session/socketio.js';
import type { StdinOptions } from '../session/stdin-reader.js';
import type { ConnectionSettings } from './client-options.js';

export interface ConnectPlan {
  url: string;
  connection: ConnectionSettings;
  keepalive?: { intervalMs: number; timeoutMs: number };
  input: StdinOptions & { stdin: boolean; history: boolean; send: readonly SendItem[] };
  /** Everything of the end policy but `interactive`, which depends on stdin being a terminal. */
  ending: Omit<EndRules, 'interactive'>;
  output: OutputOptions;
  writeOut?: (e: SummaryEvent) => string;
  /** `--socketio`: Engine.IO/Socket.IO inside the WebSocket (its code loads only then). */
  socketio?: SocketIoPlan;
  /** `--exec`: a program as the input (its stdout is sent) and the reader of what arrives. */
  exec?: ExecPlan;
  /** `--rules`: auto-replies to the server (docs/rules.md). */
  rules?: readonly Rule[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A file's bytes as a message: `--send-text-file` must hold UTF-8 (a peer closes 1007 otherwise). */
function fileMessage(item: Extract<SendItem, { kind: 'file' }>): OutMessage {
  const what = item.text ? '--send-text-file' : '--send-file';
  const data = readFileOrStream(item.path, item.maxBytes ?? Number.POSITIVE_INFINITY, what);
  if (item.text) {
    try {
      utf8.decode(data);
    } catch {
      throw usageError(`${what} ${item.path}: not UTF-8 text`, 'use --send-file to send it as a binary message');
    }
  }
  return { data, binary: !item.text };
}

/**
 * The --send messages, files read now, once (a pipe can be read only once; `--reconnect` sends the same
 * bytes again): an unreadable one is a usage error before connecting.
 */
export function loadSendItems(items: readonly SendItem[]): OutMessage[] {
  return items.map((item) =>
    item.kind === 'file' ? fileMessage(item) : { data: item.data, binary: item.kind === 'binary' },
  );
}
