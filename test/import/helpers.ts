// Builds tfjs-layers models in code and saves them the way tfjs does
// (model.json + one weights .bin), without tfjs-node's file:// handler.
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { saveLayersModel as saveTo } from '../../src/import/save.js';

export async function saveLayersModel(model: tf.LayersModel, dir = mkdtempSync(join(tmpdir(), 'qat-import-'))): Promise<string> {
  return saveTo(model, dir);
}

/** Sets every BN layer's moving statistics to non-trivial values so the import of them is tested. */
export function randomizeBatchNorm(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const ws = layer.getWeights();
    layer.setWeights(ws.map((w, i) => tf.tidy(() => {
      const u = tf.randomUniform(w.shape, 0, 1, 'float32', seed + i);
      // gamma, beta, moving_mean, moving_variance (variance kept positive)
      return i === 3 ? u.add(0.5) : i === 0 ? u.add(0.5) : u.sub(0.5);
    })));
    // getWeights hands out the variables' own tensors: not ours to dispose.
  }
}

/** Residual block with BN: conv-bn-relu, conv-bn, add, relu, pool, dense softmax. */
export function residualModel(): tf.LayersModel {
  const x = tf.input({ shape: [12, 12, 3], name: 'image' });
  const c1 = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'c1' }).apply(x) as tf.SymbolicTensor;
  const b1 = tf.layers.batchNormalization({ name: 'b1' }).apply(c1) as tf.SymbolicTensor;
  const r1 = tf.layers.reLU({ name: 'r1' }).apply(b1) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'c2' }).apply(r1) as tf.SymbolicTensor;
  const b2 = tf.layers.batchNormalization({ name: 'b2' }).apply(c2) as tf.SymbolicTensor;
  const s = tf.layers.add({ name: 'sum' }).apply([b2, r1]) as tf.SymbolicTensor;
  const r2 = tf.layers.activation({ activation: 'relu', name: 'r2' }).apply(s) as tf.SymbolicTensor;
  const p = tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(r2) as tf.SymbolicTensor;
  const f = tf.layers.flatten({ name: 'flat' }).apply(p) as tf.SymbolicTensor;
  const d = tf.layers.dense({ units: 10, activation: 'softmax', name: 'logits' }).apply(f) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: d, name: 'residual' });
}

/** Two branches joined by Concatenate, with strides, dilation, zero padding, avg pool and GAP. */
export function concatModel(): tf.LayersModel {
  const x = tf.input({ shape: [16, 16, 1], name: 'image' });
  const pad = tf.layers.zeroPadding2d({ padding: [[1, 1], [2, 0]], name: 'pad' }).apply(x) as tf.SymbolicTensor;
  const a = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', name: 'a' }).apply(pad) as tf.SymbolicTensor;
  const bb = tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'b' }).apply(x) as tf.SymbolicTensor;
  const bp = tf.layers.averagePooling2d({ poolSize: 2, name: 'bpool' }).apply(bb) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([a, bp]) as tf.SymbolicTensor;
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6', name: 'dw' }).apply(cat) as tf.SymbolicTensor;
  const g = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(dw) as tf.SymbolicTensor;
  const dr = tf.layers.dropout({ rate: 0.3, name: 'drop' }).apply(g) as tf.SymbolicTensor;
  const d = tf.layers.dense({ units: 10, name: 'logits' }).apply(dr) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: d, name: 'concat' });
}

/** Sequential with SeparableConv2D, Reshape and a Softmax layer. */
export function separableModel(): tf.LayersModel {
  const m = tf.sequential({ name: 'separable' });
  m.add(tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'stem' }));
  m.add(tf.layers.separableConv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2, name: 'sep' }));
  m.add(tf.layers.batchNormalization({ name: 'bn' }));
  m.add(tf.layers.reLU({ maxValue: 6, name: 'clip' }));
  m.add(tf.layers.reshape({ targetShape: [200], name: 'rs' }));
  m.add(tf.layers.dense({ units: 10, name: 'fc' }));
  m.add(tf.layers.softmax({ name: 'prob' }));
  return m;
}
