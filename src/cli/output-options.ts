/** The output options every command shares, and the exit-code help. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { OutputOptions } from '../output/options.js';
import { DECODE_CHOICES } from '../protocol/decode.js';
import { parseFilter } from '../protocol/expect.js';
import type { JsonLayout } from '../protocol/json-format.js';
import { GROUP } from './help.js';
import { applyOptionRules, OUTPUT_CONFLICTS } from './option-rules.js';
import { choiceArg, collect, increment, nonNegativeSizeArg, separatorArg } from './parsers.js';

/** The output flags every command shares, resolved into `OutputOptions` (output/options.ts). */
export type OutputFlags = OutputOptions & { maxPayload?: number; format?: JsonLayout | 'off' };

export const EXIT_CODE_HELP = `
Exit codes:
  0    session ended as intended (we closed cleanly, or the peer closed with 1000/1001/1005)
  1    internal error (a bug; run with --debug and please report it)
  2    usage error: bad option, URL, close code, hex/base64, unreadable file
  3    could not connect: DNS, refused, unreachable, connect timeout
  4    TLS failure
  5    WebSocket handshake rejected (non-101 answer) or invalid upgrade
  6    connection lost (1006) or protocol violation (1002, 1007, 1009, 1010)
  7    peer closed with another code (1011, 4xxx, ...)
  8    --expect not satisfied
  10   --exec: the session went well, but the program failed (non-zero exit, or killed)
  124  --timeout elapsed
  129  SIGHUP, 130 Ctrl+C (SIGINT), 143 SIGTERM: interrupted (128 + signal)`;

/** Only the output fields, whatever else the command's flags hold. */
export function outputOptions(f: OutputFlags): OutputOptions {
  const { verbose, showPingPong, timestamps, pretty, json, quiet, color, binaryOutput, summary } = f;
  const { separator, maxDisplay, showSecrets, debug } = f;
  const { maxText, format, filter, filterOut, decode, maxPayload } = f;
  return {
    maxText,
    jsonLayout: format,
    filter,
    filterOut,
    decode,
    decodeLimit: maxPayload,
    verbose,
    showPingPong,
    timestamps,
    pretty,
    json,
    quiet,
    color,
    binaryOutput,
    summary,
    separator,
    maxDisplay,
    showSecrets,
    debug,
  };
}

const LAYOUTS: readonly (JsonLayout | 'off')[] = ['auto', 'indent', 'compact', 'off'];

/** `--format json=indent` (or just `indent`): the layout of JSON text in pretty mode. */
function formatArg(text: string): JsonLayout | 'off' {
  const layout = text.startsWith('json=') ? text.slice(5) : text;
  return choiceArg(LAYOUTS)(layout);
}

/** `--filter`/`--filter-out`: repeatable, each checked now. */
function filterArg(flag: string): (text: string, previous?: string[]) => string[] {
  return (text, previous) => {
    const parsed = parseFilter(text, flag);
    if (!parsed.ok) throw new InvalidArgumentError(parsed.error.replace(`${flag}: `, ''));
    return collect(text, previous);
  };
}

/** The output options, under their heading. */
export function addOutputOptions(cmd: Command): Command {
  return cmd
    .optionsGroup(GROUP.output)
    .option('-v, --verbose', 'show the handshake (-v); repeat for more', increment, 0)
    .option('-P, --show-ping-pong', 'show ping and pong frames', false)
    .option('-t, --timestamps', 'prefix each line with the time', false)
    .option('--pretty', 'coloured session log, even into a pipe')
    .option('--json', 'one JSON event per line (NDJSON) on stdout', false)
    .option('-q, --quiet', 'no status lines, only payloads and errors', false)
    .option('--no-color', 'no colour (also NO_COLOR=1)')
    .addOption(
      new Option('--binary-output <how>', 'binary messages in pipe mode: raw, hex or base64')
        .argParser(choiceArg(['raw', 'hex', 'base64'] as const))
        .default('raw'),
    )
    .option('--separator <text>', 'written after each message in pipe mode (\\n, \\0, \\t)', separatorArg, '\n')
    .option('--max-display <bytes>', 'bytes of a binary message shown as hex (e.g. 1k)', nonNegativeSizeArg, 256)
    .addOption(
      new Option('--max-text <bytes>', 'bytes of a text message pretty mode shows (0: all)')
        .argParser(nonNegativeSizeArg)
        .default(16 * 1024, '16k'),
    )
    .addOption(
      new Option('--format <json=layout>', 'JSON text in pretty mode: json=auto, indent, compact or off')
        .argParser(formatArg)
        .default('auto'),
    )
    .option(
      '--filter <expr>',
      'show only received messages matching /regex/, path=value or text (repeatable)',
      filterArg('--filter'),
    )
    .option('--filter-out <expr>', 'hide received messages matching it', filterArg('--filter-out'))
    .addOption(
      new Option('--decode <codec>', 'decode received binary: gzip, deflate, zlib, msgpack, cbor or auto').argParser(
        choiceArg(DECODE_CHOICES),
      ),
    )
    .option('--show-secrets', 'do not mask Authorization, cookies, URL passwords and tokens, proxy credentials', false);
}

/**
 * The last heading of every command: --debug and --help. Call it after all other options: it also
 * registers the output options' conflicts, once every option exists.
 */
export function addOtherOptions(cmd: Command): Command {
  cmd
    .optionsGroup(GROUP.other)
    .option('--debug', 'print stack traces of internal errors', false)
    .helpOption('-h, --help', 'show this help');
  return applyOptionRules(cmd, OUTPUT_CONFLICTS);
}
