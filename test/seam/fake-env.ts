/**
 * A fake `Env` for running the CLI in-process through `run(argv, env)`: stdin to write to, stdout and
 * stderr collected, TTY flags, a clock, and signals sent on demand.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Env } from '../../src/env.js';
import type { StopSignal } from '../../src/protocol/outcome.js';

export interface FakeEnvOptions {
  stdinIsTTY?: boolean;
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  vars?: Record<string, string | undefined>;
  now?: () => number;
}

export interface FakeEnv extends Env {
  stdin: PassThrough;
  /** What was written to stdout / stderr so far. */
  out(): string;
  err(): string;
  /** Resolves once stdout (or stderr) has received text matching `pattern`. */
  waitFor(pattern: RegExp | string, stream?: 'out' | 'err'): Promise<void>;
  /** Sends a signal to the running command, as the process would receive it. */
  signal(signal: StopSignal): void;
  /** Signal listeners still registered (a command that ended must have removed its own). */
  signalListeners(): number;
}

export function fakeEnv(o: FakeEnvOptions = {}): FakeEnv {
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  const written = new EventEmitter();
  const sink = (name: 'out' | 'err') => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      chunks[name].push(chunk);
      written.emit('data');
    });
    return stream;
  };
  const signals = new EventEmitter();
  const text = (name: 'out' | 'err') => Buffer.concat(chunks[name]).toString('utf8');
  const env: FakeEnv = {
    stdin: new PassThrough(),
    stdout: sink('out'),
    stderr: sink('err'),
    stdinIsTTY: o.stdinIsTTY ?? false,
    stdoutIsTTY: o.stdoutIsTTY ?? false,
    stderrIsTTY: o.stderrIsTTY ?? false,
    vars: o.vars ?? { NO_COLOR: '1' },
    homedir: '/nonexistent-home',
    now: o.now ?? (() => Date.now()),
    onSignal(listener) {
      signals.on('signal', listener);
      return () => signals.off('signal', listener);
    },
    out: () => text('out'),
    err: () => text('err'),
    waitFor(pattern, stream = 'out') {
      const seen = () => (typeof pattern === 'string' ? text(stream).includes(pattern) : pattern.test(text(stream)));
      if (seen()) return Promise.resolve();
      return new Promise((resolve) => {
        const check = () => {
          if (!seen()) return;
          written.off('data', check);
          resolve();
        };
        written.on('data', check);
      });
    },
    signal: (signal) => signals.emit('signal', signal),
    signalListeners: () => signals.listenerCount('signal'),
  };
  return env;
}
