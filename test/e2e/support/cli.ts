/**
 * End-to-end helpers: spawn the built CLI, and real `ws` servers on 127.0.0.1 port 0 that record
 * what they receive. Every process and server started here is stopped after each test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';

export const CLI = fileURLToPath(new URL('../../bin/wsprobe.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** stdout as text */
  out: string;
}

export interface RunningCli {
  child: ChildProcess;
  result: Promise<CliResult>;
  /** Resolves when stderr or stdout has contained `text`. */
  waitForOutput(text: string): Promise<void>;
}

const children = new Set<ChildProcess>();
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export interface StartOptions {
  /** Written to stdin, which is then closed. Omit to leave stdin open (write to `child.stdin`). */
  stdin?: string | Buffer;
  env?: Record<string, string | undefined>;
}

export function startCli(args: string[], options: StartOptions = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  const stdout: Buffer[] = [];
  let stderr = '';
  const watchers: Array<{ text: string; resolve: () => void }> = [];
  const check = () => {
    const all = stderr + Buffer.concat(stdout).toString('utf8');
    for (const w of watchers.slice()) {
      if (all.includes(w.text)) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    if (watchers.length) check();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (watchers.length) check();
  });
  child.stdin!.on('error', () => {});
  if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      const out = Buffer.concat(stdout);
      resolve({ code, signal, stdout: out, stderr, out: out.toString('utf8') });
    });
  });
  return {
    child,
    result,
    waitForOutput: (text) =>
      new Promise((resolve) => {
        watchers.push({ text, resolve });
        check();
      }),
  };
}

export function runCli(args: string[], options: StartOptions = {}): Promise<CliResult> {
  return startCli(args, { stdin: '', ...options }).result;
}

export interface Received {
  data: Buffer;
  isBinary: boolean;
}

export interface TestServer {
  wss: WebSocketServer;
  port: number;
  url: string;
  /** Messages received by the server, from every client, in order. */
  received: Received[];
  /** Close codes and reasons the server received. */
  closes: Array<{ code: number; reason: string }>;
  /** Handshake requests as the server saw them. */
  requests: IncomingMessage[];
  /** Resolves with the next client connection (or one already made and not yet taken). */
  nextConnection(): Promise<WebSocket>;
  /** Resolves when the server has seen `n` messages. */
  waitForMessages(n: number): Promise<void>;
  /** Resolves when a client's close frame has arrived. */
  waitForClose(): Promise<{ code: number; reason: string }>;
}

export interface ServerBehaviour extends Omit<ServerOptions, 'port' | 'host' | 'server' | 'noServer'> {
  /** Echo every message back with its type (default true). */
  echo?: boolean;
  onConnection?: (ws: WebSocket, req: IncomingMessage) => void;
}

export async function startServer(behaviour: ServerBehaviour = {}): Promise<TestServer> {
  const { echo = true, onConnection, ...wsOptions } = behaviour;
  const wss = new WebSocketServer({ ...wsOptions, host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const port = (wss.address() as AddressInfo).port;
  const received: Received[] = [];
  const closes: Array<{ code: number; reason: string }> = [];
  const requests: IncomingMessage[] = [];
  const pending: WebSocket[] = [];
  const connectionWaiters: Array<(ws: WebSocket) => void> = [];
  const messageWaiters: Array<{ n: number; resolve: () => void }> = [];
  const closeWaiters: Array<(c: { code: number; reason: string }) => void> = [];
  wss.on('connection', (ws, req) => {
    requests.push(req);
    ws.on('message', (data: Buffer, isBinary) => {
      received.push({ data, isBinary });
      if (echo) ws.send(data, { binary: isBinary });
      for (const w of messageWaiters.slice()) {
        if (received.length >= w.n) {
          messageWaiters.splice(messageWaiters.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    ws.on('close', (code, reason) => {
      const c = { code, reason: reason.toString('utf8') };
      closes.push(c);
      for (const resolve of closeWaiters.splice(0)) resolve(c);
    });
    ws.on('error', () => {});
    onConnection?.(ws, req);
    const waiter = connectionWaiters.shift();
    if (waiter) waiter(ws);
    else pending.push(ws);
  });
  onCleanup(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
  return {
    wss,
    port,
    url: `ws://127.0.0.1:${port}`,
    received,
    closes,
    requests,
    nextConnection: () => {
      const ws = pending.shift();
      if (ws) return Promise.resolve(ws);
      return new Promise((resolve) => connectionWaiters.push(resolve));
    },
    waitForMessages: (n) =>
      received.length >= n ? Promise.resolve() : new Promise((resolve) => messageWaiters.push({ n, resolve })),
    waitForClose: () =>
      closes.length ? Promise.resolve(closes[0]) : new Promise((resolve) => closeWaiters.push(resolve)),
  };
}

/** A port on 127.0.0.1 with nothing listening: bind port 0, note it, close it. */
export async function deadPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Parses NDJSON output; every line must be a JSON object. */
export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** No stack trace in what the user saw. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+\(.+:\d+:\d+\)$/m.test(text) || /\n\s+at /.test(text);
}

export interface RunningServerCli extends RunningCli {
  /** ws://127.0.0.1:PORT (or wss://) as the server reported it. */
  url: string;
  port: number;
}

/**
 * Starts `wsprobe listen|echo …` and resolves once it has said where it listens: the
 * `listening on URL` line on stderr (after a `-t` time, if any), or the json `listening` event on stdout.
 */
export async function startServerCli(args: string[], options: StartOptions = {}): Promise<RunningServerCli> {
  const cli = startCli(args, options);
  const url = await new Promise<string>((resolve, reject) => {
    const seen = { out: '', err: '' };
    const onOut = (chunk: Buffer) => look('out', chunk);
    const onErr = (chunk: Buffer) => look('err', chunk);
    const look = (stream: 'out' | 'err', chunk: Buffer) => {
      seen[stream] += chunk.toString('utf8');
      const match =
        /^(?:[\d:.]+ )?listening on (wss?:\/\/\S+)$/m.exec(seen.err) ??
        /"event":"listening"[^\n]*"url":"(wss?:\/\/[^"]+)"/.exec(seen.out);
      if (!match) return;
      cli.child.stdout!.off('data', onOut);
      cli.child.stderr!.off('data', onErr);
      resolve(match[1]);
    };
    cli.child.stdout!.on('data', onOut);
    cli.child.stderr!.on('data', onErr);
    void cli.result.then((r) =>
      reject(new Error(`wsprobe ${args.join(' ')} exited (${r.code}) before listening:\n${r.stderr}`)),
    );
  });
  return { ...cli, url, port: Number(new URL(url).port) };
}
