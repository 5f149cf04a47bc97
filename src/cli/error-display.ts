/**
 * How an error that ends the program before any session output exists is shown: commander's usage
 * errors and the errors `run()` catches. They are printed before the output options are resolved, so
 * the flags that matter here (`--show-secrets`, `--json`) are read from the command line itself, and
 * secrets are masked by default: what was typed for `--auth`, `-H`, `--proxy`, `--passphrase`, the
 * proxy variables, and every URL's password and token-like parameters (output/sanitize.ts).
 */
import type { ErrorKind } from '../errors.js';
import { createJsonRenderer } from '../output/json.js';
import { escapeControl, MASK, maskCredentials, maskHeaderArg, maskSecretsInText, maskUrl } from '../output/sanitize.js';

/** The arguments before a `--` (after it everything is positional). */
function optionArgs(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

/** `--show-secrets` was given. */
export function showsSecrets(argv: readonly string[]): boolean {
  return optionArgs(argv).includes('--show-secrets');
}

/** `--json` was given (read from the command line: the error may come before options are parsed). */
export function wantsJson(argv: readonly string[]): boolean {
  return optionArgs(argv).includes('--json');
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `-H` as shown: the value masked; a name that is not one (`Authorization Bearer abc`) may hold it too. */
function headerPairs(v: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [[v, maskHeaderArg(v)]];
  const colon = v.indexOf(':');
  const name = colon > 0 ? v.slice(0, colon).trim() : '';
  if (name !== '' && !HEADER_NAME.test(name)) pairs.push([name, maskHeaderArg(name)]);
  return pairs;
}

/**
 * What each secret-bearing option's value looks like masked. `--auth` without a colon is a user name for
 * `connect` (the password is asked for) and is shown; for a server, which wants `user:password`, it may
 * be a password typed alone and is masked whole.
 */
const SECRET_OPTIONS: Readonly<Record<string, (value: string, server: boolean) => Array<[string, string]>>> = {
  '--auth': (v, server) => (v.includes(':') || server ? [[v, maskCredentials(v)]] : []),
  '--passphrase': (v) => [[v, MASK]],
  '--proxy': (v) => [[v, maskUrl(v)]],
  '-H': headerPairs,
  '--header': headerPairs,
};

const URL_LIKE = /:\/\/|^[^\s/@]+:[^\s]*@/;
const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'];

/**
 * Pairs of (text as typed, text as shown) for everything on the command line and in the proxy
 * variables that carries a secret: an error quoting any of them shows the masked form.
 */
export function typedSecrets(
  argv: readonly string[],
  vars: Readonly<Record<string, string | undefined>>,
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const options = optionArgs(argv);
  const command = argv.find((arg) => !arg.startsWith('-'));
  const server = command === 'listen' || command === 'echo';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const isOption = i < options.length && arg.startsWith('-');
    if (isOption) {
      const eq = arg.indexOf('=');
      const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
      let value: string | undefined = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
      // `-HName: value`: a short option with its value attached.
      if (value === undefined && /^-H./.test(arg)) {
        pairs.push(...headerPairs(arg.slice(2)));
        continue;
      }
      const masked = Object.hasOwn(SECRET_OPTIONS, name) ? SECRET_OPTIONS[name] : undefined;
      if (!masked) continue;
      if (value === undefined) {
        const next = argv[i + 1];
        // --passphrase takes an optional value: not another option.
        if (next === undefined || (name === '--passphrase' && next.startsWith('-'))) continue;
        value = next;
        i++;
      }
      pairs.push(...masked(value, server));
    } else if (URL_LIKE.test(arg) || /[?#].*=/.test(arg)) {
      pairs.push([arg, maskUrl(arg)]);
    }
  }
  for (const name of PROXY_VARIABLES) {
    const value = vars[name];
    if (value) pairs.push([value, maskUrl(value)]);
  }
  // Longest first, so a value is replaced whole before any part of it; short ones would garble the text.
  return pairs.filter(([raw, shown]) => raw !== shown && raw.length >= 3).sort((a, b) => b[0].length - a[0].length);
}

/** An error message with its secrets masked, unless `--show-secrets`. */
export function maskedError(
  text: string,
  argv: readonly string[],
  vars: Readonly<Record<string, string | undefined>>,
): string {
  if (showsSecrets(argv)) return text;
  let shown = text;
  for (const [raw, masked] of typedSecrets(argv, vars)) shown = shown.split(raw).join(masked);
  return maskSecretsInText(shown);
}

/**
 * An error message as printed on stderr: secrets masked unless `--show-secrets`, and characters a
 * terminal acts on escaped (line breaks kept: commander's messages may have two lines).
 */
export function shownError(
  text: string,
  argv: readonly string[],
  vars: Readonly<Record<string, string | undefined>>,
): string {
  return escapeControl(maskedError(text, argv, vars));
}

/**
 * Under `--json`, an error that ended the program before its session began is also an `error` event
 * and a `summary` on stdout, so a program reading the stream sees why it ended.
 */
export function jsonFailure(
  kind: ErrorKind,
  message: string,
  hint: string | undefined,
  exitCode: number,
  time: number,
  showSecrets: boolean,
): string {
  const json = createJsonRenderer({ showSecrets });
  const error = json.error({ event: 'error', time, kind, message, ...(hint ? { hint } : {}) });
  const summary = json.summary({
    event: 'summary',
    time,
    exitCode,
    messagesIn: 0,
    messagesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    timings: { totalMs: 0 },
  });
  return `${error?.out ?? ''}${summary?.out ?? ''}`;
}
