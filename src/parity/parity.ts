// Parity: one run's QAT eval graph, the exported .tflite in our int8
// interpreter and (when installed) in LiteRT.js, on the same test inputs.
// The eval graph is what training optimised; the interpreter is what ships;
// LiteRT is Google's runtime. Per quantized layer, the eval graph's
// fake-quant output is compared with the interpreter's tensor of the same
// name in integer codes (LSBs).

import { checkExportedFromRun } from './provenance.js';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { batches, loadDataset } from '../../datasets/index.js';
import type { Dataset } from '../../datasets/types.js';
import { UserError } from '../errors.js';
import { Interpreter, type TensorDetails } from '../interpreter/index.js';
import { tryLoadLiteRt, type LiteRtArray, type LiteRtCompiledModel } from '../litert/index.js';
import { graphInputShape } from '../../train/evaluate.js';
import { loadRun, type LoadedRun } from '../run/open.js';
import { worstFirst, type LayerParity } from './stats.js';
import { feedFor, probes } from './probes.js';
import { outputComparison } from './compare-outputs.js';
import type { DatasetTask } from '../../datasets/types.js';
import { runTask } from '../run/config.js';
import { checkTaskFits } from '../../train/task.js';
import { exampleTarget } from '../../train/evaluate.js';
import { taskMeter } from '../../train/task-metrics.js';

