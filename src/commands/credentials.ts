/**
 * Secrets a connection needs before it starts: the Basic auth password and the key passphrase.
 * When one is missing and stdin is a terminal we ask for it, hidden, with readline-sync — before
 * any socket is open, since it blocks the event loop. Without a terminal it is a usage error.
 */
import type { Env } from '../env.js';
import { usageError } from '../errors.js';

async function askHidden(question: string): Promise<string> {
  const { default: readlineSync } = await import('readline-sync');
  return readlineSync.question(question, { hideEchoBack: true, mask: '' });
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
    password = await askHidden(`Password for ${user}: `);
  }
  return ['Authorization', `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`];
}

/** `--passphrase p` → p; `--passphrase` alone → asked for on the terminal. */
export async function keyPassphrase(passphrase: string | true | undefined, env: Env): Promise<string | undefined> {
  if (passphrase === undefined || typeof passphrase === 'string') return passphrase;
  if (!env.stdinIsTTY) {
    throw usageError('--passphrase: no value given and no terminal to ask for it', 'use --passphrase <passphrase>');
  }
  return askHidden('Passphrase for the private key: ');
}
