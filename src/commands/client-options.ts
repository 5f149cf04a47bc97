/** From command-line flags to the options of a client session: headers, auth, TLS files. */
import { readFileSync } from 'node:fs';
import type { ConnectFlags } from '../cli/connect-options.js';
import type { Env } from '../env.js';
import { usageError } from '../errors.js';
import { proxyFor } from '../protocol/proxy.js';
import type { ClientOptions } from '../session/client.js';
import { ConnectProxyAgent } from '../session/proxy-agent.js';
import { basicAuthHeader, keyPassphrase } from './credentials.js';

/** How long we wait for the peer to answer our close frame before dropping the connection. */
export const CLOSE_TIMEOUT_MS = 3000;

function readPem(path: string, option: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw usageError(
      `${option}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

export async function clientOptions(url: string, flags: ConnectFlags, env: Env): Promise<ClientOptions> {
  const headers = [...(flags.header ?? [])];
  if (flags.auth !== undefined) headers.push(await basicAuthHeader(flags.auth, env));
  if (flags.key !== undefined && flags.cert === undefined) throw usageError('--key needs --cert');
  if (flags.cert !== undefined && flags.key === undefined) throw usageError('--cert needs --key');
  const proxy = proxyFor(url, flags.proxy, env.vars);
  if (!proxy.ok) throw usageError(`--proxy: ${proxy.error}`);
  return {
    url,
    headers,
    protocolVersion: flags.protocolVersion,
    tapFrames: flags.verbose >= 2,
    followRedirects: flags.location,
    maxRedirects: flags.maxRedirects,
    agent: proxy.value ? new ConnectProxyAgent(proxy.value, url.startsWith('wss:')) : undefined,
    subprotocols: flags.subprotocol ?? [],
    origin: flags.origin,
    deflate: flags.deflate,
    maxPayload: flags.maxPayload,
    connectTimeoutMs: flags.connectTimeout * 1000,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    tls: {
      ca: flags.ca !== undefined ? readPem(flags.ca, '--ca') : undefined,
      cert: flags.cert !== undefined ? readPem(flags.cert, '--cert') : undefined,
      key: flags.key !== undefined ? readPem(flags.key, '--key') : undefined,
      passphrase: await keyPassphrase(flags.passphrase, env),
      rejectUnauthorized: !flags.insecure,
    },
  };
}
