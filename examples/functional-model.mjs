// Builds a small Functional tfjs-layers model (two branches joined by Add,
// BatchNormalization, a SeparableConv2D) and saves it as model.json +
// weights.bin, ready for `qat train --model <dir>/model.json`.
// Usage: node examples/functional-model.mjs [out-dir]   (after `npm ci`)
import * as tf from '@tensorflow/tfjs';
import { saveLayersModel } from '../dist/src/index.js';

const outDir = process.argv[2] ?? 'runs/my-model';
const input = tf.input({ shape: [28, 28, 1] });
let x = tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false }).apply(input);
x = tf.layers.batchNormalization().apply(x);
x = tf.layers.reLU().apply(x);
const branch = tf.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
x = tf.layers.add().apply([x, branch]);
x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x);
x = tf.layers.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(x);
x = tf.layers.globalAveragePooling2d({}).apply(x);
const output = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(x);
const model = tf.model({ inputs: input, outputs: output });
model.summary();
console.log(`saved ${await saveLayersModel(model, outDir)}`);
