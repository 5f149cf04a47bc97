/**
 * The attack of escape sequences reaching terminals (issue 13, item 4), against real peers: a raw
 * server puts a window-title OSC, a screen clear, 8-bit C1 controls (CSI, OSC, ST) and bidi overrides and
 * isolates into its status line, a header, a message, a ping and its close reason; a `ws` client does
 * the same to `echo` and `listen`. Whatever the mode (pretty, pipe status lines, --json, -W, a real
 * terminal), the bytes the CLI prints hold none of them raw; pipe mode's stdout alone carries the
 * payload byte-exact, by design, and `%{name:raw}` prints a -W value as it came, as documented.
 */
import { describe, expect, it } from 'vitest';
import { type CliResult, jsonLines, runCli, startServerCli } from './support/cli.js';
import { closeFrame, frame, Opcode, textFrame } from './support/frames.js';
import { switchingProtocols } from './support/handshake.js';
import { startPty } from './support/pty.js';
import { startRawServer } from './support/raw-server.js';
import { openClient } from './support/ws-peers.js';

/** Under 123 bytes in UTF-8, so it fits a close reason. */
const HOSTILE = 'A\x1b]0;pwned\x07B\x1b[2JC\u009b31mD\u009d0;t\u009cE\u202eF\u2066G\u200fH\x7fI';
/** HOSTILE as status lines and -W show it. */
const HOSTILE_SHOWN = 'A\\x1b]0;pwned\\x07B\\x1b[2JC\\u009b31mD\\u009d0;t\\u009cE\\u202eF\\u2066G\\u200fH\\x7fI';
/** What a terminal acts on: C0 (but TAB and LF), DEL, C1 and the bidi controls. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/**
 * The same, ESC and CR excepted: for what a terminal receives, where our own colours and the spinner's
 * cursor moves are ESC [ …, and the terminal turns each LF into CR LF.
 */
const RAW_CONTROL_BUT_ESC_CR =
  /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** A status line's reason phrase may hold ESC and BEL (Node reads it as latin-1). */
const STATUS = 'Switching \x1b]0;pwned\x07\x1b[2J';
const STATUS_SHOWN = 'Switching \\x1b]0;pwned\\x07\\x1b[2J';

/**
 * A server that answers the handshake with ESC and BEL in its reason phrase (allowed there) and C1 and
 * bidi in a header (only bytes >= 0x80 are: Node refuses control bytes in header values), then sends a
 * text message, a ping and a close frame carrying HOSTILE, and ends once the client answered the close.
 */
async function hostileServer() {
  return startRawServer(
    async (peer) => {
      const answer = switchingProtocols(peer.request)
        .replace('101 Switching Protocols', `101 ${STATUS}`)
        .replace(/\r\n\r\n$/, '\r\nX-Evil: a\u009b2J\u202eb\r\n\r\n');
      peer.write(Buffer.from(answer, 'utf8'));
      peer.write(textFrame(HOSTILE), frame({ opcode: Opcode.Ping, payload: HOSTILE }), closeFrame(4000, HOSTILE));
      await peer.waitForClose();
      peer.socket.end();
    },
    { answerClose: false },
  );
}

function expectNoRawControl(text: string, what: string): void {
  const at = text.search(RAW_CONTROL);
  expect(at, `${what} has a raw control at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 20), at + 20))}`).toBe(
    -1,
  );
}

