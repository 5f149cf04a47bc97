/** Property tests for what a user types at the prompt (src/protocol/slash.ts parseInputLine). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isSendableCloseCode } from '../../src/protocol/close-codes.js';
import { parseInputLine, type SlashContext } from '../../src/protocol/slash.js';

const RUNS = { numRuns: 300 };
const contexts: SlashContext[] = ['client', 'server'];
const context = fc.constantFrom(...contexts);

/** Any string: printable and control ASCII, any code point, and lone UTF-16 surrogates. */
const anyString = fc.oneof(
  fc.string({ unit: 'binary-ascii' }),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);

/** Lines that look like commands: a slash, a known or unknown name in any case, then arguments. */
const names = ['text', 'hex', 'base64', 'file', 'json', 'ping', 'pong', 'close', 'to', 'clients', 'status', 'help'];
const commandLike = fc
  .tuple(
    fc.constantFrom(...names, 'quit', 'exit', '?', '', 'nope'),
    fc.constantFrom('', ' ', '  ', '\t'),
    fc.oneof(anyString, fc.string({ unit: fc.constantFrom(...'0123456789 abcdefAF/:=all{}[]"\t') })),
  )
  .chain(([name, space, args]) => fc.mixedCase(fc.constant(name)).map((n) => `/${n}${space}${args}`));

const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('parseInputLine (properties)', () => {
  it('never throws on arbitrary lines, in a client or a server; an error has a message', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyString,
          commandLike,
          anyString.map((s) => `/${s}`),
        ),
        context,
        (line, ctx) => {
          const parsed = parseInputLine(line, ctx);
          if (!parsed.ok) expect(parsed.error.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('"//" + s always sends the text "/" + s', () => {
    fc.assert(
      fc.property(anyString, context, (s, ctx) => {
        expect(parseInputLine(`//${s}`, ctx)).toEqual({
          ok: true,
          value: { cmd: 'send', data: utf8(`/${s}`), binary: false },
        });
      }),
      RUNS,
    );
  });

  it('a line without a leading slash is sent verbatim as text', () => {
    fc.assert(
      fc.property(
        anyString.filter((s) => !s.startsWith('/')),
        context,
        (line, ctx) => {
          expect(parseInputLine(line, ctx)).toEqual({
            ok: true,
            value: { cmd: 'send', data: utf8(line), binary: false },
          });
        },
      ),
      RUNS,
    );
  });

  it('"/text " + s sends s exactly, leading and trailing spaces kept', () => {
    fc.assert(
      fc.property(anyString, context, (s, ctx) => {
        expect(parseInputLine(`/text ${s}`, ctx)).toEqual({
          ok: true,
          value: { cmd: 'send', data: utf8(s), binary: false },
        });
      }),
      RUNS,
    );
  });

  it('"/hex" and "/base64" send the bytes they spell as one binary message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), context, (array, ctx) => {
        const data = Buffer.from(array);
        const expected = { ok: true, value: { cmd: 'send', data, binary: true } };
        expect(parseInputLine(`/hex ${[...data].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`, ctx)).toEqual(
          expected,
        );
        expect(parseInputLine(`/base64 ${data.toString('base64')}`, ctx)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('"/ping" and "/pong" carry their text up to 125 bytes and refuse more', () => {
    fc.assert(
      fc.property(fc.constantFrom('ping', 'pong'), fc.string({ unit: 'binary', maxLength: 80 }), (cmd, s) => {
        const parsed = parseInputLine(`/${cmd} ${s}`);
        if (utf8(s).length <= 125) expect(parsed).toEqual({ ok: true, value: { cmd, data: utf8(s) } });
        else expect(parsed.ok).toBe(false);
      }),
      RUNS,
    );
  });

  it('"/close <code> <reason>" in a client accepts exactly the sendable codes', () => {
    // Leading and trailing white space around the reason is not kept.
    const reason = fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((s) => s.trim());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 70_000 }), reason, (code, why) => {
        const parsed = parseInputLine(`/close ${code} ${why}`, 'client');
        if (isSendableCloseCode(code)) expect(parsed).toEqual({ ok: true, value: { cmd: 'close', code, reason: why } });
        else expect(parsed).toMatchObject({ ok: false, error: expect.stringMatching(/^\/close: invalid close code/) });
      }),
      RUNS,
    );
  });

  it('"/close <id> <code>" in a server names the client, or every client with "all"', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constant('all' as const)),
        fc.integer({ min: 3000, max: 4999 }),
        (target, code) => {
          const parsed = parseInputLine(`/close ${target} ${code}`, 'server');
          const value =
            target === 'all'
              ? { cmd: 'close-client', code, reason: '' }
              : { cmd: 'close-client', id: target, code, reason: '' };
          expect(parsed).toEqual({ ok: true, value });
        },
      ),
      RUNS,
    );
  });
});
