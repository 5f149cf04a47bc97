/**
 * The one way the e2e suite runs the built CLI (`bin/wsprobe.js`; `npm run build` first): `startCli`
 * (stdin left open unless given), `runCli` (to the end, stdin closed), `startServerCli` (`listen`/`echo`,
 * resolved once listening), and reading what it printed. Every process started here is killed after each test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackChild } from './cleanup.js';

export const CLI = fileURLToPath(new URL('../../../bin/wsprobe.js', import.meta.url));

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
  trackChild(child);
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
