// `qat report`: a run's metrics.json as a page with loss and accuracy per
// epoch (SVG line charts) and the run's configuration.
import { lineChart } from './charts.js';
import { page, table } from './html.js';
import type { RunConfig } from '../run/config.js';
import type { RunMetrics } from '../run/metrics.js';
import type { RunRecord } from '../run/record.js';

export const LOSS_CHART_ID = 'loss-chart';
export const ACCURACY_CHART_ID = 'accuracy-chart';

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)}%` : '—');
const fixed = (x: number, d = 4): string => (Number.isFinite(x) ? x.toFixed(d) : '—');

function configRows(m: RunMetrics, c: RunConfig | null): Array<[string, string]> {
  const rows: Array<[string, string]> = [
    ['model', m.model + (c?.modelOptions.alpha !== undefined ? ` (alpha ${c.modelOptions.alpha})` : '')],
    ['dataset', m.dataset + (c?.limit !== undefined ? ` (limit ${c.limit})` : '')],
  ];
  if (c) rows.push(['input', c.inputShape.join('×')], ['classes', String(c.numClasses)], ['epochs', `${c.epoch} of ${c.epochs}`]);
  rows.push(
    ['batch size', String(m.batchSize)],
    ['optimizer', `${m.optimizer}, lr ${m.lr}, ${m.schedule} schedule`],
    ['seed', String(m.seed)],
    ['backend', m.backend],
  );
  if (c) rows.push(['steps', `${c.step} (${c.stepsPerEpoch} per epoch)`]);
  const q = c?.quantization;
  if (q) {
    const qc = q.config;
    const how = q.calibration ? `post-training calibration (${q.calibration.batches} batches of ${q.calibration.batchSize})` : 'quantization-aware training';
    rows.push(
      ['quantization', `${how}: ${qc.bits}-bit activations, ${qc.weightBits}-bit ${qc.perChannel ? 'per-channel' : 'per-tensor'} weights`],
      ['quant delay / BN freeze', `${qc.quantDelay} / ${qc.freezeBnStep ?? 'never'}`],
    );
    if (q.from) rows.push(['fine-tuned from', q.from]);
    if (q.report.length) rows.push(['left float', q.report.join('; ')]);
  } else if (c) {
    rows.push(['quantization', 'none (float run)']);
  }
  const imgs = m.epochs.filter((e) => e.imagesPerSec > 0);
  const rate = imgs.length ? imgs.reduce((s, e) => s + e.images, 0) / imgs.reduce((s, e) => s + e.trainSeconds, 0) : NaN;
  rows.push(
    ['final test accuracy', m.finalTestAccuracy === null ? '—' : pct(m.finalTestAccuracy)],
    ['training speed', Number.isFinite(rate) ? `${rate.toFixed(1)} images/s` : '—'],
    ['wall time', `${m.wallSeconds.toFixed(1)} s${m.complete ? '' : ' (incomplete: resume with --from)'}`],
  );
  return rows;
}

export function trainingReportHtml(runDir: string, r: RunRecord): string {
  const { metrics: m, config } = r;
  const e = m.epochs;
  const charts = e.length
    ? lineChart(LOSS_CHART_ID, 'loss', [
      { name: 'train', points: e.map((x) => [x.epoch, x.trainLoss] as [number, number]).filter((p) => Number.isFinite(p[1])), color: '#4e79a7' },
      { name: 'test', points: e.map((x) => [x.epoch, x.testLoss] as [number, number]), color: '#e15759' },
    ], 'epoch') + '\n' + lineChart(ACCURACY_CHART_ID, 'accuracy', [
      { name: 'train', points: e.map((x) => [x.epoch, x.trainAccuracy] as [number, number]).filter((p) => Number.isFinite(p[1])), color: '#4e79a7' },
      { name: 'test', points: e.map((x) => [x.epoch, x.testAccuracy] as [number, number]), color: '#e15759' },
    ], 'epoch')
    : '<p>No finished epochs yet.</p>';
  const epochs = table(
    ['epoch', 'step', 'lr', 'train loss', 'train acc', 'test loss', 'test acc', 'images/s', 'train s'],
    e.map((x) => [x.epoch, x.step, x.lr.toPrecision(3), fixed(x.trainLoss), pct(x.trainAccuracy), fixed(x.testLoss), pct(x.testAccuracy), x.imagesPerSec.toFixed(1), x.trainSeconds.toFixed(1)]),
    [true, true, true, true, true, true, true, true, true],
  );
  const cfg = table(['setting', 'value'], configRows(m, config));
  const body = `<h2>Loss and accuracy per epoch</h2>\n<div>${charts}</div>\n${epochs}\n<h2>Run configuration</h2>\n${cfg}`;
  return page(`qat run: ${m.model} on ${m.dataset}`, `${runDir} · ${e.length} epoch${e.length === 1 ? '' : 's'}`, body);
}
