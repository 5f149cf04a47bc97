/** Issue 19: JSON laid out and coloured in pretty mode, text cut at --max-text, human sizes. */
import { Chalk } from 'chalk';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Rendered, render, type SessionEvent } from '../../src/output/events.js';
import { createPrettyRenderer, type PrettyOptions } from '../../src/output/pretty.js';
import { compactJsonLength, formatJsonText } from '../../src/protocol/json-format.js';
import { toJsonText } from '../../src/protocol/json-value.js';
import { humanSize } from '../../src/protocol/size.js';

const DEFAULTS: PrettyOptions = {
  chalk: new Chalk({ level: 0 }),
  verbose: 0,
  showPingPong: false,
  timestamps: false,
  maxDisplay: 256,
  showSecrets: false,
  quiet: false,
};

function shown(data: string | Buffer, options: Partial<PrettyOptions> = {}, extra: Partial<SessionEvent> = {}): string {
  const e = {
    event: 'message',
    time: 0,
    dir: 'in',
    data: Buffer.isBuffer(data) ? data : Buffer.from(data),
    binary: Buffer.isBuffer(data),
    ...extra,
  } as SessionEvent;
  const r = render(createPrettyRenderer({ ...DEFAULTS, ...options }), e) as Rendered;
  return String(r.out);
}

const NESTED = '{"type":"trade","data":{"items":[1,{"id":"a"}],"empty":{},"none":[]},"ok":true,"x":null}';

describe('pretty mode lays out JSON (colour level 0)', () => {
  it('indents nested objects and arrays two spaces a level, empty ones kept on one line', () => {
    expect(shown(NESTED, { jsonLayout: 'indent' })).toBe(
      [
        '< {',
        '    "type": "trade",',
        '    "data": {',
        '      "items": [',
        '        1,',
        '        {',
        '          "id": "a"',
        '        }',
        '      ],',
        '      "empty": {},',
        '      "none": []',
        '    },',
        '    "ok": true,',
        '    "x": null',
        '  }',
        '',
      ].join('\n'),
    );
  });

  it('auto: compact when it fits the width, indented when it does not', () => {
    expect(shown('{"type":"pong","id":1}')).toBe('< {"type": "pong", "id": 1}\n');
    expect(shown('{"type":"pong","id":1}', { width: () => 20 })).toBe('< {\n    "type": "pong",\n    "id": 1\n  }\n');
    expect(shown(NESTED, { jsonLayout: 'compact', width: () => 10 }).split('\n')).toHaveLength(2);
  });

  it('off: the text as it came', () => {
    expect(shown('{"a":1}', { jsonLayout: 'off' })).toBe('< {"a":1}\n');
  });

  it('keeps huge numbers exactly as written (never through a double)', () => {
    const out = shown('{"n":12345678901234567890123,"f":1.10,"e":-2.5E+300,"big":[123456789012345678901234567890]}', {
      jsonLayout: 'compact',
    });
    expect(out).toBe(
      '< {"n": 12345678901234567890123, "f": 1.10, "e": -2.5E+300, "big": [123456789012345678901234567890]}\n',
    );
  });

  it('keeps unicode and escapes as written', () => {
    expect(shown('{"name":"café ☕ 日本","esc":"a\\u0041\\n\\"q\\""}')).toBe(
      '< {"name": "café ☕ 日本", "esc": "a\\u0041\\n\\"q\\""}\n',
    );
  });

  it('escapes the control characters JSON lets stand raw in strings (DEL, C1, bidi)', () => {
    const out = shown('{"k\u202e":"x\u009b2J\u007f"}');
    expect(out).toBe('< {"k\\u202e": "x\\u009b2J\\x7f"}\n');
    expect(out).not.toMatch(/[\u007f-\u009f\u202e]/);
  });

  it.each([
    ['not JSON', 'hello {world}'],
    ['a trailing comma', '{"a":1,}'],
    ['a raw control character in a string', '{"a":"x\u0001"}'],
    ['text after the value', '{"a":1} trailing'],
    ['a bare number', '12345678901234567890123'],
    ['a bare string', '"quoted"'],
    ['unbalanced', '{"a":[1,2}'],
    ['single quotes', "{'a':1}"],
  ])('leaves %s as it is', (_, text) => {
    expect(shown(text)).toBe(`< ${text.replace('\u0001', '\\x01')}\n`);
  });
});

