// MEAN over the axes layer and instance normalization reduce (channels; H,W,C;
// H,W), keep_dims, against LiteRT.js with scales that put many means on an
// exact .5: output scale twice the input's, so the mean lands on
// Σ(q − zp)/(2·count). XNNPACK rounds those half to even — after adding
// the output zero point, so an odd one flips them — TFLite's builtin kernels
// half away from zero (or truncate): which one LiteRT runs shows, and the
// interpreter must match it.

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { liteRtForSuite, loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';

const CASES: Array<{ name: string; shape: number[]; axes: number[]; keepDims: boolean; outZeroPoint: number }> = [
  { name: 'channels', shape: [1, 3, 5, 4], axes: [3], keepDims: true, outZeroPoint: -5 },
  { name: 'H,W,C', shape: [1, 2, 2, 2], axes: [1, 2, 3], keepDims: true, outZeroPoint: 3 },
  { name: 'H,W', shape: [1, 2, 2, 3], axes: [1, 2], keepDims: true, outZeroPoint: 7 },
  { name: 'H,W (global average pool)', shape: [1, 2, 2, 3], axes: [1, 2], keepDims: false, outZeroPoint: -1 },
  { name: 'channels', shape: [1, 3, 5, 4], axes: [3], keepDims: true, outZeroPoint: 4 },
];

describe('MEAN with tie-heavy scales vs LiteRT (normalization axes)', function () {
  this.timeout(120_000);
  let lrt: LiteRtRunner;
  before(async () => {
    lrt = await loadLiteRt();
  });

  for (const c of CASES) {
    it(`MEAN over ${c.name}${c.keepDims ? ', keep_dims' : ''}, output zero point ${c.outZeroPoint}: the interpreter's codes equal LiteRT's; the builtin rounding would not`, async () => {
      const b = new ModelBuilder();
      const outShape = c.shape.map((d, i) => (c.axes.includes(i) ? 1 : d)).filter((_, i) => c.keepDims || !c.axes.includes(i));
      const x = b.addInput({ name: 'x', shape: c.shape, type: 'INT8', quantization: { scale: 0.01, zeroPoint: 3 } });
      const axes = b.addTensor({ name: 'axes', shape: [c.axes.length], type: 'INT32', data: Int32Array.from(c.axes) });
      const y = b.addOutput({ name: 'y', shape: outShape, type: 'INT8', quantization: { scale: 0.02, zeroPoint: c.outZeroPoint } });
      b.addOperator('MEAN', [x, axes], [y], { keepDims: c.keepDims });
      const bytes = b.toBytes();
      const ours = Interpreter.fromBuffer(bytes);
      const builtin = Interpreter.fromBuffer(bytes, { arithmetic: 'reference' });
      const rnd = mulberry32(c.axes.length * 7 + c.shape[3]!);
      const size = c.shape.reduce((p, d) => p * d, 1);
      let compared = 0;
      let builtinDiffers = 0;
      for (let k = 0; k < 200; k++) {
        const input = Int8Array.from({ length: size }, () => Math.floor(rnd() * 120) - 60);
        const [want] = (await lrt.run(bytes, [input])) as Int8Array[];
        ours.setInput(0, input);
        ours.invoke();
        expect(Array.from(ours.output(0) as Int8Array), `input ${k}`).to.deep.equal(Array.from(want!));
        builtin.setInput(0, input);
        builtin.invoke();
        const other = builtin.output(0) as Int8Array;
        for (let i = 0; i < other.length; i++) if (other[i] !== want![i]) builtinDiffers++;
        compared += other.length;
      }
      console.log(`      MEAN over ${c.name}: builtin rounding differs from LiteRT on ${builtinDiffers} of ${compared} outputs`);
      expect(builtinDiffers).to.be.greaterThan(0);
    });
  }
});

// XNNPACK's int8 MEAN takes the raw sum of codes times (s_in/s_out)/N and adds
// one float32 bias holding both zero points, zp_out − N·zp_in·scale; taking
// N·zp_in off the integer sum instead is the same real number but rounds
// differently where the mean lies within a bias rounding of a .5. Each case
// feeds every reachable sum Σ(q − zp_in) once, so the few sums where the
// two disagree are always among them. The scales are from the style-net
// instance norm's variance (14×14, zero points −128) and others where the
// near-tie goes up or down, over H,W (keep_dims or not), channels and one axis.
const SUM_CASES: Array<{ name: string; shape: number[]; axes: number[]; keepDims: boolean; sIn: number; sOut: number; zpIn: number; zpOut: number }> = [
  { name: 'H,W 14×14 (style-net variance)', shape: [1, 14, 14, 512], axes: [1, 2], keepDims: true, sIn: 0.22678214311599731, sOut: 0.003951943013817072, zpIn: -128, zpOut: -128 },
  { name: 'H,W 14×14', shape: [1, 14, 14, 512], axes: [1, 2], keepDims: true, sIn: 0.1068, sOut: 0.001155, zpIn: -128, zpOut: -128 },
  { name: 'H,W 28×28 (global average pool)', shape: [1, 28, 28, 512], axes: [1, 2], keepDims: false, sIn: 0.1296, sOut: 0.016046, zpIn: -100, zpOut: -3 },
  { name: 'H,W 28×28', shape: [1, 28, 28, 512], axes: [1, 2], keepDims: true, sIn: 0.141, sOut: 0.00599, zpIn: -100, zpOut: -3 },
  { name: 'channels', shape: [1, 16, 32, 100], axes: [3], keepDims: true, sIn: 0.0896, sOut: 0.003057, zpIn: -128, zpOut: 5 },
  { name: 'channels', shape: [1, 16, 32, 100], axes: [3], keepDims: true, sIn: 0.0326, sOut: 0.000484, zpIn: -128, zpOut: 5 },
  { name: 'one axis of 300', shape: [1, 1, 300, 512], axes: [2], keepDims: true, sIn: 0.1638, sOut: 0.003008, zpIn: 90, zpOut: -127 },
  { name: 'one axis of 300', shape: [1, 1, 300, 512], axes: [2], keepDims: true, sIn: 0.0726, sOut: 0.001576, zpIn: 90, zpOut: -127 },
];

/** For each output value, the flat indices of the input values it averages. */
function membersOf(shape: number[], axes: number[]): number[][] {
  const size = shape.reduce((p, d) => p * d, 1);
  const kept = shape.map((_, d) => !axes.includes(d));
  const outputs = shape.reduce((p, d, i) => (kept[i] ? p * d : p), 1);
  const members = Array.from({ length: outputs }, () => [] as number[]);
  const at = shape.map(() => 0);
  for (let i = 0; i < size; i++) {
    let o = 0;
    shape.forEach((d, k) => {
      if (kept[k]) o = o * d + at[k]!;
    });
    members[o]!.push(i);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++at[k]! < shape[k]!) break;
      at[k] = 0;
    }
  }
  return members;
}

