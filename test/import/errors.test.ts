// Each way a user's model files can be wrong gives one clear UserError.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { importLayersModel, SUPPORTED_LAYERS } from '../../src/import/index.js';
import { saveLayersModel, separableModel } from './helpers.js';

function importError(path: string): UserError {
  try {
    importLayersModel(path);
  } catch (e) {
    expect(e).to.be.instanceOf(UserError);
    const msg = (e as Error).message;
    expect(msg.split('\n')).to.have.length(1);
    return e as UserError;
  }
  throw new Error('import succeeded');
}

/** The import error of a saved Sequential model of `layers`. */
async function sequentialError(layers: tf.layers.Layer[]): Promise<string> {
  const m = tf.sequential({ layers });
  const p = await saveLayersModel(m);
  m.dispose();
  return importError(p).message;
}

describe('import: errors', () => {
  let path: string;
  beforeEach(async () => {
    const m = separableModel();
    path = await saveLayersModel(m);
    m.dispose();
  });

  it('a truncated weight shard', () => {
    truncateSync(join(dirname(path), 'weights.bin'), 100);
    expect(importError(path).message).to.match(/weight shards weights\.bin hold 100 bytes but .* describes \d+ bytes.*truncated/);
  });

  it('a missing weight shard', () => {
    rmSync(join(dirname(path), 'weights.bin'));
    expect(importError(path).message).to.match(/weight shard 'weights\.bin' listed in .* is missing/);
  });

  it('a shape mismatch between model.json and the weights', () => {
    const j = JSON.parse(readFileSync(path, 'utf8'));
    // Same element count, so the shards still read; only the manifest's shape disagrees with the layer.
    const w = j.weightsManifest[0].weights.find((x: { name: string }) => x.name === 'fc/kernel');
    w.shape = [100, 20];
    writeFileSync(path, JSON.stringify(j));
    expect(importError(path).message).to.equal("weight 'fc/kernel' has shape [100,20] in the weights but the layer needs [200,10]");
  });

  it('a layer config that disagrees with the weights', () => {
    const j = JSON.parse(readFileSync(path, 'utf8'));
    const fc = j.modelTopology.config.layers.find((l: { config: { name: string } }) => l.config.name === 'fc');
    fc.config.units = 12;
    writeFileSync(path, JSON.stringify(j));
    expect(importError(path).message).to.equal("weight 'fc/kernel' has shape [200,10] in the weights but the layer needs [200,12]");
  });

  it('an unsupported layer names itself, its class and the supported layers', async () => {
    const m = tf.sequential();
    m.add(tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3, name: 'c' }));
    m.add(tf.layers.permute({ dims: [2, 1, 3], name: 'up' }));
    const p = await saveLayersModel(m);
    m.dispose();
    const msg = importError(p).message;
    expect(msg).to.contain("layer 'up' has class Permute");
    for (const l of SUPPORTED_LAYERS) expect(msg).to.contain(l);
  });

  it('an unsupported activation', async () => {
    expect(await sequentialError([tf.layers.dense({ inputShape: [4], units: 2, activation: 'softplus', name: 'd' })])).to.equal(
      "layer 'd' (Dense) cannot be imported: activation 'softplus' is not one of linear, relu, relu6, softmax, sigmoid, tanh, swish, silu, hard_swish, hard_silu, hard_sigmoid",
    );
  });

  it("tfjs-layers' hardSigmoid (clip(0.2·x + 0.5, 0, 1)) is refused, not taken for Keras 3's relu6(x + 3)/6", async () => {
    expect(await sequentialError([tf.layers.dense({ inputShape: [4], units: 2, activation: 'hardSigmoid', name: 'd' })])).to.equal(
      "layer 'd' (Dense) cannot be imported: its hard_sigmoid is tfjs-layers' clip(0.2·x + 0.5, 0, 1), which has no quantized lowering; only Keras 3's relu6(x + 3)/6 (MobileNet v3's) is supported",
    );
  });

  it('a PReLU with a slope per position (no shared axes) is refused', async () => {
    const layers = [tf.layers.conv2d({ inputShape: [4, 4, 1], filters: 2, kernelSize: 1, name: 'c' }), tf.layers.prelu({ name: 'p' })];
    expect(await sequentialError(layers)).to.equal(
      "layer 'p' (PReLU) cannot be imported: its slope has shape [4, 4, 2]; only one slope per channel ([1, 1, 2], shared_axes over every axis but the channels) is supported",
    );
  });

  it('a missing or non-layers model file', () => {
    expect(importError(join(dirname(path), 'nope.json')).message).to.match(/does not exist/);
    writeFileSync(path, JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest: [] }));
    expect(importError(path).message).to.match(/only tfjs-layers models/);
  });
});
