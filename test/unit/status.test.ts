import { describe, expect, it } from 'vitest';
import { helpLines, statusLines } from '../../src/output/status.js';

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

  it('lists server commands for servers', () => {
    const lines = helpLines('server');
    expect(lines.some((l) => l.startsWith('/to <id> <text>'))).toBe(true);
    expect(lines.some((l) => l.startsWith('/status'))).toBe(false);
  });
});
