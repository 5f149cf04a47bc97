/**
 * The URL a user typed, made into a ws:// or wss:// URL — the one place that reads a target. Pure.
 *
 * - `ws://`, `wss://` as given; `http(s)://` become `ws(s)://`; no scheme gets `ws://`;
 *   `ws+unix:///path/to.sock:/request/path` for Unix sockets.
 * - A bare port, `9102` or `:9102` (a path may follow: `:9102/chat`), is `ws://localhost:9102/`: a
 *   number alone never leaves the machine (WHATWG URL parsing would read `9102` as the IPv4 address
 *   0.0.35.142). `localhost` is resolved as for any URL that names it: the loopback addresses of
 *   /etc/hosts, ::1 and 127.0.0.1 both tried.
 * - A scheme typed wrong (`ws:/h`, `ws:h`, `wss//h`) or a port out of range is refused with the reason
 *   and, where one is obvious, the URL that was probably meant.
 */
import type { Parsed } from './close-codes.js';

const SCHEMES: Readonly<Record<string, string>> = {
  'ws:': 'ws:',
  'wss:': 'wss:',
  'http:': 'ws:',
  'https:': 'wss:',
  'ws+unix:': 'ws+unix:',
};

/** The host a bare port (`9102`, `:9102`) connects to. */
export const BARE_PORT_HOST = 'localhost';

const BARE_PORT = /^:?(\d+)([/?#].*)?$/;
/** One of our schemes followed by one colon and no `//`: `ws:/h`, `ws:h` (but not `ws:8080`, host ws). */
const SCHEME_WITHOUT_SLASHES = /^(wss?|https?|ws\+unix):(?!\/\/)(.*)$/i;
/** One of our schemes followed by `//` but no colon: `wss//h`. */
const SCHEME_WITHOUT_COLON = /^(wss?|https?|ws\+unix)\/\/(.*)$/i;
const HAS_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

function fail(error: string): Parsed<string> {
  return { ok: false, error };
}

function checkPort(text: string): string | undefined {
  if (!/^\d+$/.test(text)) return `port "${text}" is not a number`;
  const port = Number(text);
  if (port < 1 || port > 65535) return `port ${text} is out of range (1–65535)`;
  return undefined;
}

/** A mistyped scheme, with the URL that was probably meant. */
function schemeTypo(text: string, input: string): string | undefined {
  const noSlashes = SCHEME_WITHOUT_SLASHES.exec(text);
  if (noSlashes && !/^\d+([/?#]|$)/.test(noSlashes[2])) {
    const scheme = noSlashes[1].toLowerCase();
    if (scheme === 'ws+unix') return `invalid URL "${input}": expected ws+unix:///path/to.sock after the scheme`;
    const rest = noSlashes[2].replace(/^\/+/, '');
    const meant = rest === '' ? '' : ` (did you mean ${scheme}://${rest}?)`;
    return `invalid URL "${input}": expected ${scheme}://host after the scheme${meant}`;
  }
  const noColon = SCHEME_WITHOUT_COLON.exec(text);
  if (noColon) {
    const scheme = noColon[1].toLowerCase();
    return `invalid URL "${input}": missing ":" after the scheme (did you mean ${scheme}://${noColon[2]}?)`;
  }
  return undefined;
}

/** The host and port of `scheme://[user@]host[:port]/…`, as typed (before URL parsing changes them). */
function authority(withScheme: string): { host: string; port: string | undefined } {
  const raw = withScheme.replace(HAS_SCHEME, '').split(/[/?#]/, 1)[0];
  const hostPort = raw.slice(raw.lastIndexOf('@') + 1);
  const bracket = hostPort.startsWith('[') ? hostPort.indexOf(']') : -1;
  // An unclosed `[` is left to the URL parser to refuse.
  if (hostPort.startsWith('[') && bracket < 0) return { host: hostPort, port: undefined };
  const colon = hostPort.indexOf(':', bracket + 1);
  if (colon < 0) return { host: hostPort, port: undefined };
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

export function normalizeUrl(input: string): Parsed<string> {
  const text = input.trim();
  if (text === '') return fail('invalid URL: empty');
  const bare = BARE_PORT.exec(text);
  if (bare) {
    const bad = checkPort(bare[1]);
    if (bad) return fail(bad);
    return normalizeUrl(`ws://${BARE_PORT_HOST}:${bare[1]}${bare[2] ?? '/'}`);
  }
  const typo = schemeTypo(text, input);
  if (typo) return fail(typo);
  const withScheme = HAS_SCHEME.test(text) ? text : `ws://${text}`;
  const typed = `${withScheme.slice(0, withScheme.indexOf(':')).toLowerCase()}:`;
  const scheme = Object.hasOwn(SCHEMES, typed) ? SCHEMES[typed] : undefined;
  if (!scheme) {
    return fail(`unsupported URL scheme "${typed.slice(0, -1)}" in "${input}": use ws, wss, http, https or ws+unix`);
  }
  if (scheme === 'ws+unix:') return { ok: true, value: withScheme };
  const { host, port } = authority(withScheme);
  if (host === '') return fail(`invalid URL "${input}": no host`);
  // `ws://h:` is `ws://h` to the URL parser; anything else after the colon must be a port.
  if (port !== undefined && port !== '') {
    const bad = checkPort(port);
    if (bad) return fail(`invalid URL "${input}": ${bad}`);
  }
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return fail(`invalid URL "${input}"`);
  }
  if (!url.hostname) return fail(`invalid URL "${input}": no host`);
  url.protocol = scheme;
  // A fragment is never sent in a request line (RFC 6455 §3); drop it rather than fail.
  url.hash = '';
  return { ok: true, value: url.toString() };
}

/**
 * Whether a word on the command line is meant as a URL rather than a command: it has a scheme or a
 * port (`ws://h`, `ws:/h`, `host:8080`, `9102`, `:9102`), a dot, a slash, an `@` or a bracket
 * (`example.com`, `wss//h`, `[::1]`), or is `localhost`. A bare word (`echoo`, `version`) is not:
 * `ws://name` reaches a host with no dot in its name.
 */
export function looksLikeUrl(word: string): boolean {
  if (word.trim() === '') return true;
  return (
    /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(word) || BARE_PORT.test(word) || /[./@[\]]/.test(word) || /^localhost$/i.test(word)
  );
}
