// AVERAGE_POOL_2D. reference_integer_ops::AveragePool: sum the raw int8
// values of the in-bounds part of the window (no zero-point subtraction —
// input and output share quantization), divide by the number of in-bounds
// taps rounding half away from zero, clamp to the activation range.

import { type PoolOptions, type PoolParams, poolWindows, preparePool } from './max_pool2d.js';
import type { QuantParamsT } from './types.js';

export function prepareAveragePool2dInt8(inputShape: readonly number[], o: PoolOptions, out: QuantParamsT): PoolParams {
  return preparePool(inputShape, o, out);
}

export function prepareAveragePool2dFloat(inputShape: readonly number[], o: PoolOptions): PoolParams {
  return preparePool(inputShape, o, null);
}

function averagePool<T extends Int8Array | Float32Array>(p: PoolParams, input: T, output: T, integer: boolean): void {
  const C = p.channels;
  poolWindows(p, output, (first, rows, cols, rowStride) => {
    const count = rows * cols;
    if (count === 0) return 0;
    let acc = 0;
    for (let r = 0; r < rows; r++) {
      const rowBase = first + r * rowStride;
      for (let k = 0; k < cols; k++) acc += input[rowBase + k * C];
    }
    if (integer) {
      const half = (count / 2) | 0;
      // C integer division truncates toward zero.
      return acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
    }
    return Math.fround(acc) / count;
  });
}

export function averagePool2dInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
  averagePool(p, input, output, true);
}

export function averagePool2dFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  averagePool(p, input, output, false);
}
