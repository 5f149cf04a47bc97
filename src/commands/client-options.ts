/** From the connection settings to the options of a client session: headers, auth, TLS files, proxy. */
import type { Env } from '../env.js';
import { usageError } from '../errors.js';
import { readFileOrUsage } from '../input/files.js';
import { type PemWanted, pemProblem } from '../protocol/pem.js';
import { proxyFor } from '../protocol/proxy.js';
import type { ClientOptions } from '../session/client.js';
import { ConnectProxyAgent } from '../session/proxy-agent.js';
import { basicAuthHeader, keyPassphrase } from './credentials.js';

/** How long we wait for the peer to answer our close frame before dropping the connection. */
export const CLOSE_TIMEOUT_MS = 3000;

/** TLS files and checks for wss:// (paths as given; read when the session starts). */
export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  /** `true`: ask for it on the terminal. */
  passphrase?: string | true;
  insecure: boolean;
}

/** The connection as the command line describes it. */
export interface ConnectionSettings {
  headers: ReadonlyArray<[string, string]>;
  subprotocols: readonly string[];
  origin?: string;
  deflate: boolean;
  /** --max-payload (default 100 MiB, as the servers). */
  maxPayload: number;
  connectTimeoutMs: number;
  protocolVersion: 8 | 13;
  followRedirects: boolean;
  maxRedirects: number;
  /** -vv: every frame on the wire. */
  tapFrames: boolean;
  /** --auth user[:password] (asked for on the terminal when the password is missing). */
  auth?: string;
  /** --proxy; HTTPS_PROXY, HTTP_PROXY and NO_PROXY otherwise. */
  proxy?: string;
  tls: TlsSettings;
}

/** Reads a TLS file now: unreadable, or not what `option` wants, is a usage error naming both. */
function tlsFile(path: string, option: string, wanted: PemWanted): Buffer {
  const data = readFileOrUsage(path, option);
  const problem = pemProblem(data, wanted);
  if (problem !== undefined) throw usageError(`${option} ${path}: ${problem}`);
  return data;
}

export async function clientOptions(url: string, c: ConnectionSettings, env: Env): Promise<ClientOptions> {
  const headers = [...c.headers];
  if (c.auth !== undefined) headers.push(await basicAuthHeader(c.auth, env));
  if (c.tls.key !== undefined && c.tls.cert === undefined) throw usageError('--key needs --cert');
  if (c.tls.cert !== undefined && c.tls.key === undefined) throw usageError('--cert needs --key');
  const proxy = proxyFor(url, c.proxy, env.vars);
  if (!proxy.ok) throw usageError(`--proxy: ${proxy.error}`);
  // Each hop of -L is asked again: NO_PROXY may list one host and not another, and ws:// and wss:// differ.
  const agentFor = (hopUrl: string) => {
    const hop = hopUrl === url ? proxy : proxyFor(hopUrl, c.proxy, env.vars);
    return hop.ok && hop.value ? new ConnectProxyAgent(hop.value, hopUrl.startsWith('wss:')) : undefined;
  };
  return {
    url,
    headers,
    protocolVersion: c.protocolVersion,
    tapFrames: c.tapFrames,
    followRedirects: c.followRedirects,
    maxRedirects: c.maxRedirects,
    agentFor,
    subprotocols: [...c.subprotocols],
    origin: c.origin,
    deflate: c.deflate,
    maxPayload: c.maxPayload,
    connectTimeoutMs: c.connectTimeoutMs,
    closeTimeoutMs: CLOSE_TIMEOUT_MS,
    tls: {
      ca: c.tls.ca !== undefined ? tlsFile(c.tls.ca, '--ca', 'certificate') : undefined,
      cert: c.tls.cert !== undefined ? tlsFile(c.tls.cert, '--cert', 'certificate') : undefined,
      key: c.tls.key !== undefined ? tlsFile(c.tls.key, '--key', 'private key') : undefined,
      passphrase: await keyPassphrase(c.tls.passphrase, env),
      rejectUnauthorized: !c.tls.insecure,
    },
  };
}
