/**
 * Reading a recording file: a mistake in it is a usage error (exit 2) naming the line. A regular file
 * is read as it is replayed, a chunk at a time, so that a long recording neither waits to be parsed
 * whole nor is held whole in memory; a pipe (`-`, `<(…)`) is read whole first, as a stream cannot be
 * read a chunk at a time without stopping everything else while its writer is slow.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { usageError, WsprobeError } from '../errors.js';
import { cannotRead, readFileOrStream } from '../input/files.js';
import {
  parseRecording,
  type RecordedMessage,
  type Recording,
  RecordingError,
  RecordingParser,
} from '../protocol/recording.js';

/** A recording read from a stream is read whole; this bounds what a wrong path (a device, a huge log) can take. */
const MAX_RECORDING_BYTES = 1024 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const HINT = 'a recording is the output of wsprobe connect --json (or proxy --json)';

function badRecording(path: string, message: string): WsprobeError {
  return usageError(`${path}: ${message}`, HINT);
}

function fileName(path: string): string {
  return path === '-' ? '/dev/stdin' : path;
}

/** The whole recording (`replay --serve` plays it to each client from the start). */
export function readRecording(path: string, conn?: number): Recording {
  const text = readFileOrStream(fileName(path), MAX_RECORDING_BYTES, 'replay').toString('utf8');
  const parsed = parseRecording(text, conn);
  if (!parsed.ok) throw badRecording(path, parsed.error);
  return parsed.value;
}

/** A recording's messages, one at a time, read as they are asked for. */
export interface RecordingStream {
  /** The URL the recording's client connected to, when it says (known before its first message). */
  readonly url: string | undefined;
  /**
   * The next message of the conversation, or undefined after the last. A line that is not an event
   * throws a usage error naming it (the lines before it have been given).
   */
  next(): RecordedMessage | undefined;
  close(): void;
}

/** Lines of a file, a chunk at a time (a regular file), or of its whole text (a stream). */
class Lines {
  private chunk = Buffer.allocUnsafe(CHUNK);
  private lines: string[] = [];
  private at = 0;
  /** Bytes at the start of `chunk` after the last newline read (a line, or a character, cut by the read). */
  private rest = 0;
  private ended = false;
  /** The 1-based number of the line last given. */
  number = 0;

  constructor(
    private readonly fd: number | undefined,
    whole?: string,
  ) {
    if (whole !== undefined) {
      this.lines = whole.split('\n');
      this.ended = true;
    }
  }

  next(): string | undefined {
    while (this.at >= this.lines.length) {
      if (this.ended || this.fd === undefined) return undefined;
      // A line longer than a chunk: grow the chunk until the line fits.
      if (this.rest === this.chunk.length)
        this.chunk = Buffer.concat([this.chunk, Buffer.allocUnsafe(this.chunk.length)]);
      const n = readSync(this.fd, this.chunk, this.rest, this.chunk.length - this.rest, null);
      const filled = this.rest + n;
      // Whole lines only: a newline never falls inside a UTF-8 character, so they decode alone.
      const end = n === 0 ? filled : this.chunk.lastIndexOf(10, filled - 1) + 1;
      this.lines = this.chunk.toString('utf8', 0, end).split('\n');
      if (n === 0) this.ended = true;
      else this.lines.pop();
      this.chunk.copy(this.chunk, 0, end, filled);
      this.rest = filled - end;
      this.at = 0;
    }
    this.number++;
    return this.lines[this.at++];
  }
}

/**
 * Opens a recording and reads it up to its first message, so that a file that is not a recording
 * (no events, no messages, a bad line before the first message) fails now, before anything connects.
 */
export function openRecording(path: string, conn?: number): RecordingStream {
  const file = fileName(path);
  let fd: number | undefined;
  let lines: Lines;
  try {
    fd = openSync(file, 'r');
    if (fstatSync(fd).isFile()) lines = new Lines(fd);
    else {
      closeSync(fd);
      fd = undefined;
      lines = new Lines(undefined, readFileOrStream(file, MAX_RECORDING_BYTES, 'replay').toString('utf8'));
    }
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    if (err instanceof WsprobeError) throw err;
    throw usageError(cannotRead(file, err, 'replay'));
  }
  const parser = new RecordingParser(conn);
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  const read = (): RecordedMessage | undefined => {
    try {
      for (let line = lines.next(); line !== undefined; line = lines.next()) {
        const message = parser.line(line, lines.number);
        if (message) return message;
      }
      close();
      return undefined;
    } catch (err) {
      close();
      if (err instanceof RecordingError) throw badRecording(path, err.message);
      throw usageError(cannotRead(file, err, 'replay'));
    }
  };
  let first: RecordedMessage | undefined = read();
  if (first === undefined) {
    const problem = parser.end(lines.number);
    throw badRecording(path, problem?.message ?? 'no messages in the recording');
  }
  return {
    url: parser.url,
    next() {
      if (first) {
        const m = first;
        first = undefined;
        return m;
      }
      return read();
    },
    close,
  };
}
