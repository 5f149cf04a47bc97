/** Statistics and the table of `npm run bench`. */

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** median, min, max and spread ((max - min) / median) of a list of samples. */
export function summarize(samples) {
  const m = median(samples);
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  return { median: m, min, max, spread: m ? (max - min) / m : 0, samples };
}

/** Three significant digits at most, grouped thousands above. */
function figure(value) {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  if (Math.abs(value) >= 10) return value.toFixed(1);
  if (Math.abs(value) >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function formatValue(value, unit) {
  return `${figure(value)} ${unit}`;
}

export function formatMiB(kib) {
  return kib ? `${Math.round(kib / 1024)} MiB` : '–';
}

function verdict(row) {
  if (!row.bars.length) return '(info)';
  return row.bars.every((bar) => bar.pass) ? 'ok' : 'MISS';
}

/** The rows as a Markdown table (readable on a terminal and pasteable into the README). */
export function table(rows) {
  const header = [
    'workload',
    'wsprobe',
    'floor',
    'ratio',
    'per round',
    'bar',
    'result',
    'wsprobe RSS',
    'floor RSS',
    'floor min – max (spread)',
    'reference',
  ];
  const lines = rows.map((row) => [
    row.name,
    formatValue(row.wsprobe.median, row.unit),
    `${formatValue(row.floor.median, row.unit)} (${row.floorName})`,
    `${row.ratio.toFixed(2)}×`,
    `${row.roundRatios.min.toFixed(2)}–${row.roundRatios.max.toFixed(2)}`,
    row.bars.map((bar) => bar.text).join(', ') || '–',
    verdict(row),
    formatMiB(row.wsprobe.peakRssKiB),
    formatMiB(row.floor.peakRssKiB),
    `${formatValue(row.floor.min, row.unit)} – ${formatValue(row.floor.max, row.unit)} (${Math.round(row.floor.spread * 100)}%)`,
    row.reference ? `${formatValue(row.reference.summary.median, row.unit)} (${row.reference.name})` : '–',
  ]);
  return markdown(header, lines);
}

function markdown(header, lines) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((line) => line[i].length)));
  const format = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  return [format(header), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join('\n');
}

export function sizeLabel(bytes) {
  if (bytes >= 1024 * 1024) return `${bytes / 1024 / 1024} MiB`;
  if (bytes >= 1024) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}

/** The message-size sweep (bench/sizes.mjs) as a table: messages/s and MB/s of each contender. */
export function sweepTable(points) {
  const header = ['message size', 'messages', 'wsprobe', 'floor (ws script)', 'raw TCP', 'wsprobe / floor'];
  const cell = (s) => `${figure(s.msgPerSecond)} msg/s · ${figure(s.median)} MB/s`;
  const lines = points.map((p) => [
    sizeLabel(p.size),
    p.count.toLocaleString('en-US'),
    cell(p.wsprobe),
    cell(p.floor),
    `${figure(p.raw.median)} MB/s`,
    `${(p.wsprobe.median / p.floor.median).toFixed(2)}×`,
  ]);
  return markdown(header, lines);
}
