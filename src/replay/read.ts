/** Reading a recording file: a mistake in it is a usage error (exit 2) naming the line. */
import { usageError } from '../errors.js';
import { readFileOrStream } from '../input/files.js';
import { parseRecording, type Recording } from '../protocol/recording.js';

/** Recordings are read whole; this bounds what a wrong path (a device, a huge log) can take. */
const MAX_RECORDING_BYTES = 1024 * 1024 * 1024;

export function readRecording(path: string, conn?: number): Recording {
  const file = path === '-' ? '/dev/stdin' : path;
  const text = readFileOrStream(file, MAX_RECORDING_BYTES, 'replay').toString('utf8');
  const parsed = parseRecording(text, conn);
  if (!parsed.ok) {
    throw usageError(
      `${path}: ${parsed.error}`,
      'a recording is the output of wsprobe connect --json (or proxy --json)',
    );
  }
  return parsed.value;
}
