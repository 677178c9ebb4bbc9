// `npm run results`: measures the README's results tables. For each row it
// trains a float model, fine-tunes it with QAT, exports float and int8
// .tflite files, and runs parity (eval graph vs int8 interpreter vs
// LiteRT.js) on the test split. The defaults are the README's tables: about
// 2.5 hours on this machine's wasm backend for the classifier rows
// (mobilenet-v2 ≈ 2 h of it, on one core) plus the dense rows, each ≲ 30 min
// on one core at full split by the img/s measured here with the machine
// shared: unet (unet-tiny, mnist-seg: 8,500 canvases, ≈ 66 / 54 img/s float
// / QAT) 6 float + 2 QAT epochs ≈ 20 min; style (style-net, fashion-denoise:
// 60,000 images, ≈ 100 / 58 img/s) 1 float + 1 QAT epoch ≈ 30 min with parity
// on the 10,000 test images. Other rows can run alongside in a second process
// with --rows, sharing --out. The flags make a quick run possible:
//
//   npm run results -- --epochs 1 --qat-epochs 1 --limit 1000 --test-limit 300 --out /tmp/results --md /tmp/results.md
//
// Flags: --rows mnist,fashion,mobilenet,mobilenet-v3,w4,unet,style (default
// all) · --epochs N (float, mnist-cnn rows; default 3) · --qat-epochs N
// (default 1) · --mobilenet-epochs N (default 3) · --mobilenet-qat-epochs N
// (default 1) · --unet-epochs N (default 6) · --unet-qat-epochs N (default 2)
// · --style-epochs N (default 1) · --style-qat-epochs N (default 1) · --limit
// N (train/test images per split) · --test-limit N (parity inputs) · --out DIR
// (default runs/results; complete runs there with the same settings are
// reused) · --md FILE (default results.md) · --readme FILE (instead: replace
// the section between <!-- results:start --> and <!-- results:end -->) ·
// --note TEXT (a sentence under the tables) · --backend B.
//
// Classifier rows and dense rows (segment: mean IoU; image: PSNR) go to two
// tables; both show, per row, on how many test inputs the interpreter's
// outputs are bit-identical to LiteRT's, and the worst per-layer difference
// between the QAT eval graph and the interpreter.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { loadDataset } from '../datasets/index.js';
import type { Dataset } from '../datasets/types.js';
import { BACKEND_NAMES, selectBackend, type BackendChoice } from '../src/backend.js';
import { UserError } from '../src/errors.js';
import { barProgress } from '../src/parity/progress.js';
import { runParity, type ParityResult } from '../src/parity/parity.js';
import type { QatConfig } from '../quantize/config.js';
import type { TaskName } from '../train/task.js';
import { checkpointDir, exportRun, loadCheckpoint, loadRun, readMetrics, type RunMetrics } from '../src/run/index.js';
import { train } from '../train/loop.js';
import { consoleProgress } from '../train/progress.js';
import { evaluate, type EvalResult } from '../train/evaluate.js';

interface RowSpec {
  id: string;
  label: string;
  model: string;
  dataset: string;
  alpha?: number;
  inputSize?: number;
  quantize: Partial<QatConfig>;
  /** Reuse another row's float run (same model and data). */
  floatFrom?: string;
  /** Which pair of epoch flags the row reads (default: --epochs / --qat-epochs). */
  epochs?: 'mobilenet' | 'unet' | 'style';
  /** Dense rows: per-pixel classes (metric mean IoU) or images (metric PSNR). */
  task?: Exclude<TaskName, 'classify'>;
}

