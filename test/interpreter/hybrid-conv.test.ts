// Dynamic-range CONV_2D and DEPTHWISE_CONV_2D (float input and output, int8 weights), the form
// TensorFlow's converter writes with Optimize.DEFAULT and no dataset: the
// interpreter against LiteRT.js, which quantizes each input batch
// asymmetrically whatever the filter scales.

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { liteRtForSuite } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';

interface Case { op?: 'CONV_2D' | 'DEPTHWISE_CONV_2D'; mult?: number; k?: number; name: string; scales: number[]; batch: number; size: number; stride: number; dilation: number; act: string; padding: 'SAME' | 'VALID' }

const CASES: Case[] = [
  { name: 'per-channel scales, SAME', scales: [0.01, 0.02, 0.015, 0.03], batch: 1, size: 6, stride: 1, dilation: 1, act: 'NONE', padding: 'SAME' },
  { name: 'one shared scale, batch 2, stride 2, RELU', scales: [0.02], batch: 2, size: 7, stride: 2, dilation: 1, act: 'RELU', padding: 'SAME' },
  { name: 'equal per-channel scales, VALID, RELU6', scales: [0.02, 0.02, 0.02, 0.02], batch: 1, size: 8, stride: 1, dilation: 1, act: 'RELU6', padding: 'VALID' },
  { name: 'dilation 2, batch 2', scales: [0.011, 0.007, 0.02, 0.013], batch: 2, size: 9, stride: 1, dilation: 2, act: 'NONE', padding: 'SAME' },
  { k: 1, name: '1×1 stride 1 (quantized per pixel), batch 2', scales: [0.01, 0.02, 0.015, 0.03], batch: 2, size: 5, stride: 1, dilation: 1, act: 'RELU6', padding: 'SAME' },
  { k: 1, name: '1×1 stride 2 (quantized per batch)', scales: [0.01, 0.02, 0.015, 0.03], batch: 1, size: 6, stride: 2, dilation: 1, act: 'NONE', padding: 'VALID' },
  { op: 'DEPTHWISE_CONV_2D', name: 'depthwise, SAME, batch 2', scales: [0.011, 0.007, 0.02, 0.013], batch: 2, size: 7, stride: 1, dilation: 1, act: 'RELU6', padding: 'SAME' },
  { op: 'DEPTHWISE_CONV_2D', mult: 2, name: 'depthwise multiplier 2, stride 2', scales: [0.01, 0.02, 0.015, 0.03, 0.012, 0.009], batch: 1, size: 8, stride: 2, dilation: 1, act: 'NONE', padding: 'SAME' },
];

const OUT_C = 4;
const IN_C = 3;

/** Filter shape: OHWI for CONV_2D, [1, H, W, C·multiplier] for DEPTHWISE_CONV_2D. */
function filterShape(c: Case): number[] {
  const k = c.k ?? 3;
  return c.op === 'DEPTHWISE_CONV_2D' ? [1, k, k, c.scales.length] : [OUT_C, k, k, IN_C];
}

function model(c: Case, weights: Int8Array): Uint8Array {
  const depthwise = c.op === 'DEPTHWISE_CONV_2D';
  const outC = depthwise ? c.scales.length : OUT_C;
  const inC = depthwise ? outC / (c.mult ?? 1) : IN_C;
  const span = ((c.k ?? 3) - 1) * c.dilation + 1;
  const out = c.padding === 'SAME' ? Math.ceil(c.size / c.stride) : Math.ceil((c.size - span + 1) / c.stride);
  const b = new ModelBuilder();
  const x = b.addInput({ name: 'x', shape: [c.batch, c.size, c.size, inC], type: 'FLOAT32' });
  const w = b.addTensor({
    name: 'w', shape: filterShape(c), type: 'INT8', data: weights,
    quantization: { scale: c.scales, zeroPoint: c.scales.map(() => 0), quantizedDimension: depthwise ? 3 : 0 },
  });
  const bias = b.addTensor({ name: 'b', shape: [outC], type: 'FLOAT32', data: Float32Array.from({ length: outC }, (_, k) => [0.1, -0.2, 0.3, 0][k % 4]!) });
  const y = b.addOutput({ name: 'y', shape: [c.batch, out, out, outC], type: 'FLOAT32' });
  const window = {
    padding: c.padding, strideW: c.stride, strideH: c.stride, dilationWFactor: c.dilation, dilationHFactor: c.dilation,
    fusedActivation: c.act as 'NONE',
  };
  if (depthwise) b.addOperator('DEPTHWISE_CONV_2D', [x, w, bias], [y], { ...window, depthMultiplier: c.mult ?? 1 });
  else b.addOperator('CONV_2D', [x, w, bias], [y], window);
  return b.toBytes();
}

describe('dynamic-range convolutions vs LiteRT', function () {
  this.timeout(120_000);
  const lrt = liteRtForSuite();

  for (const c of CASES) {
    it(`${c.op ?? 'CONV_2D'} ${c.name}: equal to float32 rounding over 10 inputs`, async () => {
      const rnd = mulberry32(c.size * 17 + c.batch);
      const weights = Int8Array.from({ length: filterShape(c).reduce((a, b) => a * b, 1) }, () => Math.floor(rnd() * 255) - 127);
      const bytes = model(c, weights);
      const inputSize = Interpreter.fromBuffer(bytes).inputDetails()[0]!.shape.reduce((a, b) => a * b, 1);
      const it = Interpreter.fromBuffer(bytes);
      const m = await lrt().compile(bytes);
      try {
        for (let k = 0; k < 10; k++) {
          const x = Float32Array.from({ length: inputSize }, () => rnd() * 2 - 0.7);
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

  it('refuses a dynamic-range depthwise conv with one weight scale, as LiteRT does, in one sentence', () => {
    const c: Case = { op: 'DEPTHWISE_CONV_2D', name: 'per-tensor', scales: [0.02], batch: 1, size: 5, stride: 1, dilation: 1, act: 'NONE', padding: 'SAME' };
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'x', shape: [1, 5, 5, 4], type: 'FLOAT32' });
    const w = b.addTensor({ name: 'w', shape: [1, 3, 3, 4], type: 'INT8', data: new Int8Array(36).fill(3), quantization: { scale: c.scales, zeroPoint: [0] } });
    const y = b.addOutput({ name: 'y', shape: [1, 5, 5, 4], type: 'FLOAT32' });
    b.addOperator('DEPTHWISE_CONV_2D', [x, w, -1], [y], { padding: 'SAME', depthMultiplier: 1 });
    expect(() => Interpreter.fromBuffer(b.toBytes())).to.throw(
      /^The interpreter cannot run operator 0 \(DEPTHWISE_CONV_2D\): its dynamic-range weights \(tensor 1 "w"\) have 1 scale\(s\); LiteRT requires one per channel \(4\)\.$/,
    );
  });
});
