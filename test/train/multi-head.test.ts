// A model with two classification heads: training sums their cross-entropy
// against the same labels (so the second head learns too), and an imported
// two-head tfjs-layers model with LeakyReLU, a sigmoid-gated squeeze-excite
// Multiply, swish, tanh and Average trains with --quantize, exports both
// outputs, and `qat parity` finds the eval graph, our interpreter and LiteRT
// bit-identical on every layer and every output.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { join } from 'node:path';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { buildTrainGraph } from '../../train/graph/build.js';
import { crossEntropy, headsCrossEntropy } from '../../train/loss.js';
import { createOptimizer, optimizerConfig } from '../../train/optimizers.js';
import { createStepper } from '../../train/step.js';
import { VariableStore } from '../../train/state.js';
import { saveLayersModel } from '../import/helpers.js';
import { qat } from '../support/cli.js';
import { userErrorMessage } from '../support/user-error.js';
import { scratchDir, tinySplit, useWasm } from './helpers.js';

const SHAPE: [number, number, number] = [8, 8, 1];
const CLASSES = 4;

function twoHeads(): Graph {
  const b = new GraphBuilder('two-heads');
  const x = b.input('input', [...SHAPE]);
  const f = b.relu('f_relu', b.conv2d('f', x, { filters: 6, kernelSize: 3 }));
  const main = b.dense('logits', b.globalAvgPool('gap', f), CLASSES);
  const aux = b.dense('aux', b.globalMaxPool('gmp', f), CLASSES);
  return b.build([main, aux]);
}

