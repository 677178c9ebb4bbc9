import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { train, type TrainOptions, type TrainResult } from '../../train/loop.js';
import { learningRate } from '../../train/schedule.js';
import type { EpochMetrics, RunMetrics } from '../../src/run/metrics.js';
import { scratchDir, scratchDirs, tinyDataset, useWasm } from './helpers.js';

// BN and dropout, so determinism and resumption cover batch statistics and seeded masks.
function smallNet(): Graph {
  const b = new GraphBuilder('small-net');
  let x = b.input('input', [28, 28, 1]);
  x = b.relu('conv1_relu', b.batchNorm('conv1_bn', b.conv2d('conv1', x, { filters: 8, kernelSize: 3, strides: 2, useBias: false })));
  x = b.maxPool('pool', x, { poolSize: 2 });
  x = b.flatten('flatten', x);
  x = b.dropout('dropout', x, 0.3);
  return b.build([b.dense('logits', x, 4)]);
}

const DS = tinyDataset([28, 28, 1], 12, 8, 4);

/** Everything in an epoch row except wall-clock timings. */
function numbers(e: EpochMetrics): Omit<EpochMetrics, 'trainSeconds' | 'evalSeconds' | 'imagesPerSec'> {
  const { trainSeconds: _a, evalSeconds: _b, imagesPerSec: _c, ...rest } = e;
  return rest;
}

async function run(dir: string, extra: Partial<TrainOptions> = {}): Promise<TrainResult> {
  return train({ model: smallNet(), dataset: DS, outDir: dir, epochs: 2, batchSize: 4, seed: 5, ...extra });
}

function weights(r: TrainResult): Map<string, number[]> {
  return new Map(r.store.names().map((n) => [n, Array.from(r.store.get(n).dataSync())]));
}

