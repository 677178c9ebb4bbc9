// A small net using every new activation between convolutions trains with
// QAT on wasm (the PReLU slopes move), and afterwards its integer eval graph
// computes exactly the exported int8 model: every fakeQuant tensor equals
// the interpreter's, and the interpreter's output equals LiteRT's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from '../../src/ir/builder.js';
import { analyze } from '../../src/ir/analyze.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { resolveQatConfig } from '../../quantize/config.js';
import { activationRange } from '../../quantize/qparams.js';
import { batches } from '../../datasets/index.js';
import { buildEvalGraph, buildTrainGraph } from '../../train/graph/build.js';
import { activationGrid, gridCodes } from '../../train/graph/grid.js';
import { createOptimizer, optimizerConfig } from '../../train/optimizers.js';
import { createStepper } from '../../train/step.js';
import { VariableStore } from '../../train/state.js';
import { exportGraph } from '../../export/index.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { liteRtForSuite } from '../support/litert.js';
import { seededImages } from '../export/helpers.js';
import { tinyDataset } from './helpers.js';

const SHAPE: [number, number, number] = [10, 10, 2];

function activationsNet(): Graph {
  const b = new GraphBuilder('activations');
  let y = b.input('input', [...SHAPE]);
  y = b.prelu('pr', b.conv2d('c1', y, { filters: 6, kernelSize: 3 }));
  y = b.hardSwish('hsw', b.conv2d('c2', y, { filters: 8, kernelSize: 3, strides: 2 }));
  y = b.swish('sw', b.depthwiseConv2d('dw', y, { kernelSize: 3 }));
  y = b.leakyRelu('lk', b.conv2d('c3', y, { filters: 8, kernelSize: 1 }), 0.2);
  y = b.hardSigmoid('hsg', b.conv2d('c4', y, { filters: 8, kernelSize: 3 }));
  y = b.tanh('th', b.conv2d('c5', y, { filters: 8, kernelSize: 1 }));
  y = b.sigmoid('sg', b.conv2d('c6', y, { filters: 8, kernelSize: 1 }));
  return b.build([b.dense('logits', b.globalAvgPool('gap', y), 4)]);
}

describe('QAT with the activations: trains on wasm, integer eval graph = int8 model', function () {
  this.timeout(300_000);
  const lrt = liteRtForSuite({ wasm: true });

  it('trains (PReLU slopes move), then every fakeQuant tensor equals the interpreter\'s and the output LiteRT\'s', async () => {
    const rewritten = rewriteForQat(activationsNet());
    // Every layer is quantized: the activations are rows of the op table like any other op.
    expect(rewritten.report).to.deep.equal([]);
    const a = analyze(rewritten.graph);
    const store = VariableStore.forGraph(a, 3);
    try {
      tf.tidy(() => store.get('pr/alpha').assign(tf.fill([1, 1, 6], 0.25)));
      const ds = tinyDataset(SHAPE, 32, 8, 4);
      const stepper = createStepper(
        buildTrainGraph(a, store, { qat: { config: resolveQatConfig({}), startStep: 0 } }), store, createOptimizer(optimizerConfig('adam'), store),
      );
      const live = tf.memory().numTensors;
      let steps = 0;
      for (const batch of batches(ds.train, 8, { shuffle: true, seed: 1, inputShape: SHAPE })) {
        expect(Number.isFinite(stepper.run(batch, 1e-2, steps++).loss)).to.equal(true);
      }
      expect(steps).to.equal(4);
      expect(tf.memory().numTensors, 'train step leak').to.equal(live);
      const alpha = Array.from(store.get('pr/alpha').dataSync());
      expect(alpha.some((v) => Math.abs(v - 0.25) > 1e-4), `slopes ${alpha}`).to.equal(true);

      const count = 6;
      const x = tf.tensor4d(seededImages(count, SHAPE, 17), [count, ...SHAPE]);
      const all = buildEvalGraph(a, store, { arithmetic: 'integer' }).runAll(x);
      x.dispose();
      const fqs = a.order.filter((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant');
      const codes = new Map<string, Int8Array>();
      for (const fq of fqs) {
        const q = tf.tidy(() => gridCodes(all.get(fq.name)!, activationGrid(activationRange(fq, store), 8)));
        codes.set(fq.name, Int8Array.from(q.dataSync()));
        q.dispose();
      }
      for (const t of all.values()) t.dispose();

      const bytes = exportGraph(a, store, { mode: 'int8', inputType: 'int8', outputType: 'int8' }).bytes;
      const it = Interpreter.fromBuffer(bytes);
      const m = await lrt().compile(bytes);
      const per = SHAPE[0] * SHAPE[1] * SHAPE[2];
      let compared = 0;
      let differing = 0;
      try {
        for (let k = 0; k < count; k++) {
          const input = codes.get('input/fq')!.slice(k * per, (k + 1) * per);
          it.setInput(0, input);
          it.invoke();
          for (const fq of fqs) {
            const want = it.tensor(fq.attrs.quantizes).data as Int8Array;
            const got = codes.get(fq.name)!.subarray(k * want.length, (k + 1) * want.length);
            compared += want.length;
            for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) differing++;
          }
          const theirs = (await m.run([input]))[0] as Int8Array;
          expect(Array.from(it.output(0) as Int8Array), `input ${k}: interpreter vs LiteRT`).to.deep.equal(Array.from(theirs));
        }
      } finally {
        m.delete();
      }
      expect(compared).to.be.greaterThan(count * 500);
      expect(differing, `${differing}/${compared} fakeQuant codes differ`).to.equal(0);
    } finally {
      store.dispose();
    }
  });
});
