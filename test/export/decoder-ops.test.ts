// The decoder ops end to end, one at a time: a tiny IR model (the op on the
// model input, and the op between two convs), calibrated and trained one QAT
// step (its gradient has to reach the layer before it), then exported. int8:
// the integer eval graph, our interpreter and LiteRT give the same codes on
// random and on tie-heavy inputs. float32: our interpreter = LiteRT to the
// bit (it sums floats in LiteRT's XNNPACK order), and both = the tfjs eval
// graph within 1e-5 (tfjs sums in its own order; the lowering means what the
// tfjs op computes).
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { analyze } from '../../src/ir/analyze.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { resolveQatConfig } from '../../quantize/config.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { activationRange } from '../../quantize/qparams.js';
import { fakeQuantIndex } from '../../quantize/math.js';
import { applyRangeUpdates, applyStatUpdates, buildCalibrationGraph, buildEvalGraph, buildTrainGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { readModel } from '../../src/tflite/index.js';
import { builtinOperatorName } from '../../src/tflite/enums.js';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { onBothRuntimes } from '../support/both-runtimes.js';
import { mulberry32 } from '../support/random-models.js';
import { useWasm } from '../train/helpers.js';
import { differingFloats, maxAbsDiff, seededImages } from './helpers.js';

const SHAPE: [number, number, number] = [7, 6, 3];
const RANDOM_INPUTS = 60;
const TIE_INPUTS = 40;

export interface DecoderCase {
  name: string;
  /** The TFLite op the int8 and float models must hold. */
  builtin: string;
  /** Sums products in float (a weighted op): also checked in the dynamic-range modes. */
  sums?: true;
  /** The code gap of its tie-heavy inputs (tieImages); 1 unless the op ties more often with another. */
  tieGap?: number;
  /** Adds the op under test reading `x`; returns its output. */
  op(b: GraphBuilder, name: string, x: string): string;
}

/** The op straight on the model input (its codes are the input's), or between two convs. */
function graphOf(c: DecoderCase, between: boolean): Graph {
  const b = new GraphBuilder(`${c.name}-${between ? 'between' : 'direct'}`);
  let x = b.input('input', [...SHAPE]);
  if (between) x = b.relu('a_relu', b.conv2d('a', x, { filters: 4, kernelSize: 3 }));
  let y = c.op(b, 'op', x);
  if (between) y = b.conv2d('b', y, { filters: 3, kernelSize: 1 });
  return b.build([y]);
}

/**
 * Images whose int8 codes take two values per image, `gap` apart: with the
 * right gap, interpolated values land on .5 far more often than on random
 * data (found by enumerating the interpolation weights: a gap of 8 ties
 * Keras' half-pixel quarters (9a + 3b + 3c + d)/16 in a third of the
 * outputs, a gap of 3 tfjs' halves-and-thirds in a fifth, against a tenth on
 * random codes).
 */
function tieImages(count: number, seed: number, gap: number): Float32Array {
  const rand = mulberry32(seed);
  const per = SHAPE.reduce((p, d) => p * d, 1);
  return Float32Array.from({ length: count * per }, (_, i) => {
    const base = 40 + 10 * (Math.floor(i / per) % 16);
    return (base + (rand() < 0.5 ? 0 : gap)) / 255;
  });
}

/** Share of a bilinear upsampling's outputs, in input-code units, that are exact .5 ties. */
function bilinearTieShare(node: NodeOf<'upsampleBilinear'>, codes: Int8Array, count: number): number {
  const [h, w, c] = SHAPE;
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(codes), [count, h, w, c]);
    const y = tf.image.resizeBilinear(x, [h * node.attrs.size[0], w * node.attrs.size[1]], false, node.attrs.halfPixelCenters).dataSync();
    return y.filter((v) => Math.abs(v - Math.floor(v) - 0.5) < 1e-6).length / y.length;
  });
}

function opsOf(bytes: Uint8Array): string[] {
  const m = readModel(bytes);
  return m.subgraphs[0]!.operators.map((op) => builtinOperatorName(m.operatorCodes[op.opcodeIndex]!.builtinCode));
}

