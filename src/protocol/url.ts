/** Normalisation of the URL a user typed into a ws:// or wss:// URL. Pure. */
import type { Parsed } from './close-codes.js';

const SCHEMES: Readonly<Record<string, string>> = {
  'ws:': 'ws:',
  'wss:': 'wss:',
  'http:': 'ws:',
  'https:': 'wss:',
  'ws+unix:': 'ws+unix:',
};

export function normalizeUrl(input: string): Parsed<string> {
  const text = input.trim();
  if (text === '') return { ok: false, error: 'invalid URL: empty' };
  const withScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(text) ? text : `ws://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, error: `invalid URL "${input}"` };
  }
  const scheme = SCHEMES[url.protocol];
  if (!scheme) {
    return {
      ok: false,
      error: `unsupported URL scheme "${url.protocol.slice(0, -1)}" in "${input}": use ws, wss, http, https or ws+unix`,
    };
  }
  if (scheme === 'ws+unix:') return { ok: true, value: withScheme };
  if (!url.hostname) return { ok: false, error: `invalid URL "${input}": no host` };
  url.protocol = scheme;
  // A fragment is never sent in a request line (RFC 6455 §3); drop it rather than fail.
  url.hash = '';
  return { ok: true, value: url.toString() };
}
