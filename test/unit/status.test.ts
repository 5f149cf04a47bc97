import { describe, expect, it } from 'vitest';
import { ageText, clientListLines, helpLines, serverStatusLines, statusLines } from '../../src/output/status.js';
import { COMMANDS, commandsFor } from '../../src/protocol/slash.js';

describe('statusLines', () => {
  it('shows state, URL, protocol, extensions, counts, buffered bytes and the last RTT', () => {
    expect(
      statusLines({
        state: 'OPEN',
        url: 'ws://h/x',
        protocol: 'chat',
        extensions: 'permessage-deflate',
        messagesIn: 2,
        messagesOut: 3,
        bytesIn: 10,
        bytesOut: 30,
        bufferedBytes: 5,
        lastRttMs: 1.234,
      }),
    ).toEqual([
      'state:       OPEN',
      'url:         ws://h/x',
      'subprotocol: chat',
      'extensions:  permessage-deflate',
      'received:    2 messages, 10 bytes',
      'sent:        3 messages, 30 bytes',
      'buffered:    5 bytes',
      'last RTT:    1.2 ms',
    ]);
  });

  it('says none for a missing protocol, extensions and RTT, and escapes a hostile protocol', () => {
    const lines = statusLines({
      state: 'CONNECTING',
      url: 'ws://h/',
      protocol: '\x1b[2J',
      extensions: '',
      messagesIn: 0,
      messagesOut: 0,
      bytesIn: 0,
      bytesOut: 0,
      bufferedBytes: 0,
    });
    expect(lines).toContain('subprotocol: \\x1b[2J');
    expect(lines).toContain('extensions:  none');
    expect(lines).toContain('last RTT:    none (try /ping)');
  });
});

describe('helpLines', () => {
  it('lists client commands, aligned, without server-only ones', () => {
    const lines = helpLines('client');
    expect(lines.some((l) => l.startsWith('/close [code] [reason]'))).toBe(true);
    expect(lines.some((l) => l.startsWith('/to '))).toBe(false);
    const column = lines[0].indexOf('send a text message');
    expect(lines.every((l) => l.length > column && l[column - 1] === ' ' && l[column] !== ' ')).toBe(true);
  });

  it('lists server commands for servers, /status included', () => {
    const lines = helpLines('server');
    expect(lines.some((l) => l.startsWith('/to <id> <text|/command>'))).toBe(true);
    expect(lines.some((l) => l.startsWith('/close <id|all> [code] [reason]'))).toBe(true);
    expect(lines.some((l) => l.startsWith('/close [code] [reason]'))).toBe(false);
    expect(lines.some((l) => l.startsWith('/status'))).toBe(true);
  });

  it.each(['client', 'server'] as const)(
    'shows, in a %s, exactly the rows of the table that exist there',
    (context) => {
      const lines = helpLines(context);
      const shown = COMMANDS.filter((c) => lines.some((l) => l.startsWith(`${c.usage} `)));
      expect(shown.map((c) => c.id)).toEqual(commandsFor(context).map((c) => c.id));
      expect(lines).toHaveLength(commandsFor(context).length);
    },
  );
});

describe('server status and client list', () => {
  it('shows the URL, the clients, the counts and what waits to be sent', () => {
    expect(
      serverStatusLines({
        url: 'ws://127.0.0.1:8080',
        clients: 1,
        messagesIn: 2,
        messagesOut: 1,
        bytesIn: 10,
        bytesOut: 5,
        waitingMessages: 0,
        waitingBytes: 0,
      }),
    ).toEqual([
      'listening on ws://127.0.0.1:8080, 1 client connected',
      'in 2 messages (10 bytes), out 1 message (5 bytes)',
      '0 messages waiting to be sent (0 bytes)',
    ]);
  });

  it('lists each client with its id, address, path, protocol, age and counts', () => {
    const row = { remote: '127.0.0.1:5000', path: '/chat', protocol: '', messagesIn: 1, messagesOut: 2 };
    expect(
      clientListLines([
        { ...row, id: 1, upMs: 1500, open: true },
        { ...row, id: 3, upMs: 250, open: false, protocol: 'v1' },
      ]),
    ).toEqual([
      '2 clients:',
      '  id  remote          path   subprotocol    up  in  out  bytes in  bytes out',
      '  #1  127.0.0.1:5000  /chat  -            1.5s   1    2         0          0',
      '  #3  127.0.0.1:5000  /chat  v1           0.3s   1    2         0          0  closing',
    ]);
    expect(clientListLines([])).toEqual(['no client connected']);
  });

  it('lines the columns up by display width, whatever the ids, paths and ages', () => {
    const row = { remote: '127.0.0.1:5000', path: '/chat', protocol: '', messagesIn: 1, messagesOut: 2 };
    const lines = clientListLines([
      { ...row, id: 1, path: '/聊天', upMs: 65_000, bytesIn: 5, open: true },
      {
        ...row,
        id: 12,
        remote: '[::1]:61000',
        path: '/',
        protocol: 'chat.v1',
        upMs: 7_500_000,
        messagesIn: 1234,
        open: true,
      },
      { ...row, id: 3, path: '/\u001b[2Jx', upMs: 0, open: true },
    ]);
    expect(lines).toEqual([
      '3 clients:',
      '  id   remote          path       subprotocol     up    in  out  bytes in  bytes out',
      '  #1   127.0.0.1:5000  /聊天      -            1m05s     1    2         5          0',
      '  #12  [::1]:61000     /          chat.v1      2h05m  1234    2         0          0',
      '  #3   127.0.0.1:5000  /\\x1b[2Jx  -             0.0s     1    2         0          0',
    ]);
  });

  it('says how long a client has been connected in seconds, minutes or hours', () => {
    expect([0, 999, 59_949, 60_000, 3_599_000, 3_600_000, 90_061_000].map(ageText)).toEqual([
      '0.0s',
      '1.0s',
      '59.9s',
      '1m00s',
      '59m59s',
      '1h00m',
      '25h01m',
    ]);
  });
});
