// CONV_2D with float input/output and int8 weights (dynamic-range
// quantization, as TensorFlow's converter writes it), as LiteRT runs it
// (measured against @litertjs/core to float32 rounding): the input is
// quantized asymmetrically (TFLite's AsymmetricQuantizeFloats) per batch,
// or per pixel for a 1×1 stride-1 conv (a GEMM over pixel rows there), then
// out = f32(f32(acc·s_w[c])·s_in) + bias[c] with acc = Σ w·(q − zp) over the
// taps inside the image. (TFLite's builtin kernel quantizes symmetrically
// when all filter scales are equal; LiteRT does not, so neither do we.)
// Padded taps are filled with the zero point, so w·(zp − zp) = 0 and they
// drop out exactly as the reference kernel skips them.

import { im2col } from './conv2d.js';
import { asymmetricQuantizeFloats } from './fully_connected.js';
import { type FusedActivation, type WindowGeometry, type WindowOptions, floatActivationRange, windowGeometry } from './types.js';

const f32 = Math.fround;

export interface Conv2DHybridParams {
  geom: WindowGeometry;
  inC: number;
  outC: number;
  depth: number;
  weights: Int8Array;
  /** Σ_k w[c, k], for the zero-point term. */
  rowSums: Int32Array;
  /** float32 filter scale per output channel (a per-tensor scale broadcast). */
  filterScales: Float32Array;
  bias: Float32Array | null;
  actMin: number;
  actMax: number;
  /** 1×1 stride 1: each pixel is quantized on its own. */
  perPixel: boolean;
  /** One quantized input batch, and its patches. */
  quantized: Int8Array;
  cols: Int8Array;
}

export interface HybridConvOptions extends WindowOptions {
  activation: FusedActivation;
}

export function prepareConv2dHybrid(
  inputShape: readonly number[], filterShape: readonly number[], weights: Int8Array, filterScales: ArrayLike<number>,
  bias: Float32Array | null, o: HybridConvOptions,
): Conv2DHybridParams {
  const [outC, fh, fw, inC] = filterShape as [number, number, number, number];
  if (inputShape[3] !== inC) throw new Error(`CONV_2D filter has ${inC} input channels but the input has ${inputShape[3]}`);
  const geom = windowGeometry(inputShape, fh, fw, o);
  const depth = fh * fw * inC;
  const scales = new Float32Array(outC);
  for (let c = 0; c < outC; c++) scales[c] = filterScales.length > 1 ? filterScales[c]! : filterScales[0]!;
  const act = floatActivationRange(o.activation);
  return {
    geom, inC, outC, depth, weights, rowSums: rowSums(weights, outC, depth), filterScales: scales, bias,
    actMin: act.min, actMax: act.max, perPixel: fh === 1 && fw === 1 && o.strideH === 1 && o.strideW === 1,
    quantized: new Int8Array(geom.inH * geom.inW * inC), cols: new Int8Array(geom.outH * geom.outW * depth),
  };
}

function rowSums(weights: Int8Array, rows: number, depth: number): Int32Array {
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < depth; k++) s += weights[r * depth + k]!;
    out[r] = s;
  }
  return out;
}

export function conv2dHybrid(p: Conv2DHybridParams, input: Float32Array, output: Float32Array): void {
  const { geom, inC, depth } = p;
  const size = p.quantized.length;
  const pixels = geom.outH * geom.outW;
  for (let b = 0; b < geom.batches; b++) {
    if (p.perPixel) {
      for (let px = 0; px < pixels; px++) {
        const at = (b * pixels + px) * inC;
        const q = asymmetricQuantizeFloats(input, at, inC, p.cols);
        outputPixel(p, p.cols, 0, q.zeroPoint, q.scale, output, (b * pixels + px) * p.outC);
      }
      continue;
    }
    const q = asymmetricQuantizeFloats(input, b * size, size, p.quantized);
    im2col({ ...geom, batches: 1 }, inC, p.quantized, 0, p.cols, q.zeroPoint);
    for (let px = 0; px < pixels; px++) outputPixel(p, p.cols, px * depth, q.zeroPoint, q.scale, output, (b * pixels + px) * p.outC);
  }
}

/** All output channels of one pixel from its quantized patch at `cols[a …]`. */
function outputPixel(p: Conv2DHybridParams, cols: Int8Array, a: number, zp: number, sIn: number, output: Float32Array, o: number): void {
  const { outC, depth, weights, rowSums, filterScales, bias, actMin, actMax } = p;
  for (let c = 0; c < outC; c++) {
    const w = c * depth;
    let acc = 0;
    for (let k = 0; k < depth; k++) acc += weights[w + k]! * cols[a + k]!;
    acc -= zp * rowSums[c]!;
    let v = f32(f32(acc * filterScales[c]!) * sIn);
    if (bias) v = f32(v + bias[c]!);
    output[o + c] = v < actMin ? actMin : v > actMax ? actMax : v;
  }
}
