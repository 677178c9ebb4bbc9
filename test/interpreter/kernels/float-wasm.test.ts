// The float32 wasm SIMD kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED)
// against the plain-JS float kernels: both round every product and sum in
// float32 in LiteRT's order (from the bias, weight order; depthwise taps
// column by column), so they agree to the bit, over every window geometry and
// over channel counts and row counts that leave partial tiles. Narrow outputs
// (fewer than 8 channels, or a GEMM that an 8-wide tile would waste) take
// LiteRT's 4-partial-sum order in JS instead of the wasm kernel.
import { expect } from 'chai';
import {
  conv2dFloat, depthwiseConv2dFloat, fullyConnectedFloat, prepareConv2dFloat, prepareDepthwiseConv2dFloat,
  prepareFullyConnectedFloat, type FusedActivation, type Padding,
} from '../../../src/interpreter/kernels/index.js';
import { WasmArena } from '../../../src/interpreter/wasm/arena.js';
import { gemmUsesLanes4 } from '../../../src/interpreter/kernels/xnn_f32_order.js';
import { lcg } from './helpers.js';

function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const r = lcg(seed);
  return Float32Array.from({ length: n }, () => scale * (2 * r() - 1));
}

/** Bit-identical, element by element. */
function same(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, `${what}: length`).to.equal(b.length);
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) differing++;
  expect(differing, `${what}: elements that differ`).to.equal(0);
}

/** The op prepared with the wasm arena (on the wasm kernel when `wide`) computes what its plain-JS form computes on `x`. */
function expectWasmMatchesJs<P extends { outputShape: number[]; wasm?: unknown }>(
  js: P, simd: P, run: (p: P, x: Float32Array, y: Float32Array) => void, x: Float32Array, what: string, wide = true,
): void {
  expect(simd.wasm === null, 'took the narrow (JS) path').to.equal(!wide);
  const n = js.outputShape.reduce((a, b) => a * b, 1);
  const want = new Float32Array(n);
  const got = new Float32Array(n).fill(NaN);
  run(js, x, want);
  run(simd, x, got);
  same(got, want, what);
}

