import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { importLayersModel } from '../../src/import/index.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { concatModel, randomizeBatchNorm, residualModel, saveLayersModel, separableModel } from './helpers.js';

async function maxDiffAgainstPredict(model: tf.LayersModel, seed: number): Promise<{ diff: number; ops: string[] }> {
  randomizeBatchNorm(model, seed);
  const path = await saveLayersModel(model);
  const { graph, weights } = importLayersModel(path);
  const store = VariableStore.forGraph(graph, 1, weights);
  try {
    const shape = [8, ...(model.inputs[0]!.shape.slice(1) as number[])] as [number, number, number, number];
    const x = tf.randomNormal(shape, 0, 1, 'float32', seed) as tf.Tensor4D;
    const want = model.predict(x) as tf.Tensor;
    const got = buildEvalGraph(graph, store).run(x);
    expect(got.shape).to.deep.equal(want.shape);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!);
    tf.dispose([x, want, got]);
    return { diff, ops: graph.nodes.map((n) => n.op) };
  } finally {
    store.dispose();
    model.dispose();
  }
}

describe('import: tfjs-layers model.json → IR, float equivalence with model.predict', () => {
  it('Functional residual model (Conv2D without bias, BN, ReLU, Add, Activation, MaxPool, Flatten, Dense softmax)', async () => {
    const { diff, ops } = await maxDiffAgainstPredict(residualModel(), 3);
    expect(ops).to.include.members(['input', 'conv2d', 'batchNorm', 'relu', 'add', 'maxPool', 'flatten', 'dense', 'softmax']);
    expect(diff).to.be.at.most(1e-5);
  });

  it('Functional model with Concatenate, ZeroPadding2D, strides, dilation, AvgPool, DepthwiseConv2D relu6, GAP, Dropout', async () => {
    const { diff, ops } = await maxDiffAgainstPredict(concatModel(), 5);
    expect(ops).to.include.members(['pad', 'concat', 'avgPool', 'depthwiseConv2d', 'relu6', 'globalAvgPool', 'dropout']);
    expect(diff).to.be.at.most(1e-5);
  });

  it('Sequential model with SeparableConv2D (split into depthwise + pointwise), BN, ReLU(max 6), Reshape, Softmax', async () => {
    const { diff, ops } = await maxDiffAgainstPredict(separableModel(), 7);
    expect(ops.filter((o) => o === 'depthwiseConv2d')).to.have.length(1);
    expect(ops).to.include.members(['relu6', 'reshape', 'softmax', 'batchNorm']);
    expect(diff).to.be.at.most(1e-5);
  });

  it('logits: true drops a final softmax so outputs[0] are logits', async () => {
    const model = residualModel();
    const path = await saveLayersModel(model);
    model.dispose();
    const { graph, weights } = importLayersModel(path, { logits: true });
    expect(graph.outputs).to.deep.equal(['logits']);
    expect(graph.nodes.some((n) => n.op === 'softmax')).to.equal(false);
    expect(weights.has('logits/kernel')).to.equal(true);
  });
});
