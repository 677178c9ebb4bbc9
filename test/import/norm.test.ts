// Importing normalization layers: tfjs-layers' LayerNormalization (last axis
// and several axes) equals model.predict; a GroupNormalization with one
// channel per group (the same file with the class renamed, as Keras 3 saves
// it) imports as instance normalization and equals its formula.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { importLayersModel } from '../../src/import/index.js';
import { UserError } from '../../src/errors.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { saveLayersModel } from './helpers.js';

function normModel(): tf.LayersModel {
  const x = tf.input({ shape: [6, 5, 3], name: 'image' });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c1' }).apply(x) as tf.SymbolicTensor;
  const n1 = tf.layers.layerNormalization({ name: 'n1' }).apply(c1) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c2' }).apply(n1) as tf.SymbolicTensor;
  const n2 = tf.layers.layerNormalization({ axis: [1, 2, 3], epsilon: 1e-5, center: false, name: 'n2' }).apply(c2) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: n2, name: 'norms' });
}

/** γ and β away from (1, 0). */
function randomizeNorms(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'LayerNormalization') continue;
    layer.setWeights(layer.getWeights().map((w, i) => tf.tidy(() => tf.randomUniform(w.shape, -0.5, 0.5, 'float32', seed + i).add(i === 0 ? 1 : 0))));
  }
}

function run(path: string, x: tf.Tensor4D): { y: tf.Tensor; ops: string[] } {
  const { graph, weights } = importLayersModel(path);
  const store = VariableStore.forGraph(graph, 1, weights);
  try {
    return { y: buildEvalGraph(graph, store).run(x), ops: graph.nodes.map((n) => n.op) };
  } finally {
    store.dispose();
  }
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

describe('import: LayerNormalization and GroupNormalization', () => {
  it('LayerNormalization (default last axis; axes [1, 2, 3] without β) equals model.predict', async () => {
    const model = normModel();
    randomizeNorms(model, 3);
    const path = await saveLayersModel(model);
    const x = tf.randomNormal([8, 6, 5, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const want = model.predict(x) as tf.Tensor;
    const { y, ops } = run(path, x);
    expect(ops.filter((o) => o === 'layerNorm')).to.have.length(2);
    expect(y.shape).to.deep.equal(want.shape);
    expect(maxDiff(y, want)).to.be.at.most(1e-5);
    tf.dispose([x, want, y]);
    model.dispose();
  });

  it('GroupNormalization with groups −1 imports as instance norm; other group counts are refused in one sentence', async () => {
    const x0 = tf.input({ shape: [5, 4, 3], name: 'image' });
    const n = tf.layers.layerNormalization({ name: 'gn', epsilon: 1e-3 }).apply(x0) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x0, outputs: n, name: 'gn' });
    randomizeNorms(model, 5);
    const [gamma, beta] = model.layers[1]!.getWeights().map((w) => w.clone());
    const path = await saveLayersModel(model);
    model.dispose();
    // LayerNormalization on the last axis saves γ/β [c], as GroupNormalization does.
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const layer = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'gn');
    layer.class_name = 'GroupNormalization';
    layer.config.groups = -1;
    writeFileSync(path, JSON.stringify(json));
    const x = tf.randomNormal([4, 5, 4, 3], 0, 1, 'float32', 6) as tf.Tensor4D;
    const { y, ops } = run(path, x);
    expect(ops).to.include('instanceNorm');
    const want = tf.tidy(() => {
      const { mean, variance } = tf.moments(x, [1, 2], true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), gamma!), beta!);
    });
    expect(maxDiff(y, want)).to.be.at.most(1e-5);
    layer.config.groups = 1;
    writeFileSync(path, JSON.stringify(json));
    expect(() => importLayersModel(path)).to.throw(UserError, /groups 1 is neither −1 nor the channel count 3/);
    tf.dispose([x, y, want, gamma!, beta!]);
  });
});