const ROWS: RowSpec[] = [
  { id: 'mnist', label: 'mnist-cnn, MNIST digits (embedded)', model: 'mnist-cnn', dataset: 'mnist', quantize: {} },
  { id: 'fashion', label: 'mnist-cnn, Fashion-MNIST', model: 'mnist-cnn', dataset: 'fashion-mnist', quantize: {} },
  { id: 'mobilenet', label: 'mobilenet-v2 α0.35 32×32, Fashion-MNIST', model: 'mobilenet-v2', dataset: 'fashion-mnist', alpha: 0.35, inputSize: 32, quantize: {}, epochs: 'mobilenet' },
  { id: 'mobilenet-v3', label: 'mobilenet-v3-small 32×32, Fashion-MNIST', model: 'mobilenet-v3-small', dataset: 'fashion-mnist', inputSize: 32, quantize: {}, epochs: 'mobilenet' },
  { id: 'w4', label: 'mnist-cnn, 4-bit weights, Fashion-MNIST', model: 'mnist-cnn', dataset: 'fashion-mnist', quantize: { weightBits: 4 }, floatFrom: 'fashion' },
  { id: 'unet', label: 'unet-tiny (transpose), mnist-seg', model: 'unet-tiny', dataset: 'mnist-seg', quantize: {}, epochs: 'unet', task: 'segment' },
  { id: 'style', label: 'style-net, fashion-denoise', model: 'style-net', dataset: 'fashion-denoise', quantize: {}, epochs: 'style', task: 'image' },
];

interface Args {
  rows: string;
  epochs: number;
  'mobilenet-epochs': number;
  'qat-epochs': number;
  'mobilenet-qat-epochs': number;
  'unet-epochs': number;
  'unet-qat-epochs': number;
  'style-epochs': number;
  'style-qat-epochs': number;
  limit?: number;
  'test-limit'?: number;
  out: string;
  md: string;
  readme?: string;
  note?: string;
  backend: BackendChoice;
}

interface RowResult {
  spec: RowSpec;
  epochs: { float: number; qat: number };
  floatAccuracy: number;
  /** Dense rows: the float run's mean IoU (segment) or PSNR (image) on the same test images. */
  floatMetric: number | null;
  qatAccuracy: number;
  parity: ParityResult;
  bytes: { float: number; int8: number };
  imagesPerSec: { float: number; qat: number };
  seconds: number;
}

// Dense rows' defaults, each row ≲ 30 min on one core at full split (see the header).
const UNET_EPOCHS = { float: 6, qat: 2 };
const STYLE_EPOCHS = { float: 1, qat: 1 };

const log = (s: string): void => {
  process.stderr.write(`${s}\n`);
};

function meanRate(m: RunMetrics | null): number {
  const e = (m?.epochs ?? []).filter((x) => x.trainSeconds > 0);
  const s = e.reduce((a, x) => a + x.trainSeconds, 0);
  return s > 0 ? e.reduce((a, x) => a + x.images, 0) / s : NaN;
}

/** A complete run with these epochs is kept; anything else there is trained again. */
function reusable(dir: string, epochs: number, limit: number | undefined, allowed: boolean): boolean {
  if (!existsSync(checkpointDir(dir))) return false;
  if (!allowed) {
    rmSync(dir, { recursive: true, force: true });
    return false;
  }
  try {
    const c = loadCheckpoint(dir).config;
    if (c.complete && c.epochs === epochs && c.limit === limit) return true;
  } catch {
    // unreadable: retrain
  }
  rmSync(dir, { recursive: true, force: true });
  return false;
}

/** Trains the run unless a complete one with the same settings is there (and `reuse` allows it); true when reused. */
async function trainRun(opts: Parameters<typeof train>[0] & { outDir: string }, limit: number | undefined, reuse = true): Promise<boolean> {
  if (reusable(opts.outDir, opts.epochs!, limit, reuse)) {
    log(`  reusing ${opts.outDir}`);
    return true;
  }
  const r = await train({ ...opts, progress: consoleProgress(opts.batchSize ?? 64, process.stderr) });
  r.store.dispose();
  return false;
}

function epochsOf(spec: RowSpec, a: Args): { float: number; qat: number } {
  switch (spec.epochs) {
    case 'mobilenet': return { float: a['mobilenet-epochs'], qat: a['mobilenet-qat-epochs'] };
    case 'unet': return { float: a['unet-epochs'], qat: a['unet-qat-epochs'] };
    case 'style': return { float: a['style-epochs'], qat: a['style-qat-epochs'] };
    default: return { float: a.epochs, qat: a['qat-epochs'] };
  }
}

