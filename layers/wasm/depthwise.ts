// Depthwise-conv gradients on the project's SIMD tap kernels
// (tap_kernels.ts), registered as tfjs kernels of the wasm backend so they
// run on tensors where tfjs keeps them and show up in tf.profile.
//
// The kernels handle depth multiplier 1. For a multiplier m the input's
// channels are repeated m times (channel c·m + j is input channel c), which
// makes the conv a multiplier-1 conv over c·m channels; its input gradient
// is then summed over the m copies.
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from '../conv_geometry.js';
import { splitByWidths } from './codegen.js';
import { fromAttr, tapSpan, toAttr } from './tap_geometry.js';
import { BLOCK_WIDTHS, TAP_FIELDS, tapFunctionName, type TapFunction, type TapKind } from './tap_kernels.js';
import { addressOf, heapI32, registerHeapKernel, withScratch, zeroedOutput, type HeapKernels } from './tfjs_heap.js';

const FILTER_GRAD = 'QatDepthwiseFilterGrad';
const INPUT_GRAD = 'QatDepthwiseInputGrad';

/**
 * Runs `kind` over every tap of a multiplier-1 depthwise conv with c
 * channels. `inGrid`/`outGrid`: addresses of the input-sized (x or dx) and
 * output-sized (dy) tensors, which are the kernel's d and s.
 */
function runTaps(k: HeapKernels, kind: TapKind, g: ConvGeometry, batches: number, c: number, inGrid: number, outGrid: number, w: number): void {
  const { height: h, width: wd } = g;
  const px = 4 * c;
  const entries: number[] = [];
  for (let ky = 0; ky < h.kernel; ky++) {
    const rows = tapSpan(h, ky);
    for (let kx = 0; kx < wd.kernel; kx++) {
      const cols = tapSpan(wd, kx);
      if (rows.count === 0 || cols.count === 0) continue;
      entries.push(
        (rows.input * wd.size + cols.input) * px,
        (rows.first * wd.out + cols.first) * px,
        rows.count, cols.count, (ky * wd.kernel + kx) * px,
      );
    }
  }
  const taps = entries.length / TAP_FIELDS;
  if (taps === 0) return;
  withScratch(k, entries.length * 4, (table) => {
    heapI32(k, table, entries.length).set(entries);
    const inStrides = [h.size * wd.size * px, h.stride * wd.size * px, wd.stride * px];
    const outStrides = [h.out * wd.out * px, wd.out * px, px];
    for (const [width, c0, c1] of splitByWidths(c, BLOCK_WIDTHS)) {
      const fn = k.exports[tapFunctionName(kind, width)] as TapFunction;
      fn(inGrid, inStrides[0]!, inStrides[1]!, inStrides[2]!, outGrid, outStrides[0]!, outStrides[1]!, outStrides[2]!,
        batches, table, taps, w, c0 * 4, c1 * 4);
    }
  });
}

registerHeapKernel(FILTER_GRAD, (k, { x, dy }, attrs) => {
  const g = fromAttr(attrs.geometry as number[]);
  const [b, , , c] = x!.shape as [number, number, number, number];
  const out = zeroedOutput(k, [g.height.kernel, g.width.kernel, c]);
  runTaps(k, 'dot', g, b, c, addressOf(k, x!), addressOf(k, dy!), out.at);
  return out.info;
});

registerHeapKernel(INPUT_GRAD, (k, { dy, filter }, attrs) => {
  const g = fromAttr(attrs.geometry as number[]);
  const [b, , , c] = dy!.shape as [number, number, number, number];
  const out = zeroedOutput(k, [b, g.height.size, g.width.size, c]);
  runTaps(k, 'axpy', g, b, c, out.at, addressOf(k, dy!), addressOf(k, filter!));
  return out.info;
});

/** x [b, h, w, c] with each channel repeated m times: [b, h, w, c·m]. */
function repeatChannels(x: tf.Tensor4D, m: number): tf.Tensor4D {
  if (m === 1) return x;
  const [b, h, w, c] = x.shape;
  return tf.reshape(tf.tile(tf.reshape(x, [b, h, w, c, 1]), [1, 1, 1, 1, m]), [b, h, w, c * m]);
}

/** d loss / d filter [kh, kw, c, m] of depthwiseConv2d(x, filter) given dy. */
export function simdDepthwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], g: ConvGeometry): tf.Tensor4D {
  const [kh, kw, c, m] = filterShape as [number, number, number, number];
  return tf.tidy(() => {
    const out = tf.engine().runKernel(FILTER_GRAD, { x: repeatChannels(x, m), dy }, { geometry: toAttr(g) }) as tf.Tensor;
    return tf.reshape(out, [kh, kw, c, m]);
  });
}

/** d loss / d x of depthwiseConv2d(x, filter [kh, kw, c, m]) given dy. */
export function simdDepthwiseInputGrad(dy: tf.Tensor4D, filter: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  const [kh, kw, c, m] = filter.shape;
  return tf.tidy(() => {
    const flat = tf.reshape(filter, [kh, kw, c * m]);
    const perOutput = tf.engine().runKernel(INPUT_GRAD, { dy, filter: flat }, { geometry: toAttr(g) }) as tf.Tensor4D;
    if (m === 1) return perOutput;
    const [b, h, w] = perOutput.shape;
    return tf.sum(tf.reshape(perOutput, [b, h, w, c, m]), 4) as tf.Tensor4D;
  });
}