describe('pretty mode colours JSON (colour level 1)', () => {
  const chalk = new Chalk({ level: 1 });
  it('keys, strings, numbers and literals each in their colour; the same text underneath', () => {
    const out = shown('{"a":"s","n":12345678901234567890123,"t":true,"z":null}', { chalk });
    expect(out).toBe(
      `\x1b[36m<\x1b[39m {\x1b[36m"a"\x1b[39m: \x1b[32m"s"\x1b[39m, \x1b[36m"n"\x1b[39m: \x1b[33m12345678901234567890123\x1b[39m, ` +
        `\x1b[36m"t"\x1b[39m: \x1b[35mtrue\x1b[39m, \x1b[36m"z"\x1b[39m: \x1b[35mnull\x1b[39m}\n`,
    );
    const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toBe(shown('{"a":"s","n":12345678901234567890123,"t":true,"z":null}'));
  });

  it('a peer cannot colour or move anything: its ESC stays escaped inside our colour codes', () => {
    const out = shown('{"a":"\\u001b[2J","b\u009b":1}', { chalk });
    // Only our own SGR sequences remain.
    expect(out.replace(/\x1b\[[0-9;]*m/g, '')).toBe('< {"a": "\\u001b[2J", "b\\u009b": 1}\n');
    expect(out.replace(/\x1b\[\d+m/g, '')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  });

  it('sent messages are dimmed around the colours', () => {
    const out = shown('{"a":1}', { chalk }, { dir: 'out' } as Partial<SessionEvent>);
    expect(out.startsWith('\x1b[32m>\x1b[39m \x1b[2m')).toBe(true);
  });
});

describe('--max-text cuts long text with a note', () => {
  it('cuts plain text and says how much, in human sizes, and how to see it all', () => {
    const out = shown('x'.repeat(200_000), { maxText: 16 * 1024 });
    const lines = out.split('\n');
    expect(lines[0]).toBe(`< ${'x'.repeat(16 * 1024)}`);
    expect(lines[1]).toBe('  … 179.3 KiB cut (shown 16.0 KiB of 195.3 KiB; --max-text 0 shows all)');
    expect(lines).toHaveLength(3);
  });

  it('never cuts a character in half', () => {
    const out = shown('é'.repeat(100), { maxText: 11 });
    expect(out.split('\n')[0]).toBe(`< ${'é'.repeat(5)}`);
    expect(out).toContain('190 bytes cut (shown 10 bytes of 200 bytes');
  });

  it('cuts laid-out JSON between tokens, and counts what was left of the message', () => {
    const json = JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => ({ id: i })) });
    const out = shown(json, { maxText: 200 });
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('< {');
    expect(lines.at(-1)).toMatch(/^ {2}… [\d.]+ KiB cut \(shown \d+ bytes of [\d.]+ KiB; --max-text 0 shows all\)$/);
    const [, shownBytes] = /shown (\d+) bytes/.exec(lines.at(-1)!)!;
    // What was shown is the start of the message, up to the last token laid out.
    expect(Number(shownBytes)).toBeGreaterThan(20);
    expect(Number(shownBytes)).toBeLessThan(200);
    expect(lines.length).toBeLessThan(30);
  });

  it('0 shows all; text under the limit has no note', () => {
    expect(shown('x'.repeat(100_000), { maxText: 0 })).toBe(`< ${'x'.repeat(100_000)}\n`);
    expect(shown('short', { maxText: 5 })).toBe('< short\n');
  });
});