describe('train/loop', function () {
  before(useWasm);
  const dir = scratchDirs('loop');

  it('gives identical metrics for the same seed and different ones for another seed', async () => {
    const a = await run(dir());
    const b = await run(dir());
    const c = await run(dir(), { seed: 6 });
    try {
      expect(a.metrics.epochs.map(numbers)).to.deep.equal(b.metrics.epochs.map(numbers));
      expect(a.metrics.epochs.map(numbers)).to.not.deep.equal(c.metrics.epochs.map(numbers));
      expect(weights(a)).to.deep.equal(weights(b));
    } finally {
      [a, b, c].forEach((r) => r.store.dispose());
    }
  });

  it('writes metrics.json with per-epoch loss/accuracy, images/s, wall time and backend', async () => {
    const d = dir();
    const r = await run(d);
    r.store.dispose();
    const m = JSON.parse(readFileSync(join(d, 'metrics.json'), 'utf8')) as RunMetrics;
    expect(m.backend).to.equal('wasm');
    expect(m.complete).to.equal(true);
    expect(m.epochs.map((e) => e.epoch)).to.deep.equal([1, 2]);
    for (const e of m.epochs) {
      expect(e.testAccuracy).to.be.within(0, 1);
      expect(e.trainLoss).to.be.greaterThan(0);
      expect(e.imagesPerSec).to.be.greaterThan(0);
      expect(e.images).to.equal(12);
    }
    expect(m.finalTestAccuracy).to.equal(m.epochs[1].testAccuracy);
    expect(m.wallSeconds).to.be.greaterThan(0);
  });

  it('resumes an interrupted run exactly where it stopped', async () => {
    const full = await run(dir());
    const d = dir();
    const controller = new AbortController();
    let steps = 0;
    const first = await run(d, {
      signal: controller.signal,
      progress: { step: () => { if (++steps === 4) controller.abort(); }, line: () => {} },
    });
    try {
      expect(first.interrupted).to.equal(true);
      expect(first.config).to.include({ step: 4, epoch: 1, stepInEpoch: 1, complete: false });
      first.store.dispose();
      const resumed = await train({ dataset: DS, outDir: d, from: d });
      try {
        expect(resumed.interrupted).to.equal(false);
        expect(resumed.config.step).to.equal(6);
        expect(resumed.config.complete).to.equal(true);
        expect(resumed.metrics.epochs.map((e) => e.epoch)).to.deep.equal([1, 2]);
        // Same Adam state, shuffle, dropout masks and schedule: the same final model as an uninterrupted run.
        expect(weights(resumed)).to.deep.equal(weights(full));
        expect(numbers(resumed.metrics.epochs[1]).testLoss).to.equal(full.metrics.epochs[1].testLoss);
        // The interrupted epoch's training figures cover its images before the resume too.
        const [r1, f1] = [resumed.metrics.epochs[1]!, full.metrics.epochs[1]!];
        expect({ images: r1.images, trainLoss: r1.trainLoss, trainAccuracy: r1.trainAccuracy })
          .to.deep.equal({ images: f1.images, trainLoss: f1.trainLoss, trainAccuracy: f1.trainAccuracy });
      } finally {
        resumed.store.dispose();
      }
    } finally {
      full.store.dispose();
    }
  });

  it('continues the step count when training a finished run for more epochs', async () => {
    const d = dir();
    (await run(d, { epochs: 1 })).store.dispose();
    const more = await train({ dataset: DS, outDir: dir(), from: d, epochs: 2 });
    expect(more.config.step).to.equal(6);
    expect(more.metrics.epochs.map((e) => e.epoch)).to.deep.equal([1, 2]);
    more.store.dispose();
  });

  it('does not leak tensors', async () => {
    const before = tf.memory().numTensors;
    const r = await run(dir(), { model: 'resnet-tiny', epochs: 1, alpha: 0.25, optimizer: 'sgd', schedule: 'step' });
    const held = r.store.list().length;
    expect(tf.memory().numTensors).to.equal(before + held);
    r.store.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('refuses to overwrite an existing run and to resume a different model', async () => {
    const d = dir();
    (await run(d, { epochs: 1 })).store.dispose();
    let err: unknown;
    try { await run(d); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserError).with.property('message').that.includes('already holds a run');
    err = undefined;
    try { await train({ model: 'lenet5', dataset: DS, outDir: dir(), from: d }); } catch (e) { err = e; }
    expect(err).to.be.instanceOf(UserError).with.property('message').that.includes("'small-net'");
  });

  it('learns the tiny task with SGD', async () => {
    const ds = tinyDataset([28, 28, 1], 64, 32, 4);
    const r = await train({ model: 'lenet5', dataset: ds, outDir: dir(), epochs: 6, batchSize: 8, optimizer: 'sgd', lr: 0.05, seed: 2 });
    r.store.dispose();
    const e = r.metrics.epochs;
    expect(e.at(-1)!.trainLoss).to.be.lessThan(e[0].trainLoss);
    expect(e.at(-1)!.testAccuracy).to.be.greaterThan(0.5);
  });
  it("applies a zoo model's training recipe when no flag is given, and flags override it", async () => {
    const ds = tinyDataset([28, 28, 1], 40, 8, 10);
    const a = scratchDir('qat-recipe-');
    const b = scratchDir('qat-recipe-');
    try {
      const byRecipe = await train({ model: 'mnist-cnn', dataset: ds, outDir: a.path, epochs: 1, seed: 3 });
      expect([byRecipe.config.batchSize, byRecipe.config.lr, byRecipe.config.augmentShift]).to.deep.equal([32, 2e-3, 1]);
      byRecipe.store.dispose();
      const byFlags = await train({ model: 'mnist-cnn', dataset: ds, outDir: b.path, epochs: 1, seed: 3, batchSize: 20, lr: 1e-3, augmentShift: 0 });
      expect([byFlags.config.batchSize, byFlags.config.lr, byFlags.config.augmentShift]).to.deep.equal([20, 1e-3, undefined]);
      byFlags.store.dispose();
      try {
        await train({ model: 'mnist-cnn', dataset: ds, outDir: join(b.path, 'x'), epochs: 1, augmentShift: -1 });
        expect.fail('a negative shift must be refused');
      } catch (e) {
        expect(e).to.be.instanceOf(UserError);
        expect((e as Error).message).to.match(/--augment-shift/);
      }
    } finally {
      a.remove();
      b.remove();
    }
  });

});

describe('train/schedule', () => {
  it('decays cosine to zero, steps at 50% and 75%, and keeps constant flat', () => {
    expect(learningRate('constant', 0.1, 70, 100)).to.equal(0.1);
    expect(learningRate('cosine', 0.1, 0, 100)).to.equal(0.1);
    expect(learningRate('cosine', 0.1, 50, 100)).to.be.closeTo(0.05, 1e-12);
    expect(learningRate('cosine', 0.1, 100, 100)).to.be.closeTo(0, 1e-12);
    expect(learningRate('step', 1, 49, 100)).to.equal(1);
    expect(learningRate('step', 1, 50, 100)).to.be.closeTo(0.1, 1e-12);
    expect(learningRate('step', 1, 75, 100)).to.be.closeTo(0.01, 1e-12);
  });

});
