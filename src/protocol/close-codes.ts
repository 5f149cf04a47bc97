/** Close codes: names, which ones may be sent, and how to parse one typed by a user. Pure. */

const NAMES: Readonly<Record<number, string>> = {
  1000: 'Normal Closure',
  1001: 'Going Away',
  1002: 'Protocol Error',
  1003: 'Unsupported Data',
  1005: 'No Status Received',
  1006: 'Abnormal Closure',
  1007: 'Invalid Frame Payload Data',
  1008: 'Policy Violation',
  1009: 'Message Too Big',
  1010: 'Mandatory Extension',
  1011: 'Internal Error',
  1012: 'Service Restart',
  1013: 'Try Again Later',
  1014: 'Bad Gateway',
  1015: 'TLS Handshake',
};

export function closeCodeName(code: number): string {
  const name = NAMES[code];
  if (name) return name;
  if (code >= 3000 && code <= 3999) return 'Registered';
  if (code >= 4000 && code <= 4999) return 'Private Use';
  return 'Unknown';
}

/**
 * The codes an endpoint may put in a close frame (RFC 6455 §7.4, the same rule as ws's
 * `isValidStatusCode`): 1000–1003, 1007–1014 and 3000–4999.
 */
export function isSendableCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999)
  );
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function parseCloseCode(text: string): Parsed<number> {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) {
    return { ok: false, error: `invalid close code "${text}": expected a number such as 1000 or 4000` };
  }
  const code = Number(trimmed);
  if (!isSendableCloseCode(code)) {
    return {
      ok: false,
      error: `invalid close code ${trimmed}: use 1000-1003, 1007-1014 or 3000-4999`,
    };
  }
  return { ok: true, value: code };
}

/** A close frame's payload is at most 125 bytes, 2 of which hold the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

export function validateCloseReason(reason: string): Parsed<string> {
  const bytes = Buffer.byteLength(reason, 'utf8');
  if (bytes > MAX_CLOSE_REASON_BYTES) {
    return {
      ok: false,
      error: `close reason is ${bytes} bytes; at most ${MAX_CLOSE_REASON_BYTES} fit in a close frame`,
    };
  }
  return { ok: true, value: reason };
}
