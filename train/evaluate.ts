// Accuracy and mean loss of the eval graph over a split, plus mean IoU
// (segment) or PSNR (image).
import * as tf from '@tensorflow/tfjs';
import { batches } from '../datasets/batches.js';
import type { Split } from '../datasets/types.js';
import { UserError } from '../src/errors.js';
import type { EvalGraph } from './graph/build.js';
import { objectiveFor, type TaskName } from './task.js';
import { taskMeter, type ExampleTarget } from './task-metrics.js';
import { fittingImages, measureEvalMemory, peakOf } from './memory-plan.js';
import { formatBytes } from '../src/backend-memory.js';

export interface EvalResult {
  /** Fraction correct in [0, 1] (segment: of pixels; image: of values within tolerance). */
  accuracy: number;
  /** Mean loss of the task (cross-entropy; L1 or L2 for images). */
  loss: number;
  /** Images right (classify), or the sum of per-image accuracies (dense tasks). */
  correct: number;
  count: number;
  /** segment: mean IoU over the classes present. */
  miou?: number;
  /** image: PSNR in dB (values in [0, 1]). */
  psnr?: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  /** Called after each batch with the number of examples done. */
  onBatch?: (done: number, total: number) => void;
  /** Default: what the split holds targets for (masks: segment, target images: image, else classify). */
  task?: TaskName;
  /** image: the loss reported (default L1). */
  imageLoss?: 'l1' | 'l2';
}

/** The task a split's targets serve. */
export function splitTask(split: Split): TaskName {
  return split.masks ? 'segment' : split.targets ? 'image' : 'classify';
}

/** One example's target, as the task meters take it. */
export function exampleTarget(task: TaskName, b: { y: Int32Array; masks?: Int32Array; targets?: Float32Array }, k: number, pixels: number, size: number): ExampleTarget {
  if (task === 'segment') return { mask: b.masks!.subarray(k * pixels, (k + 1) * pixels) };
  if (task === 'image') return { image: b.targets!.subarray(k * size, (k + 1) * size) };
  return { label: b.y[k]! };
}

/** The model's [h, w, c] input, for adapting dataset images to it. */
export function graphInputShape(graph: EvalGraph): [number, number, number] {
  const s = graph.ir.shapes.get(graph.ir.inputs[0])!;
  if (s.length !== 3) throw new UserError(`model '${graph.ir.graph.name}' takes ${s.length}-d inputs; datasets provide [h, w, c] images`);
  return [s[0], s[1], s[2]];
}

/** The requested batch, or the largest that fits the wasm heap (results do not depend on it). */
function fittingEvalBatch(graph: EvalGraph, inputShape: [number, number, number], want: number): number {
  const memory = measureEvalMemory(graph, inputShape);
  if (!memory) return want;
  const n = fittingImages(memory, want);
  if (n < 1) {
    throw new UserError(`model '${graph.ir.graph.name}' needs about ${formatBytes(peakOf(memory, 1))} `
      + `to evaluate one ${inputShape.join('×')} image, more than the wasm heap holds`);
  }
  return n;
}

export async function evaluate(graph: EvalGraph, split: Split, opts: EvaluateOptions = {}): Promise<EvalResult> {
  const inputShape = graphInputShape(graph);
  const task = opts.task ?? splitTask(split);
  const outputShape = graph.ir.shapes.get(graph.ir.graph.outputs[0])!;
  const numClasses = outputShape[outputShape.length - 1]!;
  const objective = objectiveFor(task, outputShape, opts.imageLoss);
  const meter = taskMeter(task, numClasses);
  const per = outputShape.reduce((a, d) => a * d, 1);
  const pixels = split.height * split.width;
  let lossSum = 0;
  let count = 0;
  for (const b of batches(split, fittingEvalBatch(graph, inputShape, opts.batchSize ?? 256), { shuffle: false, seed: 0, inputShape })) {
    for (const label of task === 'segment' ? b.masks! : task === 'classify' ? b.y : []) {
      if (label < 0 || label >= numClasses) throw new UserError(`the dataset has label ${label} but the model only has ${numClasses} classes`);
    }
    const [out, l] = tf.tidy(() => {
      const output = graph.run(tf.tensor4d(b.x, b.shape));
      const y = objective.target(b);
      return [output, objective.loss(output, y)];
    });
    const values = (await out.data()) as Float32Array;
    lossSum += (await l.data())[0] * b.n;
    tf.dispose([out, l]);
    for (let k = 0; k < b.n; k++) meter.add(values.subarray(k * per, (k + 1) * per), exampleTarget(task, b, k, pixels, per));
    count += b.n;
    opts.onBatch?.(count, split.count);
  }
  const scores = meter.result();
  return {
    accuracy: scores.accuracy, loss: count ? lossSum / count : 0, correct: meter.scoreSum, count,
    ...(scores.miou !== undefined ? { miou: scores.miou } : {}), ...(scores.psnr !== undefined ? { psnr: scores.psnr } : {}),
  };
}
