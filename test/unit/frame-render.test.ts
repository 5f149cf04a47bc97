import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { frameText } from '../../src/output/describe.js';
import { render } from '../../src/output/events.js';
import { createJsonRenderer } from '../../src/output/json.js';
import { createPipeRenderer } from '../../src/output/pipe.js';
import { createPrettyRenderer } from '../../src/output/pretty.js';
import * as f from './fixtures.js';

describe('frame rendering (-vv)', () => {
  it.each<[string, Partial<typeof f.frameIn>, string]>([
    ['a compressed first fragment', {}, '< text         --- RSV1 ----     1234 bytes'],
    [
      'a masked final continuation',
      { dir: 'out', opcode: 0, opcodeName: 'continuation', fin: true, rsv1: false, masked: true, length: 5 },
      '> continuation FIN ---- MASK        5 bytes',
    ],
    [
      'a close frame with its code',
      { opcode: 8, opcodeName: 'close', fin: true, rsv1: false, length: 2, closeCode: 1000 },
      '< close        FIN ---- ----        2 bytes code 1000',
    ],
  ])('lays out %s in fixed columns', (_name, change, text) => {
    expect(frameText({ ...f.frameIn, ...change })).toBe(text);
  });

  it('is an indented gray line in pretty mode and a status line in pipe mode', () => {
    const pretty = createPrettyRenderer({
      chalk: new Chalk({ level: 0 }),
      verbose: 2,
      showPingPong: false,
      timestamps: false,
      maxDisplay: 16,
      showSecrets: false,
      quiet: false,
    });
    expect(render(pretty, f.frameIn)).toEqual({ out: '  frame < text         --- RSV1 ----     1234 bytes\n' });
    const pipe = createPipeRenderer({
      quiet: false,
      verbose: 2,
      showPingPong: false,
      showSecrets: false,
      binaryOutput: 'raw',
      separator: '\n',
    });
    expect(render(pipe, f.frameIn)).toEqual({ err: 'frame < text         --- RSV1 ----     1234 bytes\n' });
  });

  it('has the keys of the spec in JSON', () => {
    const out = render(createJsonRenderer({ showSecrets: false }), f.frameIn)?.out as string;
    expect(JSON.parse(out)).toEqual({
      event: 'frame',
      time: f.ISO_TIME,
      dir: 'in',
      opcode: 1,
      type: 'text',
      fin: false,
      rsv1: true,
      masked: false,
      length: 1234,
    });
  });

  it('lays out every kind of frame as the plain template does (its columns are kept per kind)', () => {
    // The layout written out in full, as it was before the columns were kept.
    const flag = (on: boolean, name: string) => (on ? name : '-'.repeat(name.length));
    const reference = (e: typeof f.frameIn): string =>
      `${e.dir === 'in' ? '<' : '>'} ${e.opcodeName.padEnd(12)} ${flag(e.fin, 'FIN')} ${flag(e.rsv1, 'RSV1')} ${flag(e.masked, 'MASK')} ${String(e.length).padStart(8)} bytes${e.closeCode !== undefined ? ` code ${e.closeCode}` : ''}`;
    const names = ['continuation', 'text', 'binary', 'close', 'ping', 'pong', 'reserved'];
    // More names than are kept: the rest are laid out each time.
    for (let i = 0; i < 20; i++) names.push(`odd-${i}`, `${'x'.repeat(i)}`);
    for (let round = 0; round < 2; round++) {
      for (const name of names) {
        for (let bits = 0; bits < 16; bits++) {
          for (const [length, closeCode] of [
            [0, undefined],
            [5, 1000],
            [123_456_789, undefined],
            [1234, 4999],
          ] as const) {
            const e = {
              ...f.frameIn,
              dir: bits & 1 ? ('in' as const) : ('out' as const),
              fin: (bits & 2) !== 0,
              rsv1: (bits & 4) !== 0,
              masked: (bits & 8) !== 0,
              opcodeName: name,
              length,
              closeCode,
            };
            expect(frameText(e)).toBe(reference(e));
          }
        }
      }
    }
  });
});
