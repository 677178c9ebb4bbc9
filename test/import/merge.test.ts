// Merge layers and global max pooling from tfjs-layers (and Keras'
// Subtract, which tfjs-layers lacks, from a model.json as Keras writes it):
// the imported graph computes what model.predict does, and its QAT rewrite
// exports an int8 model that our interpreter and LiteRT run bit for bit.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { importLayersModel } from '../../src/import/index.js';
import { analyze } from '../../src/ir/analyze.js';
import { exportGraph } from '../../export/index.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { buildCalibrationGraph, buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { loadLiteRt } from '../support/litert.js';
import { compareWithLiteRt } from '../interpreter/parity-helpers.js';
import { seededImages } from '../export/helpers.js';
import { saveLayersModel } from './helpers.js';

const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => layer.apply(x) as tf.SymbolicTensor;

/** Squeeze-excite Multiply (with a Reshape to [1,1,C] as Keras' SE blocks do, and without), three-way Maximum, Minimum, three-way Average, GlobalMaxPooling2D. */
function mergeModel(): tf.LayersModel {
  const x = tf.input({ shape: [10, 10, 3], name: 'image' });
  const a = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: 'a' }), x);
  const squeeze = apply(tf.layers.globalAveragePooling2d({ name: 'se_pool' }), a);
  const reduce = apply(tf.layers.dense({ units: 4, activation: 'relu', name: 'se_reduce' }), squeeze);
  const expand = apply(tf.layers.dense({ units: 8, name: 'se_expand' }), reduce);
  const gate = apply(tf.layers.reshape({ targetShape: [1, 1, 8], name: 'se_gate' }), expand);
  const gated = apply(tf.layers.multiply({ name: 'se_excite' }), [a, gate]);
  // The same gate without the Reshape: the merge layer inserts the axes itself.
  const excite = apply(tf.layers.multiply({ name: 'se_direct' }), [gated, expand]);
  const b = apply(tf.layers.conv2d({ filters: 8, kernelSize: 1, name: 'b' }), x);
  const c = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c' }), x);
  const hi = apply(tf.layers.maximum({ name: 'hi' }), [excite, b, c]);
  const lo = apply(tf.layers.minimum({ name: 'lo' }), [hi, a]);
  const avg = apply(tf.layers.average({ name: 'avg' }), [lo, b, excite]);
  const pooled = apply(tf.layers.globalMaxPooling2d({ name: 'gmp' }), avg);
  const logits = apply(tf.layers.dense({ units: 6, name: 'logits' }), pooled);
  return tf.model({ inputs: x, outputs: logits, name: 'merge' });
}

