// LEAKY_RELU and PRELU against LiteRT.js on single-op models whose scales
// put many outputs exactly on .5 ties (ratios 1/2, 1/4, 3/8) or make an
// 8-bit multiplier visibly coarse (0.3, 1.37). Every int8 input code is fed
// (for PRELU, against every slope), so each test also shows that the
// competing rounding rule would have failed: the interpreter must match
// LiteRT exactly, and the other candidate must not.

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import {
  type QuantParamsT, leakyReluInt8Arithmetic, leakyReluInt8Value, preluInt8Value, preparePreluInt8, rne, xnnLeakyReluMultipliers,
} from '../../src/interpreter/kernels/index.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { multiplyByQuantizedMultiplierSingleRounding as multiplySingle } from '../../quantize/math.js';
import { type LiteRtRunner, liteRtForSuite } from '../support/litert.js';

const q = (scale: number, zeroPoint: number): QuantParamsT => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], quantizedDimension: 0 });
const ALL_CODES = Int8Array.from({ length: 256 }, (_, i) => i - 128);

interface Run { litert: Int8Array; ours: Int8Array }

async function runBoth(lrt: LiteRtRunner, bytes: Uint8Array, input: Int8Array): Promise<Run> {
  const [litert] = (await lrt.run(bytes, [input])) as Int8Array[];
  const it = Interpreter.fromBuffer(bytes);
  it.setInput(0, input);
  it.invoke();
  return { litert: litert!, ours: Int8Array.from(it.output(0) as Int8Array) };
}

function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

interface LeakyCase { name: string; sIn: number; zIn: number; sOut: number; zOut: number; alpha: number }

const LEAKY: LeakyCase[] = [
  { name: 'ratio 1/2, alpha 1/4: ties on both sides', sIn: 0.5, zIn: 3, sOut: 1, zOut: -7, alpha: 0.25 },
  { name: 'ratio 1/2, alpha −1/2: ties, negative slope', sIn: 0.5, zIn: 0, sOut: 1, zOut: 0, alpha: -0.5 },
  { name: 'ratio 0.3, alpha 0.1: the 8-bit multiplier shows', sIn: 0.03, zIn: 10, sOut: 0.1, zOut: -20, alpha: 0.1 },
  { name: 'ratio 1.37, alpha 0.3', sIn: 0.0685, zIn: -5, sOut: 0.05, zOut: 30, alpha: 0.3 },
  { name: 'ratio 256 (delegate refuses), negative ratio 1/4: ties', sIn: 1, zIn: 127, sOut: 1 / 256, zOut: 0, alpha: 2 ** -10 },
  { name: 'ratio 256 (delegate refuses), negative ratio 3/8: ties', sIn: 1, zIn: 127, sOut: 1 / 256, zOut: 10, alpha: 0.375 / 256 },
  { name: 'ratio 1/4, slope too small for the delegate', sIn: 0.25, zIn: -128, sOut: 1, zOut: 0, alpha: 1 / 300 },
];

interface PreluCase { name: string; sIn: number; zIn: number; sA: number; zA: number; sOut: number; zOut: number; alpha: number[] }

const PRELU: PreluCase[] = [
  { name: 's_in 1/2, s_α 1/4, s_out 1', sIn: 0.5, zIn: 3, sA: 0.25, zA: -2, sOut: 1, zOut: -5, alpha: [1, 2, 3, 5, 6, 7, 9, -3] },
  { name: 's_in 1/4, s_α 1/16, s_out 1/8', sIn: 0.25, zIn: 0, sA: 1 / 16, zA: 0, sOut: 0.125, zOut: 0, alpha: [1, 3, 5, 7, 2, 6, 10, 12] },
];

/** XNNPACK's qs8 vprelu (fp32 requantization, ties to even): the candidate LiteRT does not run. */
function xnnPrelu(c: PreluCase, x: number, a: number): number {
  const f32 = Math.fround;
  const d = x - c.zIn;
  const neg = d < 0;
  const scale = neg ? f32(f32(f32(c.sIn) * f32(c.sA)) / f32(c.sOut)) : f32(f32(c.sIn) / f32(c.sOut));
  const v = rne(f32((neg ? d * (a - c.zA) : d) * scale)) + c.zOut;
  return Math.max(-128, Math.min(127, v));
}

