import { expect } from 'chai';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../../datasets/index.js';
import { idxBytes, writeFile, writeSet, tinySet, pixel, useTempDir, expectUserError, LECUN_NAMES } from './fixtures.js';

describe('datasets/directory (IDX directory datasets)', () => {
  const tmp = useTempDir();

  for (const gzip of [false, true]) {
    it(`loads a ${gzip ? 'gzipped' : 'plain'} directory into NHWC float32 in [0, 1]`, async () => {
      const s = tinySet(12, 7);
      writeSet(tmp(), s, { gzip });
      const d = await loadDataset(tmp());
      expect(d.train.count).to.equal(12);
      expect(d.test.count).to.equal(7);
      expect([d.train.height, d.train.width, d.train.channels]).to.deep.equal([4, 5, 1]);
      expect(d.numClasses).to.equal(10);
      expect(Array.from(d.train.labels)).to.deep.equal(Array.from(s.trainLabels));
      expect(Array.from(d.test.labels)).to.deep.equal(Array.from(s.testLabels));
      // Spot-check pixel placement: image 5, row 3, column 2 of train; image 6, row 0, column 4 of test.
      expect(d.train.images[(5 * 4 + 3) * 5 + 2]).to.equal(Math.fround(pixel(5, 3, 2) / 255));
      expect(d.test.images[(6 * 4 + 0) * 5 + 4]).to.equal(Math.fround(pixel(1006, 0, 4) / 255));
      expect(d.train.images.length).to.equal(12 * 20);
    });
  }

  it('accepts the dotted and "test-" spellings', async () => {
    writeSet(tmp(), tinySet(3, 2), {
      gzip: true,
      names: {
        trainImages: 'train-images.idx3-ubyte', trainLabels: 'train-labels.idx1-ubyte',
        testImages: 'test-images-idx3-ubyte', testLabels: 'test-labels.idx1-ubyte',
      },
    });
    const d = await loadDataset(tmp());
    expect([d.train.count, d.test.count]).to.deep.equal([3, 2]);
  });

  it('accepts prefixed names such as EMNIST\'s', async () => {
    const p = 'emnist-digits-';
    writeSet(tmp(), tinySet(3, 2), {
      names: {
        trainImages: `${p}train-images-idx3-ubyte`, trainLabels: `${p}train-labels-idx1-ubyte`,
        testImages: `${p}test-images-idx3-ubyte`, testLabels: `${p}test-labels-idx1-ubyte`,
      },
    });
    expect((await loadDataset(tmp())).train.count).to.equal(3);
  });

  it('infers the class count from the labels of both splits, or takes numClasses', async () => {
    const s = tinySet(4, 2);
    s.trainLabels.set([0, 1, 2, 1]);
    s.testLabels.set([4, 0]);
    writeSet(tmp(), s);
    expect((await loadDataset(tmp())).numClasses).to.equal(5);
    expect((await loadDataset(tmp(), { numClasses: 26 })).numClasses).to.equal(26);
  });

  it('a label outside numClasses is a UserError naming the file', async () => {
    const s = tinySet(4, 2);
    s.trainLabels.set([0, 1, 2, 1]);
    s.testLabels.set([2, 7]);
    writeSet(tmp(), s);
    await expectUserError(loadDataset(tmp(), { numClasses: 2 }), /train-labels-idx1-ubyte/, /label 2 at index 2/, /2 classes 0\.\.1/);
    await expectUserError(loadDataset(tmp(), { numClasses: 5 }), /t10k-labels-idx1-ubyte/, /label 7 at index 1/, /5 classes/);
    await expectUserError(loadDataset(tmp(), { numClasses: 0 }), /number of classes must be an integer from 1 to 256/);
  });

  it('a stray label byte does not imply a class count: one sentence naming the file and index, and --num-classes checks it', async () => {
    const s = tinySet(40, 10);
    s.trainLabels.forEach((_, i) => { s.trainLabels[i] = i % 10; });
    s.trainLabels[17] = 255;
    writeSet(tmp(), s);
    await expectUserError(loadDataset(tmp()), /train-labels-idx1-ubyte has label 255 at index 17, but only 11 of the 256 classes it implies ever occur; fix the label, or pass --num-classes/);
    await expectUserError(loadDataset(tmp(), { numClasses: 10 }), /train-labels-idx1-ubyte has label 255 at index 17, outside the 10 classes 0\.\.9/);
    expect((await loadDataset(tmp(), { numClasses: 256 })).numClasses).to.equal(256);
  });

  it('mnist with a data directory loads full-MNIST IDX files from there, checking 10 classes', async () => {
    const s = tinySet(6, 4);
    writeSet(tmp(), s, { gzip: true });
    const d = await loadDataset('mnist', { dataDir: tmp() });
    expect([d.name, d.numClasses, d.train.count, d.test.count]).to.deep.equal(['mnist', 10, 6, 4]);
    s.testLabels[1] = 12;
    writeSet(tmp(), s, { gzip: true });
    await expectUserError(loadDataset('mnist', { dataDir: tmp() }), /t10k-labels-idx1-ubyte\.gz has label 12 at index 1/);
  });

  it('image/label count mismatch names both files', async () => {
    const s = tinySet(5, 2);
    writeSet(tmp(), s);
    writeFile(tmp(), LECUN_NAMES.trainLabels, idxBytes([4], s.trainLabels.subarray(0, 4)));
    await expectUserError(loadDataset(tmp()), /train-images-idx3-ubyte holds 5 images but train-labels-idx1-ubyte holds 4 labels/);
  });

  it('train/test image size mismatch', async () => {
    writeSet(tmp(), tinySet(3, 2));
    writeFile(tmp(), LECUN_NAMES.testImages, idxBytes([2, 5, 5], new Uint8Array(50)));
    await expectUserError(loadDataset(tmp()), /4×5×1/, /5×5×1/, /must match/);
  });

  it('a missing file lists what was looked for and where', async () => {
    writeSet(tmp(), tinySet(3, 2));
    rmSync(join(tmp(), LECUN_NAMES.testLabels));
    await expectUserError(
      loadDataset(tmp()),
      /No test labels file in /, new RegExp(tmp().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), /t10k-labels-idx1-ubyte\[\.gz\]/, /test-labels-idx1-ubyte\[\.gz\]/,
    );
  });

  it('an ambiguous directory (two train image files) is refused', async () => {
    writeSet(tmp(), tinySet(3, 2), {
      names: { trainImages: 'a-train-images-idx3-ubyte', trainLabels: 'train-labels-idx1-ubyte', testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte' },
    });
    writeFileSync(join(tmp(), 'b-train-images-idx3-ubyte'), idxBytes([3, 4, 5], new Uint8Array(60)));
    await expectUserError(loadDataset(tmp()), /several train images files/);
  });

  it('a corrupt file inside a directory is reported by name', async () => {
    writeSet(tmp(), tinySet(3, 2), { gzip: true });
    writeFile(tmp(), 'train-images-idx3-ubyte.gz', idxBytes([3, 4, 5], new Uint8Array(20)), true);
    await expectUserError(loadDataset(tmp()), /train-images-idx3-ubyte\.gz is truncated/, /expected 76 bytes after gunzip for dimensions \[3, 4, 5\], got 36/);
  });

  it('nonexistent paths, files and unknown names', async () => {
    await expectUserError(loadDataset(join(tmp(), 'nowhere')), /Dataset directory .*nowhere does not exist/);
    const file = join(tmp(), 'plainfile');
    writeFileSync(file, 'x');
    await expectUserError(loadDataset(file), /plainfile is a file, not a directory/);
    await expectUserError(loadDataset('mnsit'), /Unknown dataset "mnsit"/, /mnist, fashion-mnist, synthetic/);
    mkdirSync(join(tmp(), 'empty'));
    await expectUserError(loadDataset(join(tmp(), 'empty')), /No train images file in/);
  });
});
