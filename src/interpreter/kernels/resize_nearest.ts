// RESIZE_NEAREST_NEIGHBOR (NHWC; the size input is [newH, newW]).
//
// XNNPACK has no nearest-neighbour resize, so LiteRT runs TFLite's builtin
// kernel. It only copies pixels, so int8 and float32 share one path and no
// rounding of values is involved; what must match is the source index,
// computed in float32 as TFLite's GetNearestNeighbor does:
//   scale = in/out, or (in−1)/(out−1) with align_corners (out > 1);
//   v = (i + (half_pixel_centers ? 0.5 : 0))·scale;
//   index = min(align_corners ? round-half-away(v) : floor(v), in−1),
//   and ≥ 0 with half_pixel_centers.
// Checked against @litertjs/core on upscales and non-integer downscales
// with every flag combination.

import { type ResizeOptions, resizeShapes } from './resize_bilinear.js';

const f32 = Math.fround;

export function nearestIndices(inSize: number, outSize: number, o: ResizeOptions): Int32Array {
  const scale = o.alignCorners && outSize > 1 ? f32(f32(inSize - 1) / f32(outSize - 1)) : f32(f32(inSize) / f32(outSize));
  const offset = o.halfPixelCenters ? 0.5 : 0;
  const out = new Int32Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const v = f32(f32(i + offset) * scale);
    let k = o.alignCorners ? (v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5)) : Math.floor(v);
    k = Math.min(k, inSize - 1);
    if (o.halfPixelCenters) k = Math.max(0, k);
    out[i] = k;
  }
  return out;
}

export interface ResizeNearestParams {
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  rows: Int32Array;
  cols: Int32Array;
  outputShape: number[];
}

export function prepareResizeNearest(inputShape: readonly number[], size: readonly number[], o: ResizeOptions): ResizeNearestParams {
  const [batches, inH, inW, channels, outH, outW] = resizeShapes('RESIZE_NEAREST_NEIGHBOR', inputShape, size);
  return {
    batches, inH, inW, channels, rows: nearestIndices(inH, outH, o), cols: nearestIndices(inW, outW, o),
    outputShape: [batches, outH, outW, channels],
  };
}

/** Copies whole pixels (all channels at once). */
export function resizeNearest<T extends Int8Array | Uint8Array | Int32Array | Float32Array>(p: ResizeNearestParams, input: T, output: T): void {
  const { batches, inH, inW, channels: C, rows, cols } = p;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    const base = b * inH * inW * C;
    for (let y = 0; y < rows.length; y++) {
      const row = base + rows[y]! * inW * C;
      for (let x = 0; x < cols.length; x++) {
        const s = row + cols[x]! * C;
        output.set(input.subarray(s, s + C), o);
        o += C;
      }
    }
  }
}
