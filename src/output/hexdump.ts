/** A classic hex dump (offset, 16 bytes, ASCII column) for showing binary payloads. Pure. */

const WIDTH = 16;

function printable(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
}

/** Lines of the dump of at most `max` bytes of `data`, and a last line saying how much was left out. */
export function hexDump(data: Buffer, max: number): string[] {
  const shown = Math.min(data.length, Math.max(0, max));
  const lines: string[] = [];
  for (let offset = 0; offset < shown; offset += WIDTH) {
    const row = data.subarray(offset, Math.min(offset + WIDTH, shown));
    const hex: string[] = [];
    for (let i = 0; i < WIDTH; i++) {
      hex.push(i < row.length ? row[i].toString(16).padStart(2, '0') : '  ');
      if (i === 7) hex.push('');
    }
    let ascii = '';
    for (const byte of row) ascii += printable(byte);
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.join(' ')}  |${ascii}|`);
  }
  if (shown < data.length) lines.push(`… ${data.length - shown} more bytes (--max-display to show more)`);
  return lines;
}