describe('int8 MEAN on every sum of codes vs LiteRT (zero points in a float bias)', function () {
  this.timeout(600_000);
  const lrt = liteRtForSuite();

  for (const c of SUM_CASES) {
    it(`MEAN over ${c.name}, s_in/s_out ${(c.sIn / c.sOut).toPrecision(4)}, zero points ${c.zpIn}/${c.zpOut}: the interpreter's codes equal LiteRT's for every sum`, async () => {
      const b = new ModelBuilder();
      const outShape = c.shape.map((d, i) => (c.axes.includes(i) ? 1 : d)).filter((_, i) => c.keepDims || !c.axes.includes(i));
      const x = b.addInput({ name: 'x', shape: c.shape, type: 'INT8', quantization: { scale: c.sIn, zeroPoint: c.zpIn } });
      const axes = b.addTensor({ name: 'axes', shape: [c.axes.length], type: 'INT32', data: Int32Array.from(c.axes) });
      const y = b.addOutput({ name: 'y', shape: outShape, type: 'INT8', quantization: { scale: c.sOut, zeroPoint: c.zpOut } });
      b.addOperator('MEAN', [x, axes], [y], { keepDims: c.keepDims });
      const bytes = b.toBytes();
      const ours = Interpreter.fromBuffer(bytes);
      const members = membersOf(c.shape, c.axes);
      const n = members[0]!.length;
      // Σ(q − zp_in) over n codes runs from n·(−128 − zp_in) to n·(127 − zp_in).
      const first = n * (-128 - c.zpIn);
      const last = n * (127 - c.zpIn);
      const input = new Int8Array(c.shape.reduce((p, d) => p * d, 1));
      let differ = 0;
      for (let start = first; start <= last; start += members.length) {
        members.forEach((m, o) => {
          const sum = Math.min(start + o, last);
          const base = Math.floor(sum / n);
          const extra = sum - base * n;
          m.forEach((i, j) => {
            input[i] = c.zpIn + base + (j < extra ? 1 : 0);
          });
        });
        const [want] = (await lrt().run(bytes, [input])) as Int8Array[];
        ours.setInput(0, input);
        ours.invoke();
        const got = ours.output(0) as Int8Array;
        for (let o = 0; o < got.length; o++) if (got[o] !== want![o]) differ++;
      }
      expect(differ, `outputs that differ from LiteRT over ${last - first + 1} sums`).to.equal(0);
    });
  }
});
