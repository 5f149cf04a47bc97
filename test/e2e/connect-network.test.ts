/**
 * Connection options against real components: tinyproxy (HTTP CONNECT), redirects, Unix sockets,
 * keepalive pings, reconnects, compression, payload limits and the protocol version.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { onCleanup } from './support/cleanup.js';
import { jsonLines, runCli, startCli } from './support/cli.js';
import { deadPort } from './support/raw-server.js';
import { startServer } from './support/ws-peers.js';

/** Starts Debian's tinyproxy on a free port of 127.0.0.1; resolves once it accepts connections. */
async function startTinyproxy(): Promise<{ url: string; log: () => string }> {
  const port = await deadPort();
  const dir = mkdtempSync(join(tmpdir(), 'wsprobe-proxy-'));
  const conf = join(dir, 'tinyproxy.conf');
  writeFileSync(conf, `Port ${port}\nListen 127.0.0.1\nTimeout 60\nAllow 127.0.0.1\nMaxClients 20\nLogLevel Connect\n`);
  const proxy = spawn('tinyproxy', ['-d', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proxy.stdout.on('data', (d) => (log += d));
  proxy.stderr.on('data', (d) => (log += d));
  onCleanup(() => {
    proxy.kill('SIGKILL');
  });
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const probe = connect(port, '127.0.0.1', () => {
        probe.destroy();
        resolve(true);
      });
      probe.on('error', () => resolve(false));
    });
    if (ok) break;
    if (proxy.exitCode !== null) throw new Error(`tinyproxy exited: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url: `http://127.0.0.1:${port}`, log: () => log };
}

describe('HTTP proxy', () => {
  it('carries a session through tinyproxy with --proxy', async () => {
    const proxy = await startTinyproxy();
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--proxy', proxy.url, '-x', 'via proxy', '-w', '0.3']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('via proxy\n');
    expect(server.received.map((m) => m.data.toString())).toEqual(['via proxy']);
    expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${server.port}`);
  });

  it('uses HTTP_PROXY from the environment, and NO_PROXY bypasses it', async () => {
    const proxy = await startTinyproxy();
    const server = await startServer();
    const via = await runCli(['connect', server.url, '-x', 'env', '-w', '0.3'], { env: { HTTP_PROXY: proxy.url } });
    expect(via.code).toBe(0);
    expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${server.port}`);
    const before = proxy.log().split('CONNECT').length;
    const bypass = await runCli(['connect', server.url, '-x', 'direct', '-w', '0.3'], {
      env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' },
    });
    expect(bypass.code).toBe(0);
    expect(proxy.log().split('CONNECT').length).toBe(before);
    expect(server.received.map((m) => m.data.toString())).toEqual(['env', 'direct']);
  });

  it('uses HTTPS_PROXY for wss:// (the TLS session runs inside the tunnel)', async () => {
    const { makePki } = await import('./support/certs.js');
    const pki = makePki();
    const { createServer } = await import('node:https');
    const https = createServer(pki.server);
    const wss = new WebSocketServer({ server: https });
    wss.on('connection', (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b })));
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    onCleanup(() => {
      for (const c of wss.clients) c.terminate();
      return new Promise<void>((resolve) => https.close(() => resolve()));
    });
    const port = (https.address() as AddressInfo).port;
    const proxy = await startTinyproxy();
    const result = await runCli(
      ['connect', `wss://127.0.0.1:${port}`, '--ca', pki.caPem, '-x', 'tls in tunnel', '-w', '0.3'],
      {
        env: { HTTPS_PROXY: proxy.url },
      },
    );
    expect(result.code).toBe(0);
    expect(result.out).toBe('tls in tunnel\n');
    expect(proxy.log()).toContain(`CONNECT 127.0.0.1:${port}`);
  });

  it('exits 3 and names the proxy when it cannot be reached', async () => {
    const server = await startServer();
    const port = await deadPort();
    const result = await runCli(['connect', server.url, '--proxy', `http://127.0.0.1:${port}`]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`proxy http://127.0.0.1:${port}`);
    expect(result.stderr).toContain('ECONNREFUSED');
    expect(server.requests).toHaveLength(0);
  });

  it('exits 3 and names the proxy when it refuses CONNECT', async () => {
    const refusing = createHttpServer();
    refusing.on('connect', (_req, socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n'));
    refusing.listen(0, '127.0.0.1');
    await once(refusing, 'listening');
    onCleanup(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
    const proxyUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    const result = await runCli(['connect', 'ws://127.0.0.1:9', '--proxy', proxyUrl]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `proxy ${proxyUrl}: refused CONNECT to 127.0.0.1:9: 407 Proxy Authentication Required`,
    );
  });

  it('sends Proxy-Authorization for credentials in the proxy URL', async () => {
    let seen: string | undefined;
    const checking = createHttpServer();
    checking.on('connect', (req, socket) => {
      seen = req.headers['proxy-authorization'];
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    checking.listen(0, '127.0.0.1');
    await once(checking, 'listening');
    onCleanup(() => new Promise<void>((resolve) => checking.close(() => resolve())));
    const port = (checking.address() as AddressInfo).port;
    const result = await runCli(['connect', 'ws://127.0.0.1:9', '--proxy', `http://u%40x:p%3Ass@127.0.0.1:${port}`]);
    expect(result.code).toBe(3);
    expect(seen).toBe(`Basic ${Buffer.from('u@x:p:ss').toString('base64')}`);
    expect(result.stderr).not.toContain('p:ss');
  });
});

describe('redirects', () => {
  /** An HTTP server answering every upgrade with a 302 to `location(path)`. */
  async function redirecting(location: (path: string) => string): Promise<string> {
    const http = createHttpServer();
    http.on('upgrade', (req, socket) => {
      socket.end(`HTTP/1.1 302 Found\r\nLocation: ${location(req.url ?? '/')}\r\nContent-Length: 0\r\n\r\n`);
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    onCleanup(() => new Promise<void>((resolve) => http.close(() => resolve())));
    return `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  }

  it('follows a 302 to the real endpoint with -L, showing each hop with -v', async () => {
    const server = await startServer();
    const from = await redirecting(() => `${server.url}/real`);
    const result = await runCli(['connect', `${from}/old`, '-L', '-v', '-x', 'moved', '-w', '0.3']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('moved\n');
    expect(result.stderr).toContain('> GET /old HTTP/1.1');
    expect(result.stderr).toContain('< HTTP/1.1 302 Found');
    expect(result.stderr).toContain(`< Location: ${server.url}/real`);
    expect(result.stderr).toContain('> GET /real HTTP/1.1');
    expect(result.stderr).toContain(`connected to ${server.url}/real`);
    expect(server.requests[0].url).toBe('/real');
  });

  it('exits 5 showing the 302 without -L', async () => {
    const server = await startServer();
    const from = await redirecting(() => server.url);
    const result = await runCli(['connect', from]);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('HTTP/1.1 302 Found');
    expect(result.stderr).toContain(`Location: ${server.url}`);
  });

  it('stops a redirect loop at --max-redirects with exit 5', async () => {
    let hops = 0;
    const loop = await redirecting((path) => {
      hops++;
      return path === '/a' ? '/b' : '/a';
    });
    const result = await runCli(['connect', `${loop}/a`, '-L', '--max-redirects', '3']);
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('Maximum redirects exceeded');
    expect(hops).toBe(4);
  });
});

describe('Unix sockets', () => {
  it('connects to ws+unix:///path/to.sock:/request/path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wsprobe-unix-'));
    const socketPath = join(dir, 'ws.sock');
    const http = createHttpServer();
    const wss = new WebSocketServer({ server: http });
    let path = '';
    wss.on('connection', (ws, req) => {
      path = req.url ?? '';
      ws.on('message', (d, b) => ws.send(d, { binary: b }));
    });
    http.listen(socketPath);
    await once(http, 'listening');
    onCleanup(() => {
      for (const c of wss.clients) c.terminate();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    });
    const result = await runCli(['connect', `ws+unix://${socketPath}:/chat?room=1`, '-x', 'over unix', '-w', '0.3']);
    expect(result.code).toBe(0);
    expect(result.out).toBe('over unix\n');
    expect(path).toBe('/chat?room=1');
  });
});

describe('keepalive', () => {
  it('sends pings at --ping-interval and shows their RTTs with -P', async () => {
    const server = await startServer({ echo: false });
    const cli = startCli(['connect', server.url, '--ping-interval', '0.2', '-P', '--json', '--keep-open']);
    const ws = await server.nextConnection();
    await cli.waitForOutput('"rttMs"');
    ws.close(1000);
    const result = await cli.result;
    expect(result.code).toBe(0);
    const pong = jsonLines(result.out).find((e) => e.event === 'pong' && e.dir === 'in');
    expect(typeof pong?.rttMs).toBe('number');
    const summary = jsonLines(result.out).at(-1) as { rtt: { count: number } };
    expect(summary.rtt.count).toBeGreaterThanOrEqual(1);
  });

  it('exits 6 when the peer stops answering pings, within interval + timeout', async () => {
    const server = await startServer({ autoPong: false, echo: false });
    const started = Date.now();
    const result = await runCli([
      'connect',
      server.url,
      '--ping-interval',
      '0.5',
      '--ping-timeout',
      '0.5',
      '--keep-open',
    ]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('no pong within 0.5 s of a ping');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('--reconnect', () => {
  it('resumes after the server is killed and restarted, sending the --send messages again', async () => {
    const first = await startServer();
    const port = first.port;
    const cli = startCli(['connect', first.url, '--reconnect', '5', '-x', 'hello again', '--keep-open', '--json']);
    await first.waitForMessages(1);
    // Kill the server (no close frame) and start another on the same port.
    for (const c of first.wss.clients) c.terminate();
    await new Promise<void>((resolve) => first.wss.close(() => resolve()));
    await cli.waitForOutput('"event":"reconnecting"');
    const second = new WebSocketServer({ host: '127.0.0.1', port });
    onCleanup(() => new Promise<void>((resolve) => second.close(() => resolve())));
    const got = new Promise<string>((resolve) =>
      second.on('connection', (ws) =>
        ws.on('message', (d) => {
          resolve(d.toString());
          ws.close(1000, 'done');
        }),
      ),
    );
    expect(await got).toBe('hello again');
    const result = await cli.result;
    expect(result.code).toBe(0);
    const events = jsonLines(result.out);
    expect(events.filter((e) => e.event === 'open')).toHaveLength(2);
    expect(events.find((e) => e.event === 'reconnecting')).toMatchObject({ attempt: 1, of: 5 });
    expect(events.at(-1)).toMatchObject({ event: 'summary', exitCode: 0, messagesOut: 2 });
  });

  it('gives up after 3 attempts with exit 3 when the server stays down', async () => {
    const port = await deadPort();
    const result = await runCli(['connect', `ws://127.0.0.1:${port}`, '--reconnect', '3', '--json']);
    expect(result.code).toBe(3);
    const events = jsonLines(result.out);
    const reconnecting = events.filter((e) => e.event === 'reconnecting');
    expect(reconnecting.map((e) => e.attempt)).toEqual([1, 2, 3]);
    // Each failed attempt is told once: as the reason of its reconnecting line, the last as the error.
    for (const e of reconnecting) expect(e.reason).toContain('connection refused');
    const errors = events.filter((e) => e.event === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'connect', hint: 'gave up after 3 reconnect attempts' });
    expect(result.stderr.trim().split('\n')).toEqual([
      `wsprobe: cannot connect to ws://127.0.0.1:${port}/: connection refused (ECONNREFUSED) (gave up after 3 reconnect attempts)`,
    ]);
  });
});

describe('protocol options', () => {
  it('closes with 1009 and exits 6 when a message exceeds --max-payload', async () => {
    const server = await startServer({ echo: false, onConnection: (ws) => ws.send('x'.repeat(2000)) });
    const result = await runCli(['connect', server.url, '--max-payload', '1000', '--keep-open']);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('protocol violation by the peer');
    expect(result.stderr).toContain('1009');
    expect((await server.waitForClose()).code).toBe(1009);
  });

  it('sends Sec-WebSocket-Version 8 with --protocol-version 8', async () => {
    const server = await startServer();
    await runCli(['connect', server.url, '--protocol-version', '8', '-w', '0']);
    expect(server.requests[0].headers['sec-websocket-version']).toBe('8');
  });

  it('rejects --protocol-version 12 with exit 2', async () => {
    const result = await runCli(['connect', 'ws://127.0.0.1:1', '--protocol-version', '12']);
    expect(result.code).toBe(2);
  });

  it('shows the negotiated permessage-deflate parameters', async () => {
    const server = await startServer({ perMessageDeflate: { serverNoContextTakeover: true } });
    const result = await runCli(['connect', server.url, '--json', '-w', '0']);
    const open = jsonLines(result.out).find((e) => e.event === 'open');
    expect(open?.extensions).toContain('permessage-deflate');
    expect(open?.extensions).toContain('server_no_context_takeover');
  });
});
