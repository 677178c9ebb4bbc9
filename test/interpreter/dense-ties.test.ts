// The dense-prediction ops against LiteRT.js on single-op int8 models whose
// scales put many results exactly on a rounding tie (or an interpolation
// half-way point), so the rule each runtime applies shows: the interpreter
// must agree everywhere, and the rejected candidate rule must disagree
// somewhere (otherwise the test would not tell the rules apart).

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import {
  type QuantParamsT, type RsqrtRule, type SquaredDifferenceRule, prepareRsqrtInt8, rsqrtInt8, prepareSquaredDifferenceInt8, prepareTransposeConvInt8, squaredDifferenceInt8, transposeConvInt8,
} from '../../src/interpreter/kernels/index.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { liteRtForSuite } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';

export interface TieCase {
  name: string;
  bytes: Uint8Array;
  /** One seeded int8 input (per model input). */
  inputs: (rnd: () => number) => Int8Array[];
  /** The rejected rule's output for the same inputs. */
  other: (inputs: Int8Array[]) => Int8Array;
  otherName: string;
  /** How many inputs to draw (20 unless the inputs are an exhaustive sweep). */
  runs?: number;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const q = (scale: number | number[], zeroPoint: number | number[], quantizedDimension = 0): { scale: number | number[]; zeroPoint: number | number[]; quantizedDimension: number } =>
  ({ scale, zeroPoint, quantizedDimension });

/** Per-tensor parameters as a kernel takes them (scales rounded to float32, as the file stores them). */
const tensorQuant = (scale: number, zeroPoint: number): QuantParamsT => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** Transposed convolution whose per-channel multipliers are 1/2, 1/4, 3/8, 3/4, 0.3: accumulators land on .5 often. */
function transposeConvCase(padding: 'SAME' | 'VALID', k: number, xs: number[], outC: number, other: 'reference' | 'single-rounding'): TieCase {
  const S_IN = 0.0625;
  const S_OUT = 0.125;
  const ratios = [0.5, 0.25, 0.375, 0.75, 0.3];
  const rnd = mulberry32(xs[1]! * 100 + k);
  const ws = [outC, k, k, xs[3]!];
  const up = (n: number): number => (padding === 'SAME' ? n * 2 : (n - 1) * 2 + k);
  const ys = [1, up(xs[1]!), up(xs[2]!), outC];
  const scales = Array.from({ length: outC }, (_, c) => (ratios[c % ratios.length]! * S_OUT) / S_IN);
  const w = Int8Array.from({ length: size(ws) }, () => Math.floor(rnd() * 255) - 127);
  const bias = Int32Array.from({ length: outC }, () => Math.floor(rnd() * 41) - 20);
  const b = new ModelBuilder();
  const x = b.addInput({ name: 'x', shape: xs, type: 'INT8', quantization: q(S_IN, 3) });
  const shapeT = b.addTensor({ name: 'output_shape', shape: [4], type: 'INT32', data: Int32Array.from(ys) });
  const wt = b.addTensor({ name: 'w', shape: ws, type: 'INT8', data: w, quantization: q(scales, scales.map(() => 0)) });
  const bt = b.addTensor({ name: 'b', shape: [outC], type: 'INT32', data: bias, quantization: q(scales.map((s) => s * S_IN), scales.map(() => 0)) });
  const y = b.addOutput({ name: 'y', shape: ys, type: 'INT8', quantization: q(S_OUT, -5) });
  const opts = { padding, strideH: 2, strideW: 2, activation: 'NONE' as const };
  b.addOperator('TRANSPOSE_CONV', [shapeT, wt, x, bt], [y], { padding, strideH: 2, strideW: 2 });
  const p = prepareTransposeConvInt8(xs, tensorQuant(S_IN, 3), ws, w, { scale: scales.map(Math.fround), zeroPoint: [0], quantizedDimension: 0 },
    bias, ys, tensorQuant(S_OUT, -5), opts, other);
  return {
    name: `TRANSPOSE_CONV ${k}×${k} stride 2 ${padding} [${xs.join(',')}]→${outC}`,
    bytes: b.toBytes(),
    // Codes near the zero point keep the sums inside int8, where the rounding shows.
    inputs: (r) => [Int8Array.from({ length: size(xs) }, () => 3 + Math.floor(r() * 9) - 4)],
    other: ([xin]) => {
      const out = new Int8Array(size(ys));
      transposeConvInt8(p, xin!, out);
      return out;
    },
    otherName: other === 'reference' ? "gemmlowp's double rounding" : 'single rounding half up',
  };
}

/**
 * TFLite's reference ResizeBilinearInteger, the rejected candidate: source
 * coordinates in 10-bit fixed point (scale rounded to 1/1024), the four
 * products summed in 20 bits and rounded half away from zero.
 */
function resizeBilinearReference10(x: Int8Array, [B, H, W, C]: number[], [OH, OW]: number[], align: boolean, half: boolean): Int8Array {
  const scale10 = (i: number, o: number): number =>
    Math.round(Math.fround(align && o > 1 ? Math.fround(i - 1) / Math.fround(o - 1) : Math.fround(i) / Math.fround(o)) * 1024);
  const coord = (v: number, s: number, n: number): [number, number, number] => {
    const sv = half ? v * s + Math.trunc(s / 2) - 512 : v * s;
    return [sv, Math.max(Math.trunc(sv / 1024), 0), Math.min(Math.trunc((sv + 1023) / 1024), n - 1)];
  };
  const hs = scale10(H!, OH!);
  const ws = scale10(W!, OW!);
  const out = new Int8Array(B! * OH! * OW! * C!);
  let o = 0;
  for (let b = 0; b < B!; b++) {
    for (let y = 0; y < OH!; y++) {
      const [iy, y0, y1] = coord(y, hs, H!);
      for (let xo = 0; xo < OW!; xo++) {
        const [ix, x0, x1] = coord(xo, ws, W!);
        const dy = iy - 1024 * y0;
        const dx = ix - 1024 * x0;
        for (let c = 0; c < C!; c++) {
          const at = (yy: number, xx: number): number => x[((b * H! + yy) * W! + xx) * C! + c]!;
          const s20 = at(y0, x0) * (1024 - dy) * (1024 - dx) + at(y1, x0) * dy * (1024 - dx)
            + at(y0, x1) * (1024 - dy) * dx + at(y1, x1) * dy * dx;
          out[o++] = Math.trunc((s20 + (s20 > 0 ? 2 ** 19 : -(2 ** 19))) / 2 ** 20);
        }
      }
    }
  }
  return out;
}

/** Nearest-neighbour index rule without the flag under test (floor of i·scale), the rejected candidate. */
function resizeNearestIgnoringFlags(x: Int8Array, [B, H, W, C]: number[], [OH, OW]: number[]): Int8Array {
  const idx = (i: number, n: number, o: number): number => Math.min(Math.floor(Math.fround(i * Math.fround(n / o))), n - 1);
  const out = new Int8Array(B! * OH! * OW! * C!);
  let o = 0;
  for (let b = 0; b < B!; b++) {
    for (let y = 0; y < OH!; y++) {
      for (let xo = 0; xo < OW!; xo++) {
        const s = ((b * H! + idx(y, H!, OH!)) * W! + idx(xo, W!, OW!)) * C!;
        for (let c = 0; c < C!; c++) out[o++] = x[s + c]!;
      }
    }
  }
  return out;
}

type ResizeFlags = { alignCorners: boolean; halfPixelCenters: boolean };

function resizeCase(method: 'bilinear' | 'nearest', xs: number[], outSize: [number, number], flags: ResizeFlags): TieCase {
  const b = new ModelBuilder();
  const x = b.addInput({ name: 'x', shape: xs, type: 'INT8', quantization: q(0.05, -3) });
  const sizeT = b.addTensor({ name: 'size', shape: [2], type: 'INT32', data: Int32Array.from(outSize) });
  const y = b.addOutput({ name: 'y', shape: [xs[0]!, outSize[0], outSize[1], xs[3]!], type: 'INT8', quantization: q(0.05, -3) });
  b.addOperator(method === 'bilinear' ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR', [x, sizeT], [y], flags);
  const flagText = flags.alignCorners ? ' align_corners' : flags.halfPixelCenters ? ' half_pixel_centers' : '';
  return {
    name: `RESIZE_${method === 'bilinear' ? 'BILINEAR' : 'NEAREST_NEIGHBOR'} [${xs.join(',')}]→${outSize.join('×')}${flagText}`,
    bytes: b.toBytes(),
    inputs: (r) => [Int8Array.from({ length: size(xs) }, () => Math.floor(r() * 256) - 128)],
    other: method === 'bilinear'
      ? ([xin]) => resizeBilinearReference10(xin!, xs, outSize, flags.alignCorners, flags.halfPixelCenters)
      : ([xin]) => resizeNearestIgnoringFlags(xin!, xs, outSize),
    otherName: method === 'bilinear' ? "TFLite's reference 10-bit interpolation" : 'the index rule without the flag',
  };
}

/**
 * SQUARED_DIFFERENCE between two [1,256,256,1] int8 tensors. `sweep` feeds
 * every (a, b) code pair once; otherwise codes near the zero points, so that
 * small squares with power-of-two scales sit on .5.
 */
function squaredDifferenceCase(s1: number, s2: number, so: number, sweep: boolean, other: SquaredDifferenceRule): TieCase {
  const shape = [1, 256, 256, 1];
  const [z1, z2, zo] = [3, -2, -128];
  const b = new ModelBuilder();
  const a = b.addInput({ name: 'a', shape, type: 'INT8', quantization: q(s1, z1) });
  const c = b.addInput({ name: 'b', shape, type: 'INT8', quantization: q(s2, z2) });
  const y = b.addOutput({ name: 'y', shape, type: 'INT8', quantization: q(so, zo) });
  b.addOperator('SQUARED_DIFFERENCE', [a, c], [y]);
  const p = prepareSquaredDifferenceInt8(shape, tensorQuant(s1, z1), shape, tensorQuant(s2, z2), tensorQuant(so, zo), other);
  const n = size(shape);
  return {
    name: `SQUARED_DIFFERENCE scales ${s1}, ${s2} → ${so}${sweep ? ', every code pair' : ''}`,
    bytes: b.toBytes(),
    inputs: sweep
      ? () => [Int8Array.from({ length: n }, (_, i) => (i & 255) - 128), Int8Array.from({ length: n }, (_, i) => (i >> 8) - 128)]
      : (r) => [Int8Array.from({ length: n }, () => z1 + Math.floor(r() * 23) - 11), Int8Array.from({ length: n }, () => z2 + Math.floor(r() * 23) - 11)],
    other: ([xa, xb]) => {
      const out = new Int8Array(n);
      squaredDifferenceInt8(p, xa!, xb!, out);
      return out;
    },
    otherName: other === 'float' ? "XNNPACK's float rule (dequantize, square, round half even)" : 'single rounding of the output multiplier',
    runs: sweep ? 1 : 3,
  };
}

/** RSQRT over every code at or above the zero point (below it TFLite refuses the input). */
function rsqrtCase(si: number, so: number, other: RsqrtRule): TieCase {
  const n = 256;
  const b = new ModelBuilder();
  const x = b.addInput({ name: 'x', shape: [n], type: 'INT8', quantization: q(si, -128) });
  const y = b.addOutput({ name: 'y', shape: [n], type: 'INT8', quantization: q(so, -128) });
  b.addOperator('RSQRT', [x], [y]);
  const p = prepareRsqrtInt8(tensorQuant(si, -128), tensorQuant(so, -128), other);
  return {
    name: `RSQRT scales ${si} → ${so}, every code`,
    bytes: b.toBytes(),
    inputs: () => [Int8Array.from({ length: n }, (_, i) => i - 128)],
    other: ([xin]) => {
      const out = new Int8Array(n);
      rsqrtInt8(p, xin!, out);
      return out;
    },
    otherName: other === 'float' ? 'a float32 table rounded half even' : 'single rounding of the fixed-point multiplies',
    runs: 1,
  };
}

export const TIE_CASES: Array<() => TieCase> = [
  () => transposeConvCase('SAME', 3, [1, 5, 5, 6], 5, 'reference'),
  () => transposeConvCase('VALID', 3, [1, 4, 4, 3], 4, 'single-rounding'),
  () => transposeConvCase('SAME', 4, [1, 4, 5, 3], 4, 'single-rounding'),
  // 2× puts half the samples at alpha ½ (ties on every odd difference); 3→7 gives alphas that 10 bits cannot hold.
  () => resizeCase('bilinear', [1, 4, 5, 3], [8, 10], { alignCorners: false, halfPixelCenters: false }),
  () => resizeCase('bilinear', [1, 4, 5, 3], [8, 10], { alignCorners: false, halfPixelCenters: true }),
  () => resizeCase('bilinear', [2, 3, 3, 2], [7, 7], { alignCorners: true, halfPixelCenters: false }),
  () => resizeCase('bilinear', [1, 7, 6, 2], [11, 4], { alignCorners: false, halfPixelCenters: true }),
  () => resizeCase('nearest', [1, 5, 7, 2], [8, 3], { alignCorners: false, halfPixelCenters: true }),
  () => resizeCase('nearest', [1, 4, 5, 2], [7, 9], { alignCorners: true, halfPixelCenters: false }),
  // (a−b)²·s²/s_out = (a−b)²/2: every odd difference is a tie.
  () => squaredDifferenceCase(1 / 16, 1 / 16, 2 / 256, false, 'float'),
  // Found by sweeping all code pairs: 646 of 65,536 round differently when the last multiplier rounds once.
  () => squaredDifferenceCase(0.02, 0.03, 0.02, true, 'builtin-single'),
  // Power-of-two scales put 1/√v·s exactly between codes for some v; found by trying scale pairs against LiteRT.
  () => rsqrtCase(1 / 256, 1 / 16, 'float'),
  () => rsqrtCase(1 / 64, 1 / 32, 'builtin-single'),
];

describe('dense ops vs LiteRT on rounding ties', function () {
  this.timeout(120_000);
  const lrt = liteRtForSuite();
  for (const make of TIE_CASES) {
    const c = make();
    it(`${c.name}: bit-exact over ${c.runs ?? 20} tie-heavy inputs; ${c.otherName} is not`, async () => {
      const ours = Interpreter.fromBuffer(c.bytes);
      const m = await lrt().compile(c.bytes);
      const rnd = mulberry32(99);
      let compared = 0;
      let otherDiffers = 0;
      try {
        for (let k = 0; k < (c.runs ?? 20); k++) {
          const xs = c.inputs(rnd);
          const want = (await m.run(xs))[0] as Int8Array;
          xs.forEach((x, i) => ours.setInput(i, x));
          ours.invoke();
          const got = ours.output(0) as Int8Array;
          const alt = c.other(xs);
          for (let i = 0; i < want.length; i++) {
            if (got[i] !== want[i]) expect.fail(`input ${k}, element ${i}: LiteRT ${want[i]}, interpreter ${got[i]}`);
            if (alt[i] !== want[i]) otherDiffers++;
          }
          compared += want.length;
        }
      } finally {
        m.delete();
      }
      expect(compared).to.be.greaterThan(0);
      expect(otherDiffers, `${c.otherName} should differ on some ties`).to.be.greaterThan(0);
    });
  }
});