export interface ParityOptions {
  /** Run directory (a QAT or calibrated run) whose eval graph is the reference. */
  run: string;
  /** The exported model: a .tflite path or its bytes. */
  model: string | Uint8Array;
  /** Dataset spec; default the run's own (with its --limit). */
  dataset?: string;
  dataDir?: string;
  /** Compare at most this many test inputs. */
  limit?: number;
  /** Eval-graph batch size (default 32). */
  batchSize?: number;
  /** Run LiteRT.js too when it is installed (default true). */
  litert?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface LiteRtStatus {
  /** Whether LiteRT ran on every input. */
  ran: boolean;
  /** Why it did not (not installed, failed to start, rejected the model), else null. */
  note: string | null;
}

export interface ParityResult {
  run: string;
  model: string;
  dataset: string;
  /** Test inputs compared. */
  count: number;
  /** What the run's model does: classify, segment or image. */
  task: DatasetTask;
  /**
   * Eval graph vs interpreter, in [0, 1]: the fraction of inputs with the same top class (classify), of
   * pixels with the same top class (segment), or of output values with the same integer code (image).
   */
  agreement: number;
  accuracy: { evalGraph: number; interpreter: number; litert: number | null };
  /** segment: mean IoU of each runtime's outputs. */
  miou?: { evalGraph: number; interpreter: number; litert: number | null };
  /** image: PSNR in dB of each runtime's outputs. */
  psnr?: { evalGraph: number; interpreter: number; litert: number | null };
  /** Interpreter vs LiteRT, measured as `agreement` is (null when LiteRT did not run). */
  litertAgreement: number | null;
  /** Interpreter vs LiteRT: fraction of inputs whose outputs (every one of a multi-head model) are all bit-identical. */
  litertIdentical: number | null;
  /**
   * Interpreter vs LiteRT: the largest difference of one output element
   * (integer steps for an int8 output; real values for a float32 one, which
   * a layer left float produces and where summation order shows).
   */
  litertMaxDiff: number | null;
  /** The model's outputs, by name; agreement and accuracy read the first, the per-layer rows and litertIdentical cover all. */
  outputs: string[];
  litert: LiteRtStatus;
  /** Every quantized layer, worst first. */
  layers: LayerParity[];
  /** Quantized layers of the eval graph with no integer tensor of that name in the model. */
  unmatched: string[];
  /** Mean wall time of one single-image inference. */
  latencyMs: { interpreter: number; litert: number | null };
  input: { name: string; dtype: string; shape: number[]; scale: number | null; zeroPoint: number | null };
}

function readModelBytes(model: string | Uint8Array): Uint8Array {
  if (typeof model !== 'string') return model;
  try {
    return new Uint8Array(readFileSync(model));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`Cannot read the model ${model}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
  }
}

function checkModelFitsRun(run: LoadedRun, d: TensorDetails, modelName: string, runDir: string): void {
  const want = [1, ...graphInputShape(run.graph)];
  if (d.shape.length !== want.length || d.shape.some((s, i) => s !== want[i])) {
    throw new UserError(`${modelName} takes input [${d.shape.join(',')}] but the run in ${runDir} takes [${want.join(',')}]; export the model from this run.`);
  }
}

async function loadTestSplit(run: LoadedRun, o: ParityOptions): Promise<{ ds: Dataset; spec: string }> {
  const spec = o.dataset ?? run.config.dataset;
  const limit = o.limit ?? (o.dataset === undefined ? run.config.limit : undefined);
  const ds = await loadDataset(spec, {
    ...(limit !== undefined ? { limit } : {}), seed: run.config.seed,
    ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
  });
  if (ds.numClasses > run.config.numClasses) {
    throw new UserError(`dataset '${spec}' has ${ds.numClasses} classes but the model in ${o.run} predicts ${run.config.numClasses}`);
  }
  const a = run.graph.ir;
  checkTaskFits(runTask(run.config), run.config.model, a.shapes.get(a.graph.outputs[0]!)!, ds);
  if (ds.test.count === 0) throw new UserError(`the test split of '${spec}' is empty`);
  return { ds, spec };
}

async function compileLiteRt(bytes: Uint8Array, wanted: boolean): Promise<{ model: LiteRtCompiledModel | null; note: string | null }> {
  if (!wanted) return { model: null, note: 'LiteRT.js not requested' };
  const lrt = await tryLoadLiteRt();
  if (!lrt.runner) return { model: null, note: lrt.reason };
  try {
    return { model: await lrt.runner.compile(bytes), note: null };
  } catch (e) {
    return { model: null, note: (e as Error).message.split('\n')[0]! };
  }
}

export async function runParity(o: ParityOptions): Promise<ParityResult> {
  const bytes = readModelBytes(o.model);
  const modelName = typeof o.model === 'string' ? o.model : '<model bytes>';
  const batchSize = o.batchSize ?? 32;
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new UserError(`the batch size must be a positive integer, got ${batchSize}`);
  if (o.limit !== undefined && !(Number.isInteger(o.limit) && o.limit > 0)) throw new UserError(`--limit must be a positive integer, got ${o.limit}`);
  const interp = Interpreter.fromBuffer(bytes);
  const run = loadRun(o.run);
  let lrtModel: LiteRtCompiledModel | null = null;
  try {
    const inDetails = interp.inputDetails()[0];
    if (!inDetails || interp.inputDetails().length !== 1) throw new UserError(`${modelName} has ${interp.inputDetails().length} inputs; parity compares single-input classifiers.`);
    checkModelFitsRun(run, inDetails, modelName, o.run);
    checkExportedFromRun(bytes, modelName, o.run, run.config.quantization !== undefined);
    const { ds, spec } = await loadTestSplit(run, o);
    const feed = feedFor(inDetails);
    const { layers, unmatched, inputFq } = probes(run.graph, interp);
    const lrt = await compileLiteRt(bytes, o.litert ?? true);
    lrtModel = lrt.model;
    let litertNote = lrt.note;

    const a = run.graph.ir;
    const outputName = a.graph.outputs[0]!;
    const inputShape = graphInputShape(run.graph);
    const per = inputShape.reduce((x, y) => x * y, 1);
    const total = ds.test.count;
    const task = runTask(run.config);
    const outShape = a.shapes.get(outputName)!;
    const outPer = outShape.reduce((x, y) => x * y, 1);
    const classes = outShape[outShape.length - 1]!;
    const outDetails = interp.outputDetails()[0]!;
    const compare = outputComparison(task, classes, outDetails);
    const meters = { evalGraph: taskMeter(task, classes), interpreter: taskMeter(task, classes), litert: taskMeter(task, classes) };
    const pixels = ds.test.height * ds.test.width;
    let count = 0, agree = 0, lrtAgree = 0, lrtSame = 0;
    let lrtMaxDiff = 0;
    let interpMs = 0, lrtMs = 0;
    for (const b of batches(ds.test, batchSize, { shuffle: false, seed: 0, inputShape })) {
      // Only the tensors compared leave tfjs; everything runAll kept is freed right away.
      const wanted = [outputName, ...layers.map((l) => l.stats.node), ...(inputFq ? [inputFq] : [])];
      const host = new Map<string, Float32Array>();
      const x = tf.tensor4d(b.x, b.shape);
      const all = run.graph.runAll(x);
      x.dispose();
      try {
        for (const name of wanted) host.set(name, all.get(name)!.dataSync() as Float32Array);
      } finally {
        for (const t of all.values()) t.dispose();
      }
      const evalOut = host.get(outputName)!;
      const inputQ = inputFq ? host.get(inputFq)! : null;
      for (let k = 0; k < b.n; k++) {
        const target = exampleTarget(task, b, k, pixels, outPer);
        const evalReal = evalOut.subarray(k * outPer, (k + 1) * outPer);
        const input = feed(b.x.subarray(k * per, (k + 1) * per), inputQ ? inputQ.subarray(k * per, (k + 1) * per) : null);
        interp.setInput(0, input);
        const t0 = performance.now();
        interp.invoke();
        interpMs += performance.now() - t0;
        const out = interp.output(0) as ArrayLike<number>;
        agree += compare.agreeing(compare.codes(evalReal), out);
        meters.evalGraph.add(evalReal, target);
        meters.interpreter.add(compare.real(out), target);
        for (const l of layers) l.stats.add(host.get(l.stats.node)!.subarray(k * l.per, (k + 1) * l.per), l.view.data as ArrayLike<number>);
        if (lrtModel) {
          try {
            const t1 = performance.now();
            const ys = await lrtModel.run([input as LiteRtArray]);
            const y = ys[0]!;
            lrtMs += performance.now() - t1;
            lrtAgree += compare.agreeing(y as ArrayLike<number>, out);
            meters.litert.add(compare.real(y as ArrayLike<number>), target);
            // Every output, not only the one scored: a model may have several heads.
            ys.forEach((v, i) => {
              lrtMaxDiff = Math.max(lrtMaxDiff, maxDifference(v as ArrayLike<number>, interp.output(i) as ArrayLike<number>));
            });
            if (ys.every((v, i) => sameValues(v as ArrayLike<number>, interp.output(i) as ArrayLike<number>))) lrtSame++;
          } catch (e) {
            litertNote = `LiteRT failed on test input ${count}: ${(e as Error).message.split('\n')[0]}`;
            lrtModel.delete();
            lrtModel = null;
          }
        }
        count++;
      }
      o.onProgress?.(count, total);
    }
    const lrtRan = lrtModel !== null;
    const scores = { evalGraph: meters.evalGraph.result(), interpreter: meters.interpreter.result(), litert: lrtRan ? meters.litert.result() : null };
    const metric = (key: 'miou' | 'psnr'): { evalGraph: number; interpreter: number; litert: number | null } => ({
      evalGraph: scores.evalGraph[key]!, interpreter: scores.interpreter[key]!, litert: scores.litert ? scores.litert[key]! : null,
    });
    const units = count * compare.units(outPer);
    return {
      run: o.run, model: modelName, dataset: spec, count, task,
      agreement: agree / units,
      accuracy: { evalGraph: scores.evalGraph.accuracy, interpreter: scores.interpreter.accuracy, litert: scores.litert ? scores.litert.accuracy : null },
      ...(task === 'segment' ? { miou: metric('miou') } : task === 'image' ? { psnr: metric('psnr') } : {}),
      litertAgreement: lrtRan ? lrtAgree / units : null,
      litertIdentical: lrtRan ? lrtSame / count : null,
      litertMaxDiff: lrtRan ? lrtMaxDiff : null,
      outputs: interp.outputDetails().map((d) => d.name),
      litert: { ran: lrtRan, note: litertNote },
      layers: layers.map((l) => l.stats.result()).sort(worstFirst),
      unmatched,
      latencyMs: { interpreter: interpMs / count, litert: lrtRan ? lrtMs / count : null },
      input: { name: inDetails.name, dtype: inDetails.dtype, shape: inDetails.shape, scale: inDetails.scale, zeroPoint: inDetails.zeroPoint },
    };
  } finally {
    lrtModel?.delete();
    run.dispose();
  }
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
