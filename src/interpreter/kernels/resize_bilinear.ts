// RESIZE_BILINEAR (NHWC; the size input is [newH, newW]).
//
// LiteRT hands this op to XNNPACK (static size), for int8 and float32 alike,
// so this file reproduces XNNPACK's resize-bilinear, measured against
// @litertjs/core on tie-heavy models (2× and non-integer ratios, codes whose
// interpolations end in exactly .5, negative ones included):
//  - Source coordinates in float32: scale = in/out, or (in−1)/(out−1) with
//    align_corners; legacy and align_corners sample at out·scale (capped at
//    in−1); half_pixel_centers at out·scale + (0.5·scale − 0.5), clamped to
//    [0, in−1]. Left/top = trunc, right/bottom = min(left + 1, in−1),
//    alpha = coordinate − left.
//  - int8 interpolates codes with 11-bit weights round(alpha·2048) (ties to
//    even): t = tl·2048 + (tr − tl)·αx, b likewise, out = (t·2048 +
//    (b − t)·αy + 2^21) >> 22 — one rounding, half up (towards +∞). TFLite's
//    reference kernel (10-bit weights, half away from zero) differs on
//    negative ties and wherever alpha is not a multiple of 1/1024.
//  - float32 computes t = tl + (tr − tl)·αx, b likewise, t + (b − t)·αy, in
//    float32.
// The input and output must share scale and zero point (the codes are
// interpolated as they are).

const f32 = Math.fround;

export interface ResizeOptions {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Per output row or column: the two source indices and the float32 weight of the second. */
export interface ResizeAxis {
  lo: Int32Array;
  hi: Int32Array;
  alpha: Float32Array;
  /** round(alpha·2048), ties to even: XNNPACK's int8 weights. */
  alphaQ11: Int32Array;
}

function rneInt(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}

export function resizeAxis(inSize: number, outSize: number, o: ResizeOptions): ResizeAxis {
  const adjust = o.alignCorners && outSize !== 1 ? 1 : 0;
  const scale = f32(f32(inSize - adjust) / f32(outSize - adjust));
  const max = inSize - 1;
  const offset = f32(f32(0.5 * scale) - 0.5);
  const legacy = o.alignCorners || !o.halfPixelCenters;
  const axis: ResizeAxis = {
    lo: new Int32Array(outSize), hi: new Int32Array(outSize), alpha: new Float32Array(outSize), alphaQ11: new Int32Array(outSize),
  };
  for (let i = 0; i < outSize; i++) {
    let c = f32(i * scale);
    if (legacy) c = Math.min(c, max);
    else c = Math.min(Math.max(f32(c + offset), 0), max);
    const lo = Math.trunc(c);
    const alpha = f32(c - lo);
    axis.lo[i] = lo;
    axis.hi[i] = Math.min(lo + 1, max);
    axis.alpha[i] = alpha;
    axis.alphaQ11[i] = rneInt(alpha * 2048);
  }
  return axis;
}

/** Batch, input size and channels of an NHWC resize, and its [outH, outW] checked. */
export function resizeShapes(op: string, inputShape: readonly number[], size: readonly number[]): [number, number, number, number, number, number] {
  if (inputShape.length !== 4) throw new Error(`${op} needs an NHWC input; got [${inputShape.join(',')}]`);
  if (size.length !== 2) throw new Error(`the size must hold 2 values (height, width); got ${size.length}`);
  const [outH, outW] = size as [number, number];
  if (!(outH >= 1 && outW >= 1)) throw new Error(`the output size ${outH}×${outW} is empty`);
  const [batches, inH, inW, channels] = inputShape as [number, number, number, number];
  return [batches, inH, inW, channels, outH, outW];
}

export interface ResizeBilinearParams {
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  y: ResizeAxis;
  x: ResizeAxis;
  outputShape: number[];
}

export function prepareResizeBilinear(inputShape: readonly number[], size: readonly number[], o: ResizeOptions): ResizeBilinearParams {
  if (o.alignCorners && o.halfPixelCenters) throw new Error('align_corners and half_pixel_centers cannot both be set');
  const [batches, inH, inW, channels, outH, outW] = resizeShapes('RESIZE_BILINEAR', inputShape, size);
  return {
    batches, inH, inW, channels, y: resizeAxis(inH, outH, o), x: resizeAxis(inW, outW, o),
    outputShape: [batches, outH, outW, channels],
  };
}

/**
 * Visits every output pixel in order with the offsets of its four source
 * pixels' first channel (top/bottom row + left/right column) and the index of
 * its row and column weights; `interpolate` writes the pixel's channels at `o`.
 */
function eachOutputPixel(
  p: ResizeBilinearParams, interpolate: (o: number, top: number, bottom: number, l: number, r: number, oy: number, ox: number) => void,
): void {
  const { batches, inH, inW, channels: C, y: ay, x: ax } = p;
  let o = 0;
  for (let b = 0; b < batches; b++) {
    const base = b * inH * inW * C;
    for (let oy = 0; oy < ay.lo.length; oy++) {
      const top = base + ay.lo[oy]! * inW * C;
      const bottom = base + ay.hi[oy]! * inW * C;
      for (let ox = 0; ox < ax.lo.length; ox++, o += C) interpolate(o, top, bottom, ax.lo[ox]! * C, ax.hi[ox]! * C, oy, ox);
    }
  }
}

export function resizeBilinearInt8(p: ResizeBilinearParams, input: Int8Array, output: Int8Array): void {
  const C = p.channels;
  eachOutputPixel(p, (o, top, bottom, l, r, oy, ox) => {
    const wy = p.y.alphaQ11[oy]!;
    const wx = p.x.alphaQ11[ox]!;
    for (let c = 0; c < C; c++) {
      const tl = input[top + l + c]!;
      const bl = input[bottom + l + c]!;
      const t = tl * 2048 + (input[top + r + c]! - tl) * wx;
      const bt = bl * 2048 + (input[bottom + r + c]! - bl) * wx;
      // |t·2048| < 2^29: exact in double; floor of the quotient is the arithmetic shift.
      output[o + c] = Math.floor((t * 2048 + (bt - t) * wy + 2097152) / 4194304);
    }
  });
}

export function resizeBilinearFloat(p: ResizeBilinearParams, input: Float32Array, output: Float32Array): void {
  const C = p.channels;
  eachOutputPixel(p, (o, top, bottom, l, r, oy, ox) => {
    const wy = p.y.alpha[oy]!;
    const wx = p.x.alpha[ox]!;
    for (let c = 0; c < C; c++) {
      const tl = input[top + l + c]!;
      const bl = input[bottom + l + c]!;
      const t = f32(tl + f32(f32(input[top + r + c]! - tl) * wx));
      const bt = f32(bl + f32(f32(input[bottom + r + c]! - bl) * wx));
      output[o + c] = t + f32(f32(bt - t) * wy);
    }
  });
}
