/**
 * Secrets a connection needs before it starts: the Basic auth password and the key passphrase.
 * When one is missing and stdin is a terminal we ask for it, hidden — before any socket is open, since
 * the prompt reads the terminal synchronously. Without a terminal it is a usage error. Ctrl+C at the
 * prompt aborts: nothing is sent, the exit code is 130 (`PromptInterrupted`).
 *
 * The terminal is read here rather than with readline-sync: readline-sync drops control characters
 * and reads on, so Ctrl+C did nothing and the next line typed became the password.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { Env } from '../env.js';
import { usageError } from '../errors.js';
import { fileProblem } from '../input/files.js';

/** Ctrl+C (or Ctrl+D on an empty line) at a hidden prompt: the user does not want to go on. */
export class PromptInterrupted extends Error {
  constructor() {
    super('interrupted at the prompt');
    this.name = 'PromptInterrupted';
  }
}

const ENTER = new Set([0x0a, 0x0d]);
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const ERASE = new Set([0x08, 0x7f]);

/** Removes the last UTF-8 character (its continuation bytes and its first byte). */
function eraseLast(bytes: number[]): void {
  while (bytes.length > 0 && (bytes[bytes.length - 1] & 0xc0) === 0x80) bytes.pop();
  bytes.pop();
}

/**
 * Asks `question` on the controlling terminal and reads a line without echo (raw mode, one byte at a
 * time, so what is typed after Enter stays for the prompt that follows). Erase and Ctrl+U edit;
 * Ctrl+C aborts.
 */
function askHidden(question: string, what: string, env: Env): string {
  const stdin = env.stdin as NodeJS.ReadStream;
  let tty: number;
  try {
    tty = openSync('/dev/tty', 'r+');
  } catch (err) {
    // stdin is a terminal, but not this process's controlling one (setsid, some containers).
    throw usageError(`${what}: cannot ask on the terminal (/dev/tty: ${fileProblem(err)})`);
  }
  const bytes: number[] = [];
  const byte = Buffer.alloc(1);
  let interrupted = false;
  stdin.setRawMode?.(true);
  try {
    writeSync(tty, question);
    for (;;) {
      const n = readSync(tty, byte, 0, 1, null);
      const b = byte[0];
      if (n === 0 || ENTER.has(b)) break;
      if (b === CTRL_C || (b === CTRL_D && bytes.length === 0)) {
        interrupted = true;
        break;
      }
      if (ERASE.has(b)) eraseLast(bytes);
      else if (b === CTRL_U) bytes.length = 0;
      else if (b >= 0x20) bytes.push(b);
    }
    writeSync(tty, interrupted ? '^C\n' : '\n');
  } finally {
    stdin.setRawMode?.(false);
    closeSync(tty);
  }
  if (interrupted) throw new PromptInterrupted();
  return Buffer.from(bytes).toString('utf8');
}

/** `--auth user:password` or `--auth user` (asks) → the Authorization header. */
export async function basicAuthHeader(auth: string, env: Env): Promise<[string, string]> {
  const colon = auth.indexOf(':');
  let user = auth;
  let password: string;
  if (colon >= 0) {
    user = auth.slice(0, colon);
    password = auth.slice(colon + 1);
  } else {
    if (!env.stdinIsTTY) {
      throw usageError(`--auth ${user}: no password given and no terminal to ask for it`, 'use --auth user:password');
    }
    password = askHidden(`Password for ${user}: `, `--auth ${user}`, env);
  }
  return ['Authorization', `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`];
}

/** `--passphrase p` → p; `--passphrase` alone → asked for on the terminal. */
export async function keyPassphrase(passphrase: string | true | undefined, env: Env): Promise<string | undefined> {
  if (passphrase === undefined || typeof passphrase === 'string') return passphrase;
  if (!env.stdinIsTTY) {
    throw usageError('--passphrase: no value given and no terminal to ask for it', 'use --passphrase <passphrase>');
  }
  return askHidden('Passphrase for the private key: ', '--passphrase', env);
}
