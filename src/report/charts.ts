// Tiny SVG charts for reports: horizontal bars (per-layer errors) and lines
// (loss/accuracy per epoch). Plain SVG so the page needs no scripts.
import { escapeHtml } from './html.js';

export interface Bar {
  label: string;
  value: number;
  note?: string;
}

export function barChart(id: string, bars: Bar[], unit: string): string {
  const rowH = 22, labelW = 220, plotW = 420, pad = 8;
  const max = Math.max(1e-12, ...bars.map((b) => b.value));
  const h = bars.length * rowH + 2 * pad + 18;
  const rows = bars.map((b, i) => {
    const y = pad + i * rowH;
    const w = Math.max(1, (b.value / max) * plotW);
    return `<g><text x="${labelW - 6}" y="${y + 15}" text-anchor="end">${escapeHtml(b.label)}</text>` +
      `<rect class="bar" x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="#4e79a7"><title>${escapeHtml(`${b.label}: ${b.value} ${unit}${b.note ? ` (${b.note})` : ''}`)}</title></rect>` +
      `<text x="${labelW + w + 6}" y="${y + 15}">${escapeHtml(formatNumber(b.value))}${b.note ? ` · ${escapeHtml(b.note)}` : ''}</text></g>`;
  });
  return `<svg id="${escapeHtml(id)}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${labelW + plotW + 160}" height="${h}" role="img" aria-label="${escapeHtml(unit)} per layer">` +
    rows.join('') + `<text x="${labelW}" y="${h - 4}" fill="#5b6673">${escapeHtml(unit)}</text></svg>`;
}

export interface Series {
  name: string;
  points: Array<[number, number]>;
  color: string;
}

export function lineChart(id: string, title: string, series: Series[], xLabel: string): string {
  const W = 520, H = 260, L = 56, R = 120, T = 24, B = 36;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-9) { y0 -= 0.5; y1 += 0.5; }
  const px = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const py = (y: number) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => y0 + t * (y1 - y0));
  const grid = ticks.map((v) => `<line x1="${L}" x2="${W - R}" y1="${py(v)}" y2="${py(v)}" stroke="#e3e7ec"/><text x="${L - 6}" y="${py(v) + 4}" text-anchor="end">${formatNumber(v)}</text>`).join('');
  const lines = series.map((s, i) => {
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('');
    const dots = s.points.map((p) => `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${s.color}"><title>${escapeHtml(`${s.name} @ ${p[0]}: ${p[1]}`)}</title></circle>`).join('');
    return `<path class="series" d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}` +
      // An inline style: the page's `svg text` rule would beat a fill attribute and grey the legend out.
      `<text class="legend" x="${W - R + 8}" y="${T + 14 + i * 18}" style="fill:${s.color}">${escapeHtml(s.name)}</text>`;
  }).join('');
  return `<svg id="${escapeHtml(id)}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${escapeHtml(title)}">` +
    `<text x="${L}" y="16" font-weight="600">${escapeHtml(title)}</text>${grid}${lines}` +
    `<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle">${escapeHtml(xLabel)}</text></svg>`;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 0.01) return v.toExponential(2);
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3).replace(/\.?0+$/, '');
}
