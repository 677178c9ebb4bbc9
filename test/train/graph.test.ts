// The train and eval graphs over one store: BN batch vs moving statistics,
// dropout on vs off, moving-stat updates with momentum, seeded init.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from '../../src/ir/builder.js';
import { analyze } from '../../src/ir/analyze.js';
import { applyStatUpdates, buildEvalGraph, buildTrainGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { initialValues } from '../../train/init.js';
import { useWasm } from './helpers.js';

function bnModel() {
  const b = new GraphBuilder('bn');
  let x = b.input('input', [4, 4, 2]);
  x = b.batchNorm('bn', x, { momentum: 0.9, epsilon: 1e-3 });
  x = b.flatten('flatten', x);
  x = b.dropout('dropout', x, 0.5);
  return b.build([b.dense('logits', x, 3)]);
}

describe('train/graph', () => {
  before(useWasm);

  it('trains with batch statistics and evaluates with moving statistics from the same store', () => {
    const ir = bnModel();
    const store = VariableStore.forGraph(ir, 1);
    const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([8, 4, 4, 2], 0, 1, 'float32', 3), 2), 5) as tf.Tensor4D);
    const trainG = buildTrainGraph(ir, store);
    const evalG = buildEvalGraph(ir, store);
    let out!: ReturnType<typeof trainG.run>;
    tf.tidy(() => {
      out = trainG.run(x, { stepSeed: 1 });
      tf.keep(out.logits);
    });
    expect(out.statUpdates.map((u) => u.name)).to.deep.equal(['bn/movingMean', 'bn/movingVariance']);
    const batchMean = out.statUpdates[0].value.dataSync();
    const expectMean = tf.tidy(() => tf.mean(x, [0, 1, 2]).dataSync());
    expect(Array.from(batchMean)).to.deep.equal(Array.from(expectMean));
    applyStatUpdates(store, out.statUpdates);
    const moving = Array.from(store.get('bn/movingMean').dataSync());
    moving.forEach((m, i) => expect(m).to.be.closeTo(0.1 * expectMean[i], 1e-5));
    out.logits.dispose();

    // Eval: deterministic (no dropout) and equal to the hand-computed moving-stat BN.
    const e1 = evalG.run(x);
    const e2 = evalG.run(x);
    expect(Array.from(e1.dataSync())).to.deep.equal(Array.from(e2.dataSync()));
    const manual = tf.tidy(() => {
      const mv = store.get('bn/movingVariance');
      const normed = tf.add(tf.mul(tf.sub(x, store.get('bn/movingMean')), tf.rsqrt(tf.add(mv, 1e-3))), 0);
      return tf.add(tf.matMul(tf.reshape(normed, [8, 32]), store.get('logits/kernel')), store.get('logits/bias'));
    });
    const got = e1.dataSync();
    manual.dataSync().forEach((v, i) => expect(got[i]).to.be.closeTo(v, 1e-3));

    // Train: dropout masks depend on the step seed.
    const [t1, t2, t3] = [1, 1, 2].map((s) => tf.tidy(() => {
      const r = trainG.run(x, { stepSeed: s });
      r.statUpdates.forEach((u) => u.value.dispose());
      return r.logits;
    }));
    expect(Array.from(t1.dataSync())).to.deep.equal(Array.from(t2.dataSync()));
    expect(Array.from(t1.dataSync())).to.not.deep.equal(Array.from(t3.dataSync()));
    tf.dispose([x, e1, e2, manual, t1, t2, t3]);
    store.dispose();
  });

  it('refuses a store that lacks the model variables, naming them', () => {
    const store = new VariableStore();
    expect(() => buildEvalGraph(bnModel(), store)).to.throw(/missing 'bn\/gamma', 'bn\/beta'/);
    store.dispose();
  });

  it('initialises deterministically per name with He scaling', () => {
    const spec = { type: 'heNormal' as const, fanIn: 200 };
    const a = initialValues(spec, [200, 50], 1, 'fc/kernel');
    expect(Array.from(a)).to.deep.equal(Array.from(initialValues(spec, [200, 50], 1, 'fc/kernel')));
    expect(Array.from(a)).to.not.deep.equal(Array.from(initialValues(spec, [200, 50], 1, 'fc2/kernel')));
    const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std).to.be.closeTo(Math.sqrt(2 / 200), 0.005);
    const b = VariableStore.forGraph(analyze(bnModel()), 4);
    expect(Array.from(b.get('bn/gamma').dataSync())).to.deep.equal([1, 1]);
    expect(Array.from(b.get('bn/movingVariance').dataSync())).to.deep.equal([1, 1]);
    b.dispose();
  });

  it("draws PyTorch's fan-in uniform init within ±1/√fanIn, filling the range", () => {
    const spec = { type: 'fanInUniform' as const, fanIn: 288 };
    const a = initialValues(spec, [5000], 2, 'conv2/bias');
    const bound = 1 / Math.sqrt(288);
    expect(Math.max(...a)).to.be.at.most(bound).and.above(0.99 * bound);
    expect(Math.min(...a)).to.be.at.least(-bound).and.below(-0.99 * bound);
    const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    expect(std).to.be.closeTo(bound / Math.sqrt(3), 0.002);
    expect(Array.from(a)).to.not.deep.equal(Array.from(initialValues(spec, [5000], 2, 'conv1/bias')));
  });
});