describe('humanSize', () => {
  it.each([
    [0, '0 bytes'],
    [1, '1 byte'],
    [1023, '1023 bytes'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [1024 * 1024 - 1, '1.0 MiB'],
    [1024 * 1024, '1.0 MiB'],
    [100 * 1024 * 1024, '100.0 MiB'],
    [1024 ** 3, '1.0 GiB'],
    [5 * 1024 ** 4, '5.0 TiB'],
  ])('%d bytes is %s', (n, text) => {
    expect(humanSize(n)).toBe(text);
  });
});

describe('compactJsonLength and toJsonText', () => {
  it('refuses nesting deeper than its bound instead of overflowing the stack', () => {
    expect(compactJsonLength(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe(-1);
    expect(compactJsonLength(`${'['.repeat(500)}${']'.repeat(500)}`)).toBeGreaterThan(0);
    expect(
      formatJsonText(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, { layout: 'indent', escape: (s) => s }),
    ).toBeNull();
  });

  it('writes decoded values as JSON: bigints exact, bytes as base64, maps with other keys', () => {
    const text = toJsonText({
      n: 2n ** 64n + 1n,
      b: new Uint8Array([1, 2, 255]),
      m: new Map<unknown, unknown>([
        [1, 'one'],
        ['k', [true, null, undefined]],
      ]),
      d: new Date(0),
      f: Number.NaN,
    });
    expect(text).toBe(
      '{"n":18446744073709551617,"b":{"$bytes":"AQL/"},"m":{"1":"one","k":[true,null,null]},"d":"1970-01-01T00:00:00.000Z","f":"NaN"}',
    );
    expect(formatJsonText(text, { layout: 'compact', escape: (s) => s })?.text).toContain('"n": 18446744073709551617');
  });
});

describe('formatJsonText (property)', () => {
  const same = (s: string) => s;
  const containers = fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()));

  it('indent is JSON.stringify(value, null, 2); compact has the length compactJsonLength says', () => {
    fc.assert(
      fc.property(containers, fc.constantFrom('', ' ', '\n\t'), (value, space) => {
        const text = JSON.stringify(value, null, space);
        expect(formatJsonText(text, { layout: 'indent', escape: same })?.text).toBe(JSON.stringify(value, null, 2));
        const compact = formatJsonText(text, { layout: 'compact', escape: same })!.text;
        expect(compact.length).toBe(compactJsonLength(text));
        expect(JSON.parse(compact)).toEqual(JSON.parse(text));
      }),
    );
  });

  it('accepts exactly what JSON.parse accepts, for objects and arrays', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('{', '}', '[', ']', '"', ',', ':', '1', '-', '.', 'e', 'a', ' ', '\\', 'n', 'u', 't'),
        }),
        (text) => {
          let parses: boolean;
          try {
            const v = JSON.parse(text);
            parses = typeof v === 'object' && v !== null;
          } catch {
            parses = false;
          }
          expect(compactJsonLength(text) >= 0).toBe(parses);
          expect(formatJsonText(text, { layout: 'compact', escape: same }) !== null).toBe(parses);
        },
      ),
      { numRuns: 2000 },
    );
  });

  const jsonTexts = fc
    .tuple(containers, fc.constantFrom(undefined, 2, ' ', '\n\t'))
    .map(([value, space]) => JSON.stringify(value, null, space));

  it('auto is compact exactly when compactJsonLength fits the width, indented otherwise', () => {
    fc.assert(
      fc.property(jsonTexts, fc.nat(120), fc.constantFrom<'' | '  '>('', '  '), (text, width, margin) => {
        const compact = compactJsonLength(text) <= width;
        const auto = formatJsonText(text, { layout: 'auto', width, escape: same, margin });
        const other = formatJsonText(text, { layout: compact ? 'compact' : 'indent', escape: same, margin });
        expect(auto).toEqual(other);
      }),
      { numRuns: 2000 },
    );
  });

  it('limit cuts the same layout at a token: a prefix of it, and cutAt says how far the source got', () => {
    fc.assert(
      fc.property(
        jsonTexts,
        fc.constantFrom<'auto' | 'indent' | 'compact'>('auto', 'indent', 'compact'),
        fc.nat(120),
        fc.nat(200),
        (text, layout, width, limit) => {
          const whole = formatJsonText(text, { layout, width, escape: same })!;
          const cut = formatJsonText(text, { layout, width, escape: same, limit })!;
          expect(whole.cutAt).toBeUndefined();
          expect(whole.text.startsWith(cut.text)).toBe(true);
          if (cut.cutAt === undefined) expect(cut.text).toBe(whole.text);
          else {
            expect(cut.text.length).toBeLessThan(whole.text.length);
            expect(cut.cutAt).toBeGreaterThanOrEqual(0);
            expect(cut.cutAt).toBeLessThan(text.length);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('refuses text that is not JSON even past the point where limit cut it', () => {
    const text = `{"a": [1, 2, 3], "b": "${'x'.repeat(50)}", "c": nope}`;
    expect(formatJsonText(text, { layout: 'indent', escape: same, limit: 10 })).toBeNull();
    expect(formatJsonText(text, { layout: 'auto', width: 200, escape: same, limit: 10 })).toBeNull();
    expect(formatJsonText(text.replace('nope', 'null'), { layout: 'indent', escape: same, limit: 10 })).toEqual({
      text: '{\n  "a": [\n    ',
      cutAt: 7,
    });
  });
});
