/** Text for the REPL's `/status` and `/help`. Pure. */
import { COMMANDS, type SlashContext } from '../protocol/slash.js';
import { escapeControl } from './sanitize.js';

export interface StatusSnapshot {
  state: 'CONNECTING' | 'OPEN' | 'CLOSING' | 'CLOSED';
  url: string;
  protocol: string;
  extensions: string;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  bufferedBytes: number;
  lastRttMs?: number;
}

export function statusLines(s: StatusSnapshot): string[] {
  return [
    `state:       ${s.state}`,
    `url:         ${s.url}`,
    `subprotocol: ${escapeControl(s.protocol, false) || 'none'}`,
    `extensions:  ${escapeControl(s.extensions, false) || 'none'}`,
    `received:    ${s.messagesIn} messages, ${s.bytesIn} bytes`,
    `sent:        ${s.messagesOut} messages, ${s.bytesOut} bytes`,
    `buffered:    ${s.bufferedBytes} bytes`,
    `last RTT:    ${s.lastRttMs !== undefined ? `${s.lastRttMs.toFixed(1)} ms` : 'none (try /ping)'}`,
  ];
}

export function helpLines(context: SlashContext): string[] {
  const shown = COMMANDS.filter((c) => c.context === 'both' || c.context === context);
  const width = Math.max(...shown.map((c) => c.usage.length));
  return shown.map((c) => `${c.usage.padEnd(width)}  ${c.text}`);
}
