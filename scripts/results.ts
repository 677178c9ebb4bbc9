// `npm run results`: measures the README's results table. For each row it
// trains a float model, fine-tunes it with QAT, exports float and int8
// .tflite files, and runs parity (eval graph vs int8 interpreter vs
// LiteRT.js) on the test split. The defaults are the README's table: about
// 2.5 hours on this machine's wasm backend (mobilenet-v2 ≈ 2 h of it, on
// one core; other rows can run alongside in a second process with --rows,
// sharing --out). The flags make a quick run possible:
//
//   npm run results -- --epochs 1 --qat-epochs 1 --limit 1000 --test-limit 300 --out /tmp/results --md /tmp/results.md
//
// Flags: --rows mnist,fashion,mobilenet,mobilenet-v3,w4 (default all) · --epochs N
// (float, mnist-cnn rows; default 3) · --mobilenet-epochs N (default 3) ·
// --qat-epochs N (default 1) · --mobilenet-qat-epochs N (default 1) · --limit N (train/test images per
// split) · --test-limit N (parity inputs) · --out DIR (default runs/results;
// complete runs there with the same settings are reused) · --md FILE (default
// results.md) · --readme FILE (instead: replace the section between
// <!-- results:start --> and <!-- results:end -->) · --note TEXT (a sentence
// under the table) · --backend B.
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
import { checkpointDir, exportRun, loadCheckpoint, loadRun, readMetrics, type RunMetrics } from '../src/run/index.js';
import { train } from '../train/loop.js';
import { consoleProgress } from '../train/progress.js';
import { evaluate } from '../train/evaluate.js';

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
  mobilenet?: boolean;
}

const ROWS: RowSpec[] = [
  { id: 'mnist', label: 'mnist-cnn, MNIST digits (embedded)', model: 'mnist-cnn', dataset: 'mnist', quantize: {} },
  { id: 'fashion', label: 'mnist-cnn, Fashion-MNIST', model: 'mnist-cnn', dataset: 'fashion-mnist', quantize: {} },
  { id: 'mobilenet', label: 'mobilenet-v2 α0.35 32×32, Fashion-MNIST', model: 'mobilenet-v2', dataset: 'fashion-mnist', alpha: 0.35, inputSize: 32, quantize: {}, mobilenet: true },
  { id: 'mobilenet-v3', label: 'mobilenet-v3-small 32×32, Fashion-MNIST', model: 'mobilenet-v3-small', dataset: 'fashion-mnist', inputSize: 32, quantize: {}, mobilenet: true },
  { id: 'w4', label: 'mnist-cnn, 4-bit weights, Fashion-MNIST', model: 'mnist-cnn', dataset: 'fashion-mnist', quantize: { weightBits: 4 }, floatFrom: 'fashion' },
];

interface Args {
  rows: string;
  epochs: number;
  'mobilenet-epochs': number;
  'qat-epochs': number;
  'mobilenet-qat-epochs': number;
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
  floatAccuracy: number;
  qatAccuracy: number;
  parity: ParityResult;
  bytes: { float: number; int8: number };
  imagesPerSec: { float: number; qat: number };
  seconds: number;
}

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

async function measureRow(spec: RowSpec, a: Args, data: (spec: string) => Promise<Dataset>): Promise<RowResult> {
  const t0 = performance.now();
  const ds = await data(spec.dataset);
  const dir = join(a.out, spec.id);
  const floatDir = join(a.out, spec.floatFrom ?? spec.id, 'float');
  const qatDir = join(dir, 'qat');
  const epochs = spec.mobilenet ? a['mobilenet-epochs'] : a.epochs;
  const qatEpochs = spec.mobilenet ? a['mobilenet-qat-epochs'] : a['qat-epochs'];
  const common = { dataset: ds, datasetSpec: spec.dataset, ...(a.limit !== undefined ? { limit: a.limit } : {}) };
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
  const row: RowResult = {
    spec, parity,
    floatAccuracy: await floatAccuracy(floatDir, spec.dataset, a['test-limit'] ?? a.limit),
    qatAccuracy: parity.accuracy.evalGraph,
    bytes: { float: floatModel.bytes.length, int8: int8Model.bytes.length },
    imagesPerSec: { float: meanRate(fm), qat: meanRate(qm) },
    seconds: (performance.now() - t0) / 1000,
  };
  log(`  on ${parity.count} test images: float ${pct(row.floatAccuracy)} · QAT eval graph ${pct(row.qatAccuracy)} · int8 interpreter ${pct(parity.accuracy.interpreter)} · ${row.seconds.toFixed(0)} s`);
  return row;
}

/** The float run's eval graph on the test inputs parity compares (the same split and limit). */
async function floatAccuracy(runDir: string, dataset: string, limit: number | undefined): Promise<number> {
  const run = loadRun(runDir);
  try {
    const ds = await loadDataset(dataset, limit !== undefined ? { limit } : {});
    return (await evaluate(run.graph, ds.test)).accuracy;
  } finally {
    run.dispose();
  }
}

const pct = (x: number | null): string => (x === null || !Number.isFinite(x) ? '—' : `${(100 * x).toFixed(2)}%`);
const kib = (b: number): string => `${(b / 1024).toFixed(0)} KiB`;
const num = (x: number | null, d = 1): string => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(d));

function markdown(rows: RowResult[], a: Args, backend: string): string {
  const head = ['model / data', 'float acc', 'QAT eval-graph acc', 'int8 interpreter acc', 'argmax agreement eval graph / interpreter', 'argmax agreement interpreter / LiteRT', 'float / int8 file', 'train img/s float / QAT', 'latency interpreter / LiteRT'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const p = r.parity;
    lines.push(`| ${[
      r.spec.label, pct(r.floatAccuracy), pct(r.qatAccuracy), pct(p.accuracy.interpreter),
      pct(p.agreement), p.litertAgreement === null ? `— (${p.litert.note ?? 'not run'})` : pct(p.litertAgreement),
      `${kib(r.bytes.float)} / ${kib(r.bytes.int8)} (${(r.bytes.float / r.bytes.int8).toFixed(1)}×)`,
      `${num(r.imagesPerSec.float)} / ${num(r.imagesPerSec.qat)}`,
      `${num(p.latencyMs.interpreter, 2)} ms / ${num(p.latencyMs.litert, 2)} ms`,
    ].join(' | ')} |`);
  }
  const settings = [
    `float epochs ${a.epochs} (mobilenet ${a['mobilenet-epochs']})`, `QAT epochs ${a['qat-epochs']} (mobilenet ${a['mobilenet-qat-epochs']})`,
    a.limit !== undefined ? `at most ${a.limit} images per split` : 'full splits',
    a['test-limit'] !== undefined ? `parity on at most ${a['test-limit']} test images` : 'parity on the whole test split',
    `tfjs backend ${backend}`, `measured ${new Date().toISOString().slice(0, 10)}`,
  ];
  const note = a.note ? ` ${a.note.trim()}` : '';
  return `${lines.join('\n')}\n\nSettings: ${settings.join('; ')}. All accuracies are on the same test images (the ones parity compares). Latency is one image, single thread.${note} Produced by \`npm run results\`.\n`;
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
      'mobilenet-epochs': { type: 'number', default: 3, describe: 'float epochs (mobilenet-v2)' },
      'qat-epochs': { type: 'number', default: 1, describe: 'QAT fine-tuning epochs (mnist-cnn rows)' },
      'mobilenet-qat-epochs': { type: 'number', default: 1, describe: 'QAT fine-tuning epochs (mobilenet-v2)' },
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