/** Calibration on seeded images, then one QAT train step with the gradient of Σ y·w. */
function calibrateAndTrain(ir: Graph, seed: number): { a: ReturnType<typeof analyze>; store: VariableStore; inputGrad: number } {
  const { graph, report } = rewriteForQat(ir);
  expect(report).to.deep.equal([]);
  const a = analyze(graph);
  const store = VariableStore.forGraph(a, seed);
  const cal = buildCalibrationGraph(a, store);
  for (let k = 0; k < 3; k++) {
    const x = tf.tensor4d(seededImages(8, SHAPE, seed + k), [8, ...SHAPE]);
    cal.observe(x, 0.5);
    x.dispose();
  }
  const train = buildTrainGraph(a, store, { qat: { config: resolveQatConfig({}), startStep: 0 } });
  const weights = store.trainable(['weight']);
  const x = tf.tensor4d(seededImages(8, SHAPE, seed + 9), [8, ...SHAPE]);
  let stats: Parameters<typeof applyStatUpdates>[1] = [];
  let ranges: Parameters<typeof applyRangeUpdates>[1] = [];
  const loss = (): tf.Scalar => {
    const out = train.run(x, { stepSeed: 1 });
    stats = out.statUpdates;
    ranges = out.rangeUpdates;
    const y = out.logits as tf.Tensor;
    return tf.sum(tf.mul(y, tf.randomUniform(y.shape, -1, 1, 'float32', seed)));
  };
  // A weight-free model only observes its ranges.
  const { value, grads } = weights.size > 0 ? tf.variableGrads(loss, [...weights.values()]) : { value: tf.tidy(loss), grads: {} as tf.NamedTensorMap };
  // The gradient that reached the first conv's kernel went through the op under test.
  const first = weights.get('a/kernel');
  const inputGrad = first ? tf.tidy(() => tf.max(tf.abs(grads[first.name]!)).dataSync()[0]!) : 1;
  for (const v of weights.values()) v.assign(tf.tidy(() => tf.sub(v, tf.mul(grads[v.name]!, 1e-3))));
  applyStatUpdates(store, stats);
  applyRangeUpdates(store, ranges);
  tf.dispose([x, value, ...Object.values(grads), ...stats.map((u) => u.value), ...ranges.map((u) => u.value)]);
  return { a, store, inputGrad };
}

/** The eval graph's output, and the op's output on its int8 grid (its fakeQuant's, or its input's when it keeps that). */
function evalOutputs(a: ReturnType<typeof analyze>, store: VariableStore, images: Float32Array, count: number): { ref: Float32Array; opValues: Float32Array } {
  const x = tf.tensor4d(images, [count, ...SHAPE]);
  const all = buildEvalGraph(a, store).runAll(x);
  try {
    const opFq = a.order.find((n) => n.op === 'fakeQuant' && n.attrs.quantizes === 'op');
    const out = all.get(a.graph.outputs[0]!)!;
    return { ref: Float32Array.from(out.dataSync()), opValues: Float32Array.from(all.get(opFq?.name ?? 'op')!.dataSync()) };
  } finally {
    x.dispose();
    for (const t of all.values()) t.dispose();
  }
}

