/**
 * What a test started is stopped after it: child processes first (SIGKILL), then every cleanup
 * registered with `onCleanup` (servers closed, sockets destroyed), in the order registered.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach } from 'vitest';

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

/** Kills `child` after the test unless it has exited by then. */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.on('close', () => children.delete(child));
}
