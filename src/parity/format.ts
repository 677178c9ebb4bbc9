// How a parity result reads: a few plain lines for the terminal, and a
// self-contained HTML page (per-layer error chart + accuracy table).
import { barChart } from '../report/charts.js';
import { escapeHtml, page, table } from '../report/html.js';
import type { ParityResult } from './parity.js';

export const LAYER_CHART_ID = 'layer-error-chart';
export const INEXACT_CHART_ID = 'layer-inexact-chart';

/** A fraction as a percentage; never rounds a shortfall up to 100% (nor a hit down to 0%). */
export function pct(x: number | null, digits = 2): string {
  if (x === null) return '—';
  const s = (100 * x).toFixed(digits);
  if (x < 1 && s === (100).toFixed(digits)) return `>${(100 - 10 ** -digits).toFixed(digits)}%`;
  if (x > 0 && Number(s) === 0) return `<${(10 ** -digits).toFixed(digits)}%`;
  return `${s}%`;
}

function ms(x: number | null): string {
  return x === null ? '—' : `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;
}

function lsb(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return x < 1e-3 ? x.toExponential(1) : x.toFixed(4);
}

/** What `agreement` counts, per task. */
const AGREEMENT: Record<ParityResult['task'], string> = {
  classify: 'argmax agreement',
  segment: 'per-pixel argmax agreement',
  image: 'identical output values',
};

function db(x: number | null): string {
  return x === null ? '—' : `${x.toFixed(2)} dB`;
}

/** The terminal summary; `maxLayers` caps the layer table (worst first). */
export function formatParity(r: ParityResult, maxLayers = 12): string {
  const out: string[] = [];
  out.push(`parity on ${r.count} ${r.dataset} test images: run ${r.run} vs ${r.model}`);
  const lrt = r.litert.ran ? `, LiteRT ${pct(r.accuracy.litert)}` : '';
  const what = AGREEMENT[r.task];
  out.push(`  accuracy${r.task === 'classify' ? '' : r.task === 'segment' ? ' (of pixels)' : ' (of values within tolerance)'}: eval graph ${pct(r.accuracy.evalGraph)}, int8 interpreter ${pct(r.accuracy.interpreter)}${lrt}`);
  if (r.miou) out.push(`  mean IoU: eval graph ${pct(r.miou.evalGraph)}, int8 interpreter ${pct(r.miou.interpreter)}${r.litert.ran ? `, LiteRT ${pct(r.miou.litert)}` : ''}`);
  if (r.psnr) out.push(`  PSNR: eval graph ${db(r.psnr.evalGraph)}, int8 interpreter ${db(r.psnr.interpreter)}${r.litert.ran ? `, LiteRT ${db(r.psnr.litert)}` : ''}`);
  out.push(`  ${what}: eval graph vs interpreter ${pct(r.agreement)}${r.task === 'classify' ? ` (${Math.round(r.agreement * r.count)}/${r.count})` : ''}`);
  if (r.litert.ran) {
    const largest = r.litertIdentical !== 1 && r.litertMaxDiff !== null ? ` (largest difference ${Number(r.litertMaxDiff.toPrecision(3))})` : '';
    out.push(`  ${what}: interpreter vs LiteRT ${pct(r.litertAgreement)}; outputs bit-identical on ${pct(r.litertIdentical)} of inputs${largest}`);
  } else {
    out.push(`  LiteRT: ${r.litert.note ?? 'not run'}; skipped`);
  }
  out.push(`  latency per image: interpreter ${ms(r.latencyMs.interpreter)}${r.litert.ran ? `, LiteRT ${ms(r.latencyMs.litert)}` : ''}`);
  if (r.layers.length) {
    out.push(`  per layer, eval-graph fake-quant output vs the interpreter's tensor (LSB = one integer step), worst first:`);
    const rows = r.layers.slice(0, maxLayers).map((l) => [l.name, l.op, lsb(l.maxLsb), lsb(l.meanLsb), pct(l.exact), pct(l.within1)]);
    out.push(...columns(['layer', 'op', 'max', 'mean', 'exact', '≤1 LSB'], rows).map((s) => `    ${s}`));
    if (r.layers.length > maxLayers) out.push(`    … ${r.layers.length - maxLayers} more layers (all in --json)`);
  } else {
    out.push('  no quantized layers to compare (is the run a QAT or calibrated run, and the model its int8 export?)');
  }
  if (r.unmatched.length) out.push(`  not compared (no integer tensor of that name in the model): ${r.unmatched.join(', ')}`);
  return out.join('\n');
}

function columns(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** A self-contained page: accuracy table, per-layer max-LSB chart (id `layer-error-chart`), layer table. */
export function parityHtml(r: ParityResult): string {
  const accuracy = table(
    ['runtime', 'accuracy', AGREEMENT[r.task], 'latency / image'],
    [
      ['QAT eval graph (tfjs)', pct(r.accuracy.evalGraph), 'reference', '—'],
      ['int8 interpreter', pct(r.accuracy.interpreter), `${pct(r.agreement)} vs eval graph`, ms(r.latencyMs.interpreter)],
      r.litert.ran
        ? ['LiteRT.js', pct(r.accuracy.litert), `${pct(r.litertAgreement)} vs interpreter (${pct(r.litertIdentical)} bit-identical)`, ms(r.latencyMs.litert)]
        : ['LiteRT.js', '—', `skipped: ${r.litert.note ?? 'not run'}`, '—'],
    ],
    [false, true, false, true],
  );
  const bars = r.layers.map((l) => ({ label: l.name, value: l.maxLsb, note: `${pct(l.exact)} exact` }));
  // Max errors are often all 0 or 1; the share of inexact elements tells such layers apart.
  const inexact = r.layers.map((l) => ({ label: l.name, value: Number((100 * (1 - l.exact)).toPrecision(4)) }));
  const chart = bars.length
    ? `${barChart(LAYER_CHART_ID, bars, 'max |eval graph − interpreter| in LSBs')}\n${barChart(INEXACT_CHART_ID, inexact, '% of elements not exact')}`
    : `<p id="${LAYER_CHART_ID}">No quantized layers to compare.</p>`;
  const layerTable = table(
    ['layer', 'op', 'dtype', 'scale', 'zero point', 'elements', 'max LSB', 'mean LSB', 'exact', '≤ 1 LSB'],
    r.layers.map((l) => [l.name, l.op, l.dtype, l.scale.toPrecision(6), l.zeroPoint, l.elements, l.maxLsb, lsb(l.meanLsb), pct(l.exact), pct(l.within1)]),
    [false, false, false, true, true, true, true, true, true, true],
  );
  const unmatched = r.unmatched.length
    ? `<p>Not compared (no integer tensor of that name in the model): ${escapeHtml(r.unmatched.join(', '))}</p>`
    : '';
  const body = `<h2>Accuracy</h2>\n${accuracy}\n<h2>Per-layer error, worst first</h2>
<p class="sub">Each quantized layer's fake-quant output in the eval graph, turned into integer codes with the tensor's scale and zero point, against the interpreter's tensor of the same name. 1 LSB = one integer step.</p>
${chart}\n${layerTable}\n${unmatched}`;
  return page('qat parity', `${r.count} ${r.dataset} test images · run ${r.run} · model ${r.model}`, body);
}
