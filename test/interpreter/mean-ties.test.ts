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
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
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
