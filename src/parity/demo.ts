// `qat demo`: the whole job on the embedded MNIST digits: float training,
// QAT fine-tuning from those weights, int8 export, one digit through the
// interpreter, parity of eval graph / interpreter / LiteRT, and reports.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { limitSplit, loadDataset } from '../../datasets/index.js';
import type { Dataset } from '../../datasets/types.js';
import { exportRun } from '../run/export.js';
import { activeBackend } from '../backend.js';
import { UserError } from '../errors.js';
import { encodeNpy } from '../io/npy.js';
import { Interpreter, num } from '../interpreter/index.js';
import { quantizeReal } from '../interpreter/feed.js';
import { train } from '../../train/loop.js';
import { silentProgress, type ProgressSink } from '../../train/progress.js';
import { formatParity, parityHtml, pct } from './format.js';
import { runParity, type ParityResult } from './parity.js';
import { grayPng } from '../io/png.js';
import { trainingReportHtml } from '../report/training.js';
import { reportPath } from '../run/layout.js';
import { readRunRecord } from '../run/record.js';

export interface DemoOptions {
  /** Output directory (default runs/demo). A previous demo there is replaced. */
  out: string;
  /** Float epochs (default 2). */
  epochs?: number;
  /** QAT fine-tuning epochs (default 1). */
  qatEpochs?: number;
  /** Training images per QAT epoch (default: all). */
  qatImages?: number;
  /** Keep at most N images of each split (for quick runs). */
  limit?: number;
  /** Test inputs for parity (default: the whole test split). */
  parityLimit?: number;
  batchSize?: number;
  seed?: number;
  /** Lines of the story (default console.log). */
  log?: (line: string) => void;
  /** Training progress (default silent). */
  progress?: ProgressSink;
  /** Parity progress. */
  onParityProgress?: (done: number, total: number) => void;
}

export interface DemoFile {
  path: string;
  what: string;
}

export interface DemoResult {
  out: string;
  backend: string;
  seconds: number;
  floatAccuracy: number;
  qatAccuracy: number;
  bytes: { int8: number; float: number };
  digit: { index: number; label: number; top: Array<{ class: number; probability: number }> };
  parity: ParityResult;
  files: DemoFile[];
}

/** Marks a directory as the demo's, so a rerun may replace it (and nothing else). */
const MARKER = 'demo.json';
const DEMO_ENTRIES = new Set([MARKER, 'float', 'qat', 'model.int8.tflite', 'model.float.tflite', 'parity.html', 'digit.png', 'digit.npy', 'digit.bin']);

function prepareOut(out: string): void {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UserError(`${out} exists and is not a directory; choose another --out`);
    const entries = readdirSync(out);
    if (entries.length && !entries.includes(MARKER)) {
      throw new UserError(`${out} is not empty and was not written by qat demo; choose another --out`);
    }
    // Only what an earlier demo wrote goes; anything else the user put there stays.
    for (const e of entries) if (DEMO_ENTRIES.has(e)) rmSync(join(out, e), { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, MARKER), `${JSON.stringify({ format: 'qat-demo', started: new Date().toISOString() })}\n`);
}

/** Fewer training images for the fine-tune (class-balanced, as --limit picks them); the test split stays whole. */
function limitTrain(ds: Dataset, n: number | undefined): Dataset {
  if (n === undefined || n >= ds.train.count) return ds;
  return { ...ds, train: limitSplit(ds.train, n) };
}

