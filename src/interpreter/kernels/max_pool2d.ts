// MAX_POOL_2D. reference_integer_ops::MaxPool: the max over the in-bounds part
// of the window (padding never wins), then clamped to the fused activation
// range of the output (pooling keeps the input's scale and zero point).

import type { WasmArena } from '../wasm/arena.js';
import { prepareWasmMaxPool, runWasmMaxPool, type WasmMaxPoolOp } from '../wasm/pool.js';
import { type FusedActivation, type QuantParamsT, type WindowGeometry, type WindowOptions,
  floatActivationRange, quantizedActivationRange, tensorScale, tensorZeroPoint, windowGeometry } from './types.js';

export interface PoolOptions extends WindowOptions {
  filterH: number;
  filterW: number;
  activation: FusedActivation;
}

export interface PoolParams {
  geom: WindowGeometry;
  channels: number;
  actMin: number;
  actMax: number;
  outputShape: number[];
  /** The wasm SIMD form (max pooling only), when the interpreter has a wasm arena. */
  wasm: WasmMaxPoolOp | null;
}

export function preparePool(inputShape: readonly number[], o: PoolOptions, out: QuantParamsT | null): PoolParams {
  // Pooling has no dilation in TFLite.
  const geom = windowGeometry(inputShape, o.filterH, o.filterW, { padding: o.padding, strideH: o.strideH, strideW: o.strideW });
  const act = out ? quantizedActivationRange(o.activation, tensorScale(out), tensorZeroPoint(out)) : floatActivationRange(o.activation);
  return { geom, channels: inputShape[3], actMin: act.min, actMax: act.max, outputShape: [geom.batches, geom.outH, geom.outW, inputShape[3]], wasm: null };
}

/**
 * Visits each output pixel's window: the index of its first in-bounds tap,
 * the in-bounds extent (padding taps are neither read nor counted), the
 * input's row stride (taps of one row are `channels` apart) and the offset
 * of the pixel's first output channel.
 */
function forEachWindow(p: PoolParams, visit: (first: number, rows: number, cols: number, rowStride: number, o: number) => void): void {
  const { geom: g, channels: C } = p;
  const rowStride = g.inW * C;
  let o = 0;
  for (let b = 0; b < g.batches; b++) {
    for (let oy = 0; oy < g.outH; oy++) {
      const y0 = oy * g.strideH - g.padTop;
      const fy0 = Math.max(0, -y0);
      const rows = Math.max(0, Math.min(g.filterH, g.inH - y0) - fy0);
      for (let ox = 0; ox < g.outW; ox++) {
        const x0 = ox * g.strideW - g.padLeft;
        const fx0 = Math.max(0, -x0);
        const cols = Math.max(0, Math.min(g.filterW, g.inW - x0) - fx0);
        visit(((b * g.inH + y0 + fy0) * g.inW + x0 + fx0) * C, rows, cols, rowStride, o);
        o += C;
      }
    }
  }
}

/** Reduces each window per channel with `reduce` and writes it clamped to the activation range. */
export function poolWindows<T extends Int8Array | Float32Array>(
  p: PoolParams, output: T, reduce: (first: number, rows: number, cols: number, rowStride: number) => number,
): void {
  forEachWindow(p, (first, rows, cols, rowStride, o) => {
    for (let c = 0; c < p.channels; c++) {
      const v = reduce(first + c, rows, cols, rowStride);
      output[o + c] = v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
    }
  });
}

/**
 * Channels innermost: each output pixel starts from `init`, takes the max
 * with every in-bounds tap as one run over its channels, then is clamped.
 * (A per-channel callback over the window cost a quarter of mnist-cnn's
 * int8 latency in this one op.)
 */
function maxPool<T extends Int8Array | Float32Array>(p: PoolParams, input: T, output: T, init: number): void {
  const { channels: C, actMin, actMax } = p;
  forEachWindow(p, (first, rows, cols, rowStride, o) => {
    output.fill(init, o, o + C);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < cols; k++) {
        const tap = first + r * rowStride + k * C;
        for (let c = 0; c < C; c++) {
          const v = input[tap + c]!;
          if (v > output[o + c]!) output[o + c] = v;
        }
      }
    }
    for (let c = o; c < o + C; c++) {
      const v = output[c]!;
      if (v < actMin) output[c] = actMin;
      else if (v > actMax) output[c] = actMax;
    }
  });
}

export function prepareMaxPool2dInt8(inputShape: readonly number[], o: PoolOptions, out: QuantParamsT, wasm: WasmArena | null = null): PoolParams {
  const p = preparePool(inputShape, o, out);
  return { ...p, wasm: wasm ? prepareWasmMaxPool(wasm, 'i8', p.geom, p.channels, p.actMin, p.actMax) : null };
}

export function maxPool2dInt8(p: PoolParams, input: Int8Array, output: Int8Array): void {
  if (p.wasm) runWasmMaxPool(p.wasm, input, output);
  else maxPool(p, input, output, -128);
}

export function prepareMaxPool2dFloat(inputShape: readonly number[], o: PoolOptions, wasm: WasmArena | null = null): PoolParams {
  const p = preparePool(inputShape, o, null);
  return { ...p, wasm: wasm ? prepareWasmMaxPool(wasm, 'f32', p.geom, p.channels, p.actMin, p.actMax) : null };
}

export function maxPool2dFloat(p: PoolParams, input: Float32Array, output: Float32Array): void {
  if (p.wasm) runWasmMaxPool(p.wasm, input, output);
  else maxPool(p, input, output, -Infinity);
}
