/**
 * What a proxy asks its upstream for, from what a client asked it (pure): the URL — the client's path
 * and query appended to the upstream's — the headers that go along (not the hop-by-hop ones, not the
 * WebSocket handshake's own, not those the command line overrides), the subprotocols offered, and
 * which headers of an upstream's refusal are passed back to the client.
 */

/** Headers that belong to one connection (RFC 9110 §7.6.1), or that the next hop's request sets itself. */
const NOT_FORWARDED: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  // The WebSocket handshake's own: each hop makes its own key, version and extension offer;
  // the subprotocol offer goes along through the client's options (offeredSubprotocols).
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
  'sec-websocket-accept',
]);

/** The headers of an upstream's refusal that the client gets too (with its status and body). */
export const REFUSAL_HEADERS: readonly string[] = ['www-authenticate', 'location', 'retry-after', 'content-type'];

/**
 * The upstream URL for a client's request: `ws://up:9000/base` + `/chat?room=1` →
 * `ws://up:9000/base/chat?room=1`; a query on the upstream URL comes first. A request for `/` asks for
 * the upstream URL as given.
 */
export function upstreamUrl(base: string, requestPath: string): string {
  const [basePath, baseQuery = ''] = splitQuery(base);
  const [path, query = ''] = splitQuery(requestPath.startsWith('/') ? requestPath : `/${requestPath}`);
  const joined = path === '/' ? basePath : `${basePath.endsWith('/') ? basePath.slice(0, -1) : basePath}${path}`;
  const queries = [baseQuery, query].filter((q) => q !== '');
  return queries.length ? `${joined}?${queries.join('&')}` : joined;
}

function splitQuery(text: string): [string, string?] {
  const at = text.indexOf('?');
  return at < 0 ? [text] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * The client's request headers (Node's `rawHeaders`: name, value, name, value, …) that go to the
 * upstream, in order and with their case: not hop-by-hop ones (nor those the client's `Connection`
 * header names), not the handshake's own, and none whose name is in `replaced` (lower case: set by
 * `-H`, `-o` or `--upstream-auth`, or consumed here, as `Authorization` is with `--auth`).
 */
export function forwardedHeaders(
  rawHeaders: readonly string[],
  replaced: ReadonlySet<string>,
): Array<[string, string]> {
  const named = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[i + 1].split(',')) named.add(token.trim().toLowerCase());
  }
  const kept: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const key = name.toLowerCase();
    if (NOT_FORWARDED.has(key) || named.has(key) || replaced.has(key)) continue;
    kept.push([name, rawHeaders[i + 1]]);
  }
  return kept;
}

/** The subprotocols a client offered (`Sec-WebSocket-Protocol`, possibly on several lines), in order. */
export function offeredSubprotocols(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  const lines = Array.isArray(header) ? header : [header];
  return lines
    .flatMap((line) => line.split(','))
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The headers of an upstream's refusal that are passed on, with their names as the upstream sent them. */
export function refusalHeaders(headers: ReadonlyArray<readonly [string, string]>): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (REFUSAL_HEADERS.includes(name.toLowerCase())) passed[name] = value;
  }
  return passed;
}
