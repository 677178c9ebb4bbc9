// MAXIMUM, MINIMUM and REDUCE_MAX against LiteRT.js where a requantizing
// kernel would show: the inputs and the output carry different scales, and
// many elements tie (equal codes on both sides, repeated maxima). LiteRT
// passes the winning code through unchanged; so must the interpreter, and the
// requantized real max/min (the other candidate) must differ.

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { liteRtForSuite } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';

const clamp = (v: number): number => Math.max(-128, Math.min(127, v));

describe('MAXIMUM / MINIMUM / REDUCE_MAX codes vs LiteRT', function () {
  this.timeout(120_000);
  const lrt = liteRtForSuite();

  for (const op of ['MAXIMUM', 'MINIMUM'] as const) {
    it(`${op} with broadcasting and unequal scales passes codes through, as LiteRT does`, async () => {
      const b = new ModelBuilder();
      const x1 = b.addInput({ name: 'a', shape: [1, 4, 16, 4], type: 'INT8', quantization: { scale: 0.1, zeroPoint: 0 } });
      const x2 = b.addInput({ name: 'b', shape: [1, 1, 1, 4], type: 'INT8', quantization: { scale: 0.2, zeroPoint: 10 } });
      const y = b.addOutput({ name: 'y', shape: [1, 4, 16, 4], type: 'INT8', quantization: { scale: 0.3, zeroPoint: -3 } });
      b.addOperator(op, [x1, x2], [y]);
      const bytes = b.toBytes();
      const rnd = mulberry32(op.length);
      const pick = op === 'MAXIMUM' ? Math.max : Math.min;
      const it = Interpreter.fromBuffer(bytes);
      let requantDiffers = 0;
      for (let k = 0; k < 5; k++) {
        // Half the codes equal the broadcast operand's: ties everywhere.
        const B = Int8Array.from({ length: 4 }, () => Math.floor(rnd() * 256) - 128);
        const A = Int8Array.from({ length: 256 }, (_, i) => (rnd() < 0.5 ? B[i % 4]! : Math.floor(rnd() * 256) - 128));
        const [want] = (await lrt().run(bytes, [A, B])) as Int8Array[];
        it.setInput(0, A);
        it.setInput(1, B);
        it.invoke();
        expect(Array.from(it.output(0) as Int8Array)).to.deep.equal(Array.from(want!));
        for (let i = 0; i < 256; i++) {
          const real = pick(0.1 * A[i]!, 0.2 * (B[i % 4]! - 10));
          if (clamp(Math.round(real / 0.3) - 3) !== want![i]) requantDiffers++;
        }
      }
      expect(requantDiffers).to.be.greaterThan(0);
    });
  }

  it('REDUCE_MAX over H,W with an output scale unlike the input\'s writes the input code, as LiteRT does', async () => {
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'x', shape: [2, 5, 3, 8], type: 'INT8', quantization: { scale: 0.1, zeroPoint: 3 } });
    const axes = b.addTensor({ name: 'axes', shape: [2], type: 'INT32', data: Int32Array.from([-3, 2]) });
    const y = b.addOutput({ name: 'y', shape: [2, 1, 1, 8], type: 'INT8', quantization: { scale: 0.25, zeroPoint: -7 } });
    b.addOperator('REDUCE_MAX', [x, axes], [y], { keepDims: true });
    const bytes = b.toBytes();
    const rnd = mulberry32(82);
    // Few distinct codes: the maximum repeats within most windows.
    const input = Int8Array.from({ length: 240 }, () => Math.floor(rnd() * 6) * 40 - 128);
    const [want] = (await lrt().run(bytes, [input])) as Int8Array[];
    const it = Interpreter.fromBuffer(bytes);
    it.setInput(0, input);
    it.invoke();
    expect(Array.from(it.output(0) as Int8Array)).to.deep.equal(Array.from(want!));
    const requant = Array.from(want!, (_, o) => {
      const [n, c] = [Math.floor(o / 8), o % 8];
      let m = -128;
      for (let p = 0; p < 15; p++) m = Math.max(m, input[(n * 15 + p) * 8 + c]!);
      return clamp(Math.round(((m - 3) * 0.1) / 0.25) - 7);
    });
    expect(requant).to.not.deep.equal(Array.from(want!));
  });
});
