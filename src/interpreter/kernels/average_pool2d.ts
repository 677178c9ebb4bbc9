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

/** Up to this many taps LiteRT's XNNPACK average pool adds them in one fixed tree (below). */
const XNN_UNIPASS_TAPS = 9;
const f32 = Math.fround;

/**
 * float32 AVERAGE_POOL_2D as LiteRT's XNNPACK unipass kernel computes it
 * (measured bit for bit): the window's taps column by column (fx outer),
 * padded to 9 with zeros (taps outside the image are zeros too), added as
 * ((t0+t1) + t8 + (t6+t7)) after (t2+t3) + (t4+t5), i.e.
 * ((t2+t3) + (t4+t5)) + (((t0+t1) + t8) + (t6+t7)), then times
 * float32(1/n) for n in-bounds taps. Larger windows (XNNPACK's multipass
 * kernel) keep the input-order sum divided by n: neither that nor the
 * multipass tree read from XNNPACK's source matched LiteRT bit for bit on
 * 4×4, 5×5 and 7×7 windows, so those may differ in the last bit.
 */
function averagePoolXnnF32(p: PoolParams, input: Float32Array, output: Float32Array): void {
  const g = p.geom;
  const C = p.channels;
  const t = new Float64Array(XNN_UNIPASS_TAPS);
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      for (let ox = 0; ox < g.outW; ox++) {
        for (let c = 0; c < C; c++) {
          t.fill(0);
          let n = 0;
          let k = 0;
          for (let fx = 0; fx < g.filterW; fx++) {
            for (let fy = 0; fy < g.filterH; fy++, k++) {
              const y = oy * g.strideH - g.padTop + fy;
              const x = ox * g.strideW - g.padLeft + fx;
              if (y < 0 || y >= g.inH || x < 0 || x >= g.inW) continue;
              t[k] = input[((b * g.inH + y) * g.inW + x) * C + c]!;
              n++;
            }
          }
          const sum = f32(f32(f32(t[2]! + t[3]!) + f32(t[4]! + t[5]!)) + f32(f32(f32(t[0]! + t[1]!) + t[8]!) + f32(t[6]! + t[7]!)));
          const v = n === 0 ? 0 : f32(sum * f32(1 / n));
          output[o++] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
        }
      }
    }
  }
}

export function averagePool2dFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  if (p.geom.filterH * p.geom.filterW <= XNN_UNIPASS_TAPS) return averagePoolXnnF32(p, input, output);
  averagePool(p, input, output, false);
}
