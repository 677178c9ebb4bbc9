// The float32 wasm SIMD kernels (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED)
// against the plain-JS float kernels, which sum in float64: the SIMD ones
// round every product and sum in float32, so they agree to float32
// accumulation error, over every window geometry and over channel counts
// and row counts that leave partial tiles.
import { expect } from 'chai';
import {
  conv2dFloat, depthwiseConv2dFloat, fullyConnectedFloat, prepareConv2dFloat, prepareDepthwiseConv2dFloat,
  prepareFullyConnectedFloat, type FusedActivation, type Padding,
} from '../../../src/interpreter/kernels/index.js';
import { WasmArena } from '../../../src/interpreter/wasm/arena.js';
import { lcg } from './helpers.js';

function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const r = lcg(seed);
  return Float32Array.from({ length: n }, () => scale * (2 * r() - 1));
}

/** max |a − b| over max(1, |b|): float32 accumulation error of sums of O(depth) terms is far below 1e-5. */
function closeTo(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length, `${what}: length`).to.equal(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  expect(worst, what).to.be.below(2e-5);
}

/** The op prepared with the wasm arena computes what its plain-JS form computes on `x`. */
function expectWasmMatchesJs<P extends { outputShape: number[]; wasm: unknown }>(
  js: P, simd: P, run: (p: P, x: Float32Array, y: Float32Array) => void, x: Float32Array, what: string,
): void {
  expect(simd.wasm, 'took the wasm path').to.not.equal(null);
  const n = js.outputShape.reduce((a, b) => a * b, 1);
  const want = new Float32Array(n);
  const got = new Float32Array(n).fill(NaN);
  run(js, x, want);
  run(simd, x, got);
  closeTo(got, want, what);
}

describe('interpreter/kernels float32 on wasm SIMD', () => {
  const arena = new WasmArena();

  const convCases: Array<{ shape: number[]; oc: number; k: number; stride: number; dil: number; padding: Padding; act: FusedActivation }> = [
    { shape: [1, 7, 9, 3], oc: 5, k: 3, stride: 1, dil: 1, padding: 'SAME', act: 'NONE' },
    { shape: [2, 8, 8, 4], oc: 16, k: 3, stride: 2, dil: 1, padding: 'SAME', act: 'RELU6' },
    { shape: [1, 9, 7, 2], oc: 9, k: 3, stride: 1, dil: 2, padding: 'VALID', act: 'RELU' },
    { shape: [1, 6, 6, 17], oc: 13, k: 1, stride: 1, dil: 1, padding: 'VALID', act: 'NONE' },
    { shape: [3, 5, 5, 8], oc: 8, k: 1, stride: 2, dil: 1, padding: 'SAME', act: 'RELU_N1_TO_1' },
    { shape: [1, 10, 10, 1], oc: 7, k: 5, stride: 2, dil: 1, padding: 'SAME', act: 'NONE' },
  ];
  for (const c of convCases) {
    it(`CONV_2D ${c.shape.join('x')} → ${c.oc}, ${c.k}×${c.k} stride ${c.stride} dilation ${c.dil} ${c.padding} ${c.act}`, () => {
      const inC = c.shape[3]!;
      const weights = randomFloats(c.oc * c.k * c.k * inC, 11);
      const bias = randomFloats(c.oc, 12, 0.5);
      const o = { padding: c.padding, strideH: c.stride, strideW: c.stride, dilationH: c.dil, dilationW: c.dil, activation: c.act };
      const js = prepareConv2dFloat(c.shape, [c.oc, c.k, c.k, inC], weights, bias, o);
      const simd = prepareConv2dFloat(c.shape, [c.oc, c.k, c.k, inC], weights, bias, o, arena);
      expectWasmMatchesJs(js, simd, conv2dFloat, randomFloats(c.shape.reduce((a, b) => a * b, 1), 13, 2), 'conv');
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

  for (const [batches, inputSize, units] of [[1, 10, 3], [5, 64, 10], [7, 33, 17]] as const) {
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
        closeTo(got, want, bias ? 'fc with bias' : 'fc without bias');
      }
    });
  }

  it('SIMD CONV_2D rounds like float32: the sum 1 + 2⁻²⁴ + 2⁻²⁴ stays 1 where float64 gives 1 + 2⁻²³', () => {
    // Three taps in one window, all weights 1: float32 drops each 2⁻²⁴ (ties to even), float64 keeps them.
    const x = Float32Array.of(1, 2 ** -24, 2 ** -24);
    const o = { padding: 'VALID' as const, strideH: 1, strideW: 1, activation: 'NONE' as const };
    const ones = Float32Array.of(1, 1, 1);
    const simd = prepareConv2dFloat([1, 1, 3, 1], [1, 1, 3, 1], ones, null, o, arena);
    const js = prepareConv2dFloat([1, 1, 3, 1], [1, 1, 3, 1], ones, null, o);
    const got = new Float32Array(1);
    const want = new Float32Array(1);
    conv2dFloat(simd, x, got);
    conv2dFloat(js, x, want);
    expect(got[0]).to.equal(1);
    expect(want[0]).to.equal(Math.fround(1 + 2 ** -23));
  });
});
