// Imported models through the whole pipeline: rewriteForQat → ranges observed
// on a few batches → int8 export → our interpreter and LiteRT.js agree bit
// for bit, and the interpreter's argmax matches the QAT eval graph's.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { exportGraph } from '../../export/index.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { importLayersModel } from '../../src/import/index.js';
import { analyze } from '../../src/ir/analyze.js';
import type { NodeOf } from '../../src/ir/types.js';
import { fakeQuantIndex } from '../../quantize/math.js';
import { activationRange } from '../../quantize/qparams.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { buildCalibrationGraph, buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { seededImages } from '../export/helpers.js';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { concatModel, randomizeBatchNorm, residualModel, saveLayersModel, separableModel } from './helpers.js';

const INPUTS = 100;

function argmax(v: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[from + j]! > v[from + best]!) best = j;
  return best;
}

describe('import: imported models through QAT → int8 export → interpreter and LiteRT', function () {
  let lrt: LiteRtRunner;
  before(async () => {
    lrt = await loadLiteRt();
  });

  const cases = [
    { name: 'residual (Add + BN)', build: residualModel },
    { name: 'sequential SeparableConv2D', build: separableModel },
    { name: 'Concatenate branches', build: concatModel },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const model = c.build();
      randomizeBatchNorm(model, 11);
      const path = await saveLayersModel(model);
      const inShape = model.inputs[0]!.shape.slice(1) as [number, number, number];
      model.dispose();
      const imported = importLayersModel(path, { logits: true });
      const { graph, report } = rewriteForQat(imported.graph, {});
      expect(report, 'every layer quantized').to.deep.equal([]);
      const a = analyze(graph);
      // The rewrite keeps the float variables' names, so the imported weights seed the QAT store.
      const store = VariableStore.forGraph(a, 1, imported.weights);
      try {
        for (const [name, values] of imported.weights) {
          expect(Array.from(store.get(name).dataSync()), name).to.deep.equal(Array.from(values));
        }
        const cal = buildCalibrationGraph(a, store);
        for (let b = 0; b < 3; b++) {
          const x = tf.tensor4d(seededImages(16, inShape, 100 + b), [16, ...inShape]);
          cal.observe(x, 0.5);
          x.dispose();
        }
        const r = exportGraph(a, store, { mode: 'int8', inputType: 'int8', outputType: 'int8' });
        const images = seededImages(INPUTS, inShape, 7);
        const per = inShape.reduce((p, d) => p * d, 1);
        const ref = tf.tidy(() => buildEvalGraph(a, store).run(tf.tensor4d(images, [INPUTS, ...inShape])).dataSync() as Float32Array);
        const classes = ref.length / INPUTS;
        const inputFq = a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === a.inputs[0])!;
        const inRange = activationRange(inputFq, store);
        const m = await lrt.compile(r.bytes);
        const it = Interpreter.fromBuffer(r.bytes);
        let equal = 0;
        let agree = 0;
        const distinct = new Set<number>();
        try {
          for (let k = 0; k < INPUTS; k++) {
            const x = Int8Array.from(images.subarray(k * per, (k + 1) * per), (v) => fakeQuantIndex(v, inRange) - 128);
            const y = (await m.run([x]))[0] as Int8Array;
            it.setInput(0, x);
            it.invoke();
            const yi = it.output(0) as Int8Array;
            for (let j = 0; j < classes; j++) {
              if (yi[j] === y[j]) equal++;
              distinct.add(yi[j]!);
            }
            if (argmax(yi, 0, classes) === argmax(ref, k * classes, classes)) agree++;
          }
        } finally {
          m.delete();
        }
        console.log(`      ${c.name}: ${r.bytes.length} B; interpreter = LiteRT on ${equal}/${INPUTS * classes}; argmax agreement with the eval graph ${agree}/${INPUTS}`);
        expect(equal, 'interpreter equals LiteRT').to.equal(INPUTS * classes);
        expect(distinct.size, 'outputs are not saturated').to.be.greaterThan(5);
        expect(agree / INPUTS).to.be.at.least(0.99);
      } finally {
        store.dispose();
      }
    });
  }
});
