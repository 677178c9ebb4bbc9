// A tfjs-layers encoder–decoder with a per-pixel softmax head (11 classes
// per pixel of a 28×28×1 image): strided convs down, a transposed conv and
// an upsampling up, a crop and a skip concatenation. It trains with --task
// segment on mnist-seg, quantization-aware, exports, and the int8 file
// matches the eval graph and LiteRT per pixel.
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
  const down = (name: string, filters: number) =>
    tf.layers.conv2d({ filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name });
  const e1 = down('enc1', 8).apply(x) as tf.SymbolicTensor; // 14×14
  const e2 = down('enc2', 16).apply(e1) as tf.SymbolicTensor; // 7×7
  // 'valid' gives (7 − 1)·2 + 3 = 15: the crop brings it back to the skip's 14×14.
  const d1 = tf.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', name: 'dec1' }).apply(e2) as tf.SymbolicTensor;
  const cropped = tf.layers.cropping2D({ cropping: [[0, 1], [0, 1]], name: 'crop' }).apply(d1) as tf.SymbolicTensor;
  const skip = tf.layers.concatenate({ name: 'skip' }).apply([cropped, e1]) as tf.SymbolicTensor;
  const up = tf.layers.upSampling2d({ size: [2, 2], name: 'up' }).apply(skip) as tf.SymbolicTensor; // 28×28
  const probs = tf.layers.conv2d({ filters: 11, kernelSize: 1, activation: 'softmax', name: 'probs' }).apply(up) as tf.SymbolicTensor;
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
    const ops = new Set(imported.graph.nodes.map((n) => n.op));
    for (const op of ['conv2dTranspose', 'crop', 'concat', 'upsampleNearest']) expect(ops.has(op as never), op).to.equal(true);

    const run = join(dir.path, 'run');
    const t = qat('train', '--model', path, '--task', 'segment', '--dataset', 'mnist-seg', '--limit', '16', '--epochs', '1', '--batch', '8', '--quantize', '--out', run, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    expect(t.stdout).to.match(/test mIoU/);
    const tfl = join(dir.path, 'seg.tflite');
    const e = qat('export', '--run', run, '--out', tfl);
    expect(e.status, e.stderr).to.equal(0);
    expect(e.stdout).to.match(/TRANSPOSE_CONV.*STRIDED_SLICE|STRIDED_SLICE.*TRANSPOSE_CONV/);
    expect(e.stdout).to.include('RESIZE_NEAREST_NEIGHBOR');
    expect(e.stdout).to.not.include('DEQUANTIZE');
    const p = qat('parity', '--run', run, '--model', tfl, '--json', '--backend', 'wasm');
    expect(p.status, p.stderr).to.equal(0);
    const r = JSON.parse(p.stdout) as { task: string; agreement: number; litertIdentical: number; count: number; miou: { evalGraph: number; litert: number } };
    expect([r.task, r.count, r.agreement, r.litertIdentical]).to.deep.equal(['segment', 16, 1, 1]);
    expect(r.miou.litert).to.equal(r.miou.evalGraph);
  });
});
