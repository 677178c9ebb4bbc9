// `qat train --model path/model.json`: an imported tfjs-layers model trains
// from its saved weights (not a seeded init), quantization-aware, and exports.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importLayersModel } from '../../src/import/index.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { loadDataset } from '../../datasets/index.js';
import { train } from '../../train/loop.js';
import { saveLayersModel } from './helpers.js';
import { qat } from '../support/cli.js';



function smallModel(classes: number): tf.LayersModel {
  const x = tf.input({ shape: [28, 28, 1], name: 'image' });
  const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv' }).apply(x) as tf.SymbolicTensor;
  const b = tf.layers.batchNormalization({ name: 'bn' }).apply(c) as tf.SymbolicTensor;
  const r = tf.layers.reLU({ name: 'relu' }).apply(b) as tf.SymbolicTensor;
  const g = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(r) as tf.SymbolicTensor;
  const d = tf.layers.dense({ units: classes, activation: 'softmax', name: 'out' }).apply(g) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: d, name: 'tiny' });
}

describe('import: qat train --model model.json', function () {
  it('trains an imported model with --quantize and exports it', async () => {
    const m = smallModel(10);
    const path = await saveLayersModel(m);
    m.dispose();
    const out = join(mkdtempSync(join(tmpdir(), 'qat-import-run-')), 'run');
    const r = qat('train', '--model', path, '--dataset', 'synthetic', '--limit', '64', '--epochs', '1', '--batch', '16', '--quantize', '--out', out, '--backend', 'cpu');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/model: tiny \(input 28×28×1/);
    expect(existsSync(join(out, 'metrics.json'))).to.equal(true);
    const tfl = join(out, 'model.tflite');
    const e = qat('export', '--run', out, '--out', tfl);
    expect(e.status, e.stderr).to.equal(0);
    const it = Interpreter.fromBuffer(new Uint8Array((await import('node:fs')).readFileSync(tfl)));
    expect(it.output(0)).to.have.length(10);
  });

  it('train({ initialWeights }) starts from the imported weights, not a seeded init', async () => {
    const m = smallModel(10);
    const path = await saveLayersModel(m);
    m.dispose();
    const { graph, weights } = importLayersModel(path, { logits: true });
    const dataset = await loadDataset('synthetic', { limit: 32, seed: 1 });
    const out = join(mkdtempSync(join(tmpdir(), 'qat-import-api-')), 'run');
    // A vanishing learning rate: after one epoch the weights are still the imported ones.
    const r = await train({ model: graph, initialWeights: weights, dataset, outDir: out, epochs: 1, batchSize: 16, lr: 1e-12, optimizer: 'sgd' });
    try {
      for (const name of ['conv/kernel', 'out/kernel', 'out/bias', 'bn/gamma']) {
        const got = r.store.get(name).dataSync();
        const want = weights.get(name)!;
        let diff = 0;
        for (let i = 0; i < want.length; i++) diff = Math.max(diff, Math.abs(got[i]! - want[i]!));
        expect(diff, name).to.be.below(1e-6);
      }
    } finally {
      r.store.dispose();
    }
  });

  it('rejects a model whose output does not match the dataset\'s classes, in one sentence', async () => {
    const m = smallModel(3);
    const path = await saveLayersModel(m);
    m.dispose();
    const r = qat('train', '--model', path, '--dataset', 'synthetic', '--limit', '32', '--out', join(tmpdir(), 'never'), '--backend', 'cpu');
    expect(r.status).to.not.equal(0);
    expect(r.stderr.trim()).to.match(/outputs shape \[3\] but the dataset has 10 classes; its last layer needs 10 units$/);
  });
});
