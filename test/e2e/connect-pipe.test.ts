/** `wsprobe connect` in a pipeline: lines in, messages out, nothing lost, command-line messages in order. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './support/cli.js';
import { startServer } from './support/ws-peers.js';

function seq(n: number): string {
  let text = '';
  for (let i = 1; i <= n; i++) text += `${i}\n`;
  return text;
}

describe('connect in a pipe', () => {
  it('prints exactly the 100 000 echoes of `seq 1 100000`, in order, and exits 0', async () => {
    const server = await startServer();
    const input = seq(100_000);
    const result = await runCli(['connect', `${server.url}/echo`], { stdin: input });
    expect(result.code).toBe(0);
    expect(result.out).toBe(input);
    expect(server.received).toHaveLength(100_000);
    expect(server.received[99_999].data.toString()).toBe('100000');
    expect(server.received.every((m) => !m.isBinary)).toBe(true);
  });

  it('works as `wsprobe <url>` without the connect command, and strips \\r\\n', async () => {
    const server = await startServer();
    const result = await runCli([server.url], { stdin: 'a\r\nb\n\nlast without newline' });
    expect(result.code).toBe(0);
    expect(server.received.map((m) => m.data.toString())).toEqual(['a', 'b', '', 'last without newline']);
    expect(result.out).toBe('a\nb\n\nlast without newline\n');
  });

  it('sends --send-hex 00ff0a as one binary message of those 3 bytes', async () => {
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--send-hex', '00ff0a', '--no-stdin']);
    expect(result.code).toBe(0);
    expect(server.received).toHaveLength(1);
    expect(server.received[0].isBinary).toBe(true);
    expect([...server.received[0].data]).toEqual([0x00, 0xff, 0x0a]);
    // Pipe mode writes binary raw by default.
    expect([...result.stdout]).toEqual([0x00, 0xff, 0x0a]);
  });

  it('sends -x, --send-base64, --send-file and --send-hex in the order given, before stdin', async () => {
    const server = await startServer();
    const file = join(tmpdir(), `wsprobe-send-${process.pid}.bin`);
    writeFileSync(file, Buffer.from([1, 2, 3, 4]));
    const result = await runCli(
      [
        'connect',
        server.url,
        '-x',
        'first',
        '--send-base64',
        'AAH/',
        '--send-file',
        file,
        '--send-hex',
        'ff',
        '-x',
        'last',
      ],
      { stdin: 'from stdin\n' },
    );
    expect(result.code).toBe(0);
    expect(server.received.map((m) => [m.isBinary, m.data.toString('hex')])).toEqual([
      [false, Buffer.from('first').toString('hex')],
      [true, '0001ff'],
      [true, '01020304'],
      [true, 'ff'],
      [false, Buffer.from('last').toString('hex')],
      [false, Buffer.from('from stdin').toString('hex')],
    ]);
  });

  it('decodes stdin lines with --input hex and --input base64 into binary messages', async () => {
    const server = await startServer();
    const hex = await runCli(['connect', server.url, '--input', 'hex'], { stdin: '00ff\nde ad be ef\n' });
    expect(hex.code).toBe(0);
    const base64 = await runCli(['connect', server.url, '--input', 'base64', '--binary-output', 'hex'], {
      stdin: 'AAH/\n',
    });
    expect(base64.code).toBe(0);
    expect(base64.out).toBe('0001ff\n');
    expect(server.received.map((m) => [m.isBinary, m.data.toString('hex')])).toEqual([
      [true, '00ff'],
      [true, 'deadbeef'],
      [true, '0001ff'],
    ]);
  });

  it('stops at a bad hex line with exit 2 naming the line, after delivering the lines before it', async () => {
    const server = await startServer();
    const result = await runCli(['connect', server.url, '--input', 'hex'], { stdin: '0102\nzz\n0304\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('stdin line 2: invalid hex');
    expect(server.received.map((m) => m.data.toString('hex'))).toEqual(['0102']);
    expect((await server.waitForClose()).code).toBe(1000);
  });

  it('cuts --raw stdin into binary messages of at most --chunk-size bytes, byte-exact', async () => {
    const server = await startServer();
    const input = Buffer.alloc(100_000);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7) % 256;
    const result = await runCli(['connect', server.url, '--raw', '--chunk-size', '1000'], { stdin: input });
    expect(result.code).toBe(0);
    expect(server.received.every((m) => m.isBinary && m.data.length <= 1000)).toBe(true);
    expect(Buffer.concat(server.received.map((m) => m.data)).equals(input)).toBe(true);
    expect(result.stdout.equals(input)).toBe(true);
  });

  it('queues lines that arrive before the connection opens and sends them all once it does', async () => {
    let release!: () => void;
    const accepted = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await startServer({
      verifyClient: (_info, done) => {
        void accepted.then(() => done(true));
      },
    });
    const cli = startCli(['connect', server.url]);
    cli.child.stdin!.end('one\ntwo\nthree\n');
    // stdin has been closed before the handshake is even answered.
    await new Promise((resolve) => cli.child.stdin!.once('finish', resolve));
    release();
    const result = await cli.result;
    expect(result.code).toBe(0);
    expect(server.received.map((m) => m.data.toString())).toEqual(['one', 'two', 'three']);
    expect(result.out).toBe('one\ntwo\nthree\n');
  });

  it('writes status lines to stderr and nothing but payloads to stdout; -q silences the status', async () => {
    const server = await startServer();
    const loud = await runCli(['connect', server.url], { stdin: 'hi\n' });
    expect(loud.out).toBe('hi\n');
    expect(loud.stderr).toContain('connected to');
    expect(loud.stderr).toContain('closed 1000 (Normal Closure) by client');
    const quiet = await runCli(['connect', server.url, '-q'], { stdin: 'hi\n' });
    expect(quiet.out).toBe('hi\n');
    expect(quiet.stderr).toBe('');
  });

  it('uses --separator between messages and --binary-output base64 for binary ones', async () => {
    const server = await startServer();
    const result = await runCli(
      ['connect', server.url, '--separator', '\\0', '--binary-output', 'base64', '-x', 'a', '--send-hex', '0001ff'],
      { stdin: '' },
    );
    expect(result.out).toBe('a\0AAH/\0');
  });
});
