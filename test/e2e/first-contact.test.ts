/**
 * wscat's command lines and a bare port through the built CLI (issue 14, item 4), against a real `ws`
 * server on 127.0.0.1: what the server received, and how the CLI ended. The in-process table of every
 * first-contact row is test/seam/first-contact.test.ts.
 */
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runCli, startCli, startServerCli } from './support/cli.js';
import { startServer } from './support/ws-peers.js';

describe('wscat command lines, built CLI', () => {
  it('wsprobe -c URL -x msg -w 0.3 -H -s: sent with the headers, stdin (left open) not read, exit 0', async () => {
    const server = await startServer();
    // stdin stays open: as in wscat, -x means the message is all that is sent.
    const cli = startCli(['-c', server.url, '-x', 'hello', '-w', '0.3', '-H', 'X-From:wscat', '-s', 'chat']);
    const r = await cli.result;
    expect(r.code).toBe(0);
    expect(r.out).toBe('hello\n');
    expect(server.received.map((m) => m.data.toString())).toEqual(['hello']);
    expect(server.requests[0].headers['x-from']).toBe('wscat');
    expect(server.requests[0].headers['sec-websocket-protocol']).toBe('chat');
    expect(server.closes).toEqual([{ code: 1000, reason: '' }]);
  });

  it('wsprobe -c URL -n --slash with piped lines sends each line', async () => {
    const server = await startServer();
    const r = await runCli(['-c', server.url, '-n', '--slash', '-w', '0.3'], { stdin: 'one\ntwo\n' });
    expect(r.code).toBe(0);
    expect(server.received.map((m) => m.data.toString())).toEqual(['one', 'two']);
  });

  it('wsprobe -l PORT --once: a server a client can talk to', async () => {
    const cli = await startServerCli(['-l', '0', '--once', '--no-stdin']);
    expect(cli.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const client = new WebSocket(cli.url);
    await once(client, 'open');
    client.send('from the client');
    await cli.waitForOutput('from the client');
    client.close(1000);
    const r = await cli.result;
    expect(r.code).toBe(0);
    expect(r.out).toContain('from the client');
  });

  it('wsprobe PORT reaches the server on this machine', async () => {
    const server = await startServer();
    const r = await runCli([String(server.port), '-x', 'hi', '-w', '0.3']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`connected to ws://localhost:${server.port}/`);
    expect(server.received.map((m) => m.data.toString())).toEqual(['hi']);
  });

  it('wsprobe echoo: one line, exit 2', async () => {
    const r = await runCli(['echoo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('wsprobe: unknown command "echoo" (did you mean echo?)\n');
  });
});
