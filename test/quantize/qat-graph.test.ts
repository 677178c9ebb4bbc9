// The QAT IR's train and eval graphs: the eval graph's weight and bias
// quantization equals the contract functions bit for bit, quant delay is the
// identity, the BN freeze switches batch → moving statistics, EMA
// observation, shared concat ranges.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { resolveQatConfig, type QatConfig } from '../../quantize/config.js';
import { foldedParams, outputChannels, type QConvLikeNode } from '../../quantize/fold.js';
import { activationRange, dequantizeBias, inputQuantizer, quantizeBias, weightRanges } from '../../quantize/qparams.js';
import { fakeQuantIndex, fakeQuantValue } from '../../quantize/math.js';
import { applyRangeUpdates, applyStatUpdates, buildEvalGraph, buildTrainGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { convBnAct, dwBnAct } from '../../train/zoo/common.js';
import { useWasm } from '../train/helpers.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

/** conv+BN+relu6 → depthwise+BN+relu → flatten → dense (per-tensor or per-channel): every fold path. */
function floatModel(): Graph {
  const b = new GraphBuilder('small');
  let x = b.input('input', [6, 6, 2]);
  x = convBnAct(b, 'conv', x, { filters: 3, kernelSize: 3, act: 'relu6' });
  x = dwBnAct(b, 'dw', x, { strides: 1, act: 'relu' });
  x = b.flatten('flatten', x);
  return b.build([b.dense('logits', x, 4)]);
}

/** Random weights, BN statistics and biases, so no fold is trivial. */
function randomize(store: VariableStore, seed: number): void {
  const rand = lcg(seed);
  for (const e of store.list(['weight', 'stat'])) {
    const n = e.variable.size;
    const v = Float32Array.from({ length: n }, () => {
      if (e.name.endsWith('movingVariance')) return 0.2 + rand();
      if (e.name.endsWith('gamma')) return 0.5 + rand();
      return (rand() - 0.5) * (e.name.endsWith('kernel') ? 1 : 0.4);
    });
    e.variable.assign(tf.tensor(v, e.variable.shape));
  }
}

function batch(seed: number, n = 8): tf.Tensor4D {
  const rand = lcg(seed);
  return tf.tensor4d(Float32Array.from({ length: n * 72 }, () => rand()), [n, 6, 6, 2]);
}

function qat(partial: Partial<QatConfig>) {
  return { config: resolveQatConfig(partial), startStep: 0 };
}

/** One train-graph forward at the store's step; returns logits and applies the updates. */
function trainForward(graph: ReturnType<typeof buildTrainGraph>, store: VariableStore, x: tf.Tensor4D, apply = true) {
  let out!: ReturnType<typeof graph.run>;
  const logits = tf.tidy(() => {
    out = graph.run(x, { stepSeed: 1 });
    return tf.keep(out.logits);
  });
  const stats = out.statUpdates.length;
  if (apply) {
    applyStatUpdates(store, out.statUpdates);
    applyRangeUpdates(store, out.rangeUpdates);
  } else {
    tf.dispose([...out.statUpdates.map((u) => u.value), ...out.rangeUpdates.map((u) => u.value)]);
  }
  const values = Array.from(logits.dataSync());
  logits.dispose();
  return { values, stats, ranges: out.rangeUpdates.length };
}

describe('QAT train/eval graphs', () => {
  before(useWasm);

  for (const perChannel of [true, false]) {
    it(`simulated eval graph: weights and bias are exactly the contract functions' values (${perChannel ? 'per-channel' : 'per-tensor'})`, () => {
      const { graph } = rewriteForQat(floatModel(), { perChannel, weightBits: perChannel ? 8 : 4 });
      const store = VariableStore.forGraph(graph, 3);
      randomize(store, 11);
      const x = batch(5);
      // Ranges from one observing step.
      store.setStep(0);
      trainForward(buildTrainGraph(graph, store, { qat: qat({ perChannel }) }), store, x);
      // The simulated arithmetic: float ops on the fake-quantized weights and the dequantized int32 bias.
      const evalGraph = buildEvalGraph(graph, store, { arithmetic: 'simulated' });
      const live = tf.memory().numTensors;
      for (const t of evalGraph.runAll(x).values()) t.dispose();
      expect(tf.memory().numTensors, 'runAll leaks').to.equal(live);
      const all = evalGraph.runAll(x);
      try {
        for (const name of ['conv', 'dw', 'logits']) {
          const n = graph.nodes.find((m) => m.name === name) as QConvLikeNode;
          const { kernel, bias } = foldedParams(n, store);
          const ranges = weightRanges(n, kernel);
          expect(ranges).to.have.length(perChannel ? outputChannels(n, kernel) : 1);
          // Reference weights: math.ts fakeQuantValue per element with its channel's range.
          const k = kernel.dataSync();
          const channels = perChannel ? ranges.length : 1;
          const wq = Float32Array.from(k, (w, i) => fakeQuantValue(w, ranges[i % channels]));
          Array.from(k, (w, i) => fakeQuantIndex(w, ranges[i % channels]) - 128).forEach((q) => expect(Math.abs(q)).to.be.at.most(127));
          const inFq = inputQuantizer(graph, n)!;
          const sIn = activationRange(inFq, store).scale;
          const ws = ranges.map((r) => r.scale);
          const bq = dequantizeBias(quantizeBias(bias.dataSync() as Float32Array, sIn, ws), sIn, ws);
          const xin = all.get(inFq.name)!;
          const ref = tf.tidy(() => {
            const w = tf.tensor(wq, kernel.shape);
            let y: tf.Tensor;
            if (n.op === 'qconv2d') y = tf.conv2d(xin as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
            else if (n.op === 'qdepthwiseConv2d') y = tf.depthwiseConv2d(xin as tf.Tensor4D, w as tf.Tensor4D, 1, 'same');
            else y = tf.matMul(all.get('flatten') as tf.Tensor2D, w as tf.Tensor2D);
            y = tf.add(y, tf.tensor1d(bq));
            const act = (n as QConvLikeNode).attrs.activation;
            return act === 'relu' ? tf.relu(y) : act === 'relu6' ? tf.relu6(y) : y;
          });
          expect(Array.from(all.get(name)!.dataSync()), name).to.deep.equal(Array.from(ref.dataSync()));
          tf.dispose([kernel, bias, ref]);
        }
        // Activation fakeQuant outputs sit exactly on the grid of activationRange.
        const fq = graph.nodes.find((m) => m.name === 'conv/fq') as NodeOf<'fakeQuant'>;
        const r = activationRange(fq, store);
        const raw = all.get('conv')!.dataSync();
        expect(Array.from(all.get('conv/fq')!.dataSync())).to.deep.equal(Array.from(raw, (v) => fakeQuantValue(v, r)));
      } finally {
        for (const t of all.values()) t.dispose();
        x.dispose();
        store.dispose();
      }
    });
  }

  it('quant delay: the train graph is the float graph (identity fake quant) until the delay ends', () => {
    const float = floatModel();
    const { graph } = rewriteForQat(float);
    const store = VariableStore.forGraph(graph, 3);
    randomize(store, 12);
    const x = batch(6);
    const floatTrain = buildTrainGraph(float, store);
    const qatTrain = buildTrainGraph(graph, store, { qat: qat({ quantDelay: 2 }) });
    store.setStep(1);
    const f = trainForward(floatTrain, store, x, false).values;
    const q = trainForward(qatTrain, store, x, false);
    expect(q.ranges).to.be.greaterThan(0); // still observing
    q.values.forEach((v, i) => expect(v).to.be.closeTo(f[i], 2e-4 * (1 + Math.abs(f[i]))));
    store.setStep(2);
    const on = trainForward(qatTrain, store, x, false).values;
    expect(on.some((v, i) => Math.abs(v - f[i]) > 1e-3)).to.equal(true);
    x.dispose();
    store.dispose();
  });

  it('BN freeze: batch statistics (with moving-stat updates) before, moving statistics after', () => {
    const float = floatModel();
    const { graph } = rewriteForQat(float);
    const store = VariableStore.forGraph(graph, 3);
    randomize(store, 13);
    const x = batch(7);
    // No fake quant (long delay), so the fold must reproduce float BN exactly up to rounding.
    const qatTrain = buildTrainGraph(graph, store, { qat: qat({ quantDelay: 100, freezeBnStep: 5 }) });
    store.setStep(4);
    const batchStats = trainForward(buildTrainGraph(float, store), store, x, false).values;
    const before = trainForward(qatTrain, store, x, false);
    expect(before.stats).to.equal(4); // two BNs × (mean, variance)
    before.values.forEach((v, i) => expect(v).to.be.closeTo(batchStats[i], 1e-3 * (1 + Math.abs(batchStats[i]))));
    store.setStep(5);
    const movingStats = tf.tidy(() => Array.from(buildEvalGraph(float, store).run(x).dataSync()));
    const after = trainForward(qatTrain, store, x, false);
    expect(after.stats).to.equal(0);
    after.values.forEach((v, i) => expect(v).to.be.closeTo(movingStats[i], 1e-4 * (1 + Math.abs(movingStats[i]))));
    expect(movingStats.some((v, i) => Math.abs(v - batchStats[i]) > 1e-2)).to.equal(true);
    x.dispose();
    store.dispose();
  });

  it('EMA observation: the first batch initialises a range, later ones move it by (1 − decay)', () => {
    const { graph } = rewriteForQat(floatModel(), { emaDecay: 0.9 });
    const store = VariableStore.forGraph(graph, 3);
    randomize(store, 14);
    const train = buildTrainGraph(graph, store, { qat: qat({ emaDecay: 0.9 }) });
    const x1 = batch(8);
    const x2 = tf.tidy(() => tf.mul(batch(9), 3) as tf.Tensor4D);
    store.setStep(0);
    trainForward(train, store, x1);
    expect(store.get('input/fq/min').dataSync()[0]).to.equal(0);
    const max1 = store.get('input/fq/max').dataSync()[0];
    expect(max1).to.equal(x1.max().dataSync()[0]);
    store.setStep(1);
    trainForward(train, store, x2);
    const bmax = x2.max().dataSync()[0];
    expect(store.get('input/fq/max').dataSync()[0]).to.be.closeTo(0.9 * max1 + 0.1 * bmax, 1e-6);
    tf.dispose([x1, x2]);
    store.dispose();
  });

  it('shared concat ranges cover every member after a step', () => {
    const b = new GraphBuilder('cat');
    const x = b.input('input', [4, 4, 1]);
    const small = b.conv2d('small', x, { filters: 2, kernelSize: 1 });
    const big = b.conv2d('big', x, { filters: 2, kernelSize: 1 });
    const g = b.build([b.dense('logits', b.flatten('flatten', b.concat('cat', [small, big])), 2)]);
    const { graph } = rewriteForQat(g);
    const store = VariableStore.forGraph(graph, 1);
    store.get('small/kernel').assign(tf.tensor4d([0.1, -0.1], [1, 1, 1, 2]));
    store.get('big/kernel').assign(tf.tensor4d([5, -7], [1, 1, 1, 2]));
    const xs = tf.ones([2, 4, 4, 1]) as tf.Tensor4D;
    store.setStep(0);
    trainForward(buildTrainGraph(graph, store, { qat: qat({}) }), store, xs);
    // big/fq's nudged grid moves −7 by under one step (12/255); the shared pair covers both members.
    const min = store.get('cat/fq/min').dataSync()[0];
    const max = store.get('cat/fq/max').dataSync()[0];
    expect(min).to.be.at.most(-7).and.at.least(-7 - 12 / 255);
    expect(max).to.be.at.least(5).and.at.most(5 + 12 / 255);
    xs.dispose();
    store.dispose();
  });
});
