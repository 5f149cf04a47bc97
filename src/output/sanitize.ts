/** Making network-supplied text safe to print, and masking secrets in headers. Pure. */

// C0 controls except TAB and LF, DEL, and C1 controls (U+0080–U+009F, e.g. CSI U+009B).
const UNSAFE_KEEP_NEWLINES = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
const UNSAFE_ALL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\r') return '\\r';
  if (ch === '\n') return '\\n';
  if (code >= 0x80) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * Escapes every control character that a terminal could interpret (ESC, CSI, BEL, CR, …), so a
 * hostile peer cannot move the cursor, retitle the window or clear the screen. TAB is kept; LF is
 * kept unless `keepNewlines` is false (single-line fields such as a close reason or header value).
 */
export function escapeControl(text: string, keepNewlines = true): string {
  return text.replace(keepNewlines ? UNSAFE_KEEP_NEWLINES : UNSAFE_ALL, escapeChar);
}

const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}

/** `Basic dXNlcjpwYXNz` → `Basic ****`; a cookie `a=1; b=2` → `****`. */
export function maskHeaderValue(name: string, value: string): string {
  if (!isSecretHeader(name)) return value;
  const lower = name.toLowerCase();
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const scheme = value.match(/^([A-Za-z][\w-]*) /)?.[1];
    if (scheme) return `${scheme} ****`;
  }
  return '****';
}
