/** What `connect` shows: NDJSON events, the pretty log, handshakes with -v, secrets, control characters. */
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './support/cli.js';
import { startServer } from './support/ws-peers.js';

const ESC = '\x1b';

describe('connect output', () => {
  it('--json writes one parsable event per line: request, response, open, messages, close, summary last', async () => {
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--json', '-x', 'hello', '--send-hex', '0001ff', '-w', '0.5']);
    expect(result.code).toBe(0);
    const events = jsonLines(result.out);
    const names = events.map((e) => e.event);
    expect(names.slice(0, 4)).toEqual(['connecting', 'request', 'response', 'open']);
    expect(names.at(-2)).toBe('close');
    expect(names.at(-1)).toBe('summary');
    for (const e of events) expect(new Date(e.time as string).toISOString()).toBe(e.time);
    expect(events.find((e) => e.event === 'request')).toMatchObject({ method: 'GET', url: `${server.url}/` });
    const request = events.find((e) => e.event === 'request') as { headers: Record<string, string> };
    expect(request.headers['sec-websocket-key']).toMatch(/==$/);
    expect(events.find((e) => e.event === 'response')).toMatchObject({
      status: 101,
      statusText: 'Switching Protocols',
    });
    const messages = events.filter((e) => e.event === 'message');
    expect(messages).toEqual([
      expect.objectContaining({ dir: 'out', type: 'text', data: 'hello', size: 5 }),
      expect.objectContaining({ dir: 'out', type: 'binary', data: 'AAH/', encoding: 'base64', size: 3 }),
      expect.objectContaining({ dir: 'in', type: 'text', data: 'hello', size: 5 }),
      expect.objectContaining({ dir: 'in', type: 'binary', data: 'AAH/', encoding: 'base64', size: 3 }),
    ]);
    expect(events.at(-2)).toMatchObject({ code: 1000, by: 'client', clean: true });
    expect(events.at(-1)).toMatchObject({ exitCode: 0, messagesIn: 2, messagesOut: 2, bytesIn: 8, bytesOut: 8 });
    expect(result.stderr).toBe('');
  });

  it('shows the negotiated subprotocol and permessage-deflate in the open event', async () => {
    const server = await startServer({ perMessageDeflate: true, handleProtocols: (protocols) => [...protocols][1] });
    const result = await runCli(['connect', server.url, '--json', '-s', 'one', '-s', 'two', '-w', '0']);
    expect(result.code).toBe(0);
    const open = jsonLines(result.out).find((e) => e.event === 'open');
    expect(open).toMatchObject({ protocol: 'two' });
    expect(open?.extensions).toContain('permessage-deflate');
    expect(server.requests[0].headers['sec-websocket-protocol']).toBe('one,two');
  });

  it('does not offer permessage-deflate with --no-deflate', async () => {
    const server = await startServer({ perMessageDeflate: true });
    await runCli(['connect', server.url, '--no-deflate', '-w', '0']);
    expect(server.requests[0].headers['sec-websocket-extensions']).toBeUndefined();
  });

  it('sends -H headers and -o origin, and masks Authorization and Cookie in -v output unless --show-secrets', async () => {
    const server = await startServer();
    const args = ['connect', server.url, '-v', '-H', 'Authorization: Bearer s3cret', '-H', 'Cookie: id=42', '-o'];
    const masked = await runCli([...args, 'http://app.test', '-w', '0']);
    expect(server.requests[0].headers.authorization).toBe('Bearer s3cret');
    expect(server.requests[0].headers.cookie).toBe('id=42');
    expect(server.requests[0].headers.origin).toBe('http://app.test');
    expect(masked.stderr).toContain('> GET / HTTP/1.1');
    expect(masked.stderr).toContain('> Authorization: Bearer ****');
    expect(masked.stderr).toContain('> Cookie: ****');
    expect(masked.stderr).not.toContain('s3cret');
    expect(masked.stderr).toContain('< HTTP/1.1 101 Switching Protocols');
    const shown = await runCli([...args, 'http://app.test', '-w', '0', '--show-secrets']);
    expect(shown.stderr).toContain('> Authorization: Bearer s3cret');
  });

  it('escapes control characters from the server in pretty mode so the terminal cannot be hijacked', async () => {
    const hostile = `title${ESC}]0;pwned\x07 clear${ESC}[2J csi\x9b31m bell\x07 cr\rend`;
    const server = await startServer({
      echo: false,
      onConnection: (ws) => {
        ws.send(hostile);
        ws.close(4000, `${ESC}[31mred`);
      },
    });
    const result = await runCli(['connect', server.url, '--pretty', '--no-color', '--keep-open']);
    expect(result.out).toContain('title\\x1b]0;pwned\\x07 clear\\x1b[2J csi\\u009b31m bell\\x07 cr\\rend');
    expect(result.out).toContain('reason "\\x1b[31mred"');
    expect(result.out).not.toContain(ESC);
    expect(result.out).not.toContain('\x07');
    expect(result.out).not.toContain('\x9b');
  });

  it('colours the pretty log when FORCE_COLOR is set and not with --no-color, with the same text', async () => {
    const server = await startServer();
    const coloured = await runCli(['connect', server.url, '--pretty', '-x', 'hi', '-w', '0'], {
      env: { FORCE_COLOR: '1' },
    });
    const plain = await runCli(['connect', server.url, '--pretty', '--no-color', '-x', 'hi', '-w', '0'], {
      env: { FORCE_COLOR: '1' },
    });
    expect(coloured.out).toContain(`${ESC}[`);
    expect(plain.out).not.toContain(`${ESC}[`);
    expect(coloured.out.replace(/\x1b\[[0-9;]*m/g, '').replace(/:\d+/g, '')).toBe(plain.out.replace(/:\d+/g, ''));
    expect(plain.out).toContain('> hi\n< hi\n');
    expect(plain.out).toContain('closed 1000 (Normal Closure) by client, clean');
  });

  it('keeps colour codes out of a redirected stderr while --pretty colours stdout', async () => {
    const server = await startServer({ verifyClient: (_info, done) => done(false, 401, 'Unauthorized') });
    const result = await runCli(['connect', server.url, '--pretty', '-v']);
    expect(result.code).toBe(5);
    expect(result.out).toContain(`${ESC}[`);
    expect(result.stderr).toContain('< HTTP/1.1 401 Unauthorized');
    expect(result.stderr).toContain('wsprobe: handshake rejected');
    expect(result.stderr).not.toContain(ESC);
  });

  it('shows a binary message as its size and a hex dump in pretty mode', async () => {
    const server = await startServer();
    const result = await runCli([
      'connect',
      server.url,
      '--pretty',
      '--no-color',
      '--send-hex',
      '48690a00ff',
      '-w',
      '0',
    ]);
    expect(result.out).toContain('< binary 5 bytes\n  00000000  48 69 0a 00 ff');
    expect(result.out).toContain('|Hi...|');
  });

  it('shows pings with -P, and prefixes times with -t', async () => {
    const server = await startServer({ onConnection: (ws) => ws.ping('are you there') });
    const result = await runCli([
      'connect',
      server.url,
      '--pretty',
      '--no-color',
      '-P',
      '-t',
      '--count',
      '1',
      '-x',
      'x',
    ]);
    expect(result.out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} < ping 13 bytes "are you there"$/m);
    expect(result.out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} > pong 13 bytes "are you there"$/m);
  });
});
