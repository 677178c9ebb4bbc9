// Conv filter gradients on the outer-product kernels (outer_kernels.ts),
// registered as a tfjs kernel of the wasm backend: any kernel size, stride,
// dilation and padding, NHWC, without the transposes the conv formulation
// needs (conv_grads.ts).
import * as tf from '@tensorflow/tfjs';
import type { ConvGeometry } from '../conv_geometry.js';
import { COL_TILES, ROW_TILES, outerFunctionName, type OuterFunction } from './outer_kernels.js';
import { splitByWidths } from './codegen.js';
import { fromAttr, tapSpan, toAttr } from './tap_geometry.js';
import { addressOf, registerHeapKernel, zeroedOutput, type HeapKernels } from './tfjs_heap.js';

const FILTER_GRAD = 'QatConvFilterGrad';

/** Bytes of x and dy one call reads: small enough that both stay in cache while every tile passes over them. */
const CALL_BYTES = 131072;

interface Rect { x: number; xRow: number; xCol: number; dy: number; dyRow: number; dyCol: number; rows: number; cols: number; out: number }

function runTiles(k: HeapKernels, r: Rect, cin: number, cout: number): void {
  for (const [mr, ci0, ci1] of splitByWidths(cin, ROW_TILES)) {
    for (const [nr, co0, co1] of splitByWidths(cout, COL_TILES)) {
      (k.exports[outerFunctionName(mr, nr)] as OuterFunction)(
        r.x, r.xRow, r.xCol, r.dy, r.dyRow, r.dyCol, r.rows, r.cols, r.out, 4 * cout, ci0, ci1, co0, co1);
    }
  }
}

/** 1×1 stride 1: every pixel of the batch is one row of a matMul; take them in cache-sized runs. */
function pointwise(k: HeapKernels, x: number, dy: number, pixels: number, cin: number, cout: number, out: number): void {
  const run = Math.max(8, Math.floor(CALL_BYTES / (4 * (cin + cout))));
  for (let p = 0; p < pixels; p += run) {
    runTiles(k, {
      x: x + 4 * cin * p, xRow: 0, xCol: 4 * cin, dy: dy + 4 * cout * p, dyRow: 0, dyCol: 4 * cout,
      rows: 1, cols: Math.min(run, pixels - p), out,
    }, cin, cout);
  }
}

/** Any conv: per image and tap, the tap's rectangle of output pixels, in bands of rows that fit the cache. */
function general(k: HeapKernels, g: ConvGeometry, batches: number, x: number, dy: number, cin: number, cout: number, out: number): void {
  const { height: h, width: w } = g;
  const xPixel = 4 * cin;
  const dyPixel = 4 * cout;
  for (let b = 0; b < batches; b++) {
    const xImage = x + b * h.size * w.size * xPixel;
    const dyImage = dy + b * h.out * w.out * dyPixel;
    for (let ky = 0; ky < h.kernel; ky++) {
      const rows = tapSpan(h, ky);
      for (let kx = 0; kx < w.kernel; kx++) {
        const cols = tapSpan(w, kx);
        if (rows.count === 0 || cols.count === 0) continue;
        const band = Math.max(1, Math.floor(CALL_BYTES / (cols.count * (xPixel + dyPixel))));
        for (let r = 0; r < rows.count; r += band) {
          runTiles(k, {
            x: xImage + ((rows.input + r * h.stride) * w.size + cols.input) * xPixel,
            xRow: h.stride * w.size * xPixel, xCol: w.stride * xPixel,
            dy: dyImage + ((rows.first + r) * w.out + cols.first) * dyPixel,
            dyRow: w.out * dyPixel, dyCol: dyPixel,
            rows: Math.min(band, rows.count - r), cols: cols.count,
            out: out + (ky * w.kernel + kx) * cin * cout * 4,
          }, cin, cout);
        }
      }
    }
  }
}

const isPlainPointwise = (g: ConvGeometry): boolean => [g.height, g.width].every(
  (a) => a.kernel === 1 && a.stride === 1 && a.padBefore === 0 && a.out === a.size);

registerHeapKernel(FILTER_GRAD, (k, { x, dy }, attrs) => {
  const g = fromAttr(attrs.geometry as number[]);
  const [b, , , cin] = x!.shape as [number, number, number, number];
  const cout = dy!.shape[3]!;
  const out = zeroedOutput(k, [g.height.kernel, g.width.kernel, cin, cout]);
  if (isPlainPointwise(g)) pointwise(k, addressOf(k, x!), addressOf(k, dy!), b * g.height.size * g.width.size, cin, cout, out.at);
  else general(k, g, b, addressOf(k, x!), addressOf(k, dy!), cin, cout, out.at);
  return out.info;
});

/** d loss / d filter [kh, kw, cin, cout] of conv2d(x, filter) given dy. */
export function simdConvFilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, g: ConvGeometry): tf.Tensor4D {
  return tf.engine().runKernel(FILTER_GRAD, { x, dy }, { geometry: toAttr(g) }) as tf.Tensor4D;
}
