// The row kernels (row_kernels.ts) registered as tfjs kernels of the wasm
// backend: training batch norm's forward and backward passes and relu6's
// and the fake quants' gradients, each one pass over the activation; and the optimizers' updates,
// one pass over a variable and its slots.
import * as tf from '@tensorflow/tfjs';
import { ROW_KERNELS, normalizeRangeFunctionName, rowFunctionName, type NormalizeRangeFunction, type RowFunction } from './row_kernels.js';
import { addressOf, heapF32, registerHeapKernel, withScratch, type HeapKernels } from './tfjs_heap.js';

const BN_FORWARD = 'QatBatchNormForward';
const BN_BACKWARD = 'QatBatchNormBackward';
const RANGE_GRAD = 'QatRangeGrad';
const FAKE_QUANT = 'QatFakeQuant';
const ADAM_UPDATE = 'QatAdamUpdate';
const SGD_UPDATE = 'QatSgdUpdate';
const CHANNEL_SCALE = 'QatChannelScale';
const BN_NORMALIZE_RANGE = 'QatBatchNormRange';
const BN_FAKE_QUANT = 'QatBatchNormFakeQuant';
const BN_RANGE_GRAD = 'QatBatchNormRangeGrad';
const CHANNEL_QUANTIZE = 'QatChannelQuantize';

/** Runs one row kernel over [rows, channels]: whole vectors of 4 channels, then the channels left over. */
function runRows(k: HeapKernels, name: string, rows: number, channels: number, arrays: number[], scalars: number[] = []): void {
  const rowBytes = 4 * channels;
  const vectorEnd = 16 * Math.floor(channels / 4);
  if (vectorEnd > 0) (k.exports[rowFunctionName(name, true)] as RowFunction)(rows, rowBytes, 0, vectorEnd, ...arrays, ...scalars);
  if (vectorEnd < rowBytes) (k.exports[rowFunctionName(name, false)] as RowFunction)(rows, rowBytes, vectorEnd, rowBytes, ...arrays, ...scalars);
}

const size = (t: tf.TensorInfo): number => t.shape.reduce((a, b) => a * b, 1);
const channelsOf = (t: tf.TensorInfo): number => t.shape[t.shape.length - 1] ?? 1;

function output(k: HeapKernels, like: tf.TensorInfo): { info: tf.TensorInfo; at: number } {
  const info = k.backend.makeOutput(like.shape, 'float32');
  return { info, at: addressOf(k, info) };
}

registerHeapKernel(BN_FORWARD, (k, { x, mean, inv, gamma, beta }, attrs) => {
  const normed = output(k, x!);
  const y = output(k, x!);
  const c = channelsOf(x!);
  runRows(k, ROW_KERNELS.bnForward.name, size(x!) / c, c,
    [x!, mean!, inv!, gamma!, beta!].map((t) => addressOf(k, t)).concat([normed.at, y.at]), [attrs.lo as number, attrs.hi as number]);
  return [normed.info, y.info];
});

registerHeapKernel(BN_BACKWARD, (k, { dy, xhat, sumDy, sumDyXhat, scale }, attrs) => {
  const dx = output(k, dy!);
  const c = channelsOf(dy!);
  runRows(k, ROW_KERNELS.bnBackward.name, size(dy!) / c, c,
    [dy!, xhat!, sumDy!, sumDyXhat!, scale!].map((t) => addressOf(k, t)).concat([dx.at]), [attrs.count as number]);
  return dx.info;
});

registerHeapKernel(RANGE_GRAD, (k, { dy, x }, attrs) => {
  const dx = output(k, dy!);
  runRows(k, ROW_KERNELS.rangeGrad.name, 1, size(dy!), [addressOf(k, dy!), addressOf(k, x!), dx.at], [attrs.lo as number, attrs.hi as number]);
  return dx.info;
});

registerHeapKernel(FAKE_QUANT, (k, { x }, attrs) => {
  const y = output(k, x!);
  runRows(k, ROW_KERNELS.fakeQuant.name, 1, size(x!), [addressOf(k, x!), y.at], [attrs.lo as number, attrs.hi as number, attrs.scale as number]);
  return y.info;
});

