/** `connect --socketio` at the prompt (a real pty): typed events, /emit, /emit-ack with its ack, /ns, /help. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPty } from './support/pty.js';
import { startSocketIoServer } from './support/socketio-servers.js';

async function prompt(url: string, extra: string[] = []) {
  const cli = startPty(['connect', url, '--socketio', ...extra], {
    HOME: mkdtempSync(join(tmpdir(), 'wsprobe-home-')),
  });
  await cli.waitForScreen('socket.io connected to namespace /');
  return cli;
}

describe.each([
  { version: 4 as const, eio: [] as string[] },
  { version: 2 as const, eio: ['--eio', '3'] },
])('the --socketio prompt, Socket.IO v$version', ({ version, eio }) => {
  it('shows the welcome event; a typed line and /emit are events; /emit-ack shows the ack and its rtt', async () => {
    const server = await startSocketIoServer(version);
    const cli = await prompt(server.url, eio);
    await cli.waitForScreen('< welcome ["hello",{"from":"server"');
    cli.type('chat "typed" 1\r');
    await server.waitForReceived(1);
    cli.type('/emit chat {"a":[1,2]}\r');
    await server.waitForReceived(2);
    cli.type('/emit-ack chat "ack me"\r');
    await cli.waitForScreen(/< ack \["ok",1\] \(id 0, rtt \d+\.\d ms\)/);
    expect(server.received.map((r) => r.args)).toEqual([['typed', 1], [{ a: [1, 2] }], ['ack me']]);
    cli.type('chat not-json\r');
    await cli.waitForScreen('wsprobe: /emit: argument 1 is not JSON: not-json');
    cli.type('/help\r');
    await cli.waitForScreen('/emit-ack <event> [json…]');
    cli.type('/quit\r');
    expect(await cli.exit).toBe(0);
    expect(server.received).toHaveLength(3);
  });

  it('/ns connects another namespace and emits go there', async () => {
    const server = await startSocketIoServer(version);
    const cli = await prompt(server.url, [...eio, '--socketio-auth', '{"token":"good"}']);
    cli.type('/ns /admin\r');
    await cli.waitForScreen('socket.io connected to namespace /admin');
    cli.type('chat "to admin"\r');
    await server.waitForReceived(1);
    expect(server.received).toEqual([{ ns: '/admin', name: 'chat', args: ['to admin'] }]);
    cli.type('/quit\r');
    expect(await cli.exit).toBe(0);
  });
});
