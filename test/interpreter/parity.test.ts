// Our interpreter against LiteRT.js (Google's runtime, XNNPACK on WebAssembly)
// on seeded random models: every element of every output over 100 seeded
// inputs must be identical, quantized and float32 (the interpreter's float
// kernels sum in XNNPACK's order; the wasm build LiteRT loads has no FMA).

import { expect } from 'chai';
import { liteRtForSuite } from '../support/litert.js';
import { parityZoo, type Variant } from '../support/random-models.js';
import { compareWithLiteRt } from './parity-helpers.js';

const QUANTIZED: Variant[] = ['int8', 'float-io', 'uint8-io'];

describe('interpreter vs LiteRT on random models (bit-exact)', function () {
  this.timeout(300_000);
  const lrt = liteRtForSuite();

  for (const net of parityZoo()) {
    for (const variant of QUANTIZED) {
      it(`${net.name} ${variant}: 0 differing elements over 100 inputs`, async () => {
        const r = await compareWithLiteRt(lrt(), net.model(variant, { allOutputs: variant === 'int8' }), 100, 1234, { inputRange: net.inputRange });
        console.log(`      ${net.name} ${variant}: ${r.differing} of ${r.elements} output elements differ${variant === 'int8' ? ' (every intermediate tensor is an output here)' : ''}`);
        expect(r.runs).to.equal(100);
        expect(r.elements).to.be.greaterThan(0);
        expect(r.differing).to.equal(0);
      });
    }
    it(`${net.name} float32: within 1e-4 over 20 inputs`, async () => {
      const r = await compareWithLiteRt(lrt(), net.model('float32'), 20, 99, { inputRange: net.inputRange, floatTolerance: 0 });
      console.log(`      ${net.name} float32: max |Δ| ${r.maxAbsDiff.toExponential(2)} over ${r.elements} elements`);
      expect(r.differing).to.equal(0);
    });
  }

  it('every intermediate tensor of the int8 mobilenet agrees too (all tensors exported as outputs)', async () => {
    const net = parityZoo()[1]!;
    const r = await compareWithLiteRt(lrt(), net.model('int8', { allOutputs: true }), 10, 5, { inputRange: net.inputRange });
    expect(r.perOutput.length).to.be.greaterThan(20);
    expect(r.differing).to.equal(0);
  });
});
