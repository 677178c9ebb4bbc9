// tfjs-layers models using the activations beyond relu/relu6 import with
// each framework's own formula, and the imported graph's float forward
// equals model.predict.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { importLayersModel, SUPPORTED_LAYERS } from '../../src/import/index.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { hardSigmoidRelu6 } from '../../layers/activations.js';
import { saveLayersModel } from './helpers.js';
import type { Graph } from '../../src/ir/types.js';

const SHAPE: [number, number, number] = [10, 10, 3];

/** conv(sigmoid) → tanh → swish → LeakyReLU → conv → PReLU per channel → ReLU(leaky) → GAP → dense(sigmoid). */
function activationsModel(): tf.LayersModel {
  const x = tf.input({ shape: SHAPE, name: 'image' });
  const apply = (l: tf.layers.Layer, t: tf.SymbolicTensor): tf.SymbolicTensor => l.apply(t) as tf.SymbolicTensor;
  let y = apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'sigmoid', name: 'c1' }), x);
  y = apply(tf.layers.activation({ activation: 'tanh', name: 'th' }), y);
  y = apply(tf.layers.conv2d({ filters: 6, kernelSize: 1, name: 'c2' }), y);
  y = apply(tf.layers.activation({ activation: 'swish', name: 'sw' }), y);
  y = apply(tf.layers.leakyReLU({ alpha: 0.15, name: 'lk' }), y);
  y = apply(tf.layers.conv2d({ filters: 5, kernelSize: 3, name: 'c3' }), y);
  y = apply(tf.layers.prelu({ sharedAxes: [1, 2], name: 'pr' }), y);
  y = apply(tf.layers.leakyReLU({ name: 'lk_default' }), y);
  y = apply(tf.layers.globalAveragePooling2d({ name: 'gap' }), y);
  y = apply(tf.layers.dense({ units: 4, activation: 'sigmoid', name: 'out' }), y);
  return tf.model({ inputs: x, outputs: y, name: 'activations' });
}

/** Slopes in [−0.5, 1.5): zero (Keras' initial value) would make the PReLU a plain relu. */
function randomizeSlopes(model: tf.LayersModel): void {
  const pr = model.getLayer('pr');
  pr.setWeights([tf.randomUniform(pr.getWeights()[0]!.shape, -0.5, 1.5, 'float32', 4)]);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** The imported model's float eval-graph output on x. */
function importedForward(path: string, x: tf.Tensor): { graph: Graph; y: tf.Tensor } {
  const { graph, weights } = importLayersModel(path);
  const store = VariableStore.forGraph(graph, 1, weights);
  try {
    return { graph, y: buildEvalGraph(graph, store).run(x as tf.Tensor4D) };
  } finally {
    store.dispose();
  }
}

describe('import: activations (sigmoid, tanh, swish, LeakyReLU, PReLU, hard sigmoid)', () => {
  it('a Functional model with them imports and its float forward equals model.predict', async () => {
    const model = activationsModel();
    randomizeSlopes(model);
    const path = await saveLayersModel(model);
    const x = tf.randomNormal([6, ...SHAPE], 0, 2, 'float32', 8);
    const want = model.predict(x) as tf.Tensor;
    const { graph, y } = importedForward(path, x);
    const ops = graph.nodes.map((n) => n.op);
    expect(ops).to.include.members(['sigmoid', 'tanh', 'swish', 'leakyRelu', 'prelu']);
    const alphas = graph.nodes.filter((n) => n.op === 'leakyRelu').map((n) => (n.attrs as { alpha: number }).alpha);
    // tfjs-layers' LeakyReLU default slope is 0.3.
    expect(alphas.map((a) => Math.fround(a))).to.deep.equal([Math.fround(0.15), Math.fround(0.3)]);
    expect(y.shape).to.deep.equal(want.shape);
    expect(maxDiff(y, want)).to.be.at.most(1e-5);
    tf.dispose([x, want, y]);
    model.dispose();
  });

  it("Keras 3's hard_sigmoid and silu names import as relu6(x + 3)/6 and swish", async () => {
    const x = tf.input({ shape: [6], name: 'v' });
    const d = tf.layers.dense({ units: 5, activation: 'hardSigmoid', name: 'd' }).apply(x) as tf.SymbolicTensor;
    const s = tf.layers.activation({ activation: 'swish', name: 's' }).apply(d) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: s });
    const path = await saveLayersModel(model);
    // What Keras 3 writes for the same model: its version, and silu for swish.
    const json = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology: { keras_version: string } };
    json.modelTopology.keras_version = '3.3.3';
    writeFileSync(path, JSON.stringify(json).replace('"activation":"swish"', '"activation":"silu"'));
    const v = tf.randomNormal([16, 6], 0, 3, 'float32', 2);
    const { graph, y } = importedForward(path, v);
    expect(graph.nodes.map((n) => n.op)).to.deep.equal(['input', 'dense', 'hardSigmoid', 'swish']);
    const [kernel, bias] = model.getLayer('d').getWeights();
    const h = tf.tidy(() => hardSigmoidRelu6(tf.add(tf.matMul(v as tf.Tensor2D, kernel as tf.Tensor2D), bias!)));
    const want = tf.tidy(() => tf.mul(h, tf.sigmoid(h)));
    // The hard sigmoid saturates on both sides somewhere: the test sees the ramp and both clips.
    const hv = Array.from(h.dataSync());
    expect(hv.some((e) => e === 0) && hv.some((e) => e === 1) && hv.some((e) => e > 0 && e < 1)).to.equal(true);
    expect(maxDiff(y, want)).to.be.at.most(1e-6);
    tf.dispose([v, h, want, y]);
    model.dispose();
  });

  it("Keras 3's slope key negative_slope, on LeakyReLU and on ReLU, imports as a leakyRelu", async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, name: 'd' }), tf.layers.leakyReLU({ name: 'lk' }), tf.layers.reLU({ name: 'r' })] });
    const path = await saveLayersModel(m);
    m.dispose();
    const json = readFileSync(path, 'utf8')
      .replace('"alpha":0.3', '"negative_slope":0.05')
      .replace(/("class_name":"ReLU","config":\{)/, '$1"negative_slope":0.4,');
    writeFileSync(path, json);
    const { graph } = importLayersModel(path);
    expect(graph.nodes.filter((n) => n.op === 'leakyRelu').map((n) => [n.name, n.attrs])).to.deep.equal([['lk', { alpha: 0.05 }], ['r', { alpha: 0.4 }]]);
  });

  it('LeakyReLU and PReLU are on the supported-layers list', () => {
    expect(SUPPORTED_LAYERS).to.include.members(['LeakyReLU', 'PReLU', 'Activation', 'ReLU']);
  });
});
