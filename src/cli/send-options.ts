/**
 * The messages given on `connect`'s command line (`-x`, `--send-hex`, `--send-base64`, `--send-file`,
 * `--send-text-file`, `--send-msgpack`, `--send-cbor`): parsed into one list in command-line order. Files are checked while parsing (a
 * typo fails before connecting) and read once before the session starts (commands/connect-plan.ts).
 */
import { InvalidArgumentError } from 'commander';
import { encodeJson } from '../input/encode.js';
import { unreadableFile } from '../input/files.js';
import type { Parsed } from '../protocol/close-codes.js';
import { parseBase64, parseHex } from '../protocol/encoding.js';

/** A message given on the command line, kept in the order the options were given. */
export type SendItem =
  | { kind: 'text'; data: Buffer }
  | { kind: 'binary'; data: Buffer }
  /**
   * A file (or pipe, `<(…)`, `/dev/stdin`) sent whole as one message, text or binary; a pipe is read
   * up to `maxBytes` (`--max-payload`).
   */
  | { kind: 'file'; path: string; text: boolean; maxBytes?: number };

function unwrap<T>(result: Parsed<T>): T {
  if (!result.ok) throw new InvalidArgumentError(result.error);
  return result.value;
}

function readable(path: string): string {
  const problem = unreadableFile(path);
  if (problem !== undefined) throw new InvalidArgumentError(problem);
  return path;
}

/** A file option's parser: the path, once it names something readable. */
export function fileArg(path: string): string {
  return readable(path);
}

/** Parsers for the `--send*` options, which share one ordered list. */
export function sendParsers(list: SendItem[]) {
  const add = (item: SendItem) => {
    list.push(item);
    return list;
  };
  return {
    text: (text: string) => add({ kind: 'text', data: Buffer.from(text, 'utf8') }),
    hex: (text: string) => add({ kind: 'binary', data: unwrap(parseHex(text)) }),
    base64: (text: string) => add({ kind: 'binary', data: unwrap(parseBase64(text)) }),
    file: (path: string) => add({ kind: 'file', path: readable(path), text: false }),
    textFile: (path: string) => add({ kind: 'file', path: readable(path), text: true }),
    msgpack: (json: string) => add({ kind: 'binary', data: unwrap(encodeJson('msgpack', json)) }),
    cbor: (json: string) => add({ kind: 'binary', data: unwrap(encodeJson('cbor', json)) }),
  };
}
