/** Text for the prompt's `/status`, `/help` and (servers) `/clients`. Pure. */
import { commandsFor, helpText, type SlashContext } from '../protocol/slash.js';
import { escapeControl, maskPath, maskUrl } from './sanitize.js';

/** `--show-secrets`: URLs and paths shown with their passwords and tokens (masked by default). */
export interface SecretsShown {
  showSecrets?: boolean;
}

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

export function statusLines(s: StatusSnapshot, o: SecretsShown = {}): string[] {
  return [
    `state:       ${s.state}`,
    `url:         ${escapeControl(o.showSecrets ? s.url : maskUrl(s.url), false)}`,
    `subprotocol: ${escapeControl(s.protocol, false) || 'none'}`,
    `extensions:  ${escapeControl(s.extensions, false) || 'none'}`,
    `received:    ${s.messagesIn} messages, ${s.bytesIn} bytes`,
    `sent:        ${s.messagesOut} messages, ${s.bytesOut} bytes`,
    `buffered:    ${s.bufferedBytes} bytes`,
    `last RTT:    ${s.lastRttMs !== undefined ? `${s.lastRttMs.toFixed(1)} ms` : 'none (try /ping)'}`,
  ];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export interface ServerStatusSnapshot {
  url: string;
  clients: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  /** Typed or piped messages not yet written to every client. */
  waitingMessages: number;
  waitingBytes: number;
}

/** A server's `/status`. */
export function serverStatusLines(s: ServerStatusSnapshot): string[] {
  return [
    `listening on ${s.url}, ${plural(s.clients, 'client')} connected`,
    `in ${plural(s.messagesIn, 'message')} (${s.bytesIn} bytes), out ${plural(s.messagesOut, 'message')} (${s.bytesOut} bytes)`,
    `${plural(s.waitingMessages, 'message')} waiting to be sent (${s.waitingBytes} bytes)`,
  ];
}

export interface ClientRow {
  id: number;
  remote: string;
  /** The request path (and query). */
  path: string;
  protocol: string;
  upMs: number;
  messagesIn: number;
  messagesOut: number;
  open: boolean;
}

/** A server's `/clients`. */
export function clientListLines(clients: readonly ClientRow[], o: SecretsShown = {}): string[] {
  if (clients.length === 0) return ['no client connected'];
  const rows = clients.map((c) => {
    const protocol = c.protocol ? `  subprotocol ${escapeControl(c.protocol, false)}` : '';
    const state = c.open ? '' : '  (closing)';
    const up = (c.upMs / 1000).toFixed(1);
    // The path is what the client asked for: its text and its tokens are the client's.
    const path = escapeControl(o.showSecrets ? c.path : maskPath(c.path), false);
    return `  #${c.id}  ${escapeControl(c.remote, false)}  ${path}${protocol}  up ${up} s  in ${c.messagesIn}  out ${c.messagesOut}${state}`;
  });
  return [`${plural(clients.length, 'client')}:`, ...rows];
}

/** `/help` in `context`: every command that exists there, from the one table, aligned. */
export function helpLines(context: SlashContext): string[] {
  const shown = commandsFor(context);
  const width = Math.max(...shown.map((c) => c.usage.length));
  return shown.map((c) => `${c.usage.padEnd(width)}  ${helpText(c, context)}`);
}
