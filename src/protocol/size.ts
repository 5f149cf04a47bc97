/** Sizes as people read them: `512 bytes`, `1.0 KiB`, `1.0 MiB`, `2.5 GiB` (powers of 1024). Pure. */
const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'] as const;

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes / 1024;
  let unit = 0;
  // 1023.96 KiB would print as "1024.0 KiB": move up a unit once rounding reaches 1024.
  while (value.toFixed(1) === '1024.0' || (value >= 1024 && unit < UNITS.length - 1)) {
    if (unit === UNITS.length - 1) break;
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}
