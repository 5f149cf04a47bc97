import { describe, expect, it } from 'vitest';
import {
  COMMANDS,
  type Command,
  commandsFor,
  existsIn,
  parseInputLine,
  type SlashContext,
} from '../../src/protocol/slash.js';

const text = (s: string) => ({ cmd: 'send', data: Buffer.from(s), binary: false });
const binary = (hex: string) => ({ cmd: 'send', data: Buffer.from(hex, 'hex'), binary: true });

describe('parseInputLine (client)', () => {
  it.each<[string, unknown]>([
    ['hello', text('hello')],
    ['', text('')],
    ['  spaced  ', text('  spaced  ')],
    ['//literal', text('/literal')],
    ['//', text('/')],
    ['/text  keep  spaces ', text(' keep  spaces ')],
    ['/text', text('')],
    ['/hex 00ff', binary('00ff')],
    ['/hex 00 ff 0a', binary('00ff0a')],
    ['/HEX 0x00ff', binary('00ff')],
    ['/base64 AAH/', binary('0001ff')],
    ['/json {"a": [1, 2]}', text('{"a":[1,2]}')],
    ['/json "x"', text('"x"')],
    ['/file ./some file.bin', { cmd: 'file', path: './some file.bin' }],
    ['/ping', { cmd: 'ping', data: Buffer.alloc(0) }],
    ['/ping are you there', { cmd: 'ping', data: Buffer.from('are you there') }],
    ['/pong x', { cmd: 'pong', data: Buffer.from('x') }],
    ['/close', { cmd: 'close', code: 1000, reason: '' }],
    ['/close 4000', { cmd: 'close', code: 4000, reason: '' }],
    ['/close 4000 done', { cmd: 'close', code: 4000, reason: 'done' }],
    ['/close 1001 going away now', { cmd: 'close', code: 1001, reason: 'going away now' }],
    ['/status', { cmd: 'status' }],
    ['/help', { cmd: 'help' }],
    ['/?', { cmd: 'help' }],
    ['/quit', { cmd: 'quit' }],
    ['/exit', { cmd: 'quit' }],
  ])('parses %j', (line, expected) => {
    expect(parseInputLine(line)).toEqual({ ok: true, value: expected });
  });

  it.each<[string, string]>([
    ['/close 999', '/close: invalid close code 999'],
    ['/close 1005', '/close: invalid close code 1005'],
    ['/close abc', '/close: invalid close code "abc"'],
    [`/close 1000 ${'x'.repeat(124)}`, '/close: close reason is 124 bytes'],
    ['/hex', '/hex: expected a payload'],
    ['/hex 0', '/hex: invalid hex: odd number of digits'],
    ['/hex zz', '/hex: invalid hex'],
    ['/base64 !!', '/base64: invalid base64'],
    ['/json', '/json: expected a JSON value'],
    ['/json {nope', '/json: invalid JSON'],
    ['/file', '/file: expected a path'],
    [`/ping ${'x'.repeat(126)}`, '/ping: payload is 126 bytes; a ping carries at most 125'],
    ['/nope', 'unknown command "/nope"'],
    ['/', 'unknown command "/"'],
    ['/to 1 hi', 'unknown command "/to"'],
    ['/clients', 'unknown command "/clients"'],
  ])('rejects %j with a one-line error', (line, message) => {
    const result = parseInputLine(line);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(message);
      expect(result.error).not.toContain('\n');
    }
  });
});

