/** Decides the output mode once (SPEC "What is shown") and builds the renderer and writers for it. */

import type { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { colorLevel } from './color.js';
import type { Renderer } from './events.js';
import { createJsonRenderer } from './json.js';
import type { OutputOptions } from './options.js';
import { createOutput, type Output } from './output.js';
import { DEFAULT_DECODE_LIMIT, withPayloadView } from './payload-view.js';
import { createPipeRenderer } from './pipe.js';
import { createPrettyRenderer } from './pretty.js';
import { BatchedWriter } from './writer.js';

export type OutputMode = 'pretty' | 'pipe' | 'json';

/** What output needs to know of the process's surroundings (a part of `Env`). */
export interface Terminal {
  stdout: Writable;
  stderr: Writable;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  vars: Readonly<Record<string, string | undefined>>;
}

export function outputMode(flags: Pick<OutputOptions, 'json' | 'pretty'>, stdoutIsTTY: boolean): OutputMode {
  if (flags.json) return 'json';
  if (flags.pretty) return 'pretty';
  return stdoutIsTTY ? 'pretty' : 'pipe';
}

/**
 * A server's handshake trace (a client's `connection` and `request`, and the 101 `response`): every
 * renderer shows it with -v, the JSON stream always. Without it, a server does not build those events
 * at all (a `wsprobe echo -q` taking thousands of clients would make and drop three per client).
 * test/unit/output-setup.test.ts holds this against the renderers.
 */
export function tracesHandshakes(flags: Pick<OutputOptions, 'json' | 'verbose'>): boolean {
  return flags.json || flags.verbose > 0;
}

export function createRenderer(mode: OutputMode, flags: OutputOptions, env: Terminal): Renderer {
  switch (mode) {
    case 'json':
      return createJsonRenderer({ showSecrets: flags.showSecrets });
    case 'pipe':
      return createPipeRenderer({
        quiet: flags.quiet,
        verbose: flags.verbose,
        showPingPong: flags.showPingPong,
        showSecrets: flags.showSecrets,
        binaryOutput: flags.binaryOutput,
        separator: flags.separator,
        timestamps: flags.timestamps,
        showSummary: flags.summary === true,
      });
    case 'pretty':
      return createPrettyRenderer({
        chalk: new Chalk({ level: colorLevel(env, env.stdoutIsTTY || flags.pretty === true, !flags.color) }),
        verbose: flags.verbose,
        showPingPong: flags.showPingPong,
        timestamps: flags.timestamps,
        maxDisplay: flags.maxDisplay,
        maxText: flags.maxText,
        jsonLayout: flags.jsonLayout,
        width: () => (env.stdoutIsTTY ? (env.stdout as { columns?: number }).columns || 80 : 80),
        showSecrets: flags.showSecrets,
        quiet: flags.quiet,
        showSummary: flags.summary === true,
      });
  }
}

/**
 * The session's output. `onStdoutError` is told when stdout fails (EPIPE: the reader went away),
 * so the session can end instead of writing into nothing.
 */
export function createSessionOutput(flags: OutputOptions, env: Terminal, onStdoutError: (err: Error) => void): Output {
  const mode = outputMode(flags, env.stdoutIsTTY);
  const stdout = new BatchedWriter(env.stdout, onStdoutError);
  const stderr = new BatchedWriter(env.stderr);
  const plainStderr = mode === 'pretty' && colorLevel(env, env.stderrIsTTY, !flags.color) === 0;
  const interleaved = env.stdoutIsTTY || env.stderrIsTTY;
  const output = createOutput(createRenderer(mode, flags, env), stdout, stderr, plainStderr, interleaved);
  return withPayloadView(output, {
    decode: flags.decode,
    decodeLimit: flags.decodeLimit ?? DEFAULT_DECODE_LIMIT,
    filter: flags.filter ?? [],
    filterOut: flags.filterOut ?? [],
  });
}
