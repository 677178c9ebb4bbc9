// Fitting a training step (and an evaluation batch) into the wasm heap.
// A step's peak memory is measured, not guessed: one- and two-image probe
// steps on the real graph, recorded allocation by allocation, give the
// live bytes of any batch size at every point of the step. A batch whose step would not fit is split into
// micro-batches whose gradients are accumulated exactly (train/step.ts).
import * as tf from '@tensorflow/tfjs';
import { bufferMeter, formatBytes, WASM_HEAP_LIMIT, type BufferMeter } from '../src/backend-memory.js';
import { UserError } from '../src/errors.js';
import type { EvalGraph, TrainGraph } from './graph/build.js';
import { disposeUpdates, shardGradients } from './parallel/gradients.js';
import type { Objective } from './task.js';

/**
 * Share of the heap a step may plan to use: the allocator fragments, and
 * the optimizer update and the between-step evaluation need room too.
 */
export const HEAP_BUDGET = 0.75;

/**
 * Live bytes over a computation on n images, as a function of n. The
 * computation allocates the same buffers in the same order whatever n is,
 * each of a fixed size plus a size per image, so live bytes after event t
 * are fixed[t] + n · perImage[t] and the peak is their maximum over t: two
 * recorded probes (n = 1, 2) give it exactly for every n. (The peak itself
 * is not linear in n: a small batch peaks where weight gradients pile up, a
 * large one where activations do.)
 */
export interface MemoryModel {
  /** Bytes live before the computation (weights, optimizer state). */
  resident: number;
  fixed: Float64Array;
  perImage: Float64Array;
}

/** Peak bytes of a pass on n images, resident bytes included. */
export function peakOf(m: MemoryModel, n: number): number {
  let peak = 0;
  for (let t = 0; t < m.fixed.length; t++) peak = Math.max(peak, m.fixed[t] + n * m.perImage[t]);
  return m.resident + peak;
}

/** A model from a single peak: fixed + n · perImage (for plans made by hand). */
export function linearModel(resident: number, fixed: number, perImage: number): MemoryModel {
  return { resident, fixed: Float64Array.of(fixed), perImage: Float64Array.of(perImage) };
}

export interface StepMemoryPlan {
  batchSize: number;
  /** Images per forward/backward pass (= batchSize when the batch fits). */
  microBatch: number;
  /** Estimated peak of one pass of microBatch images, resident bytes included. */
  peakBytes: number;
  /** Estimated peak of one pass of the whole batch, resident bytes included. */
  wholeBatchBytes: number;
}

function zeros(n: number, shape: readonly number[]): { x: Float32Array; y: Int32Array; shape: [number, number, number, number] } {
  const [h, w, c] = shape;
  return { x: new Float32Array(n * h * w * c), y: new Int32Array(n), shape: [n, h, w, c] };
}

/** Records the live-bytes traces of n = 1 and n = 2 and solves each event for its fixed and per-image part. */
function fit(meter: BufferMeter, pass: (n: number) => void): MemoryModel {
  const resident = meter.live();
  const traces = [1, 2].map((n) => {
    const stop = meter.record();
    let trace: number[];
    try {
      pass(n);
    } finally {
      trace = stop();
    }
    return trace.map((live) => live - resident);
  });
  const [one, two] = traces;
  if (one.length !== two.length) {
    // Allocation orders differ (a kernel chose another path): bound each n by the worst event of either probe.
    const peakOne = Math.max(0, ...one);
    const perImage = Math.max(Math.max(0, ...two) - peakOne, peakOne / 2);
    return linearModel(resident, Math.max(0, peakOne - perImage), perImage);
  }
  const fixed = new Float64Array(one.length);
  const perImage = new Float64Array(one.length);
  for (let t = 0; t < one.length; t++) {
    perImage[t] = Math.max(0, two[t] - one[t]);
    fixed[t] = one[t] - perImage[t];
  }
  return { resident, fixed, perImage };
}

/** Measures a training step's memory on the wasm backend; null elsewhere (no fixed heap to outgrow). */
export function measureStepMemory(
  graph: TrainGraph, vars: ReadonlyMap<string, tf.Variable>, inputShape: readonly number[], objective?: Objective,
): MemoryModel | null {
  const meter = bufferMeter();
  if (!meter) return null;
  return fit(meter, (n) => {
    const z = zeros(n, inputShape);
    const g = shardGradients(graph, vars, { x: z.x, y: z.y, n, shape: z.shape, ...objective?.blank(n) }, 0, 0, objective);
    tf.dispose([...g.grads.values()]);
    disposeUpdates(g.statUpdates, g.rangeUpdates);
  });
}

/** Measures an eval-graph forward pass's memory on the wasm backend; null elsewhere. */
export function measureEvalMemory(graph: EvalGraph, inputShape: readonly number[]): MemoryModel | null {
  const meter = bufferMeter();
  if (!meter) return null;
  return fit(meter, (n) => {
    const z = zeros(n, inputShape);
    tf.tidy(() => {
      graph.run(tf.tensor4d(z.x, z.shape));
    });
  });
}

/** Largest n ≤ want whose pass fits the budget (0 when not even one image does); peaks grow with n. */
export function fittingImages(m: MemoryModel, want: number, heapLimit = WASM_HEAP_LIMIT): number {
  const budget = HEAP_BUDGET * heapLimit;
  if (peakOf(m, 1) > budget) return 0;
  let lo = 1;
  let hi = want;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (peakOf(m, mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The micro-batch a step of `batchSize` images trains with: the whole batch
 * when it fits, else the largest part that does. `forced` (--micro-batch)
 * wins when it fits too. Not even one image fitting is one sentence.
 */
export function planStep(m: MemoryModel, batchSize: number, what: string, forced?: number, heapLimit = WASM_HEAP_LIMIT): StepMemoryPlan {
  const fits = fittingImages(m, batchSize, heapLimit);
  if (fits < 1) {
    throw new UserError(`${what} needs about ${formatBytes(peakOf(m, 1))} to train on one image, more than the wasm backend's `
      + `${formatBytes(heapLimit)} heap can hold (${Math.round(HEAP_BUDGET * 100)}% of it is planned for); use a smaller --input-size or --alpha`);
  }
  if (forced !== undefined && forced > fits) {
    throw new UserError(`--micro-batch ${forced} needs about ${formatBytes(peakOf(m, forced))} per pass, more than the wasm heap `
      + `allows; at most ${fits} image${fits === 1 ? '' : 's'} fit`);
  }
  // Equal parts: 64 over a limit of 40 runs as 32 + 32, not 40 + 24.
  const limit = Math.min(forced ?? fits, batchSize);
  const parts = Math.ceil(batchSize / limit);
  const microBatch = Math.ceil(batchSize / parts);
  return { batchSize, microBatch, peakBytes: peakOf(m, microBatch), wholeBatchBytes: peakOf(m, batchSize) };
}

/** The one line a user reads when the batch is split; `forced`: the user asked for the micro-batch. */
export function describePlan(p: StepMemoryPlan, forced: boolean): string {
  const parts = Math.ceil(p.batchSize / p.microBatch);
  const why = forced
    ? `--micro-batch ${p.microBatch}`
    : `a step of ${p.batchSize} images needs about ${formatBytes(p.wholeBatchBytes)}, more than fits the wasm heap`;
  return `memory: ${why}; each step runs as ${parts} micro-batches of ≤ ${p.microBatch} `
    + `(about ${formatBytes(p.peakBytes)} each) with gradients accumulated exactly`;
}
