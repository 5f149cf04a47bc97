/**
 * The chart of `npm run bench` (docs/bench.svg, shown in the README), written by hand as plain SVG:
 * - top: each workload's ratio to its floor as a horizontal bar (green: bar met, red: missed, grey:
 *   information), the bar's limit marked with a black tick, 1.0× as a dashed line. For times the
 *   ratio is wsprobe / floor (lower is better), for rates (msg/s, MB/s) wsprobe / floor too (higher
 *   is better): the label says which side the limit is on (≤ or ≥).
 * - bottom: the message-size sweep, MB/s against message size on log scales, for wsprobe, the floor
 *   and raw TCP.
 * A white background so that it reads the same in GitHub's light and dark themes.
 */

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const COLOR = { pass: '#2e7d32', miss: '#c62828', info: '#9e9e9e', text: '#222', grid: '#ddd', axis: '#555' };
const SERIES = [
  { key: 'wsprobe', name: 'wsprobe', color: '#1565c0', dash: '' },
  { key: 'floor', name: 'floor (ws script)', color: '#ef6c00', dash: '' },
  { key: 'raw', name: 'raw TCP (no framing)', color: '#424242', dash: ' stroke-dasharray="6 4"' },
];

const esc = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x) => Number(x.toFixed(1));

function text(x, y, content, { size = 12, anchor = 'start', weight = 'normal', fill = COLOR.text } = {}) {
  return `<text x="${num(x)}" y="${num(y)}" ${FONT} font-size="${size}" font-weight="${weight}" text-anchor="${anchor}" fill="${fill}">${esc(content)}</text>`;
}

function limitOf(bar) {
  const match = /^([≤≥]) ([\d.]+)×$/.exec(bar.text);
  return match ? { side: match[1], value: Number(match[2]) } : null;
}

function ratioSection(rows, top, width) {
  const shown = rows.filter((row) => !row.sweep);
  const out = [];
  const left = 290;
  const right = width - 150;
  const rowHeight = 22;
  const limits = shown.flatMap((row) =>
    row.bars
      .map(limitOf)
      .filter(Boolean)
      .map((l) => l.value),
  );
  const scale = Math.min(4, Math.max(2, Math.ceil(Math.max(...shown.map((r) => r.ratio), ...limits, 1) * 2) / 2));
  const x = (ratio) => left + (Math.min(ratio, scale) / scale) * (right - left);
  out.push(text(20, top, 'Ratio to the floor (median of alternating runs)', { size: 15, weight: 'bold' }));
  out.push(
    text(
      20,
      top + 18,
      'times: wsprobe ÷ floor, lower is better · rates (msg/s, MB/s): wsprobe ÷ floor, higher is better',
      {
        size: 11,
        fill: COLOR.axis,
      },
    ),
  );
  const chartTop = top + 34;
  const chartBottom = chartTop + shown.length * rowHeight;
  for (let tick = 0; tick <= scale + 1e-9; tick += 0.5) {
    out.push(
      `<line x1="${num(x(tick))}" y1="${chartTop}" x2="${num(x(tick))}" y2="${chartBottom}" stroke="${COLOR.grid}" stroke-width="1"/>`,
    );
    out.push(text(x(tick), chartBottom + 14, `${tick.toFixed(1)}×`, { size: 10, anchor: 'middle', fill: COLOR.axis }));
  }
  out.push(
    `<line x1="${num(x(1))}" y1="${chartTop - 4}" x2="${num(x(1))}" y2="${chartBottom}" stroke="${COLOR.axis}" stroke-width="1" stroke-dasharray="4 3"/>`,
  );
  shown.forEach((row, i) => {
    const y = chartTop + i * rowHeight;
    const verdict = !row.bars.length ? 'info' : row.bars.every((b) => b.pass) ? 'pass' : 'miss';
    const name = row.name.length > 44 ? `${row.name.slice(0, 43)}…` : row.name;
    out.push(text(left - 8, y + 15, name, { size: 11, anchor: 'end' }));
    out.push(
      `<rect x="${left}" y="${y + 4}" width="${num(x(row.ratio) - left)}" height="${rowHeight - 8}" fill="${COLOR[verdict]}"/>`,
    );
    const limit = row.bars.map(limitOf).find(Boolean);
    if (limit)
      out.push(
        `<line x1="${num(x(limit.value))}" y1="${y + 1}" x2="${num(x(limit.value))}" y2="${y + rowHeight - 1}" stroke="#000" stroke-width="3"/>`,
      );
    const over = row.ratio > scale ? ' ▸' : '';
    const label = `${row.ratio.toFixed(2)}×${over}${limit ? `  (bar ${limit.side} ${limit.value}×)` : verdict === 'info' ? '  (info)' : ''}`;
    out.push(text(right + 8, y + 15, label, { size: 11, fill: verdict === 'miss' ? COLOR.miss : COLOR.text }));
  });
  const legendY = chartBottom + 34;
  const legend = [
    ['pass', 'bar met'],
    ['miss', 'bar missed'],
    ['info', 'information (no bar)'],
  ];
  legend.forEach(([key, name], i) => {
    const lx = left + i * 150;
    out.push(`<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${COLOR[key]}"/>`);
    out.push(text(lx + 18, legendY, name, { size: 11 }));
  });
  out.push(
    `<line x1="${left + 450}" y1="${legendY - 12}" x2="${left + 450}" y2="${legendY + 2}" stroke="#000" stroke-width="3"/>`,
  );
  out.push(text(left + 458, legendY, 'the bar (limit)', { size: 11 }));
  return { svg: out.join('\n'), height: legendY + 10 - top };
}

