/** Reading a file the user named (an option, a slash command): one place, one wording for failures. */
import { accessSync, closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { usageError, WsprobeError } from '../errors.js';

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  ENXIO: 'it cannot be opened (a socket?)',
  EBADF: 'the descriptor is closed',
  EIO: 'input/output error',
};

/** Why a file could not be read, in words (the errno code in brackets). */
export function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code && ERRNO_WORDS[code]) return `${ERRNO_WORDS[code]} (${code})`;
  return code ?? (err as Error).message;
}

/** "`--cert`: cannot read cert.pem: no such file (ENOENT)"; `what` names the option or command, if any. */
export function cannotRead(path: string, err: unknown, what?: string): string {
  return `${what ? `${what}: ` : ''}cannot read ${path}: ${fileProblem(err)}`;
}

/**
 * Why `path` cannot be read as a file's contents, in words, or undefined when it can: checked while the
 * command line is parsed, so a typo fails before anything connects. Pipes, process substitution
 * (`<(…)`) and character devices (`/dev/stdin`) are readable; a directory is not. Nothing is read.
 */
export function unreadableFile(path: string): string | undefined {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return `cannot read ${path}: ${ERRNO_WORDS.EISDIR}`;
    accessSync(path, constants.R_OK);
    return undefined;
  } catch (err) {
    return `cannot read ${path}: ${fileProblem(err)}`;
  }
}

/** Reads a file now; a failure is a usage error (exit 2) naming the file and `what` asked for it. */
export function readFileOrUsage(path: string, what?: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw usageError(cannotRead(path, err, what)) as WsprobeError;
  }
}

const CHUNK = 64 * 1024;

/** The descriptor `/dev/stdin`, `/dev/fd/N` or `/proc/self/fd/N` names, if it is open in this process. */
function inheritedDescriptor(path: string): number | undefined {
  const match = /^\/(?:dev\/(?:(stdin)|fd\/(\d+))|proc\/self\/fd\/(\d+))$/.exec(path);
  if (!match) return undefined;
  const fd = match[1] ? 0 : Number(match[2] ?? match[3]);
  try {
    fstatSync(fd);
    return fd;
  } catch {
    return undefined;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Reads a whole file, pipe or character device (`<(…)`, `/dev/stdin`) now, before the session starts.
 * A regular file is read whole; a stream is read to its end, and more than `maxBytes` from it is a
 * usage error (memory stays bounded whatever writes into the pipe). `what` names the option.
 */
export function readFileOrStream(path: string, maxBytes: number, what: string): Buffer {
  // `/dev/stdin` and `/dev/fd/N` are read from the descriptor we have: a socket cannot be opened again.
  const inherited = inheritedDescriptor(path);
  let fd: number | undefined;
  try {
    fd = inherited ?? openSync(path, 'r');
    if (fstatSync(fd).isFile()) return readFileSync(fd);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, CHUNK, null);
      } catch (err) {
        // A descriptor someone else made non-blocking: wait for the writer.
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          sleepSync(5);
          continue;
        }
        throw err;
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        throw usageError(
          `${what} ${path}: more than ${maxBytes} bytes (the --max-payload limit)`,
          '--max-payload raises the limit, e.g. --max-payload 1G',
        );
      }
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof WsprobeError) throw err;
    throw usageError(cannotRead(path, err, what));
  } finally {
    if (fd !== undefined && inherited === undefined) closeSync(fd);
  }
}

/** Reads a file without blocking (at the prompt); the error is the one-line message. */
export async function readFileLine(
  path: string,
  what?: string,
): Promise<{ ok: true; value: Buffer } | { ok: false; error: string }> {
  try {
    return { ok: true, value: await readFile(path) };
  } catch (err) {
    return { ok: false, error: cannotRead(path, err, what) };
  }
}