describe('training a model with several heads', function () {
  this.timeout(600_000);
  before(useWasm);

  it('the loss is the sum of every head\'s cross-entropy, and a step trains the second head too', () => {
    const ir = twoHeads();
    const store = VariableStore.forGraph(ir, 2);
    const split = tinySplit(16, SHAPE, CLASSES, 3);
    try {
      const x = tf.tensor4d(split.images, [16, ...SHAPE]);
      const y = tf.tensor1d(split.labels, 'int32');
      const out = buildTrainGraph(ir, store).run(x);
      expect(out.heads.map((h) => h.shape)).to.deep.equal([[16, CLASSES], [16, CLASSES]]);
      const sum = headsCrossEntropy(out.heads, y).dataSync()[0]!;
      const parts = out.heads.map((h) => crossEntropy(h, y).dataSync()[0]!);
      expect(sum).to.be.closeTo(parts[0]! + parts[1]!, 1e-5);
      expect(parts[1]).to.be.greaterThan(0.1);
      for (const u of out.statUpdates) u.value.dispose();
      tf.dispose([x, y, ...out.heads]);

      const before = store.get('aux/kernel').dataSync().slice();
      const stepper = createStepper(buildTrainGraph(ir, store), store, createOptimizer(optimizerConfig('sgd'), store, ['weight']), ['weight']);
      const r = stepper.run({ x: split.images, y: split.labels, n: 16, shape: [16, ...SHAPE] }, 0.1, 1);
      expect(r.loss).to.be.closeTo(sum, 1e-4);
      const after = store.get('aux/kernel').dataSync();
      expect(after.some((v, i) => v !== before[i]), 'the second head\'s weights moved').to.equal(true);
    } finally {
      store.dispose();
    }
  });

  it('heads of another width than the first are refused in one sentence', () => {
    const b = new GraphBuilder('mixed');
    const x = b.input('input', [...SHAPE]);
    const g = b.globalAvgPool('gap', b.conv2d('f', x, { filters: 6, kernelSize: 3 }));
    const ir = b.build([b.dense('logits', g, CLASSES), b.dense('aux', g, 3)]);
    const store = VariableStore.forGraph(ir, 2);
    try {
      const out = buildTrainGraph(ir, store).run(tf.zeros([2, ...SHAPE]) as tf.Tensor4D);
      expect(userErrorMessage(() => headsCrossEntropy(out.heads, tf.tensor1d([0, 1], 'int32'))))
        .to.equal('output 1 of the model has shape [3] per example, but training sums the cross-entropy of classification heads over the same 4 classes');
      for (const u of out.statUpdates) u.value.dispose();
    } finally {
      store.dispose();
    }
  });

  it('qat train --quantize on an imported two-head model (LeakyReLU, sigmoid-gated squeeze-excite Multiply, swish, tanh, Average, Maximum), export, parity: every output bit-identical in LiteRT', async () => {
    const dir = scratchDir('two-heads');
    try {
      const input = tf.input({ shape: [28, 28, 1], name: 'image' });
      const apply = (l: tf.layers.Layer, v: tf.SymbolicTensor | tf.SymbolicTensor[]): tf.SymbolicTensor => l.apply(v) as tf.SymbolicTensor;
      const a = apply(tf.layers.leakyReLU({ alpha: 0.2, name: 'a_leaky' }), apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', name: 'a' }), input));
      const squeeze = apply(tf.layers.globalAveragePooling2d({ name: 'squeeze' }), a);
      const gate = apply(tf.layers.reshape({ targetShape: [1, 1, 6], name: 'gate' }), apply(tf.layers.dense({ units: 6, activation: 'sigmoid', name: 'excite' }), squeeze));
      const se = apply(tf.layers.multiply({ name: 'se' }), [a, gate]);
      const c = apply(tf.layers.conv2d({ filters: 6, kernelSize: 1, activation: 'swish', name: 'c' }), a);
      const d = apply(tf.layers.conv2d({ filters: 6, kernelSize: 1, activation: 'tanh', name: 'd' }), se);
      const avg = apply(tf.layers.average({ name: 'avg' }), [se, c, d]);
      const hi = apply(tf.layers.maximum({ name: 'hi' }), [avg, c]);
      const main = apply(tf.layers.dense({ units: 10, activation: 'softmax', name: 'main' }), apply(tf.layers.globalAveragePooling2d({ name: 'gap' }), hi));
      const aux = apply(tf.layers.dense({ units: 10, activation: 'softmax', name: 'aux' }), apply(tf.layers.globalMaxPooling2d({ name: 'gmp' }), se));
      const model = tf.model({ inputs: input, outputs: [main, aux], name: 'two-heads' });
      const path = await saveLayersModel(model, join(dir.path, 'model'));
      model.dispose();
      const run = join(dir.path, 'run');
      const tflite = join(dir.path, 'model.tflite');
      const t = qat('train', '--model', path, '--dataset', 'synthetic', '--limit', '40', '--epochs', '1', '--batch', '20', '--quantize', '--out', run, '--backend', 'wasm');
      expect(t.status, t.stderr).to.equal(0);
      const e = qat('export', '--run', run, '--out', tflite, '--backend', 'wasm');
      expect(e.status, e.stderr).to.equal(0);
      const it = Interpreter.fromBuffer(new Uint8Array((await import('node:fs')).readFileSync(tflite)));
      expect(it.outputDetails().map((d) => [d.name, d.shape])).to.deep.equal([['main', [1, 10]], ['aux', [1, 10]]]);
      const p = qat('parity', '--run', run, '--model', tflite, '--json', '--backend', 'wasm', '--min-agreement', '0');
      expect(p.status, p.stderr).to.equal(0);
      const r = JSON.parse(p.stdout) as { outputs: string[]; litert: { ran: boolean; note: string | null }; litertIdentical: number; layers: Array<{ name: string; maxLsb: number }>; unmatched: string[] };
      expect(r.outputs).to.deep.equal(['main', 'aux']);
      expect(r.litert.ran, r.litert.note ?? '').to.equal(true);
      expect(r.litertIdentical).to.equal(1);
      expect(r.unmatched).to.deep.equal([]);
      expect(r.layers.map((l) => l.name)).to.include.members(['main', 'aux', 'se', 'avg', 'avg/sum', 'hi', 'a_leaky', 'excite_sigmoid', 'c_swish', 'd_tanh']);
      for (const l of r.layers) expect(l.maxLsb, l.name).to.equal(0);
    } finally {
      dir.remove();
    }
  });
});
