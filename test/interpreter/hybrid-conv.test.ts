// Dynamic-range CONV_2D (float input and output, int8 weights), the form
// TensorFlow's converter writes with Optimize.DEFAULT and no dataset: the
// interpreter against LiteRT.js, which quantizes each input batch
// asymmetrically whatever the filter scales.

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';

interface Case { name: string; scales: number[]; batch: number; size: number; stride: number; dilation: number; act: string; padding: 'SAME' | 'VALID' }

const CASES: Case[] = [
  { name: 'per-channel scales, SAME', scales: [0.01, 0.02, 0.015, 0.03], batch: 1, size: 6, stride: 1, dilation: 1, act: 'NONE', padding: 'SAME' },
  { name: 'one shared scale, batch 2, stride 2, RELU', scales: [0.02], batch: 2, size: 7, stride: 2, dilation: 1, act: 'RELU', padding: 'SAME' },
  { name: 'equal per-channel scales, VALID, RELU6', scales: [0.02, 0.02, 0.02, 0.02], batch: 1, size: 8, stride: 1, dilation: 1, act: 'RELU6', padding: 'VALID' },
  { name: 'dilation 2, batch 2', scales: [0.011, 0.007, 0.02, 0.013], batch: 2, size: 9, stride: 1, dilation: 2, act: 'NONE', padding: 'SAME' },
];

const OUT_C = 4;
const IN_C = 3;
const K = 3;

function model(c: Case, weights: Int8Array): { bytes: Uint8Array; outShape: number[] } {
  const span = (K - 1) * c.dilation + 1;
  const out = c.padding === 'SAME' ? Math.ceil(c.size / c.stride) : Math.ceil((c.size - span + 1) / c.stride);
  const outShape = [c.batch, out, out, OUT_C];
  const b = new ModelBuilder();
  const x = b.addInput({ name: 'x', shape: [c.batch, c.size, c.size, IN_C], type: 'FLOAT32' });
  const w = b.addTensor({
    name: 'w', shape: [OUT_C, K, K, IN_C], type: 'INT8', data: weights,
    quantization: { scale: c.scales, zeroPoint: c.scales.map(() => 0), quantizedDimension: 0 },
  });
  const bias = b.addTensor({ name: 'b', shape: [OUT_C], type: 'FLOAT32', data: Float32Array.from([0.1, -0.2, 0.3, 0]) });
  const y = b.addOutput({ name: 'y', shape: outShape, type: 'FLOAT32' });
  b.addOperator('CONV_2D', [x, w, bias], [y], {
    padding: c.padding, strideW: c.stride, strideH: c.stride, dilationWFactor: c.dilation, dilationHFactor: c.dilation,
    fusedActivation: c.act as 'NONE',
  });
  return { bytes: b.toBytes(), outShape };
}

describe('dynamic-range CONV_2D vs LiteRT', function () {
  this.timeout(120_000);
  let lrt: LiteRtRunner;
  before(async () => {
    lrt = await loadLiteRt();
  });

  for (const c of CASES) {
    it(`${c.name}: equal to float32 rounding over 10 inputs`, async () => {
      const rnd = mulberry32(c.size * 17 + c.batch);
      const weights = Int8Array.from({ length: OUT_C * K * K * IN_C }, () => Math.floor(rnd() * 255) - 127);
      const { bytes } = model(c, weights);
      const it = Interpreter.fromBuffer(bytes);
      const m = await lrt.compile(bytes);
      try {
        for (let k = 0; k < 10; k++) {
          const x = Float32Array.from({ length: c.batch * c.size * c.size * IN_C }, () => rnd() * 2 - 0.7);
          const want = (await m.run([x]))[0] as Float32Array;
          it.setInput(0, x);
          it.invoke();
          const got = it.output(0) as Float32Array;
          let magnitude = 0;
          for (let i = 0; i < want.length; i++) magnitude = Math.max(magnitude, Math.abs(want[i]!));
          expect(magnitude, 'outputs are not all zero').to.be.greaterThan(0.5);
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i]! - want[i]!), `input ${k}, element ${i}`).to.be.at.most(1e-6 * magnitude);
        }
      } finally {
        m.delete();
      }
    });
  }
});
