/** `--auth user:password` for the servers. Pure, and light enough to load while parsing the command line. */
import type { Parsed } from '../protocol/close-codes.js';

export interface Credentials {
  user: string;
  password: string;
}

/** The password may contain colons; the user may not be empty. */
export function parseCredentials(text: string): Parsed<Credentials> {
  const colon = text.indexOf(':');
  if (colon < 0) return { ok: false, error: `expected user:password, got "${text}"` };
  if (colon === 0) return { ok: false, error: 'expected user:password with a non-empty user' };
  return { ok: true, value: { user: text.slice(0, colon), password: text.slice(colon + 1) } };
}
