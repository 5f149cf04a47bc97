/**
 * Where `-L` may follow a redirect of the opening handshake, and what goes along. Pure.
 *
 * - Only to ws:// or wss:// (a Location with http:// or https:// means the same, as on the command
 *   line); never to ws+unix:// (a redirect must not reach into a local socket) or anything else.
 * - Never from wss:// down to ws://: what was encrypted stays encrypted.
 * - To another host (host and port), none of what the user gave for the first one goes along: no
 *   `-H` headers, no `--auth` Authorization, no cookies, no `-s` subprotocols (which may carry tokens).
 *   The first host is the one the user named; a later hop back to it gets them again.
 */

export type RedirectDecision = { ok: true; url: string; sameHost: boolean } | { ok: false; message: string };

const FOLLOWED: Readonly<Record<string, string>> = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' };

function parse(text: string, base?: string): URL | null {
  try {
    return new URL(text, base);
  } catch {
    return null;
  }
}

/**
 * The next hop for a 3xx answer from `from` carrying `location`; `first` is the URL the user gave.
 */
export function redirectTarget(first: string, from: string, location: string): RedirectDecision {
  const target = parse(location, from);
  if (target === null) return { ok: false, message: `its Location is not a valid URL: ${JSON.stringify(location)}` };
  const scheme = FOLLOWED[target.protocol];
  if (scheme === undefined) {
    return {
      ok: false,
      message: `not following it to ${target.protocol}// (a redirect may only lead to ws:// or wss://)`,
    };
  }
  target.protocol = scheme;
  // A fragment is never part of a request (RFC 6455 §3).
  target.hash = '';
  const previous = parse(from);
  if (previous?.protocol === 'wss:' && scheme === 'ws:') {
    return { ok: false, message: 'not following it from wss:// down to unencrypted ws://' };
  }
  const origin = parse(first);
  const sameHost = origin !== null && origin.protocol !== 'ws+unix:' && origin.host === target.host;
  return { ok: true, url: target.href, sameHost };
}
