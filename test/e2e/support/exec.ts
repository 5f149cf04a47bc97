/**
 * Helpers for the `--exec` tests: a server CLI stopped politely after each test (so it ends its
 * programs: the cleanup's SIGKILL would orphan them), and the processes a pid has as children.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { type RunningServerCli, type StartOptions, startServerCli } from './cli.js';

export interface ExecServerCli extends RunningServerCli {
  /** What it has printed on stdout and stderr so far. */
  printed(): { out: string; err: string };
}

const running = new Set<ExecServerCli>();

/**
 * After each test, before the shared cleanup SIGKILLs what the test started (after-hooks run in reverse
 * order of registration, and this one is registered later), every server started here gets SIGTERM and
 * is waited for: it ends its programs. A SIGKILLed server would leave them to init.
 */
afterEach(async () => {
  const servers = [...running];
  running.clear();
  await Promise.all(
    servers.map(async (server) => {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      server.child.kill('SIGTERM');
      await Promise.race([server.result, new Promise((resolve) => setTimeout(resolve, 8000))]);
    }),
  );
});

/** Starts `wsprobe listen …`; after the test it gets SIGTERM and is waited for (bounded). */
export async function startExecServer(args: string[], options: StartOptions = {}): Promise<ExecServerCli> {
  const started = await startServerCli(['listen', '0', ...args], options);
  const seen = { out: '', err: '' };
  started.child.stdout!.on('data', (chunk: Buffer) => {
    seen.out += chunk.toString('utf8');
  });
  started.child.stderr!.on('data', (chunk: Buffer) => {
    seen.err += chunk.toString('utf8');
  });
  const server: ExecServerCli = { ...started, printed: () => seen };
  running.add(server);
  return server;
}

/** The pids whose parent is `pid` (zombies included), from /proc. */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so read after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The pids in process group `pgid`, from /proc. */
export function groupMembers(pgid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp === pgid) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Whether a process exists (a zombie counts). */
export function alive(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` every 50 ms until it holds or `ms` pass; returns whether it held. */
export async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function fdCount(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}
