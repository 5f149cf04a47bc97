import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../src/env.js';
import { colorLevel } from '../../src/output/color.js';

function fakeEnv(vars: Record<string, string | undefined>): Env {
  return {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    vars,
    homedir: '/home/test',
    now: () => 0,
    onSignal: () => () => {},
  };
}

describe('colorLevel', () => {
  // [level, situation, environment, isTTY, --no-color]
  it.each<[number, string, Record<string, string>, boolean, boolean]>([
    [1, 'a plain terminal', { TERM: 'xterm' }, true, false],
    [1, 'a terminal with no TERM', {}, true, false],
    [2, 'a 256-colour terminal', { TERM: 'xterm-256color' }, true, false],
    [2, 'a 256-colour screen', { TERM: 'screen-256' }, true, false],
    [3, 'COLORTERM=truecolor', { TERM: 'xterm', COLORTERM: 'truecolor' }, true, false],
    [3, 'COLORTERM=24bit', { COLORTERM: '24bit' }, true, false],
    [0, 'a stream that is not a terminal', { TERM: 'xterm-256color', COLORTERM: 'truecolor' }, false, false],
    [0, 'TERM=dumb', { TERM: 'dumb' }, true, false],
    [0, 'TERM=dumb even with COLORTERM=truecolor', { TERM: 'dumb', COLORTERM: 'truecolor' }, true, false],
    [0, 'NO_COLOR=1 on a terminal', { NO_COLOR: '1', TERM: 'xterm' }, true, false],
    [0, 'NO_COLOR set to any non-empty value', { NO_COLOR: 'no' }, true, false],
    [1, 'an empty NO_COLOR, which is ignored', { NO_COLOR: '' }, true, false],
    [0, '--no-color on a terminal', { COLORTERM: 'truecolor' }, true, true],
    [0, '--no-color even with FORCE_COLOR=3', { FORCE_COLOR: '3' }, true, true],
    [0, 'FORCE_COLOR=0 on a terminal', { FORCE_COLOR: '0', COLORTERM: 'truecolor' }, true, false],
    [0, 'FORCE_COLOR=false', { FORCE_COLOR: 'false' }, true, false],
    [1, 'FORCE_COLOR=1 on a non-terminal', { FORCE_COLOR: '1' }, false, false],
    [2, 'FORCE_COLOR=2 on a non-terminal', { FORCE_COLOR: '2' }, false, false],
    [3, 'FORCE_COLOR=3 on a non-terminal', { FORCE_COLOR: '3' }, false, false],
    [3, 'FORCE_COLOR=9, capped at 3', { FORCE_COLOR: '9' }, false, false],
    [1, 'an empty FORCE_COLOR', { FORCE_COLOR: '' }, false, false],
    [1, 'FORCE_COLOR=true', { FORCE_COLOR: 'true' }, false, false],
    [1, 'FORCE_COLOR=yes', { FORCE_COLOR: 'yes' }, false, false],
    [1, 'FORCE_COLOR=1 over TERM=dumb', { FORCE_COLOR: '1', TERM: 'dumb' }, true, false],
    [1, 'FORCE_COLOR=1 over NO_COLOR', { FORCE_COLOR: '1', NO_COLOR: '1' }, false, false],
    [1, 'FORCE_COLOR=1 on a truecolor terminal', { FORCE_COLOR: '1', COLORTERM: 'truecolor' }, true, false],
  ])('gives level %i for %s', (level, _, vars, isTTY, noColorFlag) => {
    expect(colorLevel(fakeEnv(vars), isTTY, noColorFlag)).toBe(level);
  });

  it('reads only the TTY flag it is given, not the Env flags', () => {
    const env = { ...fakeEnv({ TERM: 'xterm' }), stdoutIsTTY: true, stderrIsTTY: true };
    expect(colorLevel(env, false, false)).toBe(0);
  });
});

describe('colorLevel with a fractional FORCE_COLOR', () => {
  it('truncates FORCE_COLOR=1.5 to a whole level chalk accepts', () => {
    expect(colorLevel(fakeEnv({ FORCE_COLOR: '1.5' }), false, false)).toBe(1);
    expect(colorLevel(fakeEnv({ FORCE_COLOR: '2.9' }), false, false)).toBe(2);
  });
});
