// Picking and reordering the spatial taps of a filter [kh, kw, a, b] with
// one gather over its kh·kw rows of a·b values. wasm runs Reverse and
// StridedSlice as per-element loops (≈7 ms to reverse a 1×1×256×256 filter);
// a row gather is a few memcpys.
import * as tf from '@tensorflow/tfjs';

/** filter[rows[i], cols[j], :, :] as a [rows.length, cols.length, a, b] tensor. */
export function filterTaps(filter: tf.Tensor4D, rows: number[], cols: number[]): tf.Tensor4D {
  const [kh, kw, a, b] = filter.shape;
  const identity = rows.length === kh && cols.length === kw && rows.every((r, i) => r === i) && cols.every((c, j) => c === j);
  if (identity) return filter;
  const indices = rows.flatMap(r => cols.map(c => r * kw + c));
  const picked = tf.gather(tf.reshape(filter, [kh * kw, a * b]), tf.tensor1d(indices, 'int32'), 0);
  return tf.reshape(picked, [rows.length, cols.length, a, b]) as tf.Tensor4D;
}

/** 0, 1, …, n − 1 reversed. */
export function reversedRange(n: number): number[] {
  return Array.from({ length: n }, (_, i) => n - 1 - i);
}

/** The filter rotated 180° in H and W (a no-op for 1×1). */
export function flipHW(filter: tf.Tensor4D): tf.Tensor4D {
  return filterTaps(filter, reversedRange(filter.shape[0]), reversedRange(filter.shape[1]));
}
