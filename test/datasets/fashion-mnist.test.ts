import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset, FASHION_MNIST_DIR } from '../../datasets/index.js';
import { useTempDir, expectUserError } from './fixtures.js';

describe('datasets/fashion-mnist', () => {
  describe('installed copy', () => {
    before(function () {
      if (!existsSync(FASHION_MNIST_DIR)) {
        console.warn(`    skipped: ${FASHION_MNIST_DIR} is absent (apt-get install dataset-fashion-mnist to run these)`);
        this.skip();
      }
    });

    it('loads 60,000 train / 10,000 test 28×28×1 images, 6,000 / 1,000 per class', async () => {
      const d = await loadDataset('fashion-mnist');
      expect([d.train.count, d.test.count]).to.deep.equal([60000, 10000]);
      expect([d.train.height, d.train.width, d.train.channels]).to.deep.equal([28, 28, 1]);
      expect(d.train.images.length).to.equal(60000 * 784);
      expect(d.test.images.length).to.equal(10000 * 784);
      const hist = (labels: Int32Array): number[] => {
        const h = new Array<number>(10).fill(0);
        for (const l of labels) h[l]++;
        return h;
      };
      expect(hist(d.train.labels)).to.deep.equal(new Array(10).fill(6000));
      expect(hist(d.test.labels)).to.deep.equal(new Array(10).fill(1000));
      // Published facts about the files: the first training image is an ankle boot, the first test image too.
      expect(d.classNames?.[d.train.labels[0]]).to.equal('Ankle boot');
      expect(d.classNames?.[d.test.labels[0]]).to.equal('Ankle boot');
      expect(d.numClasses).to.equal(10);
      let max = 0;
      for (let i = 0; i < 784 * 100; i++) max = Math.max(max, d.train.images[i]);
      expect(max).to.equal(1);
    });

    it('--limit keeps a class-balanced subset', async () => {
      const d = await loadDataset('fashion-mnist', { limit: 200 });
      expect([d.train.count, d.test.count]).to.deep.equal([200, 200]);
      const h = new Array<number>(10).fill(0);
      for (const l of d.train.labels) h[l]++;
      expect(h).to.deep.equal(new Array(10).fill(20));
    });
  });

  describe('absent copy', () => {
    const tmp = useTempDir();
    it('a missing directory says how to install it or where to point', async () => {
      await expectUserError(loadDataset('fashion-mnist', { dataDir: join(tmp(), 'none') }), /not found in .*none/, /apt-get install dataset-fashion-mnist/, /--data-dir/);
    });
    it('an empty directory names the missing file and how to fix it', async () => {
      await expectUserError(loadDataset('fashion-mnist', { dataDir: tmp() }), /No train images file/, /apt-get install dataset-fashion-mnist/);
    });
  });
});
