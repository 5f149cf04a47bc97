/** `--exec`'s pure parts: framing both ways, the quoting rule, the CGI environment, exit wording. */

import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exitText, failed } from '../../src/exec/child.js';
import { invocation, needsShell, STDBUF } from '../../src/exec/command.js';
import { headerVariable, requestEnv } from '../../src/exec/env.js';
import { fromJsonLine, routed, toProgram, Unframer } from '../../src/exec/framing.js';
import { render, type SessionEvent } from '../../src/output/events.js';
import { createJsonRenderer } from '../../src/output/json.js';
import { createPipeRenderer, type PipeOptions } from '../../src/output/pipe.js';
import * as f from './fixtures.js';

const b = (s: string) => Buffer.from(s);

describe('framing', () => {
  it.each([
    ['lines', 'hi', 'hi\n'],
    ['nul', 'hi', 'hi\0'],
    ['raw', 'hi', 'hi'],
    ['lines', 'two\nlines', 'two\nlines\n'],
  ] as const)('%s: a message %j goes to stdin as %j', (framing, data, written) => {
    expect(Buffer.concat(toProgram(b(data), framing)).toString()).toBe(written);
  });

  it('lines: units are cut at \\n only, across chunks, \\r kept, a last unit without newline at the end', () => {
    const u = new Unframer('lines', 65536);
    expect(u.push(b('a\r\nb')).map((x) => x.data.toString())).toEqual(['a\r']);
    expect(u.push(b('c\n\nd')).map((x) => x.data.toString())).toEqual(['bc', '']);
    expect(u.pending).toBe(1);
    expect(u.end()?.data.toString()).toBe('d');
    expect(u.end()).toBeNull();
  });

  it('lines: a unit that is not UTF-8 goes as binary, bytes untouched', () => {
    const u = new Unframer('lines', 65536);
    const [unit] = u.push(Buffer.from([0xff, 0x00, 0x0a]));
    expect(unit.binary).toBe(true);
    expect([...unit.data]).toEqual([0xff, 0x00]);
  });

  it('nul: units are cut at NUL; newlines are part of them', () => {
    const u = new Unframer('nul', 65536);
    expect(u.push(b('a\nb\0c\0')).map((x) => x.data.toString())).toEqual(['a\nb', 'c']);
  });

  it('raw: chunks as they come, binary, cut at the chunk size', () => {
    const u = new Unframer('raw', 4);
    const units = u.push(b('0123456789'));
    expect(units.map((x) => x.data.toString())).toEqual(['0123', '4567', '89']);
    expect(units.every((x) => x.binary)).toBe(true);
    expect(u.end()).toBeNull();
  });

  it('json: each message is one typed line; newlines and binary survive', () => {
    expect(toProgram(b('a\nb'), 'json', false)[0].toString()).toBe('{"type":"text","data":"a\\nb"}\n');
    expect(toProgram(Buffer.from([0, 255]), 'json', true)[0].toString()).toBe('{"type":"binary","data":"AP8="}\n');
  });

  it('json: typed lines back to messages; a line that is not one says why', () => {
    const u = new Unframer('json', 65536);
    const units = u.push(
      b('{"type":"text","data":"a\\nb"}\n{"type":"binary","data":"AP8="}\nhello\n{"type":"x","data":""}\n'),
    );
    expect(units[0]).toEqual({ data: b('a\nb'), binary: false });
    expect(units[1]).toEqual({ data: Buffer.from([0, 255]), binary: true });
    expect(units[2].invalid).toBe('not JSON');
    expect(units[3].invalid).toBe('"type" is neither "text" nor "binary"');
    expect(fromJsonLine(b('{"type":"binary","data":"not base64!"}')).invalid).toBe('"data" is not base64');
    expect(fromJsonLine(b('[1]')).invalid).toBe('"data" is not a string');
  });

  it.each([
    ['#3 hello', { id: 3, data: 'hello' }],
    ['#12  two spaces', { id: 12, data: ' two spaces' }],
    ['#3hello', null],
    ['# 3 x', null],
    ['#3', null],
    ['hello #3 x', null],
  ])('--exec-shared routing: %j → %j', (line, expected) => {
    const r = routed(b(line));
    expect(r === null ? null : { id: r.id, data: r.data.toString() }).toEqual(expected);
  });
});

describe('the quoting rule', () => {
  it.each([
    ['cat', false],
    ['python3 -u bot.py --port 80', false],
    ['sed -e s/^/got:/', false],
    ['tr a-z A-Z | sed s/x/y/', true],
    ["sed -e 's/a/b/'", true],
    ['echo $HOME', true],
    ['cat > /tmp/x', true],
    ['FOO=1 cat', true],
    ['cd /tmp', true],
    ['exec cat', true],
    ['ls *.txt', true],
  ])('%j needs sh -c: %s', (command, shell) => {
    expect(needsShell(command)).toBe(shell);
  });

  it('runs a plain command directly, resolved on PATH, under stdbuf -oL -eL with PYTHONUNBUFFERED', () => {
    const how = invocation('cat -n', false, '/nonexistent:/usr/bin:/bin');
    const stdbuf = existsSync(STDBUF);
    expect(how.file).toBe(stdbuf ? STDBUF : '/usr/bin/cat');
    expect(how.args).toEqual(stdbuf ? ['-oL', '-eL', '/usr/bin/cat', '-n'] : ['-n']);
    expect(how.env).toEqual({ PYTHONUNBUFFERED: '1' });
  });

  it('runs shell syntax with /bin/sh -c; --exec-buffered leaves buffering alone', () => {
    const how = invocation('cat | cat', true, '/usr/bin');
    expect([how.file, ...how.args]).toEqual(['/bin/sh', '-c', 'cat | cat']);
    expect(how.env).toEqual({});
  });

  it('a program that is not there is said in one line', () => {
    expect(() => invocation('no-such-program-x', false, '/usr/bin')).toThrow(
      'no-such-program-x: no such program on PATH',
    );
    expect(() => invocation('/nope/prog', false, '/usr/bin')).toThrow('/nope/prog: no such program');
  });
});

