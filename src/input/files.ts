/** Reading a file the user named (an option, a slash command): one place, one wording for failures. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { usageError, type WsprobeError } from '../errors.js';

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a part of the path is not a directory',
  EMFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
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

/** Reads a file now; a failure is a usage error (exit 2) naming the file and `what` asked for it. */
export function readFileOrUsage(path: string, what?: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw usageError(cannotRead(path, err, what)) as WsprobeError;
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
