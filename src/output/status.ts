/** Text for the prompt's `/status`, `/help` and (servers) `/clients`. Pure. */
import { commandsFor, helpText, type SlashContext } from '../protocol/slash.js';
import { plural } from './plural.js';
import { escapeControl, maskPath, maskUrl } from './sanitize.js';
import { textWidth } from './width.js';

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
    `received:    ${plural(s.messagesIn, 'message')}, ${plural(s.bytesIn, 'byte')}`,
    `sent:        ${plural(s.messagesOut, 'message')}, ${plural(s.bytesOut, 'byte')}`,
    `buffered:    ${plural(s.bufferedBytes, 'byte')}`,
    `last RTT:    ${s.lastRttMs !== undefined ? `${s.lastRttMs.toFixed(1)} ms` : 'none (try /ping)'}`,
  ];
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
    `in ${plural(s.messagesIn, 'message')} (${plural(s.bytesIn, 'byte')}), out ${plural(s.messagesOut, 'message')} (${plural(s.bytesOut, 'byte')})`,
    `${plural(s.waitingMessages, 'message')} waiting to be sent (${plural(s.waitingBytes, 'byte')})`,
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
  bytesIn?: number;
  bytesOut?: number;
  open: boolean;
}

/** How long a client has been connected: `12.3s`, `4m05s`, `2h07m`. */
export function ageText(ms: number): string {
  const seconds = Math.max(0, ms) / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const whole = Math.floor(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (whole < 3600) return `${Math.floor(whole / 60)}m${two(whole % 60)}s`;
  return `${Math.floor(whole / 3600)}h${two(Math.floor(whole / 60) % 60)}m`;
}

/** Rows of cells as aligned columns (by display width): text to the left, numbers (`right`) to the right. */
export function columns(rows: readonly (readonly string[])[], right: ReadonlySet<number>, indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, textWidth(cell));
  }
  return rows.map((row) => {
    const cells = row.map((cell, i) => {
      const pad = ' '.repeat(widths[i] - textWidth(cell));
      return right.has(i) ? pad + cell : cell + pad;
    });
    return `${indent}${cells.join('  ')}`.trimEnd();
  });
}

/** A server's `/clients`: one aligned row per client under a header. */
export function clientListLines(clients: readonly ClientRow[], o: SecretsShown = {}): string[] {
  if (clients.length === 0) return ['no client connected'];
  const header = ['id', 'remote', 'path', 'subprotocol', 'up', 'in', 'out', 'bytes in', 'bytes out', ''];
  const rows = clients.map((c) => [
    `#${c.id}`,
    escapeControl(c.remote, false),
    // The path is what the client asked for: its text and its tokens are the client's.
    escapeControl(o.showSecrets ? c.path : maskPath(c.path), false) || '/',
    escapeControl(c.protocol, false) || '-',
    ageText(c.upMs),
    String(c.messagesIn),
    String(c.messagesOut),
    String(c.bytesIn ?? 0),
    String(c.bytesOut ?? 0),
    c.open ? '' : 'closing',
  ]);
  return [`${plural(clients.length, 'client')}:`, ...columns([header, ...rows], new Set([4, 5, 6, 7, 8]))];
}

/** `/help` in `context`: every command that exists there, from the one table, aligned. */
export function helpLines(context: SlashContext): string[] {
  const shown = commandsFor(context);
  const width = Math.max(...shown.map((c) => c.usage.length));
  return shown.map((c) => `${c.usage.padEnd(width)}  ${helpText(c, context)}`);
}
