/**
 * The attack of escape sequences reaching terminals (issue 13, item 4), on the pure renderers: a peer's
 * ESC, C1 and bidi controls, in every field a peer controls, come out escaped in pretty, pipe status
 * lines, --json and -W; pipe mode's stdout keeps payloads byte-exact by design.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { Rendered, Renderer, SessionEvent, SummaryEvent } from '../../src/output/events.js';
import { render } from '../../src/output/events.js';
import { createJsonRenderer } from '../../src/output/json.js';
import { createPipeRenderer } from '../../src/output/pipe.js';
import { createPrettyRenderer } from '../../src/output/pretty.js';
import { clientListLines, statusLines } from '../../src/output/status.js';
import { parseWriteOut } from '../../src/output/summary.js';
import * as f from './fixtures.js';

/** What a hostile peer puts in every text it controls: a title change (OSC), an 8-bit CSI, bidi. */
const HOSTILE = 'a\x1b]0;pwned\x07b\x9b2Jc\x9d0;t\x9cd\u202eevil\u2066e\u200ff\x7f';
/** Everything a terminal may act on, in what we print for a terminal. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const hostileEvents: SessionEvent[] = [
  { ...f.textIn, data: Buffer.from(HOSTILE) },
  { ...f.closeByServer4001, reason: HOSTILE },
  { ...f.open, protocol: HOSTILE, extensions: HOSTILE },
  { ...f.response401, statusText: HOSTILE, headers: [[`X-${HOSTILE}`, HOSTILE]], body: Buffer.from(HOSTILE) },
  { ...f.response101, headers: [['X-Evil', HOSTILE]] },
  { ...f.request, conn: 1, method: 'GET', path: `/${HOSTILE}`, url: `ws://127.0.0.1:1/${HOSTILE}` },
  { ...f.pingIn, data: Buffer.from(HOSTILE) },
  { ...f.pongIn, data: Buffer.from(HOSTILE) },
  { ...f.error, message: `handshake rejected: 400 ${HOSTILE}`, hint: HOSTILE },
  { ...f.reconnecting, reason: HOSTILE },
  { ...f.open, conn: 2, url: `ws://127.0.0.1:1/${HOSTILE}` },
  { ...f.connection, remote: HOSTILE },
  { ...f.summary, close: { code: 4000, reason: HOSTILE, by: 'server' } },
];

function allText(r: Rendered | null): string[] {
  if (!r) return [];
  const out = r.out === undefined ? [] : [typeof r.out === 'string' ? r.out : r.out.toString('utf8')];
  return r.err === undefined ? out : [...out, r.err];
}

const renderers: Array<[string, Renderer]> = [
  [
    'pretty -vv -P',
    createPrettyRenderer({
      chalk: new Chalk({ level: 0 }),
      verbose: 2,
      showPingPong: true,
      timestamps: false,
      maxDisplay: 256,
      showSecrets: false,
      quiet: false,
      showSummary: true,
    }),
  ],
  [
    'pipe status lines -vv -P',
    createPipeRenderer({
      quiet: false,
      verbose: 2,
      showPingPong: true,
      showSecrets: false,
      binaryOutput: 'raw',
      separator: '\n',
      showSummary: true,
    }),
  ],
];

describe('escape sequences reach terminals: pretty and pipe status lines', () => {
  it.each(renderers)('%s prints no raw ESC, C1 or bidi control of the peer', (_, renderer) => {
    for (const e of hostileEvents) {
      // Pipe mode's stdout is the payload, byte for byte: the one exception, by design.
      const r = render(renderer, e);
      const texts = _.startsWith('pipe') && e.event === 'message' ? (r?.err ? [r.err] : []) : allText(r);
      for (const text of texts) expect(text, `${e.event}: ${JSON.stringify(text)}`).not.toMatch(RAW_CONTROL);
    }
  });

  it('pretty shows a bidi override in a message and a close reason as an escape', () => {
    const pretty = renderers[0][1];
    expect(render(pretty, { ...f.textIn, data: Buffer.from('invoice\u202egnp.exe') })?.out).toBe(
      '< invoice\\u202egnp.exe\n',
    );
    expect(render(pretty, { ...f.closeByServer, reason: 'x\u2066y' })?.out).toBe(
      'closed 1000 (Normal Closure) by server, reason "x\\u2066y", clean\n',
    );
  });

  it('pipe keeps the payload on stdout byte-exact, bidi and ESC included', () => {
    const pipe = renderers[1][1];
    expect(render(pipe, { ...f.textIn, data: Buffer.from(HOSTILE) })).toEqual({ out: Buffer.from(`${HOSTILE}\n`) });
  });

  it('pipe escapes bidi in its status lines', () => {
    const pipe = renderers[1][1];
    expect(render(pipe, { ...f.closeByServer, reason: '\u202eevil' })?.err).toBe(
      'closed 1000 (Normal Closure) by server, reason "\\u202eevil", clean\n',
    );
  });
});

describe('escape sequences reach terminals: --json (client and servers)', () => {
  const json = createJsonRenderer({ showSecrets: true });

  it.each(hostileEvents.map((e) => [e.event, e] as const))(
    'a %s event with the peer controls is one valid line without raw controls, and parses back',
    (_, e) => {
      const r = render(json, e);
      const line = r?.out as string;
      expect(line.endsWith('\n')).toBe(true);
      expect(line.slice(0, -1)).not.toMatch(/[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (e.event === 'message') expect(parsed.data).toBe(HOSTILE);
      if (e.event === 'close') expect(parsed.reason).toBe(HOSTILE);
      if (r?.err !== undefined) expect(r.err).not.toMatch(RAW_CONTROL);
    },
  );

  it('writes C1 and bidi as \\u escapes', () => {
    const line = render(json, { ...f.closeByServer, reason: '\x9b\u202e' })?.out as string;
    expect(line).toContain('"reason":"\\u009b\\u202e"');
  });
});

describe('escape sequences reach terminals: -W/--write-out', () => {
  const summary: SummaryEvent = {
    ...f.summary,
    close: { code: 4000, reason: '\x1b]0;pwned\x07\u202e\nnext', by: 'server' },
    protocol: 'chat\x9b2J',
    extensions: 'x\u2066',
    url: 'ws://h/\u202e',
  };
  const writeOut = (format: string) => {
    const parsed = parseWriteOut(format);
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.value(summary);
  };

  it('escapes %{close_reason}, %{subprotocol}, %{extensions} and %{url}', () => {
    expect(writeOut('%{close_reason}|%{subprotocol}|%{extensions}|%{url}\\n')).toBe(
      '\\x1b]0;pwned\\x07\\u202e\\nnext|chat\\u009b2J|x\\u2066|ws://h/\\u202e\n',
    );
  });

  it('prints the value exactly as it came with %{name:raw}', () => {
    expect(writeOut('%{close_reason:raw}|%{subprotocol:raw}')).toBe('\x1b]0;pwned\x07\u202e\nnext|chat\x9b2J');
    expect(writeOut('%{close_code:raw} %{exit_code}')).toBe('4000 0');
  });

  it('refuses a form other than :raw', () => {
    const parsed = parseWriteOut('%{close_reason:hex}');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.error).toBe('unknown --write-out form %{close_reason:hex}; the one form is %{close_reason:raw}');
  });
});

describe('escape sequences reach terminals: /status and /clients', () => {
  it('escapes a URL and a client path, and masks their tokens', () => {
    const status = statusLines({
      state: 'OPEN',
      url: 'ws://u:pw@h/\u202e?token=t',
      protocol: '',
      extensions: '',
      messagesIn: 0,
      messagesOut: 0,
      bytesIn: 0,
      bytesOut: 0,
      bufferedBytes: 0,
    });
    expect(status[1]).toBe('url:         ws://u:****@h/\\u202e?token=****');
    const row = {
      id: 1,
      remote: '127.0.0.1:1',
      path: '/\x9b2J?key=k',
      protocol: '',
      upMs: 0,
      messagesIn: 0,
      messagesOut: 0,
      open: true,
    };
    const lines = clientListLines([row]);
    expect(lines[2]).toMatch(/^ {2}#1 {2}127\.0\.0\.1:1 {2}\/\\u009b2J\?key=\*{4} {2}- +0\.0s +0 +0 +0 +0$/);
    expect(lines.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
    expect(clientListLines([row], { showSecrets: true })[2]).toContain('?key=k');
  });
});