function log10(x) {
  return Math.log(x) / Math.LN10;
}

function sizeSection(points, top, width) {
  const out = [];
  const left = 90;
  const right = width - 200;
  const plotTop = top + 34;
  const plotBottom = plotTop + 260;
  const values = points.flatMap((p) => SERIES.map((s) => p[s.key].median)).filter((v) => v > 0);
  const yMin = 10 ** Math.floor(log10(Math.min(...values)));
  const yMax = 10 ** Math.ceil(log10(Math.max(...values)));
  const xMin = Math.log2(points[0].size);
  const xMax = Math.log2(points.at(-1).size);
  const x = (size) => left + ((Math.log2(size) - xMin) / (xMax - xMin || 1)) * (right - left);
  const y = (v) => plotBottom - ((log10(v) - log10(yMin)) / (log10(yMax) - log10(yMin) || 1)) * (plotBottom - plotTop);
  out.push(
    text(20, top, 'Message-size sweep: throughput against message size (log scales)', { size: 15, weight: 'bold' }),
  );
  out.push(
    text(
      20,
      top + 18,
      'MB/s of message bytes echoed in the steady state (first echoed byte to last); each point a median of alternating runs',
      {
        size: 11,
        fill: COLOR.axis,
      },
    ),
  );
  for (let decade = yMin; decade <= yMax * 1.0001; decade *= 10) {
    out.push(`<line x1="${left}" y1="${num(y(decade))}" x2="${right}" y2="${num(y(decade))}" stroke="${COLOR.grid}"/>`);
    out.push(
      text(left - 6, y(decade) + 4, `${decade >= 1 ? decade : decade.toFixed(1)}`, {
        size: 10,
        anchor: 'end',
        fill: COLOR.axis,
      }),
    );
  }
  for (const p of points) {
    out.push(
      `<line x1="${num(x(p.size))}" y1="${plotTop}" x2="${num(x(p.size))}" y2="${plotBottom}" stroke="${COLOR.grid}"/>`,
    );
    const label =
      p.size >= 1048576 ? `${p.size / 1048576} MiB` : p.size >= 1024 ? `${p.size / 1024} KiB` : `${p.size} B`;
    out.push(text(x(p.size), plotBottom + 16, label, { size: 10, anchor: 'middle', fill: COLOR.axis }));
  }
  out.push(
    `<rect x="${left}" y="${plotTop}" width="${right - left}" height="${plotBottom - plotTop}" fill="none" stroke="${COLOR.axis}"/>`,
  );
  out.push(text((left + right) / 2, plotBottom + 34, 'message size', { size: 11, anchor: 'middle', fill: COLOR.axis }));
  out.push(
    `<text transform="translate(${left - 52} ${(plotTop + plotBottom) / 2}) rotate(-90)" ${FONT} font-size="11" text-anchor="middle" fill="${COLOR.axis}">MB/s</text>`,
  );
  SERIES.forEach((series, i) => {
    const pts = points.map((p) => `${num(x(p.size))},${num(y(Math.max(p[series.key].median, yMin)))}`);
    out.push(
      `<polyline points="${pts.join(' ')}" fill="none" stroke="${series.color}" stroke-width="2.5"${series.dash}/>`,
    );
    for (const pt of pts) {
      const [cx, cy] = pt.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${series.color}"/>`);
    }
    const ly = plotTop + 12 + i * 20;
    out.push(
      `<line x1="${right + 16}" y1="${ly - 4}" x2="${right + 40}" y2="${ly - 4}" stroke="${series.color}" stroke-width="2.5"${series.dash}/>`,
    );
    out.push(text(right + 46, ly, series.name, { size: 11 }));
  });
  return { svg: out.join('\n'), height: plotBottom + 44 - top };
}

/** The whole chart as an SVG document. */
export function chartSvg({ rows, sizes, title, machine }) {
  const width = 960;
  const parts = [];
  let y = 30;
  parts.push(text(20, y, title, { size: 13, fill: COLOR.axis }));
  parts.push(
    text(
      20,
      y + 16,
      `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load average ${machine.loadAverageAtStart.join(' ')}`,
      {
        size: 11,
        fill: COLOR.axis,
      },
    ),
  );
  y += 50;
  if (rows.some((row) => !row.sweep)) {
    const section = ratioSection(rows, y, width);
    parts.push(section.svg);
    y += section.height + 30;
  }
  if (sizes?.length) {
    const section = sizeSection(sizes, y, width);
    parts.push(section.svg);
    y += section.height + 10;
  }
  const height = Math.ceil(y + 10);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${esc(`wsprobe benchmark: ratio to the floor per workload${sizes?.length ? ', and throughput against message size' : ''} — ${title}`)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