describe('the CGI environment', () => {
  it('has the request as websocketd names it, plus the subprotocol and our id', () => {
    const env = requestEnv({
      id: 7,
      remoteAddress: '127.0.0.1',
      remotePort: 51234,
      url: '/chat/room?user=ada&x=1',
      headers: { 'x-forwarded-for': '10.0.0.1', 'sec-websocket-protocol': 'a, b', cookie: 'k=v' },
      protocol: 'b',
      host: '127.0.0.1',
      port: 8080,
      tls: false,
    });
    expect(env).toMatchObject({
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_PORT: '51234',
      REQUEST_URI: '/chat/room?user=ada&x=1',
      PATH_INFO: '/chat/room',
      QUERY_STRING: 'user=ada&x=1',
      SERVER_PORT: '8080',
      HTTP_X_FORWARDED_FOR: '10.0.0.1',
      HTTP_SEC_WEBSOCKET_PROTOCOL: 'a, b',
      HTTP_COOKIE: 'k=v',
      WSPROBE_SUBPROTOCOL: 'b',
      WSPROBE_CONN_ID: '7',
      SCRIPT_NAME: '/',
      PATH_TRANSLATED: '/chat/room',
      REMOTE_USER: '',
    });
    expect(env.HTTPS).toBeUndefined();
  });

  it('names the Basic user as REMOTE_USER, with AUTH_TYPE', () => {
    const env = requestEnv({
      id: 1,
      remoteAddress: '::1',
      remotePort: 1,
      url: '/',
      headers: { authorization: `Basic ${Buffer.from('ada:secret').toString('base64')}` },
      protocol: '',
      host: '::1',
      port: 1,
      tls: true,
    });
    expect(env).toMatchObject({ AUTH_TYPE: 'Basic', REMOTE_USER: 'ada', HTTPS: 'on' });
  });

  it('names headers as CGI does', () => {
    expect(headerVariable('X-Request.ID')).toBe('HTTP_X_REQUEST_ID');
  });
});

describe('how a program ended', () => {
  it.each([
    [{ code: 0, signal: null, stoppedByUs: false }, 'exit 0', false],
    [{ code: 3, signal: null, stoppedByUs: false }, 'exit 3', true],
    [{ code: null, signal: 'SIGSEGV' as const, stoppedByUs: false }, 'signal SIGSEGV', true],
    [{ code: null, signal: 'SIGTERM' as const, stoppedByUs: true }, 'signal SIGTERM', false],
    [{ code: 143, signal: null, stoppedByUs: true }, 'exit 143', false],
  ])('%j: %s, failed %s', (status, text, bad) => {
    expect(exitText(status)).toBe(text);
    expect(failed(status)).toBe(bad);
  });
});

describe('the exec events as shown', () => {
  const pipeOptions: PipeOptions = {
    quiet: false,
    verbose: 0,
    showPingPong: false,
    showSecrets: false,
    binaryOutput: 'raw',
    separator: '\n',
  };
  const pipe = (e: SessionEvent, over: Partial<PipeOptions> = {}) =>
    render(createPipeRenderer({ ...pipeOptions, ...over }), e);

  it('pipe: status lines with the client id; the program stderr escaped; failures even with -q', () => {
    expect(pipe(f.execStart)).toEqual({ err: '[#3] program started: cat -n (pid 4242)\n' });
    expect(pipe(f.execExitFailed)).toEqual({ err: '[#3] program exited: exit 3 (pid 4242, 1.2 s)\n' });
    expect(pipe(f.execStderr)).toEqual({ err: '[#3] stderr: warning: \\x1b[2Jlow disk\n' });
    expect(pipe(f.execStart, { quiet: true })).toBeNull();
    expect(pipe(f.execExitFailed, { quiet: true })).not.toBeNull();
    expect(pipe(f.execStderr, { quiet: true })).not.toBeNull();
  });

  it('json: the fields of SPEC, stderr as text with controls escaped', () => {
    const line = (e: SessionEvent) => JSON.parse(String(render(createJsonRenderer({ showSecrets: false }), e)?.out));
    expect(line(f.execStart)).toEqual({
      event: 'exec-start',
      time: f.ISO_TIME,
      conn: 3,
      pid: 4242,
      command: 'cat -n',
    });
    expect(line(f.execExitFailed)).toMatchObject({ code: 3, signal: null, failed: true, durationMs: 1234 });
    expect(line(f.execStderr)).toMatchObject({ event: 'exec-stderr', conn: 3, data: 'warning: \x1b[2Jlow disk' });
    expect(String(render(createJsonRenderer({ showSecrets: false }), f.execStderr)?.out)).toContain('\\u001b[2J');
  });
});