export function decoderOpSuite(cases: DecoderCase[]): void {
  let lrt: LiteRtRunner;
  before(async () => {
    await useWasm();
    lrt = await loadLiteRt();
  });
  const per = SHAPE.reduce((p, d) => p * d, 1);

  for (const c of cases) {
    for (const between of [false, true]) {
      const where = between ? 'between two convs' : 'on the model input';
      it(`${c.name} ${where}, int8: eval graph = interpreter = LiteRT on random and tie-heavy inputs`, async () => {
        const { a, store, inputGrad } = calibrateAndTrain(graphOf(c, between), between ? 11 : 5);
        try {
          expect(inputGrad, 'gradient through the op').to.be.greaterThan(0);
          const r = exportGraph(a, store, { mode: 'int8', inputType: 'int8', outputType: 'int8' });
          expect(opsOf(r.bytes)).to.include(c.builtin);
          const inRange = activationRange(a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === 'input')!, store);
          const outQ = r.summary.outputs[0]!.quantization!;
          const images = new Float32Array([...seededImages(RANDOM_INPUTS, SHAPE, 21), ...tieImages(TIE_INPUTS, 22, c.tieGap ?? 1)]);
          const count = RANDOM_INPUTS + TIE_INPUTS;
          const { ref, opValues } = evalOutputs(a, store, images, count);
          const outPer = ref.length / count;
          let differ = 0;
          let opDiffer = 0;
          // The model input's own int8 codes, as the eval graph's input fakeQuant rounds them.
          const allCodes = Array.from({ length: count }, (_, k) => Int8Array.from(images.subarray(k * per, (k + 1) * per), (v) => fakeQuantIndex(v, inRange) - 128));
          await onBothRuntimes(lrt, r.bytes, allCodes, (k, ours, lite, it) => {
            expect(Array.from(ours), `interpreter vs LiteRT, input ${k}`).to.deep.equal(Array.from(lite));
            for (let j = 0; j < outPer; j++) {
              if (Math.round(ref[k * outPer + j]! / outQ.scale) + outQ.zeroPoint !== ours[j]) differ++;
            }
            // The op's own int8 tensor inside the model, against the eval graph's value there.
            const t = it.tensor('op');
            const codes = t.data as Int8Array;
            for (let j = 0; j < codes.length; j++) {
              if (Math.round(opValues[k * codes.length + j]! / t.scale!) + t.zeroPoint! !== codes[j]) opDiffer++;
            }
          });
          expect(differ, `eval graph codes differing from the interpreter's of ${count * outPer}`).to.equal(0);
          expect(opDiffer, 'eval graph codes of the op differing from the interpreter\'s').to.equal(0);
          const op = a.order.find((n) => n.name === 'op')!;
          if (op.op === 'upsampleBilinear' && !between) {
            const join = (xs: Int8Array[]): Int8Array => Int8Array.from(xs.flatMap((x) => Array.from(x)));
            const random = bilinearTieShare(op, join(allCodes.slice(0, RANDOM_INPUTS)), RANDOM_INPUTS);
            const ties = bilinearTieShare(op, join(allCodes.slice(RANDOM_INPUTS)), TIE_INPUTS);
            console.log(`      exact .5 ties: ${(100 * random).toFixed(1)}% of outputs on random inputs, ${(100 * ties).toFixed(1)}% on tie-heavy ones`);
            expect(ties).to.be.greaterThan(1.5 * random);
          }
        } finally {
          store.dispose();
        }
      });

      it(`${c.name} ${where}, float32: interpreter = LiteRT = the tfjs eval graph`, async () => {
        const ir = graphOf(c, between);
        const store = VariableStore.forGraph(ir, 3);
        try {
          const count = 10;
          const images = seededImages(count, SHAPE, 31);
          const ref = tf.tidy(() => buildEvalGraph(ir, store).run(tf.tensor4d(images, [count, ...SHAPE])).dataSync() as Float32Array);
          const outPer = ref.length / count;
          const r = exportGraph(ir, store, { mode: 'float' });
          expect(opsOf(r.bytes)).to.include(c.builtin);
          const inputs = Array.from({ length: count }, (_, k) => images.slice(k * per, (k + 1) * per));
          await onBothRuntimes(lrt, r.bytes, inputs, (k, ours, lite) => {
            expect(differingFloats(ours, lite), `interpreter vs LiteRT, input ${k}`).to.equal(0);
            expect(maxAbsDiff(ours, ref.subarray(k * outPer, (k + 1) * outPer)), 'vs the tfjs eval graph').to.be.at.most(1e-5);
          });
        } finally {
          store.dispose();
        }
      });
    }
    if (c.sums) {
      it(`${c.name}, dynamic mode: int8 weights (DEQUANTIZE for hybrid), interpreter = LiteRT (hybrid convs within 1e-5)`, async () => {
        const ir = graphOf(c, true);
        const store = VariableStore.forGraph(ir, 4);
        try {
          const images = seededImages(4, SHAPE, 41);
          for (const dynamicConvWeights of ['float', 'dequantize', 'hybrid'] as const) {
            const r = exportGraph(ir, store, { mode: 'dynamic', dynamicConvWeights });
            expect(opsOf(r.bytes).includes('DEQUANTIZE'), dynamicConvWeights).to.equal(dynamicConvWeights !== 'float');
            const inputs = Array.from({ length: 4 }, (_, k) => images.slice(k * per, (k + 1) * per));
            await onBothRuntimes(lrt, r.bytes, inputs, (k, ours, lite) => {
              // Float and DEQUANTIZE'd weights run the float kernels: to the bit. The hybrid CONV_2Ds around the
              // op (int8 weights, inputs quantized at run time) are a separate kernel that is not bit-exact with
              // LiteRT's (test/interpreter/hybrid-conv.test.ts), so that mode stays within 1e-5.
              if (dynamicConvWeights === 'hybrid') expect(maxAbsDiff(ours, lite), `${dynamicConvWeights}, input ${k}`).to.be.at.most(1e-5);
              else expect(differingFloats(ours, lite), `${dynamicConvWeights}, input ${k}`).to.equal(0);
            });
          }
        } finally {
          store.dispose();
        }
      });
    }
  }
}

