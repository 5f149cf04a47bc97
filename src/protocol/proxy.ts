/**
 * Which HTTP proxy a connection goes through: `--proxy`, else `HTTPS_PROXY` (wss) or `HTTP_PROXY` (ws),
 * lower-case names too, unless `NO_PROXY` lists the host. Pure.
 *
 * NO_PROXY: comma- or space-separated entries; `*` matches everything; `example.com` and `.example.com`
 * match the host and its subdomains; `host:port` matches that port only; IP addresses match exactly.
 */
import type { Parsed } from './close-codes.js';

export interface ProxyConfig {
  /** The proxy's URL, credentials removed, for messages. */
  display: string;
  host: string;
  port: number;
  /** `user:password` from the proxy URL, decoded. */
  auth?: string;
}

export function parseProxyUrl(text: string): Parsed<ProxyConfig> {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`);
  } catch {
    return { ok: false, error: `invalid proxy URL "${text}"` };
  }
  if (url.protocol !== 'http:') {
    return {
      ok: false,
      error: `unsupported proxy scheme "${url.protocol.slice(0, -1)}": use an http:// proxy (HTTP CONNECT)`,
    };
  }
  if (!url.hostname) return { ok: false, error: `invalid proxy URL "${text}": no host` };
  const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : 80;
  return { ok: true, value: { display: `http://${url.host}`, host, port, auth } };
}

function bypassed(noProxy: string, host: string, port: number): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return noProxy
    .split(/[\s,]+/)
    .filter((entry) => entry !== '')
    .some((raw) => {
      const entry = raw.toLowerCase();
      if (entry === '*') return true;
      const m = /^(.*?)(?::(\d+))?$/.exec(entry)!;
      const name = m[1].replace(/^\*?\./, '').replace(/^\[(.*)\]$/, '$1');
      if (m[2] !== undefined && Number(m[2]) !== port) return false;
      return h === name || h.endsWith(`.${name}`);
    });
}

/** The proxy for a ws:// or wss:// URL, or null for a direct connection. */
export function proxyFor(
  target: string,
  flag: string | undefined,
  vars: Readonly<Record<string, string | undefined>>,
): Parsed<ProxyConfig | null> {
  const url = new URL(target);
  if (url.protocol === 'ws+unix:') return { ok: true, value: null };
  const secure = url.protocol === 'wss:';
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const names = secure ? ['HTTPS_PROXY', 'https_proxy'] : ['HTTP_PROXY', 'http_proxy'];
  const envName = names.find((name) => vars[name] !== undefined);
  const chosen = flag ?? (envName !== undefined ? vars[envName] : undefined);
  if (!chosen) return { ok: true, value: null };
  if (flag === undefined && bypassed(vars.NO_PROXY ?? vars.no_proxy ?? '', url.hostname, port)) {
    return { ok: true, value: null };
  }
  const parsed = parseProxyUrl(chosen);
  // Say where a bad proxy URL came from: the user may not know a variable is set.
  if (!parsed.ok && flag === undefined) return { ok: false, error: `${parsed.error} (from ${envName})` };
  return parsed;
}