async function measureRow(spec: RowSpec, a: Args, data: (spec: string) => Promise<Dataset>): Promise<RowResult> {
  const t0 = performance.now();
  const ds = await data(spec.dataset);
  const dir = join(a.out, spec.id);
  const floatDir = join(a.out, spec.floatFrom ?? spec.id, 'float');
  const qatDir = join(dir, 'qat');
  const { float: epochs, qat: qatEpochs } = epochsOf(spec, a);
  const common = {
    dataset: ds, datasetSpec: spec.dataset, ...(a.limit !== undefined ? { limit: a.limit } : {}), ...(spec.task ? { task: spec.task } : {}),
  };
  log(`\n== ${spec.label}: float ${epochs} epoch(s), QAT ${qatEpochs} epoch(s)`);
  const floatReused = await trainRun({
    ...common, model: spec.model, outDir: floatDir, epochs,
    ...(spec.alpha !== undefined ? { alpha: spec.alpha } : {}),
    ...(spec.inputSize !== undefined ? { inputShape: [spec.inputSize, spec.inputSize, ds.train.channels] as [number, number, number] } : {}),
  }, a.limit);
  // A QAT run is only as current as the float run it came from.
  await trainRun({ ...common, from: floatDir, outDir: qatDir, epochs: qatEpochs, quantize: spec.quantize }, a.limit, floatReused);
  const floatModel = exportRun(floatDir, { mode: 'float' });
  const int8Model = exportRun(qatDir, { mode: 'int8' });
  const int8File = join(dir, 'model.int8.tflite');
  writeFileSync(join(dir, 'model.float.tflite'), floatModel.bytes);
  writeFileSync(int8File, int8Model.bytes);
  const bar = barProgress('  parity');
  const parity = await runParity({
    run: qatDir, model: int8File, onProgress: bar.update,
    ...(a['test-limit'] !== undefined ? { limit: a['test-limit'] } : {}),
  }).finally(() => bar.done());
  const fm = readMetrics(floatDir), qm = readMetrics(qatDir);
  const floatEval = await floatScores(floatDir, spec.dataset, a['test-limit'] ?? a.limit);
  const row: RowResult = {
    spec, parity, epochs: { float: epochs, qat: qatEpochs },
    floatAccuracy: floatEval.accuracy,
    floatMetric: spec.task === 'segment' ? floatEval.miou ?? null : spec.task === 'image' ? floatEval.psnr ?? null : null,
    qatAccuracy: parity.accuracy.evalGraph,
    bytes: { float: floatModel.bytes.length, int8: int8Model.bytes.length },
    imagesPerSec: { float: meanRate(fm), qat: meanRate(qm) },
    seconds: (performance.now() - t0) / 1000,
  };
  const m = denseMetric(row);
  const scores = m
    ? `float ${m.fmt(row.floatMetric)} · QAT eval graph ${m.fmt(m.of.evalGraph)} · int8 interpreter ${m.fmt(m.of.interpreter)} ${m.name}`
    : `float ${pct(row.floatAccuracy)} · QAT eval graph ${pct(row.qatAccuracy)} · int8 interpreter ${pct(parity.accuracy.interpreter)}`;
  log(`  on ${parity.count} test images: ${scores} · interpreter = LiteRT on ${identical(parity)} · ${row.seconds.toFixed(0)} s`);
  return row;
}

/** The float run's eval graph on the test inputs parity compares (the same split and limit). */
async function floatScores(runDir: string, dataset: string, limit: number | undefined): Promise<EvalResult> {
  const run = loadRun(runDir);
  try {
    const ds = await loadDataset(dataset, limit !== undefined ? { limit } : {});
    return await evaluate(run.graph, ds.test);
  } finally {
    run.dispose();
  }
}