registerHeapKernel(ADAM_UPDATE, (k, { w, g, m, v }, attrs) => {
  const outs = [output(k, w!), output(k, w!), output(k, w!)];
  const a = attrs as unknown as AdamScalars;
  runRows(k, ROW_KERNELS.adamUpdate.name, 1, size(w!), [w!, g!, m!, v!].map((t) => addressOf(k, t)).concat(outs.map((o) => o.at)),
    [a.beta1, 1 - a.beta1, a.beta2, 1 - a.beta2, a.epsilon, a.lr]);
  return outs.map((o) => o.info);
});

registerHeapKernel(SGD_UPDATE, (k, { w, g, velocity }, attrs) => {
  const outs = [output(k, w!), output(k, w!)];
  const name = attrs.nesterov ? ROW_KERNELS.sgdNesterovUpdate.name : ROW_KERNELS.sgdUpdate.name;
  runRows(k, name, 1, size(w!), [w!, g!, velocity!].map((t) => addressOf(k, t)).concat(outs.map((o) => o.at)), [attrs.momentum as number, attrs.lr as number]);
  return outs.map((o) => o.info);
});

// Per-channel kernels over x as [size / c, c], c = the length of `scale` (a depthwise kernel's
// output channels span its last two axes).
for (const [name, spec] of [[CHANNEL_SCALE, ROW_KERNELS.channelScale], [CHANNEL_QUANTIZE, ROW_KERNELS.channelQuantize]] as const) {
  registerHeapKernel(name, (k, { x, scale }) => {
    const y = output(k, x!);
    const c = size(scale!);
    runRows(k, spec.name, size(x!) / c, c, [addressOf(k, x!), addressOf(k, scale!), y.at]);
    return y.info;
  });
}

registerHeapKernel(BN_NORMALIZE_RANGE, (k, { x, mean, inv, gamma, beta }) => {
  const normed = output(k, x!);
  const c = channelsOf(x!);
  const rows = size(x!) / c;
  const arrays = [x!, mean!, inv!, gamma!, beta!].map((t) => addressOf(k, t)).concat([normed.at]);
  const vectorEnd = 16 * Math.floor(c / 4);
  let lo = Infinity;
  let hi = -Infinity;
  // Each width's lanes start at ±∞ and are folded here, as min_max_4's lanes are.
  for (const [vector, from, to] of [[true, 0, vectorEnd], [false, vectorEnd, 4 * c]] as const) {
    if (from >= to) continue;
    const lanes = vector ? 4 : 1;
    withScratch(k, 8 * lanes, (range) => {
      const r = heapF32(k, range, 2 * lanes);
      r.fill(Infinity, 0, lanes).fill(-Infinity, lanes);
      (k.exports[normalizeRangeFunctionName(vector)] as NormalizeRangeFunction)(rows, 4 * c, from, to, ...arrays, range);
      const after = heapF32(k, range, 2 * lanes);
      for (let i = 0; i < lanes; i++) {
        lo = Math.min(lo, after[i]!);
        hi = Math.max(hi, after[lanes + i]!);
      }
    });
  }
  const min = k.backend.makeOutput([], 'float32');
  const max = k.backend.makeOutput([], 'float32');
  heapF32(k, addressOf(k, min), 1)[0] = lo;
  heapF32(k, addressOf(k, max), 1)[0] = hi;
  return [normed.info, min, max];
});

registerHeapKernel(BN_FAKE_QUANT, (k, { normed, gamma, beta }, attrs) => {
  const q = output(k, normed!);
  const c = channelsOf(normed!);
  runRows(k, ROW_KERNELS.bnFakeQuant.name, size(normed!) / c, c, [normed!, gamma!, beta!].map((t) => addressOf(k, t)).concat([q.at]),
    [attrs.lo as number, attrs.hi as number, attrs.scale as number]);
  return q.info;
});

registerHeapKernel(BN_RANGE_GRAD, (k, { dq, normed, gamma, beta }, attrs) => {
  const d = output(k, dq!);
  const c = channelsOf(dq!);
  runRows(k, ROW_KERNELS.bnRangeGrad.name, size(dq!) / c, c, [dq!, normed!, gamma!, beta!].map((t) => addressOf(k, t)).concat([d.at]),
    [attrs.lo as number, attrs.hi as number]);
  return d.info;
});

