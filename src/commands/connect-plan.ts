/** `connect`'s options, resolved once from the command line (cli/connect-options.ts), one object per concern. */
import type { SendItem } from '../cli/parsers.js';
import { readFileOrUsage } from '../input/files.js';
import type { SummaryEvent } from '../output/events.js';
import type { OutputOptions } from '../output/options.js';
import type { EndRules } from '../protocol/end-policy.js';
import type { OutMessage } from '../session/outbox.js';
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
}

/** The --send messages, files read now (an unreadable one is a usage error before connecting). */
export function loadSendItems(items: readonly SendItem[]): OutMessage[] {
  return items.map((item) =>
    item.kind === 'file'
      ? { data: readFileOrUsage(item.path, '--send-file'), binary: true }
      : { data: item.data, binary: item.kind === 'binary' },
  );
}
