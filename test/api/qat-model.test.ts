// quantizeModel / QatModel in a caller's own loop: one training-mode apply
// is exactly one of qat's own training steps (same BN moving statistics,
// same observed ranges, same weights after the same SGD update), nothing
// leaks, the eval graph is the exported model's integers, and a saved
// model reopens and exports like a qat train run. Plus train() in memory.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { QatModel, arrayDataset, exportRun, quantizeModel, quantizeReal, saveLayersModel, train, Interpreter, UserError } from '../../src/index.js';
import { analyze } from '../../src/ir/analyze.js';
import { importLayersModelFromMemory } from '../../src/import/memory.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { resolveQuantizeConfig } from '../../src/api/config.js';
import { buildTrainGraph } from '../../train/graph/build.js';
import { crossEntropy } from '../../train/loss.js';
import { createOptimizer, optimizerConfig } from '../../train/optimizers.js';
import { VariableStore } from '../../train/state.js';
import { createStepper } from '../../train/step.js';
import { mixSeed } from '../../train/random.js';
import { scratchDirs, tinyDataset, useWasm } from '../train/helpers.js';
import { userErrorMessage } from '../support/user-error.js';

const SHAPE: [number, number, number] = [12, 12, 2];
const CLASSES = 4;

function layersModel(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: SHAPE, filters: 6, kernelSize: 3, useBias: false }),
      tf.layers.batchNormalization({ momentum: 0.9 }),
      tf.layers.reLU(),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: CLASSES, name: 'logits' }),
    ],
  });
}

const data = tinyDataset(SHAPE, 64, 32, CLASSES);
const batchOf = (n: number, from = 0): tf.Tensor4D => tf.tensor4d(data.train.images.slice(from * 288, (from + n) * 288), [n, ...SHAPE]);

function values(vars: ReadonlyMap<string, tf.Variable>): Map<string, Float32Array> {
  return new Map([...vars].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
}

describe('QatModel in your own loop', function () {
  this.timeout(300_000);
  const dir = scratchDirs('api');
  before(useWasm);

  it('one training-mode apply under tf.variableGrads is one qat training step', async () => {
    const model = layersModel();
    const qm = await quantizeModel(model, { perChannel: true });
    // The same model and variables, stepped by qat's own stepper.
    const imported = await importLayersModelFromMemory(model);
    const { graph } = rewriteForQat(imported.graph, resolveQuantizeConfig({ perChannel: true }));
    const store = VariableStore.forGraph(analyze(graph), 1, imported.weights);
    model.dispose();
    const kinds = new Map(analyze(qm.graph).variables.map((v) => [v.name, v.kind]));
    const before = values(qm.variables);
    expect(before).to.deep.equal(values(new Map(store.list(['weight', 'stat', 'range']).map((e) => [e.name, e.variable]))));

    const lr = 0.05;
    const x = batchOf(16);
    const y = tf.tensor1d(data.train.labels.slice(0, 16), 'int32');
    const sgd = tf.train.sgd(lr);
    const cost = sgd.minimize(() => crossEntropy(qm.apply(x, { training: true }) as tf.Tensor2D, y), true, qm.trainableVariables);
    cost!.dispose();
    sgd.dispose();
    expect(qm.step).to.equal(1);

    const tg = buildTrainGraph(graph, store, { qat: { config: qm.config, startStep: 0 } });
    const stepper = createStepper(tg, store, createOptimizer(optimizerConfig('sgd'), store, ['weight']), ['weight']);
    stepper.run({ x: data.train.images.slice(0, 16 * 288), y: data.train.labels.slice(0, 16), n: 16, shape: [16, ...SHAPE] }, lr, mixSeed(1, 0));

    const after = values(qm.variables);
    let statsMoved = 0;
    for (const [name, v] of after) {
      const want = store.get(name).dataSync() as Float32Array;
      const kind = kinds.get(name);
      const changed = v.some((e, i) => e !== before.get(name)![i]);
      if (kind === 'stat' && changed) statsMoved++;
      if (kind === 'weight') {
        const diff = v.reduce((m, e, i) => Math.max(m, Math.abs(e - want[i]!)), 0);
        expect(diff, name).to.be.lessThan(1e-6);
      } else {
        expect(Array.from(v), name).to.deep.equal(Array.from(want));
      }
    }
    // Moving mean and variance of the BN, and every activation range (input, conv, depthwise, dense).
    expect(statsMoved).to.equal(2);
    expectObserved(after);
    tf.dispose([x, y]);
    store.dispose();
    qm.dispose();
  });

  it('leaks no tensor across training steps or inference', async () => {
    const model = layersModel();
    const qm = await quantizeModel(model);
    model.dispose();
    const x = batchOf(8);
    const y = tf.oneHot(tf.tensor1d(data.train.labels.slice(0, 8), 'int32'), CLASSES);
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      // No tidy around it: variableGrads and apply must free what they make.
      const { value, grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, qm.apply(x, { training: true })) as tf.Scalar, qm.trainableVariables);
      expect(Object.keys(grads)).to.have.length(qm.trainableVariables.length);
      tf.dispose([value, ...Object.values(grads)]);
      qm.apply(x).dispose();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size, counts.join(' ')).to.equal(1);
    tf.dispose([x, y]);
    qm.dispose();
  });

  it('computes in eval mode exactly what the exported int8 model computes', async () => {
    const model = layersModel();
    const qm = await quantizeModel(model);
    model.dispose();
    for (let i = 0; i < 3; i++) qm.apply(batchOf(16, 16 * i), { training: true }).dispose();
    const bytes = qm.toTflite();
    const it = Interpreter.fromBuffer(bytes);
    const din = it.inputDetails()[0]!;
    const dout = it.outputDetails()[0]!;
    let compared = 0;
    for (let k = 0; k < 16; k++) {
      const q = quantizeReal(data.test.images.subarray(k * 288, (k + 1) * 288), din);
      it.setInput(0, q);
      it.invoke();
      const want = Array.from(it.output(0) as Int8Array);
      // The eval graph gets the values those integers stand for.
      const x = tf.tensor4d(Float32Array.from(q, (v) => (v - din.zeroPoint!) * din.scale!), [1, ...SHAPE]);
      const y = qm.apply(x);
      const got = Array.from(y.dataSync(), (v) => Math.round(v / dout.scale!) + dout.zeroPoint!);
      tf.dispose([x, y]);
      expect(got, `image ${k}`).to.deep.equal(want);
      compared += want.length;
    }
    expect(compared).to.equal(16 * CLASSES);
    qm.dispose();
  });

  it('calibrates with observe() and exports without training', async () => {
    const model = layersModel();
    const qm = await quantizeModel(model);
    model.dispose();
    const ranges = [...qm.variables].filter(([n]) => analyze(qm.graph).variables.find((v) => v.name === n)?.kind === 'range');
    const before = values(new Map(ranges));
    for (let i = 0; i < 2; i++) {
      const x = batchOf(16, 16 * i);
      qm.observe(x);
      x.dispose();
    }
    expect(qm.step).to.equal(0);
    expect(before.size).to.equal(8);
    expectObserved(values(new Map(ranges)));
    const it = Interpreter.fromBuffer(qm.toTflite());
    expect(it.inputDetails()[0]!.dtype).to.equal('int8');
    qm.dispose();
  });

  it('saves a run directory that QatModel.load and qat export read', async () => {
    const model = layersModel();
    const qm = await quantizeModel(model, { weightBits: 4, skip: 'logits' });
    expect(qm.report.join(' ')).to.match(/logits/);
    model.dispose();
    for (let i = 0; i < 2; i++) qm.apply(batchOf(16, 16 * i), { training: true }).dispose();
    const run = join(dir(), 'run');
    qm.save(run);
    const back = QatModel.load(run);
    expect(back.config).to.deep.equal(qm.config);
    expect(back.step).to.equal(2);
    expect(back.toTflite()).to.deep.equal(qm.toTflite());
    expect(exportRun(run).bytes).to.deep.equal(qm.toTflite());
    const x = batchOf(4);
    const [a, b] = [qm.apply(x), back.apply(x)];
    expect(Array.from(b.dataSync())).to.deep.equal(Array.from(a.dataSync()));
    tf.dispose([a, b, x]);
    expect(userErrorMessage(() => QatModel.load(run, { bits: 4 }))).to.match(/quantized run/);
    back.dispose();
    qm.dispose();
  });

  it('takes a zoo name or a model.json path, and says what is wrong in one sentence', async () => {
    const zoo = await quantizeModel('lenet5', { inputShape: [28, 28, 1], numClasses: 10 });
    expect(zoo.inputShape).to.deep.equal([28, 28, 1]);
    zoo.dispose();
    const model = layersModel();
    const path = await saveLayersModel(model, dir());
    model.dispose();
    const fromFile = await quantizeModel(path, { bits: 6 });
    expect(fromFile.config.bits).to.equal(6);
    expect(fromFile.inputShape).to.deep.equal(SHAPE);
    fromFile.dispose();
    await expectRejected(quantizeModel('lenet-5'), /unknown model 'lenet-5'/);
    await expectRejected(quantizeModel(path, { numClasses: 3 }), /numClasses shapes zoo models/);
    await expectRejected(quantizeModel('lenet5', { bits: 9 }), /--bits must be an integer from 2 to 8/);
  });
});

