// The importer on decoder layers: Cropping2D and UpSampling2D (nearest and
// bilinear) in a tfjs-layers model, built with the layers API, saved,
// imported; the float forward equals model.predict. UpSampling2D bilinear
// keeps tfjs-layers' sample points, and takes Keras' half-pixel ones from a
// model Keras wrote.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { importLayersModel } from '../../src/import/index.js';
import type { NodeOf } from '../../src/ir/types.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { saveLayersModel } from './helpers.js';

function decoderModel(): tf.LayersModel {
  const x = tf.input({ shape: [6, 5, 3], name: 'image' });
  let y = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.upSampling2d({ size: [2, 2], name: 'up_nearest' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.cropping2D({ cropping: [[1, 2], [0, 3]], name: 'crop' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: 'c2' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear', name: 'up_bilinear' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.cropping2D({ cropping: 1, name: 'crop_all' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'head' }).apply(y) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y, name: 'decoder' });
}

describe('import: Cropping2D and UpSampling2D', () => {
  it('a tfjs-layers decoder imports and its float forward equals model.predict', async () => {
    const model = decoderModel();
    const path = await saveLayersModel(model);
    const { graph, weights } = importLayersModel(path);
    expect(graph.nodes.map((n) => n.op)).to.include.members(['crop', 'upsampleNearest', 'upsampleBilinear']);
    const bilinear = graph.nodes.find((n): n is NodeOf<'upsampleBilinear'> => n.op === 'upsampleBilinear')!;
    expect(bilinear.attrs).to.deep.equal({ size: [2, 3], halfPixelCenters: false });
    const crop = graph.nodes.find((n): n is NodeOf<'crop'> => n.name === 'crop_all')!;
    expect(crop.attrs.cropping).to.deep.equal([[1, 1], [1, 1]]);
    const store = VariableStore.forGraph(graph, 1, weights);
    try {
      const x = tf.randomNormal([4, 6, 5, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
      const want = model.predict(x) as tf.Tensor;
      const got = buildEvalGraph(graph, store).run(x);
      expect(got.shape).to.deep.equal(want.shape);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!);
      expect(diff).to.be.at.most(1e-5);
      tf.dispose([x, want, got]);
    } finally {
      store.dispose();
      model.dispose();
    }
  });

  it('UpSampling2D bilinear from a model Keras wrote samples at half-pixel centers', async () => {
    const model = decoderModel();
    const path = await saveLayersModel(model);
    model.dispose();
    const json = JSON.parse(readFileSync(path, 'utf8')) as { modelTopology: Record<string, unknown> };
    expect(String(json.modelTopology.keras_version)).to.match(/^tfjs-layers/);
    json.modelTopology.keras_version = '2.15.0';
    writeFileSync(path, JSON.stringify(json));
    const { graph } = importLayersModel(path);
    const bilinear = graph.nodes.find((n): n is NodeOf<'upsampleBilinear'> => n.op === 'upsampleBilinear')!;
    expect(bilinear.attrs.halfPixelCenters).to.equal(true);
  });
});