describe('interpreter/kernels float32 on wasm SIMD', () => {
  const arena = new WasmArena();

  const convCases: Array<{ shape: number[]; oc: number; k: number; stride: number; dil: number; padding: Padding; act: FusedActivation }> = [
    { shape: [1, 7, 9, 3], oc: 5, k: 3, stride: 1, dil: 1, padding: 'SAME', act: 'NONE' },
    { shape: [2, 8, 8, 4], oc: 16, k: 3, stride: 2, dil: 1, padding: 'SAME', act: 'RELU6' },
    { shape: [1, 9, 7, 2], oc: 9, k: 3, stride: 1, dil: 2, padding: 'VALID', act: 'RELU' },
    { shape: [1, 6, 6, 17], oc: 13, k: 1, stride: 1, dil: 1, padding: 'VALID', act: 'NONE' },
    { shape: [1, 6, 6, 17], oc: 15, k: 1, stride: 1, dil: 1, padding: 'VALID', act: 'NONE' },
    { shape: [3, 5, 5, 8], oc: 8, k: 1, stride: 2, dil: 1, padding: 'SAME', act: 'RELU_N1_TO_1' },
    { shape: [1, 10, 10, 1], oc: 7, k: 5, stride: 2, dil: 1, padding: 'SAME', act: 'NONE' },
    { shape: [1, 10, 10, 1], oc: 1, k: 3, stride: 1, dil: 1, padding: 'SAME', act: 'NONE' },
  ];
  for (const c of convCases) {
    it(`CONV_2D ${c.shape.join('x')} → ${c.oc}, ${c.k}×${c.k} stride ${c.stride} dilation ${c.dil} ${c.padding} ${c.act}`, () => {
      const inC = c.shape[3]!;
      const weights = randomFloats(c.oc * c.k * c.k * inC, 11);
      const bias = randomFloats(c.oc, 12, 0.5);
      const o = { padding: c.padding, strideH: c.stride, strideW: c.stride, dilationH: c.dil, dilationW: c.dil, activation: c.act };
      const js = prepareConv2dFloat(c.shape, [c.oc, c.k, c.k, inC], weights, bias, o);
      const simd = prepareConv2dFloat(c.shape, [c.oc, c.k, c.k, inC], weights, bias, o, arena);
      // 1×1 stride 1 unpadded convs are GEMMs (narrow unless an 8-wide tile wastes ≤ 1% or no more than a 2-wide one); others narrow below 8.
      const gemm = c.k === 1 && c.stride === 1;
      const wide = gemm ? !gemmUsesLanes4(c.oc) : c.oc >= 8;
      expectWasmMatchesJs(js, simd, conv2dFloat, randomFloats(c.shape.reduce((a, b) => a * b, 1), 13, 2), 'conv', wide);
    });
  }

  const dwCases: Array<{ shape: number[]; dm: number; k: number; stride: number; dil: number; padding: Padding }> = [
    { shape: [1, 8, 8, 8], dm: 1, k: 3, stride: 1, dil: 1, padding: 'SAME' },
    { shape: [2, 9, 7, 6], dm: 1, k: 3, stride: 2, dil: 1, padding: 'SAME' },
    { shape: [1, 7, 7, 3], dm: 2, k: 3, stride: 1, dil: 2, padding: 'VALID' },
    { shape: [1, 5, 6, 13], dm: 1, k: 5, stride: 1, dil: 1, padding: 'SAME' },
  ];
  for (const c of dwCases) {
    it(`DEPTHWISE_CONV_2D ${c.shape.join('x')} ×${c.dm}, ${c.k}×${c.k} stride ${c.stride} dilation ${c.dil} ${c.padding}`, () => {
      const outC = c.shape[3]! * c.dm;
      const weights = randomFloats(c.k * c.k * outC, 21);
      const bias = randomFloats(outC, 22, 0.5);
      const o = { padding: c.padding, strideH: c.stride, strideW: c.stride, dilationH: c.dil, dilationW: c.dil, activation: 'RELU6' as const, depthMultiplier: c.dm };
      const js = prepareDepthwiseConv2dFloat(c.shape, [1, c.k, c.k, outC], weights, bias, o);
      const simd = prepareDepthwiseConv2dFloat(c.shape, [1, c.k, c.k, outC], weights, bias, o, arena);
      expectWasmMatchesJs(js, simd, depthwiseConv2dFloat, randomFloats(c.shape.reduce((a, b) => a * b, 1), 23, 3), 'depthwise');
    });
  }

  for (const [batches, inputSize, units] of [[1, 10, 3], [5, 64, 10], [7, 33, 17], [5, 64, 16], [3, 20, 23]] as const) {
    it(`FULLY_CONNECTED ${batches}×${inputSize} → ${units}, with and without bias`, () => {
      const weights = randomFloats(units * inputSize, 31);
      for (const bias of [randomFloats(units, 32), null]) {
        const o = { activation: 'NONE' as const };
        const js = prepareFullyConnectedFloat([batches, inputSize], [units, inputSize], weights, bias, o);
        const simd = prepareFullyConnectedFloat([batches, inputSize], [units, inputSize], weights, bias, o, arena);
        const x = randomFloats(batches * inputSize, 33);
        const want = new Float32Array(batches * units);
        const got = new Float32Array(batches * units).fill(NaN);
        fullyConnectedFloat(js, x, want);
        fullyConnectedFloat(simd, x, got);
        expect(simd.wasm === null, 'narrow').to.equal(gemmUsesLanes4(units));
        same(got, want, bias ? 'fc with bias' : 'fc without bias');
      }
    });
  }

  it('float CONV_2D rounds like float32 on both paths: 1 + 2⁻²⁴ + 2⁻²⁴ stays 1 where float64 gives 1 + 2⁻²³', () => {
    // Three taps in one window, all weights 1, 8 output channels (the wasm kernel): float32 drops each 2⁻²⁴ (ties to even).
    const x = Float32Array.of(1, 2 ** -24, 2 ** -24);
    const o = { padding: 'VALID' as const, strideH: 1, strideW: 1, activation: 'NONE' as const };
    const ones = new Float32Array(24).fill(1);
    const simd = prepareConv2dFloat([1, 1, 3, 1], [8, 1, 3, 1], ones, null, o, arena);
    const js = prepareConv2dFloat([1, 1, 3, 1], [8, 1, 3, 1], ones, null, o);
    expect(simd.wasm).to.not.equal(null);
    const got = new Float32Array(8);
    const want = new Float32Array(8);
    conv2dFloat(simd, x, got);
    conv2dFloat(js, x, want);
    expect(Array.from(got)).to.deep.equal(new Array(8).fill(1));
    expect(Array.from(want)).to.deep.equal(new Array(8).fill(1));
    expect(1 + 2 ** -24 + 2 ** -24).to.equal(1 + 2 ** -23);
  });

  it('the bias starts the float32 sum: (b + p) + q differs from (p + q) + b where the order matters', () => {
    // b = 1, products 2⁻²⁴ and 2⁻²⁴: from the bias both vanish (1); bias last they first make 2⁻²³, then 1 + 2⁻²³.
    const x = Float32Array.of(2 ** -24, 2 ** -24);
    const o = { padding: 'VALID' as const, strideH: 1, strideW: 1, activation: 'NONE' as const };
    for (const engine of [arena, null]) {
      const p = prepareConv2dFloat([1, 1, 2, 1], [8, 1, 2, 1], new Float32Array(16).fill(1), new Float32Array(8).fill(1), o, engine);
      const y = new Float32Array(8);
      conv2dFloat(p, x, y);
      expect(Array.from(y), engine ? 'wasm' : 'js').to.deep.equal(new Array(8).fill(1));
    }
  });
});