describe('LEAKY_RELU / PRELU rounding vs LiteRT (tie-heavy)', function () {
  this.timeout(120_000);
  const lrt = liteRtForSuite();

  for (const c of LEAKY) {
    it(`LEAKY_RELU ${c.name}: all 256 codes bit-exact, the other rounding rule is not`, async () => {
      const b = new ModelBuilder();
      const x = b.addInput({ name: 'x', shape: [1, 256], type: 'INT8', quantization: { scale: c.sIn, zeroPoint: c.zIn } });
      const y = b.addOutput({ name: 'y', shape: [1, 256], type: 'INT8', quantization: { scale: c.sOut, zeroPoint: c.zOut } });
      b.addOperator('LEAKY_RELU', [x], [y], { alpha: c.alpha });
      const r = await runBoth(lrt(), b.toBytes(), ALL_CODES);
      expect(differing(r.ours, r.litert), 'interpreter vs LiteRT').to.equal(0);
      const delegated = xnnLeakyReluMultipliers(c.sIn, c.sOut, c.alpha) !== null;
      // XNNPACK's 8-bit kernel vs TFLite's fixed point; on the builtin path, double vs single rounding.
      const other = leakyReluInt8Arithmetic(q(c.sIn, c.zIn), q(c.sOut, c.zOut), c.alpha, delegated ? 'reference' : 'single-rounding');
      const alt = ALL_CODES.map((v) => leakyReluInt8Value(other, v));
      expect(differing(alt, r.litert), 'the other candidate differs somewhere').to.be.greaterThan(0);
    });
  }

  for (const c of PRELU) {
    it(`PRELU ${c.name}: every code against every slope bit-exact, XNNPACK's fp32 rounding is not`, async () => {
      const C = c.alpha.length;
      const b = new ModelBuilder();
      const x = b.addInput({ name: 'x', shape: [1, 4, 64, C], type: 'INT8', quantization: { scale: c.sIn, zeroPoint: c.zIn } });
      const a = b.addTensor({ name: 'alpha', shape: [1, 1, C], type: 'INT8', data: Int8Array.from(c.alpha), quantization: { scale: c.sA, zeroPoint: c.zA } });
      const y = b.addOutput({ name: 'y', shape: [1, 4, 64, C], type: 'INT8', quantization: { scale: c.sOut, zeroPoint: c.zOut } });
      b.addOperator('PRELU', [x, a], [y]);
      // Pixel p, channel k holds code p: each of the 256 codes meets every slope.
      const input = Int8Array.from({ length: 256 * C }, (_, i) => Math.floor(i / C) - 128);
      const r = await runBoth(lrt(), b.toBytes(), input);
      expect(differing(r.ours, r.litert), 'interpreter vs LiteRT').to.equal(0);
      const xnn = input.map((v, i) => xnnPrelu(c, v, c.alpha[i % C]!));
      expect(differing(xnn, r.litert), "XNNPACK's fp32 vprelu differs").to.be.greaterThan(0);
      const p = preparePreluInt8([1, 1, 1, 1], q(c.sIn, c.zIn), [1], q(c.sA, c.zA), q(c.sOut, c.zOut));
      const single = (v: number, al: number): number => {
        const d = v - c.zIn;
        const [acc, m, s] = d >= 0 ? [d, p.positiveMultiplier, p.positiveShift] : [d * (al - c.zA), p.negativeMultiplier, p.negativeShift];
        return Math.max(-128, Math.min(127, c.zOut + multiplySingle(acc, m, s)));
      };
      const alt = input.map((v, i) => single(v, c.alpha[i % C]!));
      // The first case's ratios are exact enough that single rounding agrees; the second's are not.
      if (c.sA === 1 / 16) expect(differing(alt, r.litert), 'single rounding differs').to.be.greaterThan(0);
      // And the value function the kernel uses agrees element by element.
      expect(differing(input.map((v, i) => preluInt8Value(p, v, c.alpha[i % C]!)), r.litert)).to.equal(0);
    });
  }
});