describe('decoder ops: crop, mirror pad, upsampling', function () {
  this.timeout(300_000);
  decoderOpSuite([
    { name: 'crop [[1, 2], [0, 3]]', builtin: 'STRIDED_SLICE', op: (b, n, x) => b.crop(n, x, [[1, 2], [0, 3]]) },
    { name: 'mirrorPad reflect [[2, 1], [0, 3]]', builtin: 'MIRROR_PAD', op: (b, n, x) => b.mirrorPad(n, x, [[2, 1], [0, 3]], 'reflect') },
    { name: 'mirrorPad symmetric [[3, 0], [1, 1]]', builtin: 'MIRROR_PAD', op: (b, n, x) => b.mirrorPad(n, x, [[3, 0], [1, 1]], 'symmetric') },
    { name: 'upsample nearest 2×3', builtin: 'RESIZE_NEAREST_NEIGHBOR', op: (b, n, x) => b.upsample(n, x, [2, 3]) },
    { name: 'upsample bilinear 2× half-pixel (Keras)', builtin: 'RESIZE_BILINEAR', tieGap: 8, op: (b, n, x) => b.upsample(n, x, 2, { interpolation: 'bilinear', halfPixelCenters: true }) },
    { name: 'upsample bilinear 2×3 (tfjs-layers)', builtin: 'RESIZE_BILINEAR', tieGap: 3, op: (b, n, x) => b.upsample(n, x, [2, 3], { interpolation: 'bilinear', halfPixelCenters: false }) },
  ]);
});

describe('decoder ops: transposed convolution', function () {
  this.timeout(300_000);
  decoderOpSuite([
    { name: 'conv2dTranspose 3×3 stride 2 same + relu', builtin: 'TRANSPOSE_CONV', sums: true, op: (b, n, x) => b.relu(`${n}_relu`, b.conv2dTranspose(n, x, { filters: 5, kernelSize: 3, strides: 2 })) },
    { name: 'conv2dTranspose 3×3 stride 2 valid', builtin: 'TRANSPOSE_CONV', sums: true, op: (b, n, x) => b.conv2dTranspose(n, x, { filters: 4, kernelSize: 3, strides: 2, padding: 'valid' }) },
    {
      name: 'conv2dTranspose 2×2 stride 2 same, no bias, + batchNorm + relu6', builtin: 'TRANSPOSE_CONV', sums: true,
      op: (b, n, x) => b.relu6(`${n}_relu6`, b.batchNorm(`${n}_bn`, b.conv2dTranspose(n, x, { filters: 6, kernelSize: 2, strides: 2, useBias: false }))),
    },
    { name: 'conv2dTranspose 4×3 stride [2, 1] same', builtin: 'TRANSPOSE_CONV', sums: true, op: (b, n, x) => b.conv2dTranspose(n, x, { filters: 3, kernelSize: [4, 3], strides: [2, 1] }) },
  ]);
});
