/** Whether and how much colour, decided as everywhere else. Pure. */

type Vars = Readonly<Record<string, string | undefined>>;

/**
 * Colour level 0–3 for a stream: `--no-color` and `NO_COLOR` turn it off, `FORCE_COLOR` forces it
 * (as everywhere); otherwise colour only on a terminal.
 */
export function colorLevel(env: { vars: Vars }, isTTY: boolean, noColorFlag: boolean): 0 | 1 | 2 | 3 {
  if (noColorFlag) return 0;
  const force = env.vars.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    if (force === '' || force === 'true' || Number.isNaN(n)) return 1;
    return Math.min(3, Math.max(1, Math.trunc(n))) as 1 | 2 | 3;
  }
  if (env.vars.NO_COLOR !== undefined && env.vars.NO_COLOR !== '') return 0;
  if (!isTTY) return 0;
  if (env.vars.TERM === 'dumb') return 0;
  const colorterm = env.vars.COLORTERM;
  if (colorterm === 'truecolor' || colorterm === '24bit') return 3;
  if (/-256(color)?$/i.test(env.vars.TERM ?? '')) return 2;
  return 1;
}