const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(2)}%`);
const kib = (b: number): string => `${(b / 1024).toFixed(0)} KiB`;
const num = (x: number | null, d = 1): string => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(d));

/** Interpreter vs LiteRT: inputs whose outputs are bit-identical, of those compared. */
function identical(p: ParityResult): string {
  if (p.litertIdentical === null) return `— (${p.litert.note ?? 'not run'})`;
  return `${Math.round(p.litertIdentical * p.count).toLocaleString('en-US')} of ${p.count.toLocaleString('en-US')}`;
}

/** Eval graph vs interpreter: the largest difference of any quantized layer's integer code (layers come worst first). */
function worstLayer(p: ParityResult): string {
  const w = p.layers[0];
  if (!w) return '—';
  return w.maxLsb === 0 ? `0 LSB (${p.layers.length} layers)` : `${num(w.maxLsb, w.maxLsb % 1 ? 2 : 0)} LSB (${w.name})`;
}

interface DenseMetric {
  name: string;
  of: { evalGraph: number; interpreter: number; litert: number | null };
  fmt: (x: number | null) => string;
}

function denseMetric(r: RowResult): DenseMetric | null {
  const p = r.parity;
  if (r.spec.task === 'segment' && p.miou) return { name: 'mean IoU', of: p.miou, fmt: pct };
  if (r.spec.task === 'image' && p.psnr) return { name: 'PSNR', of: p.psnr, fmt: (x) => (x === null || !Number.isFinite(x) ? '—' : `${x.toFixed(2)} dB`) };
  return null;
}

function table(head: string[], body: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...body.map((c) => `| ${c.join(' | ')} |`)].join('\n');
}

/** The columns every row shares: exactness, size, speed. */
function commonCells(r: RowResult): string[] {
  const p = r.parity;
  return [
    identical(p), worstLayer(p),
    `${kib(r.bytes.float)} / ${kib(r.bytes.int8)} (${(r.bytes.float / r.bytes.int8).toFixed(1)}×)`,
    `${num(r.imagesPerSec.float)} / ${num(r.imagesPerSec.qat)}`,
    `${num(p.latencyMs.interpreter, 2)} ms / ${num(p.latencyMs.litert, 2)} ms`,
  ];
}

const COMMON_HEAD = ['bit-identical outputs interpreter / LiteRT', 'worst layer eval graph / interpreter', 'float / int8 file', 'train img/s float / QAT', 'latency interpreter / LiteRT'];

function markdown(rows: RowResult[], a: Args, backend: string): string {
  const tables: string[] = [];
  const classify = rows.filter((r) => !denseMetric(r));
  if (classify.length) {
    tables.push(table(
      ['model / data', 'float acc', 'QAT eval-graph acc', 'int8 interpreter acc', 'argmax agreement eval graph / interpreter', 'argmax agreement interpreter / LiteRT', ...COMMON_HEAD],
      classify.map((r) => {
        const p = r.parity;
        return [
          r.spec.label, pct(r.floatAccuracy), pct(r.qatAccuracy), pct(p.accuracy.interpreter),
          pct(p.agreement), p.litertAgreement === null ? `— (${p.litert.note ?? 'not run'})` : pct(p.litertAgreement),
          ...commonCells(r),
        ];
      }),
    ));
  }
  const dense = rows.filter((r) => denseMetric(r));
  if (dense.length) {
    // Agreement is per pixel (same top class) for segmentation and per output value (same int8 code) for images.
    tables.push(table(
      ['dense model / data', 'metric', 'float', 'QAT eval graph', 'int8 interpreter', 'agreement eval graph / interpreter (pixels / values)', ...COMMON_HEAD],
      dense.map((r) => {
        const m = denseMetric(r)!;
        return [r.spec.label, m.name, m.fmt(r.floatMetric), m.fmt(m.of.evalGraph), m.fmt(m.of.interpreter), pct(r.parity.agreement), ...commonCells(r)];
      }),
    ));
  }
  const epochGroups = new Map<string, string[]>();
  for (const r of rows) {
    const key = `${r.epochs.float} float + ${r.epochs.qat} QAT`;
    epochGroups.set(key, [...(epochGroups.get(key) ?? []), r.spec.id]);
  }
  const settings = [
    `epochs ${[...epochGroups].map(([k, ids]) => `${k} (${ids.join(', ')})`).join(', ')}`,
    a.limit !== undefined ? `at most ${a.limit} images per split` : 'full splits',
    a['test-limit'] !== undefined ? `parity on at most ${a['test-limit']} test images` : 'parity on the whole test split',
    `tfjs backend ${backend}`, `measured ${new Date().toISOString().slice(0, 10)}`,
  ];
  const note = a.note ? ` ${a.note.trim()}` : '';
  return `${tables.join('\n\n')}\n\nSettings: ${settings.join('; ')}. All scores are on the same test images (the ones parity compares). ` +
    `"Worst layer" is the largest difference, in steps of the layer's int8 scale, between the QAT eval graph's and the interpreter's value of any quantized tensor. ` +
    `Latency is one image, single thread.${note} Produced by \`npm run results\`.\n`;
}

