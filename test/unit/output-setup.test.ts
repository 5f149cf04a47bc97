import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { render, type SessionEvent } from '../../src/output/events.js';
import type { OutputOptions } from '../../src/output/options.js';
import { createRenderer, type OutputMode, type Terminal, tracesHandshakes } from '../../src/output/setup.js';

const FLAGS: OutputOptions = {
  verbose: 0,
  showPingPong: false,
  timestamps: false,
  json: false,
  quiet: false,
  color: false,
  binaryOutput: 'raw',
  separator: '\n',
  maxDisplay: 1024,
  showSecrets: false,
  debug: false,
};

const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
const TERMINAL: Terminal = { stdout: sink, stderr: sink, stdoutIsTTY: false, stderrIsTTY: false, vars: {} };

/** A server's handshake trace for one client, as ServerHandshakes makes it. */
const TRACE: SessionEvent[] = [
  { event: 'connection', time: 0, conn: 1, remote: '127.0.0.1:50000' },
  {
    event: 'request',
    time: 0,
    conn: 1,
    method: 'GET',
    url: 'ws://127.0.0.1:8080/',
    path: '/',
    httpVersion: '1.1',
    headers: [['Host', '127.0.0.1:8080']],
  },
  {
    event: 'response',
    time: 0,
    conn: 1,
    status: 101,
    statusText: 'Switching Protocols',
    httpVersion: '1.1',
    headers: [['Upgrade', 'websocket']],
  },
];

const MODES: OutputMode[] = ['pipe', 'pretty', 'json'];

describe('tracesHandshakes: a server makes its handshake trace whenever the output can show it', () => {
  const cases = MODES.flatMap((mode) =>
    [0, 1, 2].flatMap((verbose) => [false, true].map((quiet) => ({ mode, verbose, quiet }))),
  );
  it.each(cases)('$mode, -v ×$verbose, quiet $quiet', ({ mode, verbose, quiet }) => {
    const flags: OutputOptions = { ...FLAGS, verbose, quiet, json: mode === 'json', pretty: mode === 'pretty' };
    const renderer = createRenderer(mode, flags, TERMINAL);
    const traced = tracesHandshakes(flags);
    expect(traced).toBe(mode === 'json' || verbose > 0);
    const shown = TRACE.map((e) => render(renderer, e) !== null);
    // Nothing the output shows goes unmade…
    if (!traced) expect(shown).toEqual([false, false, false]);
    // …and what is made is shown: pipe mode's -q hides its status lines, -q hides pretty's `connection`.
    const expected = [!quiet || mode === 'json', mode !== 'pipe' || !quiet, mode !== 'pipe' || !quiet];
    if (traced) expect(shown).toEqual(expected);
  });
});
