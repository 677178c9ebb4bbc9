// train() on an async iterator of batches: read to its end, then trained as
// the same data held in arrays would be, weight for weight.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { arrayDataset, train, type ExampleBatch } from '../../src/index.js';
import { tinyDataset, useWasm } from './helpers.js';
import { UserError } from '../../src/errors.js';

const SHAPE: [number, number, number] = [12, 12, 1];

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).to.be.instanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}

describe('train() on an async iterator dataset', function () {
  this.timeout(300_000);
  before(useWasm);
  const data = tinyDataset(SHAPE, 40, 0, 3);
  const per = SHAPE[0] * SHAPE[1] * SHAPE[2];

  /** The training split in uneven batches, as tensors (first) and as arrays with a shape. */
  async function* batchesOf(sizes: number[]): AsyncGenerator<ExampleBatch> {
    let at = 0;
    for (const [i, n] of sizes.entries()) {
      const xs = data.train.images.slice(at * per, (at + n) * per);
      const ys = data.train.labels.slice(at, at + n);
      await new Promise((r) => setTimeout(r, 1));
      yield i === 0 ? { xs: tf.tensor4d(xs, [n, ...SHAPE]), ys: tf.tensor1d(ys, 'int32') } : { xs, ys: Array.from(ys), shape: [n, ...SHAPE] };
      at += n;
    }
  }

  it('trains to the same weights as the same data in arrays', async () => {
    const common = { model: 'lenet5', epochs: 2, batchSize: 8, seed: 3, quantize: {} } as const;
    const fromArrays = await train({ ...common, dataset: arrayDataset({ train: { images: data.train.images, shape: [40, ...SHAPE], labels: data.train.labels } }) });
    const fromIterator = await train({ ...common, dataset: batchesOf([16, 7, 17]) });
    try {
      expect(fromIterator.metrics.epochs).to.have.length(2);
      expect(fromIterator.config.stepsPerEpoch).to.equal(5);
      const a = fromArrays.store.list(['weight']);
      const b = new Map(fromIterator.store.list(['weight']).map((e) => [e.name, e.variable]));
      expect(a.length).to.be.greaterThan(0);
      for (const e of a) expect(Array.from(b.get(e.name)!.dataSync()), e.name).to.deep.equal(Array.from(e.variable.dataSync()));
    } finally {
      fromArrays.store.dispose();
      fromIterator.store.dispose();
    }
  });

  it('refuses an empty iterator and batches of different image sizes in one sentence', async () => {
    const none = (async function* (): AsyncGenerator<ExampleBatch> {})();
    expect(await rejection(train({ model: 'lenet5', dataset: none }))).to.match(/yielded no batches/);
    const mixed = (async function* (): AsyncGenerator<ExampleBatch> {
      yield { xs: new Float32Array(per), ys: [0], shape: [1, ...SHAPE] };
      yield { xs: new Float32Array(4), ys: [1], shape: [1, 2, 2, 1] };
    })();
    expect(await rejection(train({ model: 'lenet5', dataset: mixed }))).to.match(/batch 2 holds 2×2×1 images but batch 1 12×12×1/);
  });
});
