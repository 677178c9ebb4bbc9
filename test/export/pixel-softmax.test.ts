// Softmax over the channel axis of an [h, w, classes] map (a class per
// pixel): the IR accepts it, the QAT rewrite gives it the fixed 1/256 range,
// and in int8 the integer eval graph, our interpreter and LiteRT produce the
// same codes on every pixel, on random and on few-level (tie-heavy) inputs;
// in float all three agree within float rounding.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { analyze } from '../../src/ir/analyze.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { activationRange } from '../../quantize/qparams.js';
import { fakeQuantIndex } from '../../quantize/math.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { useWasm } from '../train/helpers.js';
import { expectUserErrorSync } from '../datasets/fixtures.js';
import { calibrateSeeded, differingFloats, maxAbsDiff, seededImages } from './helpers.js';

const SHAPE: [number, number, number] = [7, 6, 3];
const CLASSES = 11;
const INPUTS = 40;

function pixelSoftmax(): Graph {
  const b = new GraphBuilder('pixel-softmax');
  const x = b.input('input', [...SHAPE]);
  const y = b.relu('c1_relu', b.conv2d('c1', x, { filters: 8, kernelSize: 3 }));
  return b.build([b.softmax('probs', b.conv2d('logits', y, { filters: CLASSES, kernelSize: 1 }))]);
}

/** Values from {0, 0.5, 1}: many equal neighbours, so equal logits and rounding ties are common. */
function fewLevels(count: number, seed: number): Float32Array {
  return seededImages(count, SHAPE, seed).map((v) => Math.round(v * 2) / 2);
}

describe('softmax over the channels of every pixel', function () {
  let lrt: LiteRtRunner;
  before(async () => {
    await useWasm();
    lrt = await loadLiteRt();
  });
  const per = SHAPE.reduce((a, b) => a * b, 1);
  const outPer = SHAPE[0] * SHAPE[1] * CLASSES;

  it('is an [h, w, classes] → [h, w, classes] op; other ranks are refused in one sentence', () => {
    expect(analyze(pixelSoftmax()).shapes.get('probs')).to.deep.equal([SHAPE[0], SHAPE[1], CLASSES]);
    const b = new GraphBuilder('bad');
    const x = b.input('input', [4, 5]);
    expectUserErrorSync(() => b.softmax('s', x), /softmax expects \[classes\] or per-pixel \[height, width, classes\] logits, got \[4, 5\]/);
  });

  it('float: interpreter = LiteRT bit for bit, both = the eval graph within 1e-6, and every pixel sums to 1', async () => {
    const ir = pixelSoftmax();
    const store = VariableStore.forGraph(ir, 3);
    const images = seededImages(INPUTS, SHAPE, 5);
    try {
      const ref = tf.tidy(() => buildEvalGraph(ir, store).run(tf.tensor4d(images, [INPUTS, ...SHAPE])).dataSync() as Float32Array);
      for (let p = 0; p < SHAPE[0] * SHAPE[1]; p++) {
        let sum = 0;
        for (let c = 0; c < CLASSES; c++) sum += ref[p * CLASSES + c]!;
        expect(sum).to.be.closeTo(1, 1e-5);
      }
      const r = exportGraph(ir, store, { mode: 'float' });
      const m = await lrt.compile(r.bytes);
      const it = Interpreter.fromBuffer(r.bytes);
      try {
        for (let k = 0; k < INPUTS; k++) {
          const x = images.slice(k * per, (k + 1) * per);
          const want = ref.slice(k * outPer, (k + 1) * outPer);
          const theirs = (await m.run([x]))[0] as Float32Array;
          expect(maxAbsDiff(theirs, want)).to.be.at.most(1e-6);
          it.setInput(0, x);
          it.invoke();
          expect(differingFloats(it.output(0) as Float32Array, theirs), 'interpreter vs LiteRT').to.equal(0);
        }
      } finally {
        m.delete();
      }
    } finally {
      store.dispose();
    }
  });

  for (const [what, images] of [['random', seededImages(INPUTS, SHAPE, 7)], ['tie-heavy', fewLevels(INPUTS, 8)]] as const) {
    it(`int8, ${what} inputs: the integer eval graph = interpreter = LiteRT on every pixel`, async () => {
      const { graph } = rewriteForQat(pixelSoftmax());
      const a = analyze(graph);
      const fq = a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === 'probs')!;
      expect(fq.attrs.fixedRange).to.deep.equal([0, 255 / 256]);
      const store = VariableStore.forGraph(a, 4);
      try {
        calibrateSeeded(a, store, SHAPE, 30);
        const ref = tf.tidy(() => buildEvalGraph(a, store).run(tf.tensor4d(images, [INPUTS, ...SHAPE])).dataSync() as Float32Array);
        const r = exportGraph(a, store, { mode: 'int8' });
        const inFq = a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === 'input')!;
        const inRange = activationRange(inFq, store);
        const m = await lrt.compile(r.bytes);
        const it = Interpreter.fromBuffer(r.bytes);
        const codes = new Set<number>();
        try {
          for (let k = 0; k < INPUTS; k++) {
            const x = Int8Array.from(images.slice(k * per, (k + 1) * per), (v) => fakeQuantIndex(v, inRange) - 128);
            const theirs = Array.from((await m.run([x]))[0] as Int8Array);
            it.setInput(0, x);
            it.invoke();
            const ours = Array.from(it.output(0) as Int8Array);
            expect(ours).to.deep.equal(theirs);
            const evalCodes = Array.from(ref.subarray(k * outPer, (k + 1) * outPer), (v) => Math.round(v * 256) - 128);
            expect(evalCodes).to.deep.equal(ours);
            for (const q of ours) codes.add(q);
          }
        } finally {
          m.delete();
        }
        // The outputs must exercise the kernel, not sit at one saturated code.
        expect(codes.size).to.be.greaterThan(20);
      } finally {
        store.dispose();
      }
    });
  }
});
