/** Routes rendered events to stdout and stderr. The only place session events become bytes. */

import type { Renderer, SessionEvent } from './events.js';
import { render } from './events.js';
import { plural } from './plural.js';
import type { BatchedWriter } from './writer.js';

export interface Output {
  emit(e: SessionEvent): void;
  /** Run before anything is printed (the spinner stops itself here). */
  beforePrint?: () => void;
  /**
   * An event (a message) could not be rendered: the text it makes is longer than a JavaScript string
   * can be. Without this hook that is an error like any other.
   */
  onTooLarge?: (e: SessionEvent) => void;
  /**
   * `/filter`: replaces the `--filter` expressions with `expr` (null: none); the answer to show, or
   * an error. Absent when output has no payload view.
   */
  setFilter?: (expr: string | null) => { ok: true; value: string } | { ok: false; error: string };
  /** Flush both streams. */
  end(): Promise<void>;
  readonly stdout: BatchedWriter;
}

/** Our own colour codes (network text never carries raw ESC: it is escaped before rendering). */
const SGR = /\x1b\[[0-9;]*m/g;

/** V8's refusal to make a string that long (about 512 MiB): from JSON, concatenation or `Buffer#toString`. */
export function isStringLimit(err: unknown): boolean {
  if (err instanceof RangeError && err.message === 'Invalid string length') return true;
  return (err as { code?: unknown } | null)?.code === 'ERR_STRING_TOO_LONG';
}

/** The one line for a message that `isStringLimit` kept from being shown. */
export function tooLargeToShow(e: SessionEvent): { message: string; hint: string } {
  const what =
    e.event === 'message' ? `a ${e.binary ? 'binary' : 'text'} message of ${plural(e.data.length, 'byte')}` : e.event;
  return {
    message: `message too large to show: ${what} exceeds JavaScript's string limit in this output mode; closing with 1009`,
    hint: '--max-payload refuses such messages; pipe mode shows text as it came, binary too with --binary-output raw',
  };
}

/**
 * `interleaved`: stdout and stderr end up on the same terminal, so their order must be kept line by line.
 * `plainStderr`: the renderer colours for stdout's terminal; when stderr is not one (redirected to a
 * file), the colour codes are taken out of what goes there.
 */
export function createOutput(
  renderer: Renderer,
  stdout: BatchedWriter,
  stderr: BatchedWriter,
  plainStderr = false,
  interleaved = true,
): Output {
  const output: Output = {
    stdout,
    emit(e) {
      let r: ReturnType<typeof render>;
      try {
        r = render(renderer, e);
      } catch (err) {
        if (!output.onTooLarge || !isStringLimit(err)) throw err;
        output.onTooLarge(e);
        return;
      }
      if (!r) return;
      if (output.beforePrint) {
        output.beforePrint();
        output.beforePrint = undefined;
      }
      if (r.out !== undefined) stdout.write(r.out);
      if (r.err !== undefined) {
        // On a terminal both streams are one screen: keep them in order, what went to stdout first is
        // shown first. Otherwise stderr is batched like stdout (-vv can write a line per frame).
        if (interleaved) stdout.flushNow();
        stderr.write(plainStderr ? r.err.replace(SGR, '') : r.err);
        if (interleaved) stderr.flushNow();
      }
    },
    async end() {
      await stdout.end();
      await stderr.end();
    },
  };
  return output;
}
