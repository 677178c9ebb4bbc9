// The 1×1-conv filter gradient on the outer-product kernels
// (outer_kernels.ts), registered as a tfjs kernel of the wasm backend.
import * as tf from '@tensorflow/tfjs';
import { COL_TILES, ROW_TILES, outerFunctionName, type OuterFunction } from './outer_kernels.js';
import { addressOf, registerHeapKernel, zeroedOutput, type HeapKernels } from './tfjs_heap.js';

const FILTER_GRAD = 'QatPointwiseFilterGrad';

/** Rows per chunk: about 128 KiB of x and dy together, so a chunk stays in cache while every tile reads it. */
function chunkRows(cin: number, cout: number): number {
  return Math.max(8, Math.floor(131072 / (4 * (cin + cout))));
}

/** Splits [0, n) into ranges covered by each tile size, largest first. */
function tileRanges<T extends number>(n: number, tiles: readonly T[]): Array<[T, number, number]> {
  const out: Array<[T, number, number]> = [];
  let from = 0;
  for (const t of tiles) {
    const to = from + Math.floor((n - from) / t) * t;
    if (to > from) out.push([t, from, to]);
    from = to;
  }
  return out;
}

function runOuter(k: HeapKernels, x: number, dy: number, rows: number, cin: number, cout: number, out: number): void {
  const chunk = chunkRows(cin, cout);
  for (const [mr, ci0, ci1] of tileRanges(cin, ROW_TILES)) {
    for (const [nr, co0, co1] of tileRanges(cout, COL_TILES)) {
      const fn = k.exports[outerFunctionName(mr, nr)] as OuterFunction;
      fn(x, 4 * cin, dy, 4 * cout, rows, chunk, out, 4 * cout, ci0, ci1, co0, co1);
    }
  }
}

registerHeapKernel(FILTER_GRAD, (k, { x, dy }) => {
  const cin = x!.shape[x!.shape.length - 1]!;
  const cout = dy!.shape[dy!.shape.length - 1]!;
  const rows = x!.shape.reduce((a, b) => a * b, 1) / cin;
  const out = zeroedOutput(k, [cin, cout]);
  runOuter(k, addressOf(k, x!), addressOf(k, dy!), rows, cin, cout, out.at);
  return out.info;
});

/** d loss / d filter [1, 1, cin, cout] of a pointwise conv2d(x, filter) given dy (stride 1). */
export function simdPointwiseFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const out = tf.engine().runKernel(FILTER_GRAD, { x, dy }) as tf.Tensor;
    return tf.reshape(out, [1, 1, x.shape[3], dy.shape[3]]);
  });
}
