/**
 * Making text safe to print, and masking secrets in what is shown. Pure.
 *
 * Escaping: everything a peer controls is printed with the characters a terminal acts on escaped —
 * C0 controls (but TAB, and LF where lines are kept), DEL, C1 controls (U+0080–U+009F: 8-bit CSI, OSC, …)
 * and the bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069),
 * which reorder what follows them on screen (Trojan Source, CVE-2021-42574).
 *
 * Masking (display only: connections always use the real values): Authorization-like header values,
 * the `user:password` of a URL, and the values of token-like query parameters (`isSecretParam`).
 */

/** The bidirectional formatting characters: ALM, LRM, RLM, LRE/RLE/PDF/LRO/RLO, LRI/RLI/FSI/PDI. */
const BIDI = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069';
// C0 controls except TAB and LF, DEL, C1 controls (U+0080–U+009F, e.g. CSI U+009B) and bidi controls.
const UNSAFE_KEEP_NEWLINES = new RegExp(`[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f${BIDI}]`, 'g');
const UNSAFE_ALL = new RegExp(`[\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f${BIDI}]`, 'g');
/** What JSON.stringify leaves raw that a terminal may act on (it escapes C0 itself). */
const UNSAFE_IN_JSON = new RegExp(`[\\x7f-\\x9f${BIDI}]`, 'g');

function hex4(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\r') return '\\r';
  if (ch === '\n') return '\\n';
  if (code >= 0x80) return hex4(code);
  return `\\x${code.toString(16).padStart(2, '0')}`;
}

/**
 * Escapes every character that a terminal could interpret (ESC, CSI, BEL, CR, bidi overrides, …), so a
 * hostile peer cannot move the cursor, retitle the window, clear the screen or reorder what is shown.
 * TAB is kept; LF is kept unless `keepNewlines` is false (single-line fields such as a close reason or
 * header value).
 */
export function escapeControl(text: string, keepNewlines = true): string {
  return text.replace(keepNewlines ? UNSAFE_KEEP_NEWLINES : UNSAFE_ALL, escapeChar);
}

/**
 * `JSON.stringify`, with DEL, C1 and bidi controls also written as `\uXXXX` (it escapes C0 already):
 * still valid JSON that parses back to the same value, and nothing in it a terminal acts on. These
 * characters can only stand inside JSON strings (the syntax is ASCII), so escaping them there is exact.
 */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_JSON, (ch) => hex4(ch.charCodeAt(0)));
}

/**
 * What a string needs more than its quotes for, in `safeJson`: `"`, `\`, C0, DEL, C1, bidi controls, and
 * surrogates (a lone one is written `\udXXX`; a pair is kept, but the test is per code unit).
 */
const NOT_PLAIN_IN_JSON = new RegExp(`["\\\\\\x00-\\x1f\\x7f-\\x9f${BIDI}\\ud800-\\udfff]`);

/**
 * `safeJson(text)` for a string, exactly, without the general serializer for the usual text that needs
 * nothing but its quotes (the JSON renderer writes thousands of lines per second with -vv).
 */
export function safeJsonString(text: string): string {
  return NOT_PLAIN_IN_JSON.test(text) ? safeJson(text) : `"${text}"`;
}

export const MASK = '****';

const SECRET_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
/** Headers whose value is a URL, which may carry a password or a token in its query. */
const URL_HEADERS: ReadonlySet<string> = new Set(['location', 'content-location', 'referer']);

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase());
}

/**
 * `Basic dXNlcjpwYXNz` → `Basic ****`; a cookie `a=1; b=2` → `****`; a `Location` URL with its
 * password and token-like parameters masked (`maskUrl`).
 */
export function maskHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (URL_HEADERS.has(lower)) return maskUrl(value);
  if (!SECRET_HEADERS.has(lower)) return value;
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const scheme = value.match(/^([A-Za-z][\w-]*) /)?.[1];
    if (scheme) return `${scheme} ${MASK}`;
  }
  return MASK;
}

/**
 * Query (and fragment) parameters whose value is masked, by name, case-insensitive, with `-` and `.`
 * counted as `_`: names ending in `token`, `secret`, `password`, `passwd`, `apikey`, `api_key`,
 * `signature`, `credential(s)` (so `access_token`, `client_secret`, `X-Amz-Signature`,
 * `X-Amz-Credential`), and names that are, or end in `_` and, `key`, `auth`, `authorization`, `sig`,
 * `pwd`, `pass` or `jwt` (so `key`, `api-key`, `auth`, `sig`; not `monkey` or `keyword`).
 */
const SECRET_PARAM =
  /^(?:.*(?:token|secret|password|passwd|apikey|api_key|signature|credentials?)|(?:.*_)?(?:key|auth|authorization|sig|pwd|pass|jwt))$/;

