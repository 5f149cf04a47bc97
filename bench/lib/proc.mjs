/**
 * Running the processes of the benchmark: one timed run with a timeout and its peak RSS, long-running
 * servers that announce `listening on ws://…`, and killing whatever is left over. Every process is
 * started in its own process group so that a straggler (and anything it started) can be killed whole.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const live = new Set();

/** Whether peak RSS comes exactly from GNU time (`%M`) or from sampling VmHWM. */
export const rssMethod = hasGnuTime() ? 'GNU time %M' : 'VmHWM sampled every 10 ms';

function hasGnuTime() {
  if (!existsSync(GNU_TIME)) return false;
  try {
    execFileSync(GNU_TIME, ['-f', '%M', 'true'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** VmHWM (peak RSS) or VmRSS of a live process, in KiB; 0 once it is gone. */
export function procStatusKiB(pid, field = 'VmHWM') {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function killGroup(child, signal = 'SIGKILL') {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** Kill every process group this module started and that is still running (on exit or failure). */
export function killAll() {
  for (const child of live) killGroup(child);
  live.clear();
}

export class BenchError extends Error {}

function tail(path) {
  try {
    return readFileSync(path, 'utf8').slice(-800).trim();
  } catch {
    return '';
  }
}

/**
 * One timed run. stdin: a file path ({ file }), bytes written to a pipe ({ data }), or nothing; env:
 * variables added to the bench's environment.
 * stdout and stderr go to files (so the harness does no work while the run is timed).
 * Resolves { ms, peakRssKiB, code }; rejects with a BenchError on a timeout or an unexpected exit code.
 */
export function timedRun({ label, cmd, args, env, stdin, stdoutPath, stderrPath, timeoutMs, expectCode = 0, dir }) {
  const rssPath = join(dir, 'rss.txt');
  const fullCmd = rssMethod.startsWith('GNU') ? GNU_TIME : cmd;
  const fullArgs = rssMethod.startsWith('GNU') ? ['-f', '%M', '-o', rssPath, cmd, ...args] : args;
  const outFd = openSync(stdoutPath, 'w');
  const errFd = openSync(stderrPath, 'w');
  const inFd = stdin?.file ? openSync(stdin.file, 'r') : null;
  const stdio = [inFd ?? (stdin?.data ? 'pipe' : 'ignore'), outFd, errFd];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(fullCmd, fullArgs, {
      stdio,
      detached: true,
      env: env ? { ...process.env, ...env } : undefined,
    });
    live.add(child);
    for (const fd of [outFd, errFd, inFd]) if (fd !== null) closeSync(fd);
    let sampled = 0;
    const sampler = rssMethod.startsWith('GNU')
      ? null
      : setInterval(() => {
          sampled = Math.max(sampled, procStatusKiB(child.pid));
        }, 10);
    if (stdin?.data) {
      child.stdin.on('error', () => {}); // a child that exits early: reported by its exit code
      child.stdin.end(stdin.data);
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new BenchError(`${label}: cannot start ${cmd}: ${error.message}`));
    });
    child.on('exit', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      killGroup(child); // anything it left behind
      live.delete(child);
      if (timedOut) {
        reject(new BenchError(`${label}: timed out after ${timeoutMs / 1000} s (killed)\n${tail(stderrPath)}`));
        return;
      }
      if (code !== expectCode) {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new BenchError(`${label}: ${how}, expected ${expectCode}\n${tail(stderrPath)}`));
        return;
      }
      let peakRssKiB = sampled;
      if (rssMethod.startsWith('GNU')) {
        const lines = readFileSync(rssPath, 'utf8').trim().split('\n');
        peakRssKiB = Number(lines.at(-1));
      }
      resolve({ ms, peakRssKiB, code });
    });
  });
}

/**
 * A long-running server (echo, blast, wsprobe echo): resolves { url, pid, stop() } once it printed
 * `listening on ws://HOST:PORT` on stderr; stdout goes to stdoutPath (or /dev/null).
 */
export function startServer({ label, cmd, args, stdoutPath = '/dev/null', timeoutMs = 20000 }) {
  const outFd = openSync(stdoutPath, 'w');
  const child = spawn(cmd, args, { stdio: ['ignore', outFd, 'pipe'], detached: true });
  closeSync(outFd);
  live.add(child);
  let stderr = '';
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = signal ?? code;
  });
  const stop = () =>
    new Promise((resolve) => {
      if (exited !== null) {
        live.delete(child);
        resolve();
        return;
      }
      const timer = setTimeout(() => killGroup(child), 3000);
      child.once('exit', () => {
        clearTimeout(timer);
        live.delete(child);
        killGroup(child);
        resolve();
      });
      killGroup(child, 'SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killGroup(child);
      reject(new BenchError(`${label}: not listening after ${timeoutMs / 1000} s\n${stderr}`));
    }, timeoutMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      if (stderr.length < 100000) stderr += text;
      const match = /listening on (ws:\/\/\S+)/.exec(stderr);
      if (match && timer) {
        clearTimeout(timer);
        resolve({
          url: match[1],
          pid: child.pid,
          alive: () => exited === null,
          exitStatus: () => exited,
          stderr: () => stderr,
          stop,
        });
      }
    });
    child.on('exit', () => {
      clearTimeout(timer);
      reject(new BenchError(`${label}: exited before listening\n${stderr}`));
    });
  });
}

/** Run a helper (load generator) to completion and parse the JSON it prints on stdout. */
export function runHelper({ label, cmd, args, timeoutMs, onLine }) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    live.add(child);
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    let partial = '';
    child.stdout.on('data', (text) => {
      out += text;
      if (!onLine) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop();
      for (const line of lines) onLine(line, child);
    });
    child.stderr.on('data', (text) => {
      err += text;
    });
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      killGroup(child);
      if (timedOut)
        return reject(new BenchError(`${label}: timed out after ${timeoutMs / 1000} s\n${err.slice(-800)}`));
      if (code !== 0) return reject(new BenchError(`${label}: ${signal ?? `exit code ${code}`}\n${err.slice(-800)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch {
        reject(new BenchError(`${label}: no result on stdout\n${out.slice(-400)}${err.slice(-400)}`));
      }
    });
  });
}
