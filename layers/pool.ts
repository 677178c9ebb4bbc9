// Max pooling whose gradient scatters dy to the argmax positions. wasm's
// MaxPoolGrad kernel costs ~30× the forward pool (≈70 ms of a ≈420 ms
// reference-CNN step); MaxPoolWithArgmax + ScatterNd, both native, take
// about half that. The forward stays the plain (fast) pool and the argmax is
// found only when a gradient is asked for. Ties go to the first maximum in
// row-major window order, as in TF's and tfjs-cpu's MaxPoolGrad; windows
// sharing an argmax (overlapping pools) add their gradients there.
//
// tfjs-backend-wasm 4.22 finds the wrong argmax (and MaxPoolGrad the wrong
// gradient) in windows whose values are all ≤ 0: its search starts from 0,
// not −∞. On wasm the argmax is therefore searched in x − min(x) + 1, which
// is ≥ 1 everywhere and keeps the order (exact ties stay ties; values within
// one float ulp of each other may merge, which only moves a gradient between
// two equal-looking maxima).
import * as tf from '@tensorflow/tfjs';
import type { Padding, Pair } from './conv_geometry.js';
import { unaryOpWithGrad } from './custom_grad.js';
import { heapTensor, heapValues } from './wasm/tfjs_heap.js';

/** NHWC max pool. */
export function maxPool(x: tf.Tensor4D, size: Pair, strides: Pair, padding: Padding): tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, save] = args as [tf.Tensor4D, tf.GradSaveFunc];
    save([xIn]);
    return {
      value: tf.maxPool(xIn, size, strides, padding),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const xs = saved[0] as tf.Tensor4D;
        // Flat indexes into x including the batch: one scatter covers it all.
        const { indexes } = tf.maxPoolWithArgmax(positiveForArgmax(xs), size, strides, padding, true);
        // tfjs-backend-webgl returns the argmax as float32 (exact below 2^24); ScatterNd takes int32.
        const at = indexes.dtype === 'int32' ? indexes : tf.cast(indexes, 'int32');
        const flat = tf.scatterND(tf.reshape(at, [-1, 1]), tf.reshape(dy, [-1]), [xs.size]);
        return tf.reshape(flat, xs.shape);
      },
    };
  });
  return op(x) as tf.Tensor4D;
}

function positiveForArgmax(x: tf.Tensor4D): tf.Tensor4D {
  if (tf.getBackend() !== 'wasm') return x;
  return tf.sub(x, tf.sub(tf.min(x), 1));
}

/**
 * Mean over h and w of NHWC x, [n, c]. tfjs's Mean gradient builds a ones
 * tensor of x's shape in a JS loop and multiplies by it, and wasm's Tile
 * (the obvious replacement) indexes element by element: ~90 ms a step for
 * mobilenet-v2's 64×4×4×1280 pool input. On wasm each row of dy / (h·w) is
 * copied h·w times straight into the heap instead; the same values.
 */
export function globalAvgPool(x: tf.Tensor4D): tf.Tensor2D {
  const [n, h, w, c] = x.shape;
  return unaryOpWithGrad(x, (xIn) => tf.mean(xIn, [1, 2]) as tf.Tensor2D, (dy) => {
    const each = tf.div(dy, h * w);
    if (h * w === 1) return tf.reshape(each, [n, 1, 1, c]);
    if (heapValues(each) === null) return tf.tile(tf.reshape(each, [n, 1, 1, c]), [1, h, w, 1]);
    const dx = heapTensor([n, h, w, c], (out) => {
      const rows = heapValues(each)!;
      for (let b = 0; b < n; b++) {
        const row = rows.subarray(b * c, (b + 1) * c);
        for (let p = 0; p < h * w; p++) out.set(row, (b * h * w + p) * c);
      }
    });
    each.dispose();
    return dx;
  }, false);
}