export function isSecretParam(name: string): boolean {
  let decoded = name;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: judge the name as written.
  }
  return SECRET_PARAM.test(decoded.toLowerCase().replace(/[-.]/g, '_'));
}

/** `a=1&token=xyz` → `a=1&token=****`; everything else byte for byte as it was. */
function maskParams(params: string): string {
  return params
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0 || eq === pair.length - 1) return pair;
      const name = pair.slice(0, eq);
      return isSecretParam(name) ? `${name}=${MASK}` : pair;
    })
    .join('&');
}

/** The query and fragment of a URL, a path (`/chat?token=x`) or a bare query, with secret parameters masked. */
function maskQueryAndFragment(text: string): string {
  const hash = text.indexOf('#');
  const beforeHash = hash < 0 ? text : text.slice(0, hash);
  const fragment = hash < 0 ? '' : text.slice(hash);
  const q = beforeHash.indexOf('?');
  const masked = q < 0 ? beforeHash : beforeHash.slice(0, q + 1) + maskParams(beforeHash.slice(q + 1));
  // OAuth's implicit flow puts tokens in the fragment: `#access_token=…`.
  return masked + (fragment.includes('=') ? `#${maskParams(fragment.slice(1))}` : fragment);
}

/** A request path as shown (`/chat?token=****`). */
export function maskPath(path: string): string {
  return maskQueryAndFragment(path);
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A URL as shown: `ws://alice:s3cret@host/?token=abc` → `ws://alice:****@host/?token=****`; a user
 * without a password is masked too (tokens are often passed that way: `https://TOKEN@host`). The text
 * is otherwise kept exactly as given. Text that is not a valid URL (an error quoting what was typed)
 * is masked more widely: everything between the scheme and its last `@` counts as user information.
 * A URL without a scheme (`alice:pw@host`) is read as `ws://…`. Idempotent.
 */
export function maskUrl(text: string): string {
  const scheme = SCHEME.exec(text)?.[0] ?? '';
  const rest = text.slice(scheme.length);
  let parsed: URL | null = null;
  try {
    parsed = new URL(scheme ? text : `ws://${text}`);
  } catch {
    parsed = null;
  }
  let at = -1;
  if (parsed === null) at = rest.lastIndexOf('@');
  else if (parsed.username !== '' || parsed.password !== '') {
    const end = rest.search(/[/?#\\]/);
    at = (end < 0 ? rest : rest.slice(0, end)).lastIndexOf('@');
  }
  let shown = rest;
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    const colon = userinfo.indexOf(':');
    const user = colon >= 0 ? `${userinfo.slice(0, colon)}:${MASK}` : MASK;
    shown = `${user}${rest.slice(at)}`;
  }
  return scheme + maskQueryAndFragment(shown);
}

/** Characters that end a URL found in running text. */
const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
/** A quoted string (JSON-style escapes allowed): what was typed, as an error quotes it. */
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/**
 * Running text (an error message, a reason) with every URL in it masked (`maskUrl`): URLs with a
 * scheme, and quoted strings holding an `@`, `?` or `#` (a URL as the user typed it, quoted by an error,
 * perhaps without a scheme or not valid).
 * Punctuation that ends a sentence after a URL (`ws://h/x: refused`) stays outside it.
 */
export function maskSecretsInText(text: string): string {
  if (!text.includes('@') && !text.includes('?') && !text.includes('#')) return text;
  const quoted = text.replace(QUOTED, (whole, inner: string) => (/[@?#]/.test(inner) ? `"${maskUrl(inner)}"` : whole));
  return quoted.replace(URL_IN_TEXT, (url) => {
    const trail = /[.,:;)\]}]+$/.exec(url)?.[0] ?? '';
    return maskUrl(url.slice(0, url.length - trail.length)) + trail;
  });
}

/**
 * A `-H` argument as shown in an error: `Authorization: Bearer abc` → `Authorization: ****`; without a
 * colon, `Authorization Bearer abc` → `Authorization ****` (the first word, if a header name, is kept).
 */
export function maskHeaderArg(text: string): string {
  const colon = text.indexOf(':');
  if (colon > 0) {
    const value = text.slice(colon + 1).trim();
    return value === '' ? text : `${text.slice(0, colon)}: ${MASK}`;
  }
  const word = /^[!#$%&'*+.^_`|~0-9A-Za-z-]*/.exec(text)![0];
  if (word === text) return text;
  return word === '' ? MASK : `${word} ${MASK}`;
}

/** A `user:password` argument (`--auth`) as shown: `alice:****`; without a colon, all of it is masked. */
export function maskCredentials(text: string): string {
  const colon = text.indexOf(':');
  return colon > 0 ? `${text.slice(0, colon)}:${MASK}` : MASK;
}