describe('import: merge layers (Multiply, Maximum, Minimum, Average, Subtract) and GlobalMaxPooling2D', function () {
  this.timeout(120_000);

  it('a Functional model with a squeeze-excite Multiply, n-ary Maximum/Average, Minimum and GlobalMaxPooling2D: float forward = model.predict; int8 interpreter = LiteRT', async () => {
    const model = mergeModel();
    const path = await saveLayersModel(model);
    const { graph, weights } = importLayersModel(path);
    const ops = graph.nodes.map((n) => `${n.name}:${n.op}`);
    // n-ary merges become chains of binary ops; Average is the sum times 1/n.
    expect(ops).to.include.members(['se_excite:mul', 'se_direct/expand1:reshape', 'se_direct:mul', 'hi/1:maximum', 'hi:maximum', 'lo:minimum', 'avg/sum:add', 'avg:mulConstant', 'gmp:globalMaxPool']);
    const store = VariableStore.forGraph(graph, 1, weights);
    try {
      const x = tf.tensor4d(seededImages(8, [10, 10, 3], 3), [8, 10, 10, 3]);
      const want = model.predict(x) as tf.Tensor;
      const got = buildEvalGraph(graph, store).run(x);
      expect(got.shape).to.deep.equal(want.shape);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!)).to.be.at.most(1e-5);
      tf.dispose([want, got]);

      const q = rewriteForQat(graph);
      expect(q.report).to.deep.equal([]);
      const a = analyze(q.graph);
      const qstore = VariableStore.forGraph(a, 1, weights);
      try {
        buildCalibrationGraph(a, qstore).observe(x, 0.5);
        const bytes = exportGraph(a, qstore, { mode: 'int8', inputType: 'int8', outputType: 'int8' }).bytes;
        const r = await compareWithLiteRt(await loadLiteRt(), bytes, 30, 4);
        expect(r.elements).to.equal(30 * 6);
        expect(r.differing, `max |Δ| ${r.maxAbsDiff}`).to.equal(0);
      } finally {
        qstore.dispose();
      }
      x.dispose();
    } finally {
      store.dispose();
      model.dispose();
    }
  });

  it('a squeeze-excite branch that calibration never sees positive (a one-point range) still exports a model LiteRT runs', async () => {
    const model = mergeModel();
    // ReLU(x·W − 100) = 0 for every input: the gate, its products and the direct gate are all exactly 0,
    // while the FULLY_CONNECTED's input and weights have ordinary scales (with the smallest scale on its
    // output, their ratio passed what XNNPACK accepts and LiteRT refused the whole model).
    const reduce = model.getLayer('se_reduce');
    const [k, b] = reduce.getWeights();
    reduce.setWeights([k!, tf.fill(b!.shape, -100)]);
    const { graph, weights } = importLayersModel(await saveLayersModel(model));
    const a = analyze(rewriteForQat(graph).graph);
    const qstore = VariableStore.forGraph(a, 1, weights);
    const x = tf.tensor4d(seededImages(8, [10, 10, 3], 3), [8, 10, 10, 3]);
    try {
      buildCalibrationGraph(a, qstore).observe(x, 0.5);
      expect(qstore.get('se_reduce/fq/max').dataSync()[0]).to.equal(0);
      const bytes = exportGraph(a, qstore, { mode: 'int8', inputType: 'int8', outputType: 'int8' }).bytes;
      const r = await compareWithLiteRt(await loadLiteRt(), bytes, 30, 4);
      expect(r.elements).to.equal(30 * 6);
      expect(r.differing, `max |Δ| ${r.maxAbsDiff}`).to.equal(0);
    } finally {
      tf.dispose(x);
      qstore.dispose();
      model.dispose();
    }
  });

  it('Keras Subtract and GlobalMaxPooling2D(keepdims) from a model.json: a − b and [N,1,1,C] as Keras computes them', async () => {
    const x = tf.input({ shape: [6, 6, 2], name: 'image' });
    const a = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'a' }), x);
    const b = apply(tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'b' }), x);
    const diff = apply(tf.layers.add({ name: 'diff' }), [a, b]);
    const pooled = apply(tf.layers.globalMaxPooling2d({ name: 'gmp' }), diff);
    const model = tf.model({ inputs: x, outputs: [diff, pooled], name: 'sub' });
    const parts = tf.model({ inputs: x, outputs: [a, b] });
    // tfjs-layers has no Subtract layer and no keepdims: write them as Keras does.
    const path = await saveLayersModel(model);
    type Layers = { layers: Array<{ name: string; class_name: string; config: Record<string, unknown> }> };
    const json = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology: { model_config?: { config: Layers }; config?: Layers } };
    const topology = json.modelTopology.model_config?.config ?? json.modelTopology.config!;
    for (const l of topology.layers) {
      if (l.name === 'diff') l.class_name = 'Subtract';
      if (l.name === 'gmp') l.config.keepdims = true;
    }
    writeFileSync(path, JSON.stringify(json));
    const { graph, weights } = importLayersModel(path);
    expect(graph.outputs).to.deep.equal(['diff', 'gmp']);
    const store = VariableStore.forGraph(graph, 1, weights);
    try {
      const input = tf.tensor4d(seededImages(4, [6, 6, 2], 9), [4, 6, 6, 2]);
      const [va, vb] = parts.predict(input) as tf.Tensor[];
      const outs = buildEvalGraph(graph, store).runAll(input);
      const got = outs.get('diff')!;
      const gmp = outs.get('gmp')!;
      const want = tf.sub(va!, vb!);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!)).to.be.at.most(1e-5);
      expect(gmp.shape).to.deep.equal([4, 1, 1, 4]);
      expect(tf.tidy(() => tf.max(tf.abs(tf.sub(gmp, tf.max(want, [1, 2], true)))).dataSync()[0]!)).to.be.at.most(1e-5);
      tf.dispose([input, va!, vb!, want, ...outs.values()]);
    } finally {
      store.dispose();
      model.dispose();
    }
  });
});
