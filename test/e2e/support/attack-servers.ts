/**
 * Helpers for the attacks on the servers (issue 13, attack-servers-*.test.ts): a server started with
 * its stdout going nowhere (so that what it prints costs nothing and holds nothing) or into a pipe
 * nobody reads, its peak RSS from /proc, raw clients that negotiate permessage-deflate and then never
 * read, and deflate bombs: a few KB on the wire that inflate to many MiB.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { deflateRawSync } from 'node:zlib';
import { onCleanup, trackChild } from './cleanup.js';
import type { RunningServerCli } from './cli.js';
import { CLI } from './cli.js';
import { clientFrame, Opcode } from './frames.js';
import { upgradeRequest } from './handshake.js';

export const MiB = 1024 * 1024;

export interface QuietServer extends Pick<RunningServerCli, 'child' | 'url' | 'port'> {
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves once stderr contains `text`. */
  waitForStderr(text: string | RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `wsprobe <args>` with stdout to /dev/null (`ignore`) or to a pipe this process never reads
 * (`stalled`: it fills up and stays full), and resolves once it listens.
 */
export async function startQuietServer(args: string[], stdout: 'ignore' | 'stalled' = 'ignore'): Promise<QuietServer> {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['pipe', stdout === 'ignore' ? 'ignore' : 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
  });
  trackChild(child);
  child.stdin!.on('error', () => {});
  child.stdout?.pause();
  let stderr = '';
  const waiters: Array<{ test: string | RegExp; resolve: () => void }> = [];
  const seen = (test: string | RegExp) => (typeof test === 'string' ? stderr.includes(test) : test.test(stderr));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    for (const w of waiters.slice()) {
      if (seen(w.test)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const waitForStderr = (test: string | RegExp) =>
    new Promise<void>((resolve) => {
      if (seen(test)) resolve();
      else waiters.push({ test, resolve });
    });
  const listening = waitForStderr(/^listening on ws:\/\/\S+$/m);
  await Promise.race([
    listening,
    exited.then(({ code }) => {
      throw new Error(`wsprobe ${args.join(' ')} exited (${code}) before listening:\n${stderr}`);
    }),
  ]);
  const url = /^listening on (ws:\/\/\S+)$/m.exec(stderr)![1];
  return { child, url, port: Number(new URL(url).port), stderr: () => stderr, waitForStderr, exited };
}

/** VmHWM (peak RSS) of a live process in MiB. */
export function peakRssMiB(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** VmRSS of a live process in MiB. */
export function rssMiB(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

/** A raw WebSocket connection that negotiated permessage-deflate, reading nothing until told to. */
export interface DeflateSocket {
  socket: Socket;
  /** Starts reading: resolves with the first `bytes` bytes after the 101 answer (frame headers included). */
  read(bytes: number): Promise<Buffer>;
  /** Resolves when the server has closed the TCP connection. */
  closed: Promise<void>;
}

/**
 * Opens a WebSocket by hand, offering permessage-deflate, and then reads nothing: TCP pushes back on
 * the server. (RawClient parses every frame as it comes; this one only counts bytes when asked.)
 */
export async function nonReadingDeflateClient(port: number): Promise<DeflateSocket> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  onCleanup(() => {
    socket.destroy();
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await once(socket, 'connect');
  const key = randomBytes(16).toString('base64');
  socket.write(upgradeRequest(port, { key, extensions: 'permessage-deflate; client_max_window_bits' }));
  let got = Buffer.alloc(0);
  const rest = await new Promise<Buffer>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      const end = got.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.pause();
      const head = got.subarray(0, end).toString('latin1');
      if (!/^HTTP\/1\.1 101 /.test(head) || !/permessage-deflate/i.test(head)) reject(new Error(head));
      resolve(got.subarray(end + 4));
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed during the handshake: ${got.toString('latin1')}`)));
  });
  return {
    socket,
    closed,
    read: (bytes) =>
      new Promise((resolve, reject) => {
        const chunks = [rest];
        let size = rest.length;
        const done = () => {
          socket.off('data', onData);
          resolve(Buffer.concat(chunks).subarray(0, bytes));
        };
        const onData = (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= bytes) done();
        };
        if (size >= bytes) return done();
        socket.on('data', onData);
        socket.once('close', () => reject(new Error(`closed after ${size} of ${bytes} bytes`)));
        socket.resume();
      }),
  };
}

/** One binary message of `inflatedBytes` zero bytes, compressed (RSV1): a few KB per 8 MiB on the wire. */
export function deflateBomb(inflatedBytes: number): Buffer {
  const payload = deflateRawSync(Buffer.alloc(inflatedBytes), { level: 9 });
  return clientFrame({ opcode: Opcode.Binary, rsv1: true, payload });
}

/** Polls `read` every 50 ms until it passes `test`; fails after `timeoutMs` with `what`. */
export async function until<T>(read: () => T, test: (value: T) => boolean, what: string, timeoutMs = 20_000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (test(value)) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(value)})`);
    await sleep(50);
  }
}
