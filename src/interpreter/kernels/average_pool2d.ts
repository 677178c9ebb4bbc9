// AVERAGE_POOL_2D. reference_integer_ops::AveragePool: sum the raw int8
// values of the in-bounds part of the window (no zero-point subtraction —
// input and output share quantization), divide by the number of in-bounds
// taps rounding half away from zero, clamp to the activation range.

import { type PoolOptions, type PoolParams, preparePool } from './max_pool2d.js';
import type { QuantParamsT } from './types.js';

export function prepareAveragePool2dInt8(inputShape: readonly number[], o: PoolOptions, out: QuantParamsT): PoolParams {
  return preparePool(inputShape, o, out);
}

export function prepareAveragePool2dFloat(inputShape: readonly number[], o: PoolOptions): PoolParams {
  return preparePool(inputShape, o, null);
}

function averagePool<T extends Int8Array | Float32Array>(p: PoolParams, input: T, output: T, integer: boolean): void {
  const { geom: g, channels: C } = p;
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const y0 = oy * g.strideH - g.padTop;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(g.filterH, g.inH - y0);
      for (let ox = 0; ox < g.outW; ox++) {
        const x0 = ox * g.strideW - g.padLeft;
        const fx0 = Math.max(0, -x0);
        const fx1 = Math.min(g.filterW, g.inW - x0);
        const count = Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0);
        for (let c = 0; c < C; c++) {
          let acc = 0;
          for (let fy = fy0; fy < fy1; fy++) {
            const rowBase = ((b * g.inH + y0 + fy) * g.inW + x0) * C + c;
            for (let fx = fx0; fx < fx1; fx++) acc += input[rowBase + fx * C];
          }
          let v: number;
          if (count === 0) v = 0;
          else if (integer) {
            const half = (count / 2) | 0;
            // C integer division truncates toward zero.
            v = acc > 0 ? Math.trunc((acc + half) / count) : Math.trunc((acc - half) / count);
          } else {
            v = Math.fround(acc) / count;
          }
          output[o++] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
        }
      }
    }
  }
}

export function averagePool2dInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
  averagePool(p, input, output, true);
}

export function averagePool2dFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  averagePool(p, input, output, false);
}
