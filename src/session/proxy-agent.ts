/**
 * An http.Agent that opens each connection through an HTTP proxy with CONNECT, then (wss) starts TLS
 * inside the tunnel. Errors say they came from the proxy, so they are reported as "could not connect"
 * (exit 3) and not confused with the WebSocket server's answers.
 */
import { Agent, type ClientRequestArgs } from 'node:http';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { ProxyConfig } from '../protocol/proxy.js';

/** How much of the proxy's answer to CONNECT we read before giving up on finding its end. */
const MAX_PROXY_HEAD = 16 * 1024;

export class ProxyError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ProxyError';
  }
}

type Callback = (err: Error | null, socket?: Socket) => void;

export class ConnectProxyAgent extends Agent {
  constructor(
    private readonly proxy: ProxyConfig,
    private readonly secure: boolean,
  ) {
    super({ keepAlive: false });
    // http.request checks the URL's scheme against the agent's; TLS is started in createConnection.
    (this as unknown as { protocol: string }).protocol = secure ? 'https:' : 'http:';
  }

  override createConnection(
    requestOptions: ClientRequestArgs,
    done?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    // The request's TLS options (ca, cert, key, rejectUnauthorized…) are for the tunnelled connection.
    const options = requestOptions as ClientRequestArgs & ConnectionOptions;
    const callback = done as Callback;
    const host = String(options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const port = Number(options.port ?? (this.secure ? 443 : 80));
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const socket = netConnect({ host: this.proxy.host, port: this.proxy.port });
    let head = Buffer.alloc(0);
    let settled = false;
    const fail = (message: string, code: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      callback(new ProxyError(`proxy ${this.proxy.display}: ${message}`, code));
    };
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.message, err.code ?? 'EPROXY'));
    socket.once('close', () => fail('closed the connection before answering CONNECT', 'EPROXY'));
    socket.once('connect', () => {
      const auth = this.proxy.auth
        ? `Proxy-Authorization: Basic ${Buffer.from(this.proxy.auth).toString('base64')}\r\n`
        : '';
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
    });
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_PROXY_HEAD) fail('answered CONNECT with an oversized header', 'EPROXY');
        return;
      }
      socket.removeListener('data', onData);
      const status = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/m.exec(head.subarray(0, end).toString('latin1').split('\r\n')[0]);
      if (status?.[1] !== '200') {
        fail(
          `refused CONNECT to ${authority}: ${status ? `${status[1]} ${status[2]}`.trim() : 'not an HTTP answer'}`,
          'EPROXYREFUSED',
        );
        return;
      }
      settled = true;
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      const rest = head.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      if (!this.secure) {
        callback(null, socket);
        return;
      }
      // An IP address is not a valid SNI name; ws leaves servername empty for those.
      const servername = options.servername || (isIP(host) ? undefined : host);
      const tls = tlsConnect({ ...options, socket, servername });
      callback(null, tls);
    };
    socket.on('data', onData);
    return undefined;
  }
}
