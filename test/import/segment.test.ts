// A tfjs-layers encoder–decoder with a per-pixel softmax head (11 classes
// per pixel of a 28×28×1 image) built here from the layers that import
// today: it trains with --task segment on mnist-seg, quantization-aware,
// exports, and the int8 file matches the eval graph and LiteRT per pixel.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { join } from 'node:path';
import { analyze } from '../../src/ir/analyze.js';
import { importLayersModel } from '../../src/import/index.js';
import { saveLayersModel } from './helpers.js';
import { qat } from '../support/cli.js';
import { scratchDir } from '../train/helpers.js';

function pixelClassifier(): tf.LayersModel {
  const x = tf.input({ shape: [28, 28, 1], name: 'image' });
  const conv = (name: string, filters: number, dilationRate = 1) =>
    tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', dilationRate, activation: 'relu', name });
  const e1 = conv('enc1', 8).apply(x) as tf.SymbolicTensor;
  const e2 = conv('enc2', 8, 2).apply(e1) as tf.SymbolicTensor;
  const skip = tf.layers.concatenate({ name: 'skip' }).apply([e2, e1]) as tf.SymbolicTensor;
  const probs = tf.layers.conv2d({ filters: 11, kernelSize: 1, activation: 'softmax', name: 'probs' }).apply(skip) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: probs, name: 'pixel-classifier' });
}

describe('import: a per-pixel softmax model trains with --task segment', function () {
  const dir = scratchDir('import-seg');
  after(() => dir.remove());

  it('imports the softmax over the channels of every pixel, trains, exports and matches LiteRT', async () => {
    const m = pixelClassifier();
    const path = await saveLayersModel(m);
    m.dispose();
    const imported = importLayersModel(path);
    const a = analyze(imported.graph);
    const last = imported.graph.nodes.at(-1)!;
    expect(last.op).to.equal('softmax');
    expect(a.shapes.get(last.name)).to.deep.equal([28, 28, 11]);

    const run = join(dir.path, 'run');
    const t = qat('train', '--model', path, '--task', 'segment', '--dataset', 'mnist-seg', '--limit', '16', '--epochs', '1', '--batch', '8', '--quantize', '--out', run, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    expect(t.stdout).to.match(/test mIoU/);
    const tfl = join(dir.path, 'seg.tflite');
    const e = qat('export', '--run', run, '--out', tfl);
    expect(e.status, e.stderr).to.equal(0);
    const p = qat('parity', '--run', run, '--model', tfl, '--json', '--backend', 'wasm');
    expect(p.status, p.stderr).to.equal(0);
    const r = JSON.parse(p.stdout) as { task: string; agreement: number; litertIdentical: number; count: number; miou: { evalGraph: number; litert: number } };
    expect([r.task, r.count, r.agreement, r.litertIdentical]).to.deep.equal(['segment', 16, 1, 1]);
    expect(r.miou.litert).to.equal(r.miou.evalGraph);
  });
});
