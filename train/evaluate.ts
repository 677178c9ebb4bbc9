// Accuracy and mean loss of the eval graph over a split.
import * as tf from '@tensorflow/tfjs';
import { batches } from '../datasets/index.js';
import type { Split } from '../datasets/types.js';
import { UserError } from '../src/errors.js';
import type { EvalGraph } from './graph/build.js';
import { correctCount, crossEntropy } from './loss.js';
import { fittingImages, measureEvalMemory, peakOf } from './memory-plan.js';
import { formatBytes } from '../src/backend-memory.js';

export interface EvalResult {
  /** Fraction correct in [0, 1]. */
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  correct: number;
  count: number;
}

export interface EvaluateOptions {
  batchSize?: number;
  /** Called after each batch with the number of examples done. */
  onBatch?: (done: number, total: number) => void;
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
  const numClasses = graph.ir.shapes.get(graph.ir.graph.outputs[0])![0];
  let correct = 0;
  let lossSum = 0;
  let count = 0;
  for (const b of batches(split, fittingEvalBatch(graph, inputShape, opts.batchSize ?? 256), { shuffle: false, seed: 0, inputShape })) {
    for (const label of b.y) {
      if (label < 0 || label >= numClasses) throw new UserError(`the dataset has label ${label} but the model only has ${numClasses} classes`);
    }
    const [c, l] = tf.tidy(() => {
      const logits = graph.run(tf.tensor4d(b.x, b.shape));
      const y = tf.tensor1d(b.y, 'int32');
      return [correctCount(logits, y), crossEntropy(logits, y)];
    });
    correct += (await c.data())[0];
    lossSum += (await l.data())[0] * b.n;
    c.dispose();
    l.dispose();
    count += b.n;
    opts.onBatch?.(count, split.count);
  }
  return { accuracy: count ? correct / count : 0, loss: count ? lossSum / count : 0, correct, count };
}
