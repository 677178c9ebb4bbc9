// The dense-prediction ops against LiteRT.js on single-op int8 models whose
// scales put many results exactly on a rounding tie (or an interpolation
// half-way point), so the rule each runtime applies shows: the interpreter
// must agree everywhere, and the rejected candidate rule must disagree
// somewhere (otherwise the test would not tell the rules apart).

import { expect } from 'chai';
import { Interpreter } from '../../src/interpreter/index.js';
import { type QuantParamsT, prepareTransposeConvInt8, transposeConvInt8 } from '../../src/interpreter/kernels/index.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';

export interface TieCase {
  name: string;
  bytes: Uint8Array;
  /** One seeded int8 input (per model input). */
  inputs: (rnd: () => number) => Int8Array[];
  /** The rejected rule's output for the same inputs. */
  other: (inputs: Int8Array[]) => Int8Array;
  otherName: string;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const q = (scale: number | number[], zeroPoint: number | number[], quantizedDimension = 0): { scale: number | number[]; zeroPoint: number | number[]; quantizedDimension: number } =>
  ({ scale, zeroPoint, quantizedDimension });

/** Per-tensor parameters as a kernel takes them (scales rounded to float32, as the file stores them). */
const tensorQuant = (scale: number, zeroPoint: number): QuantParamsT => ({ scale: [Math.fround(scale)], zeroPoint: [zeroPoint], quantizedDimension: 0 });

/** Transposed convolution whose per-channel multipliers are 1/2, 1/4, 3/8, 3/4, 0.3: accumulators land on .5 often. */
function transposeConvCase(padding: 'SAME' | 'VALID', k: number, xs: number[], outC: number, other: 'reference' | 'single-rounding'): TieCase {
  const S_IN = 0.0625;
  const S_OUT = 0.125;
  const ratios = [0.5, 0.25, 0.375, 0.75, 0.3];
  const rnd = mulberry32(xs[1]! * 100 + k);
  const ws = [outC, k, k, xs[3]!];
  const up = (n: number): number => (padding === 'SAME' ? n * 2 : (n - 1) * 2 + k);
  const ys = [1, up(xs[1]!), up(xs[2]!), outC];
  const scales = Array.from({ length: outC }, (_, c) => (ratios[c % ratios.length]! * S_OUT) / S_IN);
  const w = Int8Array.from({ length: size(ws) }, () => Math.floor(rnd() * 255) - 127);
  const bias = Int32Array.from({ length: outC }, () => Math.floor(rnd() * 41) - 20);
  const b = new ModelBuilder();
  const x = b.addInput({ name: 'x', shape: xs, type: 'INT8', quantization: q(S_IN, 3) });
  const shapeT = b.addTensor({ name: 'output_shape', shape: [4], type: 'INT32', data: Int32Array.from(ys) });
  const wt = b.addTensor({ name: 'w', shape: ws, type: 'INT8', data: w, quantization: q(scales, scales.map(() => 0)) });
  const bt = b.addTensor({ name: 'b', shape: [outC], type: 'INT32', data: bias, quantization: q(scales.map((s) => s * S_IN), scales.map(() => 0)) });
  const y = b.addOutput({ name: 'y', shape: ys, type: 'INT8', quantization: q(S_OUT, -5) });
  const opts = { padding, strideH: 2, strideW: 2, activation: 'NONE' as const };
  b.addOperator('TRANSPOSE_CONV', [shapeT, wt, x, bt], [y], { padding, strideH: 2, strideW: 2 });
  const p = prepareTransposeConvInt8(xs, tensorQuant(S_IN, 3), ws, w, { scale: scales.map(Math.fround), zeroPoint: [0], quantizedDimension: 0 },
    bias, ys, tensorQuant(S_OUT, -5), opts, other);
  return {
    name: `TRANSPOSE_CONV ${k}×${k} stride 2 ${padding} [${xs.join(',')}]→${outC}`,
    bytes: b.toBytes(),
    // Codes near the zero point keep the sums inside int8, where the rounding shows.
    inputs: (r) => [Int8Array.from({ length: size(xs) }, () => 3 + Math.floor(r() * 9) - 4)],
    other: ([xin]) => {
      const out = new Int8Array(size(ys));
      transposeConvInt8(p, xin!, out);
      return out;
    },
    otherName: other === 'reference' ? "gemmlowp's double rounding" : 'single rounding half up',
  };
}

export const TIE_CASES: Array<() => TieCase> = [
  () => transposeConvCase('SAME', 3, [1, 5, 5, 6], 5, 'reference'),
  () => transposeConvCase('VALID', 3, [1, 4, 4, 3], 4, 'single-rounding'),
  () => transposeConvCase('SAME', 4, [1, 4, 5, 3], 4, 'single-rounding'),
];

describe('dense ops vs LiteRT on rounding ties', function () {
  this.timeout(120_000);
  let lrt: LiteRtRunner;
  before(async () => {
    lrt = await loadLiteRt();
  });
  for (const make of TIE_CASES) {
    const c = make();
    it(`${c.name}: bit-exact over 20 tie-heavy inputs; ${c.otherName} is not`, async () => {
      const ours = Interpreter.fromBuffer(c.bytes);
      const m = await lrt.compile(c.bytes);
      const rnd = mulberry32(99);
      let compared = 0;
      let otherDiffers = 0;
      try {
        for (let k = 0; k < 20; k++) {
          const xs = c.inputs(rnd);
          const want = (await m.run(xs))[0] as Int8Array;
          xs.forEach((x, i) => ours.setInput(i, x));
          ours.invoke();
          const got = ours.output(0) as Int8Array;
          const alt = c.other(xs);
          for (let i = 0; i < want.length; i++) {
            if (got[i] !== want[i]) expect.fail(`input ${k}, element ${i}: LiteRT ${want[i]}, interpreter ${got[i]}`);
            if (alt[i] !== want[i]) otherDiffers++;
          }
          compared += want.length;
        }
      } finally {
        m.delete();
      }
      expect(compared).to.be.greaterThan(0);
      expect(otherDiffers, `${c.otherName} should differ on some ties`).to.be.greaterThan(0);
    });
  }
});
