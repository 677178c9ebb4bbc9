// INT4 weights: the interpreter against LiteRT.js on single-op models whose
// scales make exact .5 ties common (requantization multipliers 1/2, 1/4,
// 3/8, 3/4), so the rounding each runtime applies shows. LiteRT runs INT4
// CONV_2D, DEPTHWISE_CONV_2D and odd-depth FULLY_CONNECTED on TFLite's
// builtin kernels, even-depth FULLY_CONNECTED on XNNPACK.

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import { ModelBuilder, packInt4 } from '../../src/tflite/index.js';
import type { OpName } from '../../src/tflite/options.js';
import { liteRtForSuite } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';

const S_IN = 0.0625;
const S_OUT = 0.125;
const RATIOS = [0.5, 0.25, 0.375, 0.75, 0.3];

interface Case { op: OpName; x: number[]; w: number[]; y: number[]; options: Record<string, unknown>; axis: number }

const CASES: Case[] = [
  { op: 'CONV_2D', x: [1, 9, 9, 6], w: [5, 3, 3, 6], y: [1, 9, 9, 5], options: { padding: 'SAME', fusedActivation: 'RELU6' }, axis: 0 },
  { op: 'CONV_2D', x: [1, 8, 8, 7], w: [5, 1, 1, 7], y: [1, 8, 8, 5], options: { padding: 'VALID' }, axis: 0 },
  { op: 'DEPTHWISE_CONV_2D', x: [1, 9, 9, 5], w: [1, 3, 3, 5], y: [1, 5, 5, 5], options: { padding: 'SAME', strideW: 2, strideH: 2, depthMultiplier: 1 }, axis: 3 },
  { op: 'FULLY_CONNECTED', x: [4, 33], w: [5, 33], y: [4, 5], options: {}, axis: 0 },
  { op: 'FULLY_CONNECTED', x: [6, 20], w: [7, 20], y: [6, 7], options: { fusedActivation: 'RELU' }, axis: 0 },
  { op: 'FULLY_CONNECTED', x: [6, 21], w: [7, 21], y: [6, 7], options: { fusedActivation: 'RELU6' }, axis: 0 },
];

function model(c: Case, rnd: () => number): Uint8Array {
  const channels = c.w[c.axis]!;
  const count = c.w.reduce((a, b) => a * b, 1);
  const weights = Int8Array.from({ length: count }, () => Math.floor(rnd() * 15) - 7);
  // Weight scale = ratio · s_out / s_in, so each channel's multiplier is exactly the ratio.
  const scales = Array.from({ length: channels }, (_, k) => (RATIOS[k % RATIOS.length]! * S_OUT) / S_IN);
  const b = new ModelBuilder();
  const x = b.addInput({ name: 'x', shape: c.x, type: 'INT8', quantization: { scale: S_IN, zeroPoint: 3 } });
  const w = b.addTensor({
    name: 'w', shape: c.w, type: 'INT4', data: packInt4(weights),
    quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: c.axis },
  });
  const bias = b.addTensor({
    name: 'b', shape: [channels], type: 'INT32', data: Int32Array.from({ length: channels }, () => Math.floor(rnd() * 41) - 20),
    quantization: { scale: scales.map((s) => s * S_IN), zeroPoint: scales.map(() => 0) },
  });
  const y = b.addOutput({ name: 'y', shape: c.y, type: 'INT8', quantization: { scale: S_OUT, zeroPoint: -5 } });
  b.addOperator(c.op, [x, w, bias], [y], c.options as never);
  return b.toBytes();
}

describe('INT4 weights vs LiteRT', function () {
  this.timeout(120_000);
  const lrt = liteRtForSuite();

  for (const c of CASES) {
    it(`${c.op} ${JSON.stringify(c.w)}: bit-exact over 20 inputs full of .5 ties`, async () => {
      const rnd = mulberry32(c.w.reduce((a, b) => a * 31 + b, 7));
      const bytes = model(c, rnd);
      const it = Interpreter.fromBuffer(bytes);
      const other = Interpreter.fromBuffer(bytes, { arithmetic: 'reference' });
      const m = await lrt().compile(bytes);
      let compared = 0;
      let otherDiffers = 0;
      try {
        for (let k = 0; k < 20; k++) {
          // Inputs near the zero point keep outputs inside int8, where the rounding shows.
          const x = Int8Array.from({ length: c.x.reduce((a, b) => a * b, 1) }, () => 3 + Math.floor(rnd() * 9) - 4);
          const want = (await m.run([x]))[0] as Int8Array;
          it.setInput(0, x);
          it.invoke();
          other.setInput(0, x);
          other.invoke();
          const got = it.output(0) as Int8Array;
          const alt = other.output(0) as Int8Array;
          for (let i = 0; i < want.length; i++) {
            expect(got[i], `input ${k}, element ${i}`).to.equal(want[i]);
            if (alt[i] !== want[i]) otherDiffers++;
          }
          compared += want.length;
        }
      } finally {
        m.delete();
      }
      expect(compared).to.be.greaterThan(0);
      // Where LiteRT leaves the reference kernels' rounding, the ties make it visible.
      if (c.op === 'CONV_2D' || c.op === 'FULLY_CONNECTED') expect(otherDiffers, 'ties present').to.be.greaterThan(0);
      else expect(otherDiffers).to.equal(0);
    });
  }
});
