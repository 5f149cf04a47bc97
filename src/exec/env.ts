/**
 * The environment of a program behind a server's client: the parent's, plus the request as
 * websocketd's CGI-style variables, plus ours. Pure.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestInfo {
  id: number;
  remoteAddress: string;
  remotePort: number;
  /** The request target as sent: `/chat?room=1`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The subprotocol the server chose ('' for none). */
  protocol: string;
  host: string;
  port: number;
  tls: boolean;
}

/** `X-Forwarded-For` → `HTTP_X_FORWARDED_FOR`, as CGI names headers. */
export function headerVariable(name: string): string {
  return `HTTP_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

export function requestEnv(r: RequestInfo): Record<string, string> {
  const query = r.url.indexOf('?');
  const path = query === -1 ? r.url : r.url.slice(0, query);
  const env: Record<string, string> = {
    GATEWAY_INTERFACE: 'websocketd-CGI/0.1',
    SERVER_SOFTWARE: 'wsprobe',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_NAME: r.host,
    SERVER_PORT: String(r.port),
    REQUEST_METHOD: 'GET',
    REMOTE_ADDR: r.remoteAddress,
    REMOTE_HOST: r.remoteAddress,
    REMOTE_PORT: String(r.remotePort),
    REQUEST_URI: r.url,
    SCRIPT_NAME: '/',
    PATH_INFO: path,
    PATH_TRANSLATED: path,
    QUERY_STRING: query === -1 ? '' : r.url.slice(query + 1),
    AUTH_TYPE: '',
    REMOTE_USER: '',
    REMOTE_IDENT: '',
    CONTENT_LENGTH: '',
    CONTENT_TYPE: '',
    UNIQUE_ID: String(r.id),
    WSPROBE_CONN_ID: String(r.id),
    WSPROBE_SUBPROTOCOL: r.protocol,
  };
  if (r.tls) env.HTTPS = 'on';
  // HTTP Basic credentials (--auth): who, never the password.
  const auth = /^Basic\s+(\S+)/i.exec(String(r.headers.authorization ?? ''));
  if (auth) {
    env.AUTH_TYPE = 'Basic';
    env.REMOTE_USER = Buffer.from(auth[1], 'base64').toString('utf8').split(':')[0];
  }
  for (const [name, value] of Object.entries(r.headers)) {
    if (value === undefined) continue;
    env[headerVariable(name)] = Array.isArray(value) ? value.join(', ') : value;
  }
  return env;
}