describe('escape sequences reach terminals: connect against a hostile server', () => {
  const common = ['--no-stdin', '--keep-open', '-v', '-P', '--timeout', '10'];

  it('-W escapes %{close_reason} and %{subprotocol}; pipe status lines escape everything; stdout keeps the payload', async () => {
    const server = await hostileServer();
    const r = await runCli(['connect', server.url, ...common, '-W', '%{close_reason}|%{close_code}|%{subprotocol}\\n']);
    expect(r.code).toBe(7);
    // The payload, byte-exact by design, then the -W line, escaped.
    expect(r.stdout.equals(Buffer.from(`${HOSTILE}\n${HOSTILE_SHOWN}|4000|\n`, 'utf8'))).toBe(true);
    expectNoRawControl(r.stderr, 'stderr');
    expect(r.stderr).toContain(`< HTTP/1.1 101 ${STATUS_SHOWN}\n`);
    expect(r.stderr).toContain(`closed 4000 (Private Use) by server, reason "${HOSTILE_SHOWN}", `);
  });

  it('-W %{close_reason:raw} prints the reason exactly as it came (the documented raw form)', async () => {
    const server = await hostileServer();
    const r = await runCli(['connect', server.url, ...common, '-q', '-W', '[%{close_reason:raw}]']);
    expect(r.stdout.toString('utf8').endsWith(`[${HOSTILE}]`)).toBe(true);
  });

  it('--json escapes C0, C1, DEL and bidi as \\u in every event, and parses back to the same text', async () => {
    const server = await hostileServer();
    const r = await runCli(['connect', server.url, ...common, '--json', '-W', '%{close_reason}\\n']);
    const [json, writeOut] = [r.out.slice(0, r.out.lastIndexOf('}\n') + 2), r.out.slice(r.out.lastIndexOf('}\n') + 2)];
    expectNoRawControl(json.replace(/\n/g, ''), 'the NDJSON');
    expectNoRawControl(r.stderr, 'stderr');
    expect(writeOut).toBe(`${HOSTILE_SHOWN}\n`);
    const events = jsonLines(json);
    expect(events.find((e) => e.event === 'message')).toMatchObject({ dir: 'in', data: HOSTILE });
    expect(events.find((e) => e.event === 'ping')).toMatchObject({ dir: 'in', data: HOSTILE });
    expect(events.find((e) => e.event === 'close')).toMatchObject({ code: 4000, reason: HOSTILE });
    expect(events.find((e) => e.event === 'response')).toMatchObject({ statusText: STATUS });
    expect(json).toContain('\\u009b31m');
    expect(json).toContain('\\u202e');
  });

  it('--pretty escapes the message, ping, headers, status line and close reason, bidi included', async () => {
    const server = await hostileServer();
    const r = await runCli(['connect', server.url, ...common, '--pretty', '--no-color']);
    expect(r.code).toBe(7);
    expectNoRawControl(r.out, 'stdout');
    expectNoRawControl(r.stderr, 'stderr');
    expect(r.out).toContain(`< ${HOSTILE_SHOWN}\n`);
    expect(r.out).toContain(`reason "${HOSTILE_SHOWN}"`);
  });

  it('in a real terminal, nothing the server sent retitles, clears or reorders the screen', async () => {
    const server = await hostileServer();
    const term = startPty(['connect', server.url, ...common, '-W', '%{close_reason}\\n']);
    expect(await term.exit).toBe(7);
    const raw = term.raw();
    expect(raw).not.toContain('\x1b]');
    expect(raw).not.toContain('\x1b[2J');
    expect(raw).not.toContain('\x07');
    const at = raw.search(RAW_CONTROL_BUT_ESC_CR);
    expect(at, JSON.stringify(raw.slice(Math.max(0, at - 30), at + 30))).toBe(-1);
    const screen = (await term.screen()).join('\n');
    expect(screen).toContain('A\\x1b]0;pwned\\x07B');
    expect(screen).toContain('\\u202eF\\u2066G');
  });
});

describe('escape sequences reach terminals: echo and listen show what a client sent', () => {
  /** A client that sends HOSTILE in a header (as latin-1 C1 bytes), a message and its close reason. */
  async function hostileClient(url: string): Promise<void> {
    const client = await openClient(url, [], { headers: { 'X-Evil': 'a\x9b2J\x9d0;t\x9c' } });
    await client.send(HOSTILE);
    client.ws.close(4000, HOSTILE);
    await client.closed;
  }

  async function serve(args: string[]): Promise<CliResult> {
    const server = await startServerCli([...args, '0', '--once', '-v']);
    await hostileClient(server.url);
    return server.result;
  }

  it.each([['echo'], ['listen']])('%s --json escapes C1 and bidi as \\u, and parses back', async (command) => {
    const r = await serve([command, '--json']);
    expectNoRawControl(r.out.replace(/\n/g, ''), 'the NDJSON');
    expectNoRawControl(r.stderr, 'stderr');
    const events = jsonLines(r.out);
    expect(events.find((e) => e.event === 'message' && e.dir === 'in')).toMatchObject({ data: HOSTILE });
    expect(events.find((e) => e.event === 'close')).toMatchObject({ code: 4000, reason: HOSTILE });
    const request = events.find((e) => e.event === 'request') as { headers: Record<string, string> };
    expect(request.headers['x-evil']).toBe('a\x9b2J\x9d0;t\x9c');
  });

  it.each([['echo'], ['listen']])('%s --pretty escapes everything the client sent', async (command) => {
    const r = await serve([command, '--pretty', '--no-color']);
    expectNoRawControl(r.out, 'stdout');
    expectNoRawControl(r.stderr, 'stderr');
    expect(r.out).toContain(HOSTILE_SHOWN);
    expect(`${r.out}${r.stderr}`).toContain('X-Evil: a\\u009b2J\\u009d0;t\\u009c');
  });

  it('listen in pipe mode: status lines escaped on stderr, the payload byte-exact on stdout', async () => {
    const r = await serve(['listen']);
    expectNoRawControl(r.stderr, 'stderr');
    expect(r.stderr).toContain(`reason "${HOSTILE_SHOWN}"`);
    expect(r.stdout.equals(Buffer.from(`${HOSTILE}\n`, 'utf8'))).toBe(true);
  });
});
