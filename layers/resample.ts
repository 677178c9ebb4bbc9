// Decoder ops that move pixels, with gradients that are right on every
// backend. tfjs's own gradients fall short here: MirrorPad's slices dy and
// drops what the mirrored border received, and ResizeBilinearGrad /
// ResizeNearestNeighborGrad ignore halfPixelCenters (cpu and wasm alike).
// Both ops are linear and separable, so their exact gradients are built
// from the same index arithmetic as the forward kernels.
import * as tf from '@tensorflow/tfjs';
import type { Pair } from './conv_geometry.js';

export type MirrorMode = 'reflect' | 'symmetric';

/** NHWC mirror padding of the spatial axes. */
export function mirrorPad(x: tf.Tensor4D, paddings: [Pair, Pair], mode: MirrorMode): tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xIn = args[0] as tf.Tensor4D;
    const shape = xIn.shape;
    return {
      value: tf.mirrorPad(xIn, [[0, 0], paddings[0], paddings[1], [0, 0]], mode),
      // Unpad the width, then the height: padding one axis after the other is the forward.
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const w = unmirrorAxis(dy as tf.Tensor4D, 2, shape[2], paddings[1], mode);
        return unmirrorAxis(w, 1, shape[1], paddings[0], mode);
      },
    };
  });
  return op(x) as tf.Tensor4D;
}

/**
 * The gradient of mirror-padding one axis of length n by [before, after]:
 * the middle n entries of dy, plus each border reversed and added onto the
 * entries it copied (reflect starts one in from the edge, symmetric at it).
 */
function unmirrorAxis(dy: tf.Tensor4D, axis: 1 | 2, n: number, [before, after]: Pair, mode: MirrorMode): tf.Tensor4D {
  if (before === 0 && after === 0) return dy;
  const along = (start: number, size: number): tf.Tensor4D => {
    const begin = [0, 0, 0, 0];
    const sizes = [-1, -1, -1, -1];
    begin[axis] = start;
    sizes[axis] = size;
    return tf.slice(dy, begin, sizes);
  };
  const padAlong = (t: tf.Tensor4D, lo: number, hi: number): tf.Tensor4D => {
    const p: Array<[number, number]> = [[0, 0], [0, 0], [0, 0], [0, 0]];
    p[axis] = [lo, hi];
    return tf.pad(t, p);
  };
  const skip = mode === 'reflect' ? 1 : 0;
  let dx = along(before, n);
  if (before > 0) dx = tf.add(dx, padAlong(tf.reverse(along(0, before), axis), skip, n - before - skip));
  if (after > 0) dx = tf.add(dx, padAlong(tf.reverse(along(before + n, after), axis), n - after - skip, skip));
  return dx;
}

export type Interpolation = 'nearest' | 'bilinear';

/**
 * The [out, in] matrix of a 1-D resize as tfjs computes it (no
 * align_corners): row p holds the weights output p gives each input.
 */
export function resizeMatrix(inSize: number, outSize: number, interpolation: Interpolation, halfPixelCenters: boolean): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const ratio = inSize / outSize;
  for (let p = 0; p < outSize; p++) {
    if (interpolation === 'nearest') {
      const src = Math.floor(halfPixelCenters ? ratio * (p + 0.5) : ratio * p);
      m[p * inSize + Math.max(0, Math.min(inSize - 1, src))] = 1;
      continue;
    }
    const src = halfPixelCenters ? ratio * (p + 0.5) - 0.5 : ratio * p;
    const lo = Math.max(0, Math.floor(src));
    const hi = Math.min(inSize - 1, Math.ceil(src));
    const frac = src - lo;
    m[p * inSize + lo] += 1 - frac;
    m[p * inSize + hi] += frac;
  }
  return m;
}

/** NHWC resize to [h, w] (tfjs's kernel forward; the adjoint of its separable matrices backward). */
export function resize(x: tf.Tensor4D, size: Pair, interpolation: Interpolation, halfPixelCenters: boolean): tf.Tensor4D {
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xIn = args[0] as tf.Tensor4D;
    const [n, h, w, c] = xIn.shape;
    const value = interpolation === 'nearest'
      ? tf.image.resizeNearestNeighbor(xIn, size, false, halfPixelCenters)
      : tf.image.resizeBilinear(xIn, size, false, halfPixelCenters);
    return {
      value,
      gradFunc: (dyIn: tf.Tensor | tf.Tensor[]) => {
        const dy = dyIn as tf.Tensor4D;
        const rows = tf.tensor2d(resizeMatrix(h, size[0], interpolation, halfPixelCenters), [size[0], h]);
        const cols = tf.tensor2d(resizeMatrix(w, size[1], interpolation, halfPixelCenters), [size[1], w]);
        // dx[b,i,j,k] = Σ_p Σ_q rows[p,i]·cols[q,j]·dy[b,p,q,k], one axis at a time.
        const byRow = tf.matMul(tf.reshape(tf.transpose(dy, [0, 2, 3, 1]), [-1, size[0]]), rows); // [n·W·c, h]
        const t = tf.transpose(tf.reshape(byRow, [n, size[1], c, h]), [0, 3, 2, 1]); // [n, h, c, W]
        const byCol = tf.matMul(tf.reshape(t, [-1, size[1]]), cols); // [n·h·c, w]
        return tf.transpose(tf.reshape(byCol, [n, h, c, w]), [0, 1, 3, 2]);
      },
    };
  });
  return op(x) as tf.Tensor4D;
}
