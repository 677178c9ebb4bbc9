// The elementwise IR ops in the train graph: a float model with a
// squeeze-excite multiply, subtract, maximum, minimum, Average and global
// max pooling gets the same loss and weight gradients on wasm as on the cpu
// backend (where tfjs's own kernels are the reference), and its QAT rewrite
// takes a training step on wasm with a finite, non-zero gradient for every
// weight. Global max pooling's gradient is checked on tie-heavy inputs.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { resolveQatConfig } from '../../quantize/config.js';
import { buildTrainGraph } from '../../train/graph/build.js';
import { TFJS_OPS, type KernelContext } from '../../train/graph/tfjs-ops.js';
import { crossEntropy } from '../../train/loss.js';
import { VariableStore } from '../../train/state.js';
import { calibratedQat, seededImages } from '../export/helpers.js';
import { randomHost, relativeError, valueAndGrads } from '../layers/grad_check.js';
import { useWasm } from './helpers.js';

const SHAPE: [number, number, number] = [8, 8, 3];
const CLASSES = 5;

export function mergeNet(): Graph {
  const b = new GraphBuilder('merge-net');
  const x = b.input('input', [...SHAPE]);
  const a = b.relu('a_relu', b.conv2d('a', x, { filters: 8, kernelSize: 3 }));
  const squeeze = b.relu('se_relu', b.dense('se_reduce', b.globalAvgPool('se_pool', a), 4));
  const gate = b.reshape('se_gate', b.dense('se_expand', squeeze, 8), [1, 1, 8]);
  const excited = b.mul('se_excite', a, gate);
  const diff = b.sub('diff', excited, b.conv2d('c', x, { filters: 8, kernelSize: 1 }));
  const hi = b.maximum('hi', diff, b.conv2d('d', x, { filters: 8, kernelSize: 3 }));
  const lo = b.minimum('lo', hi, b.average('avg', [a, excited, diff]));
  return b.build([b.dense('logits', b.globalMaxPool('gmp', lo), CLASSES)]);
}

function lossAndGrads(ir: Graph, images: Float32Array, labels: Int32Array): { loss: number; grads: Map<string, Float32Array> } {
  const store = VariableStore.forGraph(ir, 3);
  try {
    const weights = store.trainable(['weight']);
    const x = tf.tensor4d(images, [labels.length, ...SHAPE]);
    const y = tf.tensor1d(labels, 'int32');
    const graph = buildTrainGraph(ir, store);
    const ourName = new Map([...weights].map(([n, v]) => [v.name, n]));
    const { value, grads } = tf.variableGrads(() => {
      const out = graph.run(x);
      for (const u of out.statUpdates) u.value.dispose();
      return crossEntropy(out.logits, y);
    }, [...weights.values()]);
    const host = new Map(Object.entries(grads).map(([k, g]) => [ourName.get(k)!, g.dataSync() as Float32Array]));
    const loss = value.dataSync()[0]!;
    tf.dispose([x, y, value, ...Object.values(grads)]);
    return { loss, grads: host };
  } finally {
    store.dispose();
  }
}

describe('train graph: elementwise ops on wasm', function () {
  this.timeout(120_000);
  after(async () => {
    await useWasm();
  });

  it('a model with SE multiply, sub, maximum, minimum, Average and global max pooling: wasm = cpu loss and gradients', async () => {
    const ir = mergeNet();
    const images = seededImages(6, SHAPE, 4);
    const labels = Int32Array.from({ length: 6 }, (_, i) => i % CLASSES);
    await tf.setBackend('cpu');
    const want = lossAndGrads(ir, images, labels);
    await useWasm();
    const got = lossAndGrads(ir, images, labels);
    expect(Math.abs(got.loss - want.loss)).to.be.below(1e-5);
    expect([...got.grads.keys()].sort()).to.deep.equal([...want.grads.keys()].sort());
    for (const [name, g] of got.grads) {
      expect(relativeError(g, want.grads.get(name)!), name).to.be.at.most(1e-4);
      expect(g.some((v) => v !== 0), `${name} gets a gradient`).to.equal(true);
    }
  });

  it('global max pooling sends the gradient to every tied maximum, on wasm as on cpu', async () => {
    const node = { name: 'gmp', op: 'globalMaxPool', inputs: ['x'], attrs: {}, params: {} } as NodeOf<'globalMaxPool'>;
    const f = (x: tf.Tensor): tf.Tensor => TFJS_OPS.globalMaxPool(node, [x], {} as KernelContext);
    // Four levels only: most windows hold their maximum several times.
    const x = randomHost([2, 5, 4, 6], 21);
    x.data.forEach((v, i) => { x.data[i] = Math.round(2 * v); });
    await tf.setBackend('cpu');
    const want = valueAndGrads(f, [x], 5);
    await useWasm();
    const got = valueAndGrads(f, [x], 5);
    expect(Array.from(got.value.data)).to.deep.equal(Array.from(want.value.data));
    expect(relativeError(got.grads[0]!.data, want.grads[0]!.data)).to.be.at.most(1e-6);
    const ties = want.grads[0]!.data.filter((v) => v !== 0).length;
    expect(ties, 'tied maxima each receive the gradient').to.be.greaterThan(2 * 6);
  });

  it('the QAT rewrite of that model trains a step on wasm: every weight gets a finite, non-zero gradient', async () => {
    await useWasm();
    const { a, store } = calibratedQat(mergeNet(), 3, undefined, 1);
    try {
      const x = tf.tensor4d(seededImages(16, SHAPE, 4), [16, ...SHAPE]);
      const y = tf.tensor1d(Int32Array.from({ length: 16 }, (_, i) => i % CLASSES), 'int32');
      const train = buildTrainGraph(a, store, { qat: { config: resolveQatConfig({ quantDelay: 0 }), startStep: 0 } });
      const weights = store.trainable(['weight']);
      const ourName = new Map([...weights].map(([n, v]) => [v.name, n]));
      const { value, grads } = tf.variableGrads(() => {
        const out = train.run(x);
        for (const u of [...out.statUpdates, ...out.rangeUpdates]) u.value.dispose();
        return crossEntropy(out.logits, y);
      }, [...weights.values()]);
      expect(Number.isFinite(value.dataSync()[0]!)).to.equal(true);
      expect(Object.keys(grads).map((k) => ourName.get(k)).sort()).to.deep.equal([...weights.keys()].sort());
      for (const [k, g] of Object.entries(grads)) {
        const d = g.dataSync();
        expect(d.every(Number.isFinite), ourName.get(k)).to.equal(true);
        expect(d.some((v) => v !== 0), `${ourName.get(k)} gets a gradient`).to.equal(true);
      }
      tf.dispose([x, y, value, ...Object.values(grads)]);
    } finally {
      store.dispose();
    }
  });
});
