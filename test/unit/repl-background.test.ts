/** Telling a background job from /proc/self/stat (env.ts). */
import { describe, expect, it } from 'vitest';
import { backgroundFromStat } from '../../src/env.js';

// pid (comm) state ppid pgrp session tty_nr tpgid …
const stat = (comm: string, pgrp: number, tpgid: number) =>
  `4242 (${comm}) S 100 ${pgrp} 100 34816 ${tpgid} 4194304 120 0 0 0 0 0 0 0 20 0 1 0`;

describe('backgroundFromStat', () => {
  it('is in the foreground when its group is the terminal’s', () => {
    expect(backgroundFromStat(stat('node', 4242, 4242))).toBe(false);
  });

  it('is in the background when another group has the terminal', () => {
    expect(backgroundFromStat(stat('node', 4242, 4300))).toBe(true);
  });

  it('counts fields after the last ")" (a name with spaces and parentheses)', () => {
    expect(backgroundFromStat(stat('my (odd) name 1 2 3', 4242, 4300))).toBe(true);
    expect(backgroundFromStat(stat('a) b', 7, 7))).toBe(false);
  });

  it('is nobody’s background job without a controlling terminal', () => {
    expect(backgroundFromStat(stat('node', 4242, -1))).toBe(false);
  });

  it('gives up on text it cannot read', () => {
    expect(backgroundFromStat('garbage')).toBe(null);
    expect(backgroundFromStat('1 (x) S 1')).toBe(null);
  });

  it('reads this process as in the foreground or not, without throwing', async () => {
    const { processEnv } = await import('../../src/env.js');
    expect(typeof processEnv('/tmp').inBackground?.()).toBe('boolean');
  });
});