/** Every activation range (they start as [0, 0]) was observed: max > min, for the input, conv, depthwise and logits. */
function expectObserved(vars: Map<string, Float32Array>): void {
  const maxes = [...vars.keys()].filter((n) => n.endsWith('/fq/max'));
  expect(maxes).to.have.length(4);
  for (const n of maxes) expect(vars.get(n)![0]!, n).to.be.greaterThan(vars.get(n.replace(/max$/, 'min'))![0]!);
}

async function expectRejected(p: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(UserError);
    expect((e as Error).message).to.match(message);
    return;
  }
  expect.fail('expected a UserError');
}

describe('train() on in-memory data', function () {
  this.timeout(300_000);
  before(useWasm);

  it('trains from arrays without an output directory and writes nothing', async () => {
    const ds = arrayDataset({
      train: { images: data.train.images, shape: [data.train.count, ...SHAPE], labels: data.train.labels },
      test: { images: tf.tensor4d(data.test.images, [data.test.count, ...SHAPE]), labels: Array.from(data.test.labels) },
    });
    expect(ds.numClasses).to.equal(CLASSES);
    const cwdBefore = existsSync('checkpoint');
    const r = await train({ model: 'lenet5', dataset: ds, epochs: 1, batchSize: 16, quantize: {} });
    expect(r.runDir).to.equal(null);
    expect(r.metrics.epochs).to.have.length(1);
    expect(r.metrics.epochs[0]!.testAccuracy).to.be.a('number');
    expect(existsSync('checkpoint')).to.equal(cwdBefore);
    r.store.dispose();
    expect(userErrorMessage(() => arrayDataset({ train: { images: new Float32Array(10), shape: [2, 2, 2, 1], labels: [0, 1] } }))).to.match(/hold 10 values/);
    expect(userErrorMessage(() => arrayDataset({ train: { images: new Float32Array(8), shape: [2, 2, 2, 1], labels: [0, 5] }, numClasses: 3 }))).to.match(/class ids 0\.\.2, found 5/);
  });
});