/** normed = (x − mean) · inv per channel, and the smallest and largest normed · γ + β (not written). */
export function simdBatchNormRange(x: tf.Tensor, mean: tf.Tensor1D, inv: tf.Tensor1D, gamma: tf.Tensor, beta: tf.Tensor): { normed: tf.Tensor; min: tf.Scalar; max: tf.Scalar } {
  const [normed, min, max] = tf.engine().runKernel(BN_NORMALIZE_RANGE, { x, mean, inv, gamma, beta }, {}) as unknown as [tf.Tensor, tf.Scalar, tf.Scalar];
  return { normed: normed!, min: min!, max: max! };
}

/** round(clip(normed · γ + β, lo, hi) / scale) · scale, per channel. */
export function simdBatchNormFakeQuant(normed: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, lo: number, hi: number, scale: number): tf.Tensor {
  return tf.engine().runKernel(BN_FAKE_QUANT, { normed, gamma, beta }, { lo, hi, scale }) as tf.Tensor;
}

/** dq where lo ≤ normed · γ + β ≤ hi, else 0, per channel. */
export function simdBatchNormRangeGrad(dq: tf.Tensor, normed: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, lo: number, hi: number): tf.Tensor {
  return tf.engine().runKernel(BN_RANGE_GRAD, { dq, normed, gamma, beta }, { lo, hi }) as tf.Tensor;
}

/** x · scale[c], c the flat index modulo scale's length. */
export function simdChannelScale(x: tf.Tensor, scale: tf.Tensor1D): tf.Tensor {
  return tf.engine().runKernel(CHANNEL_SCALE, { x, scale }, {}) as tf.Tensor;
}

/** round-half-even(x / s[c]) · s[c], zero unsigned, c the flat index modulo s's length. */
export function simdChannelQuantize(x: tf.Tensor, scale: tf.Tensor1D): tf.Tensor {
  return tf.engine().runKernel(CHANNEL_QUANTIZE, { x, scale }, {}) as tf.Tensor;
}

/** normed = (x − mean) · inv and y = clip(normed · γ + β, lo, hi), per channel of x [..., c]. */
export function simdBatchNormForward(
  x: tf.Tensor, mean: tf.Tensor1D, inv: tf.Tensor1D, gamma: tf.Tensor, beta: tf.Tensor, lo = -Infinity, hi = Infinity,
): { normed: tf.Tensor; y: tf.Tensor } {
  const [normed, y] = tf.engine().runKernel(BN_FORWARD, { x, mean, inv, gamma, beta }, { lo, hi }) as unknown as [tf.Tensor, tf.Tensor];
  return { normed: normed!, y: y! };
}

/** dx = ((dy · count − sumDy) − x̂ · sumDyXhat) · scale, per channel. */
export function simdBatchNormBackward(dy: tf.Tensor, xhat: tf.Tensor, sumDy: tf.Tensor1D, sumDyXhat: tf.Tensor1D, scale: tf.Tensor1D, count: number): tf.Tensor {
  return tf.engine().runKernel(BN_BACKWARD, { dy, xhat, sumDy, sumDyXhat, scale }, { count }) as tf.Tensor;
}

/** round(clip(x, lo, hi) / scale) · scale. */
export function simdFakeQuant(x: tf.Tensor, lo: number, hi: number, scale: number): tf.Tensor {
  return tf.engine().runKernel(FAKE_QUANT, { x }, { lo, hi, scale }) as tf.Tensor;
}

/** dy where lo ≤ x ≤ hi, else 0. */
export function simdRangeGrad(dy: tf.Tensor, x: tf.Tensor, lo: number, hi: number): tf.Tensor {
  return tf.engine().runKernel(RANGE_GRAD, { dy, x }, { lo, hi }) as tf.Tensor;
}

export interface AdamScalars { beta1: number; beta2: number; epsilon: number; lr: number }

/** Adam's update of one variable in one pass: [w', m', v'] with the same float32 operations as the tfjs-op form in train/optimizers.ts. */
export function simdAdamUpdate(w: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: AdamScalars): [tf.Tensor, tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(ADAM_UPDATE, { w, g, m, v }, { ...s }) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** SGD with momentum in one pass: [w', velocity']. */
export function simdSgdUpdate(w: tf.Tensor, g: tf.Tensor, velocity: tf.Tensor, momentum: number, nesterov: boolean, lr: number): [tf.Tensor, tf.Tensor] {
  return tf.engine().runKernel(SGD_UPDATE, { w, g, velocity }, { momentum, nesterov, lr }) as unknown as [tf.Tensor, tf.Tensor];
}