describe('parseInputLine (server)', () => {
  it.each<[string, Command]>([
    [
      '/to 2 hello there',
      { cmd: 'to', id: 2, command: { cmd: 'send', data: Buffer.from('hello there'), binary: false } },
    ],
    ['/to 2', { cmd: 'to', id: 2, command: { cmd: 'send', data: Buffer.alloc(0), binary: false } }],
    [
      '/to 2  two spaces ',
      { cmd: 'to', id: 2, command: { cmd: 'send', data: Buffer.from(' two spaces '), binary: false } },
    ],
    // After the id, a line for that one client, read with the same table.
    ['/to 2 /hex 00ff', { cmd: 'to', id: 2, command: { cmd: 'send', data: Buffer.from([0, 255]), binary: true } }],
    [
      '/to 2 /base64 AAH/',
      { cmd: 'to', id: 2, command: { cmd: 'send', data: Buffer.from([0, 1, 255]), binary: true } },
    ],
    [
      '/to 2 /json {"a": 1}',
      { cmd: 'to', id: 2, command: { cmd: 'send', data: Buffer.from('{"a":1}'), binary: false } },
    ],
    ['/to 2 /text /x', { cmd: 'to', id: 2, command: { cmd: 'send', data: Buffer.from('/x'), binary: false } }],
    ['/to 2 //x', { cmd: 'to', id: 2, command: { cmd: 'send', data: Buffer.from('/x'), binary: false } }],
    ['/to 2 /file a b.bin', { cmd: 'to', id: 2, command: { cmd: 'file', path: 'a b.bin' } }],
    ['/to 2 /ping', { cmd: 'to', id: 2, command: { cmd: 'ping', data: Buffer.alloc(0) } }],
    ['/to 12 /pong hi', { cmd: 'to', id: 12, command: { cmd: 'pong', data: Buffer.from('hi') } }],
    ['/to 2 /close', { cmd: 'to', id: 2, command: { cmd: 'close', code: 1000, reason: '' } }],
    ['/to 2 /close 4000 bye now', { cmd: 'to', id: 2, command: { cmd: 'close', code: 4000, reason: 'bye now' } }],
    ['/clients', { cmd: 'clients' }],
    ['/close 3', { cmd: 'close-client', id: 3, code: 1000, reason: '' }],
    ['/close 3 4000 bye now', { cmd: 'close-client', id: 3, code: 4000, reason: 'bye now' }],
    ['/close all 1001', { cmd: 'close-client', code: 1001, reason: '' }],
  ])('parses %j', (line, expected) => {
    expect(parseInputLine(line, 'server')).toEqual({ ok: true, value: expected });
  });

  it.each<[string, string]>([
    ['/to x hi', '/to: expected a client id'],
    ['/to 2 /hex zz', '/to 2: /hex: invalid hex'],
    ['/to 2 /close 999', '/to 2: /close: invalid close code 999'],
    [
      '/to 2 /quit',
      '/to 2: "/quit" is not for one client; after /to <id>: a text, or /text, /hex, /base64, /file, /json, /ping, /pong, /close',
    ],
    ['/to 2 /to 3 x', '/to 2: "/to" is not for one client'],
    ['/to 2 /clients', '/to 2: "/clients" is not for one client'],
    ['/to 2 /status', '/to 2: "/status" is not for one client'],
    ['/to', '/to: expected a client id'],
    ['/to 0 hi', '/to: expected a client id'],
    ['/close', '/close: expected a client id'],
    ['/close 2 999', '/close: invalid close code 999'],
  ])('rejects %j', (line, message) => {
    const result = parseInputLine(line, 'server');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(message);
  });
});

describe('the command table', () => {
  const contexts: SlashContext[] = ['client', 'server'];

  it('has unique ids, and each name selects at most one row in each place', () => {
    expect(new Set(COMMANDS.map((c) => c.id)).size).toBe(COMMANDS.length);
    for (const context of contexts) {
      const names = commandsFor(context).flatMap((c) => c.names);
      expect(new Set(names).size, context).toBe(names.length);
    }
  });

  it('gives each slash row a usage that starts with its first name', () => {
    for (const spec of COMMANDS.filter((c) => c.names.length > 0)) {
      expect(spec.usage.startsWith(`/${spec.names[0]}`), spec.id).toBe(true);
    }
  });

  it.each(COMMANDS.flatMap((spec) => spec.names.flatMap((name) => contexts.map((ctx) => [name, ctx, spec] as const))))(
    '/%s in a %s is the row that exists there, or unknown',
    (name, context) => {
      const row = COMMANDS.find((c) => c.names.includes(name) && existsIn(c, context));
      const parsed = parseInputLine(`/${name}`, context);
      if (!row) expect(parsed).toMatchObject({ ok: false, error: expect.stringContaining('unknown command') });
      else expect(parsed).toEqual(row.parse(''));
    },
  );
});
