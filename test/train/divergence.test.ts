// Divergence is caught where it starts and never saved; the fix the message
// suggests works as written. Metrics history survives what a kill can do.
import { expect } from 'chai';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { loadCheckpoint } from '../../src/run/checkpoint.js';
import { metricsPath } from '../../src/run/layout.js';
import { readMetrics, type RunMetrics } from '../../src/run/metrics.js';
import { train, type TrainOptions } from '../../train/loop.js';
import { scratchDirs, tinyDataset, useWasm } from './helpers.js';

function net(): Graph {
  const b = new GraphBuilder('div-net');
  let x = b.input('input', [8, 8, 1]);
  x = b.relu('conv1_relu', b.conv2d('conv1', x, { filters: 4, kernelSize: 3, strides: 2 }));
  return b.build([b.dense('logits', b.flatten('flatten', x), 4)]);
}

const DS = tinyDataset([8, 8, 1], 16, 8, 4);

async function fails(o: TrainOptions): Promise<string> {
  try {
    (await train(o)).store.dispose();
  } catch (e) {
    expect(e).to.be.instanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected training to stop');
}

describe('train/loop: divergence and metrics history', function () {
  before(useWasm);
  const dir = scratchDirs('div');

  it('--lr 1e9 with many steps per epoch stops at the first step naming the layer, saving nothing', async () => {
    const d = dir();
    const msg = await fails({ model: net(), dataset: DS, outDir: d, epochs: 2, batchSize: 4, lr: 1e9 });
    expect(msg).to.match(/^training diverged at step 1 \(epoch 1\): the weights of layer 'conv1' \(conv1\/kernel\) exploded \(mean \|w\| [\d.]+e\+\d+\); no checkpoint was saved; start again with a smaller --lr \(e\.g\. --lr 0\.001\)$/);
    expect(() => loadCheckpoint(d)).to.throw(UserError, /holds no checkpoint/);
  });

  it('--lr 1e9 with one step per epoch keeps the last finite checkpoint, and the suggested resume works', async () => {
    const d = dir();
    (await train({ model: net(), dataset: DS, outDir: d, epochs: 1, batchSize: 16, seed: 2 })).store.dispose();
    const before = readFileSync(join(d, 'checkpoint', 'weights.bin'));
    const msg = await fails({ dataset: DS, outDir: d, from: d, epochs: 3, lr: 1e9 });
    expect(msg).to.include("training diverged at step 2 (epoch 2): the weights of layer 'conv1'");
    expect(msg).to.include("the run's latest checkpoint is still epoch 1; resume it with a smaller learning rate: qat train --from");
    expect(readFileSync(join(d, 'checkpoint', 'weights.bin'))).to.deep.equal(before);
    expect(loadCheckpoint(d).config.epoch).to.equal(1);
    const lr = Number(/--lr (\S+)$/.exec(msg)![1]);
    const resumed = await train({ dataset: DS, outDir: d, from: d, epochs: 3, lr });
    resumed.store.dispose();
    expect(resumed.metrics.epochs.map((e) => e.epoch)).to.deep.equal([1, 2, 3]);
    expect(resumed.metrics.epochs.every((e) => Number.isFinite(e.testLoss))).to.equal(true);
  });

  it('a truncated metrics.json is an error, not an absent file', async () => {
    const d = dir();
    (await train({ model: net(), dataset: DS, outDir: d, epochs: 1, batchSize: 8 })).store.dispose();
    writeFileSync(metricsPath(d), readFileSync(metricsPath(d), 'utf8').slice(0, 40));
    expect(() => readMetrics(d)).to.throw(UserError, /metrics\.json is not a qat metrics file: it is truncated or damaged/);
  });

  it('a resume takes the history from the checkpoint when metrics.json lags, and says so when none is left', async () => {
    const d = dir();
    (await train({ model: net(), dataset: DS, outDir: d, epochs: 2, batchSize: 8 })).store.dispose();
    // A kill between the checkpoint's commit and the metrics write leaves metrics.json one epoch behind.
    const m = JSON.parse(readFileSync(metricsPath(d), 'utf8')) as RunMetrics;
    writeFileSync(metricsPath(d), JSON.stringify({ ...m, epochs: m.epochs.slice(0, 1) }));
    const more = await train({ dataset: DS, outDir: d, from: d, epochs: 3 });
    more.store.dispose();
    expect(readMetrics(d)!.epochs.map((e) => e.epoch)).to.deep.equal([1, 2, 3]);
    // A checkpoint without a copy (saved before they carried one) and no metrics.json: the gap is announced.
    const index = join(d, 'checkpoint', 'index.json');
    const idx = JSON.parse(readFileSync(index, 'utf8')) as { files: Record<string, unknown> };
    delete idx.files['metrics.json'];
    writeFileSync(index, JSON.stringify(idx));
    unlinkSync(join(d, 'checkpoint', 'metrics.json'));
    unlinkSync(metricsPath(d));
    const lines: string[] = [];
    const last = await train({ dataset: DS, outDir: d, from: d, epochs: 4, progress: { step: () => {}, line: (l) => lines.push(l) } });
    last.store.dispose();
    expect(lines).to.include.members([`the metrics of ${d} lack epochs 1, 2, 3 (its metrics.json was missing or older than the checkpoint); metrics.json continues without them`]);
    expect(last.metrics.epochs.map((e) => e.epoch)).to.deep.equal([4]);
  });
});
