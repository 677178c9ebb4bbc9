// Post-training quantization, the baseline QAT is compared against: rewrite
// a float run for QAT, observe activation ranges over N training batches in
// inference mode (BN moving statistics, no fake quant, no gradient steps),
// and save a run that evaluates and exports exactly like a QAT run.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { batches } from '../datasets/index.js';
import type { Dataset } from '../datasets/types.js';
import { activeBackend } from '../src/backend.js';
import { UserError } from '../src/errors.js';
import { analyze } from '../src/ir/analyze.js';
import type { Graph } from '../src/ir/types.js';
import { resolveQatConfig, type QatConfig } from '../quantize/config.js';
import { runTask } from '../src/run/config.js';
import { checkTaskFits } from './task.js';
import { rewriteForQat } from '../quantize/rewrite.js';
import { checkpointDir, loadCheckpoint, recoverRunDir, restoreStore, saveCheckpoint, writeMetrics, type RunConfig, type RunMetrics } from '../src/run/index.js';
import { evaluate, type EvalResult } from './evaluate.js';
import { buildCalibrationGraph, buildEvalGraph } from './graph/build.js';
import { mixSeed } from './random.js';
import type { VariableStore } from './state.js';

export interface CalibrateOptions {
  /** The float run to quantize. */
  from: string;
  dataset: Dataset;
  datasetSpec?: string;
  /** Run directory to write. */
  outDir: string;
  /** Training batches to observe. Default 20. */
  batches?: number;
  /** Default: the float run's batch size. */
  batchSize?: number;
  quantize?: Partial<QatConfig>;
  /** Evaluate the calibrated eval graph on the test split (default true). */
  evaluate?: boolean;
}

export interface CalibrateResult {
  runDir: string;
  ir: Graph;
  config: RunConfig;
  report: string[];
  /** Test-split result of the calibrated eval graph, unless disabled. */
  test: EvalResult | null;
  /** The caller disposes it. */
  store: VariableStore;
}

export const CALIBRATE_DEFAULT_BATCHES = 20;

export async function calibrate(o: CalibrateOptions): Promise<CalibrateResult> {
  const runDir = resolve(o.outDir);
  recoverRunDir(runDir);
  if (existsSync(checkpointDir(runDir))) throw new UserError(`${o.outDir} already holds a run; choose another --out`);
  const prev = loadCheckpoint(o.from);
  if (prev.config.quantization) throw new UserError(`${o.from} is already a quantized run; calibrate a float run`);
  const count = o.batches ?? CALIBRATE_DEFAULT_BATCHES;
  if (!Number.isInteger(count) || count < 1) throw new UserError(`--batches must be a positive integer, got ${count}`);
  const batchSize = o.batchSize ?? prev.config.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError(`--batch must be a positive integer, got ${batchSize}`);
  if (o.dataset.numClasses !== prev.config.numClasses) {
    throw new UserError(`the dataset has ${o.dataset.numClasses} classes but the model in ${o.from} has ${prev.config.numClasses}`);
  }
  const task = runTask(prev.config);
  checkTaskFits(task, prev.config.model, analyze(prev.ir).shapes.get(prev.ir.outputs[0]!)!, o.dataset);
  const qc = resolveQatConfig(o.quantize);
  const { graph: ir, report } = rewriteForQat(prev.ir, qc);
  const store = restoreStore(prev, { ir, allowMissing: ['range'] });
  try {
    const a = analyze(ir);
    const graph = buildCalibrationGraph(a, store);
    const started = Date.now();
    let k = 0;
    for (const b of batches(o.dataset.train, batchSize, { shuffle: true, seed: mixSeed(prev.config.seed, 7919), inputShape: prev.config.inputShape })) {
      if (k >= count) break;
      const x = tf.tensor4d(b.x, b.shape);
      // decay k/(k+1): the stored range is the mean of the batch ranges seen so far.
      graph.observe(x, k / (k + 1));
      x.dispose();
      k++;
    }
    const test = o.evaluate === false ? null : await evaluate(buildEvalGraph(a, store), o.dataset.test, { task, ...(prev.config.imageLoss ? { imageLoss: prev.config.imageLoss } : {}) });
    const config: RunConfig = {
      ...prev.config,
      dataset: o.datasetSpec ?? prev.config.dataset,
      backend: activeBackend(),
      complete: true,
      quantization: { config: qc, startStep: store.step, from: resolve(o.from), calibration: { batches: k, batchSize }, report },
    };
    const metrics: RunMetrics = {
      format: 'qat-metrics', model: config.model, dataset: config.dataset, backend: config.backend, seed: config.seed,
      batchSize, optimizer: config.optimizer.name, lr: config.lr, schedule: config.schedule, epochs: [],
      wallSeconds: (Date.now() - started) / 1000, finalTestAccuracy: test && test.count ? test.accuracy : null, complete: true,
    };
    saveCheckpoint(runDir, ir, config, store, metrics);
    writeMetrics(runDir, metrics);
    return { runDir, ir, config, report, test, store };
  } catch (e) {
    store.dispose();
    throw e;
  }
}