const START = '<!-- results:start -->';
const END = '<!-- results:end -->';

function writeOutput(text: string, a: Args): string {
  if (a.readme) {
    const readme = readFileSync(a.readme, 'utf8');
    const i = readme.indexOf(START), j = readme.indexOf(END);
    if (i < 0 || j < i) throw new UserError(`${a.readme} has no ${START} … ${END} section to replace`);
    writeFileSync(a.readme, `${readme.slice(0, i + START.length)}\n${text}${readme.slice(j)}`);
    return a.readme;
  }
  writeFileSync(a.md, text);
  return a.md;
}

async function main(): Promise<void> {
  const a = (await yargs(hideBin(process.argv))
    .scriptName('npm run results --')
    .options({
      rows: { type: 'string', default: ROWS.map((r) => r.id).join(','), describe: `rows to measure: ${ROWS.map((r) => r.id).join(', ')}` },
      epochs: { type: 'number', default: 3, describe: 'float epochs (mnist-cnn rows)' },
      'mobilenet-epochs': { type: 'number', default: 3, describe: 'float epochs (mobilenet rows)' },
      'qat-epochs': { type: 'number', default: 1, describe: 'QAT fine-tuning epochs (mnist-cnn rows)' },
      'mobilenet-qat-epochs': { type: 'number', default: 1, describe: 'QAT fine-tuning epochs (mobilenet rows)' },
      'unet-epochs': { type: 'number', default: UNET_EPOCHS.float, describe: 'float epochs (unet-tiny on mnist-seg)' },
      'unet-qat-epochs': { type: 'number', default: UNET_EPOCHS.qat, describe: 'QAT fine-tuning epochs (unet-tiny)' },
      'style-epochs': { type: 'number', default: STYLE_EPOCHS.float, describe: 'float epochs (style-net on fashion-denoise)' },
      'style-qat-epochs': { type: 'number', default: STYLE_EPOCHS.qat, describe: 'QAT fine-tuning epochs (style-net)' },
      limit: { type: 'number', describe: 'at most N images per split (train and test)' },
      'test-limit': { type: 'number', describe: 'parity on at most N test images' },
      out: { type: 'string', default: 'runs/results', describe: 'where runs and models go (complete runs with the same settings are reused)' },
      md: { type: 'string', default: 'results.md', describe: 'markdown file to write' },
      readme: { type: 'string', describe: 'update this file between the results markers instead of writing --md' },
      note: { type: 'string', describe: 'a sentence to add under the table (e.g. how the machine was shared while training)' },
      backend: { choices: BACKEND_NAMES, default: 'auto' as BackendChoice },
    })
    .strict()
    .help()
    .parseAsync()) as unknown as Args;
  const ids = a.rows.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !ROWS.some((r) => r.id === id));
  if (unknown.length) throw new UserError(`unknown row '${unknown[0]}'; choose from ${ROWS.map((r) => r.id).join(', ')}`);
  const backend = await selectBackend(a.backend);
  const cache = new Map<string, Promise<Dataset>>();
  const data = (spec: string): Promise<Dataset> => {
    if (!cache.has(spec)) cache.set(spec, loadDataset(spec, a.limit !== undefined ? { limit: a.limit } : {}));
    return cache.get(spec)!;
  };
  const results: RowResult[] = [];
  for (const spec of ROWS.filter((r) => ids.includes(r.id))) {
    // A row that reuses another's float run trains it first if that row was not asked for.
    if (spec.floatFrom && !ids.includes(spec.floatFrom)) {
      const base = ROWS.find((r) => r.id === spec.floatFrom)!;
      const ds = await data(base.dataset);
      await trainRun({ dataset: ds, datasetSpec: base.dataset, model: base.model, outDir: join(a.out, base.id, 'float'), epochs: a.epochs, ...(a.limit !== undefined ? { limit: a.limit } : {}) }, a.limit);
    }
    results.push(await measureRow(spec, a, data));
  }
  const text = markdown(results, a, backend);
  const file = writeOutput(text, a);
  process.stdout.write(`\n${text}\nwritten to ${file}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`results: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
  process.exitCode = e instanceof UserError ? 2 : 1;
});