function clock(s: number): string {
  return s < 60 ? `${s.toFixed(1)}s` : `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

function size(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The digit as text, two pixels per character row, so the log shows what was classified. */
function asciiDigit(v: Float32Array, h: number, w: number): string[] {
  const shades = ' .:-=+*#%@';
  const rows: string[] = [];
  for (let y = 0; y + 1 < h; y += 2) {
    let s = '';
    for (let x = 0; x < w; x++) {
      const p = (v[y * w + x]! + v[(y + 1) * w + x]!) / 2;
      s += shades[Math.min(shades.length - 1, Math.floor(p * shades.length))];
    }
    if (s.trim()) rows.push(s.trimEnd());
  }
  return rows;
}

/** "+ 3" / "− 128": a term of a formula. */
function signed(x: number): string {
  return x < 0 ? `− ${num(-x)}` : `+ ${num(x)}`;
}

function softmax(x: Float32Array): Float32Array {
  const m = Math.max(...x);
  const e = x.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const log = o.log ?? ((s: string) => console.log(s));
  const started = performance.now();
  const since = (t: number): number => (performance.now() - t) / 1000;
  const out = o.out;
  const epochs = o.epochs ?? 2;
  const qatEpochs = o.qatEpochs ?? 1;
  prepareOut(out);
  const floatDir = join(out, 'float');
  const qatDir = join(out, 'qat');
  const int8File = join(out, 'model.int8.tflite');
  const floatFile = join(out, 'model.float.tflite');
  const parityFile = join(out, 'parity.html');

  const ds = await loadDataset('mnist', o.limit !== undefined ? { limit: o.limit } : {});
  const backend = activeBackend();
  log(`qat demo: mnist-cnn on the embedded MNIST digits (${ds.train.count} train / ${ds.test.count} test), tfjs backend ${backend}, output in ${out}/`);
  const common = {
    datasetSpec: 'mnist', progress: o.progress ?? silentProgress,
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
    ...(o.batchSize !== undefined ? { batchSize: o.batchSize } : {}),
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
  };

  log(`\n[1/5] float training: ${epochs} epoch${epochs === 1 ? '' : 's'}`);
  let t = performance.now();
  const f = await train({ ...common, model: 'mnist-cnn', dataset: ds, outDir: floatDir, epochs });
  f.store.dispose();
  const floatAccuracy = f.metrics.finalTestAccuracy ?? 0;
  log(`  float test accuracy ${pct(floatAccuracy)} (${clock(since(t))})`);

  const qds = limitTrain(ds, o.qatImages);
  log(`\n[2/5] quantization-aware fine-tuning from the float weights: ${qatEpochs} epoch${qatEpochs === 1 ? '' : 's'} over ${qds.train.count} images, int8 activations, int8 per-channel weights`);
  t = performance.now();
  const q = await train({ ...common, dataset: qds, from: floatDir, outDir: qatDir, epochs: qatEpochs, quantize: {} });
  q.store.dispose();
  const qatAccuracy = q.metrics.finalTestAccuracy ?? 0;
  for (const line of q.report) log(`  ${line}`);
  log(`  QAT eval-graph test accuracy ${pct(qatAccuracy)} (${clock(since(t))})`);

  log('\n[3/5] export');
  const int8 = exportRun(qatDir, { mode: 'int8' });
  writeFileSync(int8File, int8.bytes);
  const fl = exportRun(floatDir, { mode: 'float' });
  writeFileSync(floatFile, fl.bytes);
  const inQ = int8.summary.inputs[0]!.quantization;
  log(`  ${int8File}: ${size(int8.bytes.length)}, fully int8 (${int8.summary.ops.map((x) => `${x.count}× ${x.op}`).join(', ')})`);
  if (inQ) log(`  int8 input: q = round(x/${num(inQ.scale)}) ${signed(inQ.zeroPoint)}, i.e. x = (q ${signed(-inQ.mean)})/${num(inQ.std)}`);
  log(`  ${floatFile}: ${size(fl.bytes.length)} (the float model, ${(fl.bytes.length / int8.bytes.length).toFixed(2)}× the int8 size)`);

  // One test digit: the first of the test split, saved so `qat run` can repeat it.
  const test = ds.test;
  const per = test.height * test.width * test.channels;
  const index = 0;
  const image = test.images.slice(index * per, (index + 1) * per);
  const label = test.labels[index]!;
  const interp = Interpreter.fromBuffer(int8.bytes);
  const inDetails = interp.inputDetails()[0]!;
  const qInput = quantizeReal(image, inDetails);
  writeFileSync(join(out, 'digit.png'), grayPng(image, test.width, test.height));
  writeFileSync(join(out, 'digit.npy'), encodeNpy({ data: image, shape: [1, test.height, test.width, test.channels] }));
  writeFileSync(join(out, 'digit.bin'), qInput);
  interp.setInput(0, qInput);
  interp.invoke();
  const probs = softmax(interp.dequantize(interp.tensor(interp.outputDetails()[0]!.index)));
  const top = Array.from(probs, (p, c) => ({ class: c, probability: p })).sort((a, b) => b.probability - a.probability).slice(0, 3);
  log(`\n[4/5] int8 interpreter on test digit #${index} (label ${label}):`);
  for (const row of asciiDigit(image, test.height, test.width)) log(`    ${row}`);
  log(`  top classes: ${top.map((x) => `${x.class} (${(100 * x.probability).toFixed(1)}%)`).join(', ')} → ${top[0]!.class === label ? 'correct' : 'wrong'}`);

  log(`\n[5/5] parity: eval graph vs int8 interpreter vs LiteRT.js`);
  const parity = await runParity({
    run: qatDir, model: int8File,
    ...(o.parityLimit !== undefined ? { limit: o.parityLimit } : {}),
    ...(o.onParityProgress ? { onProgress: o.onParityProgress } : {}),
  });
  writeFileSync(parityFile, parityHtml(parity));
  for (const line of formatParity(parity, 6).split('\n').slice(1)) log(line);

  for (const dir of [floatDir, qatDir]) writeFileSync(reportPath(dir), trainingReportHtml(dir, readRunRecord(dir)));
  const files: DemoFile[] = [
    { path: floatDir, what: 'float run: checkpoint/, metrics.json, report.html (loss/accuracy charts)' },
    { path: qatDir, what: 'QAT run: checkpoint/, metrics.json, report.html' },
    { path: int8File, what: `int8 TFLite model (${size(int8.bytes.length)})` },
    { path: floatFile, what: `float32 TFLite model (${size(fl.bytes.length)})` },
    { path: parityFile, what: 'parity report: per-layer error chart and accuracy table' },
    { path: join(out, 'digit.png'), what: `test digit #${index} (label ${label}); also digit.npy (float) and digit.bin (int8 input bytes)` },
  ];
  const seconds = since(started);
  const result: DemoResult = {
    out, backend, seconds, floatAccuracy, qatAccuracy,
    bytes: { int8: int8.bytes.length, float: fl.bytes.length },
    digit: { index, label, top }, parity, files,
  };
  writeFileSync(join(out, MARKER), `${JSON.stringify({ format: 'qat-demo', ...result }, null, 1)}\n`);
  log('\nfiles:');
  for (const file of files) log(`  ${file.path}  ${file.what}`);
  log(`  ${join(out, MARKER)}  every figure above as JSON`);
  log(`\nnext: qat run ${int8File} --input ${join(out, 'digit.png')}   ·   qat inspect ${int8File}   ·   qat parity --run ${qatDir} --model ${int8File}`);
  log(`done in ${clock(seconds)}`);
  return result;
}
