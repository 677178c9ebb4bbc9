import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readIdx, readIdxImages, readIdxLabels, bytesToUnitFloats } from '../../datasets/idx.js';
import { idxBytes, writeFile, useTempDir, expectUserError } from './fixtures.js';

describe('datasets/idx', () => {
  const tmp = useTempDir();

  for (const gzip of [false, true]) {
    const kind = gzip ? 'gzipped' : 'plain';
    it(`round-trips ${kind} image and label files`, async () => {
      const pixels = Uint8Array.from({ length: 3 * 2 * 4 }, (_, i) => (i * 29 + 7) % 256);
      const labels = Uint8Array.from([9, 0, 4]);
      const img = writeFile(tmp(), 'imgs', idxBytes([3, 2, 4], pixels), gzip);
      const lab = writeFile(tmp(), 'labs', idxBytes([3], labels), gzip);
      const images = await readIdxImages(img);
      expect([images.count, images.height, images.width, images.channels]).to.deep.equal([3, 2, 4, 1]);
      expect(Array.from(images.pixels)).to.deep.equal(Array.from(pixels));
      expect(Array.from(await readIdxLabels(lab, 10))).to.deep.equal([9, 0, 4]);
      if (gzip) expect(readFileSync(img).subarray(0, 2)).to.deep.equal(Buffer.from([0x1f, 0x8b]));
    });
  }

  it('detects gzip by magic bytes, not by file name', async () => {
    const file = join(tmp(), 'labels.idx');
    writeFileSync(file, gzipSync(idxBytes([2], Uint8Array.from([1, 2]))));
    expect(Array.from((await readIdx(file)).data)).to.deep.equal([1, 2]);
  });

  it('accepts 4-dimensional [N, H, W, C] image files', async () => {
    const pixels = Uint8Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i);
    const file = writeFile(tmp(), 'rgb', idxBytes([2, 2, 2, 3], pixels));
    const images = await readIdxImages(file);
    expect([images.count, images.height, images.width, images.channels]).to.deep.equal([2, 2, 2, 3]);
  });

  it('maps bytes to k/255 exactly, 0 → 0 and 255 → 1', () => {
    const all = Uint8Array.from({ length: 256 }, (_, k) => k);
    const f = bytesToUnitFloats(all);
    for (let k = 0; k < 256; k++) expect(f[k]).to.equal(Math.fround(k / 255));
    expect(f[0]).to.equal(0);
    expect(f[255]).to.equal(1);
  });

  describe('corrupt files give one-sentence UserErrors naming the file', () => {
    it('bad magic (not IDX at all)', async () => {
      const file = writeFile(tmp(), 'train-images-idx3-ubyte', Buffer.from('PK\x03\x04 this is a zip'));
      await expectUserError(readIdxImages(file), /train-images-idx3-ubyte/, /not an IDX file/, /50 4b 03 04/);
    });

    it('wrong data type in the magic', async () => {
      const file = writeFile(tmp(), 'floats-idx3', idxBytes([1, 1, 1], new Uint8Array(4), 0x0d));
      await expectUserError(readIdxImages(file), /floats-idx3/, /float32/, /unsigned-byte/);
    });

    it('a label file where images are expected, and vice versa', async () => {
      const labels = writeFile(tmp(), 'train-labels-idx1-ubyte', idxBytes([2], Uint8Array.from([1, 2])));
      await expectUserError(readIdxImages(labels), /train-labels-idx1-ubyte/, /1-dimensional/, /0x00000803/);
      const images = writeFile(tmp(), 'train-images-idx3-ubyte', idxBytes([1, 2, 2], new Uint8Array(4)));
      await expectUserError(readIdxLabels(images), /train-images-idx3-ubyte/, /3-dimensional/, /0x00000801/);
    });

    for (const gzip of [false, true]) {
      it(`truncated payload (${gzip ? 'gzipped' : 'plain'})`, async () => {
        const full = idxBytes([10, 28, 28], new Uint8Array(10 * 784));
        const file = writeFile(tmp(), 'train-images-idx3-ubyte.gz', full.subarray(0, 1024), gzip);
        const err = await expectUserError(readIdxImages(file), /train-images-idx3-ubyte\.gz is truncated/, /expected 7856 bytes/, /got 1024/);
        if (gzip) expect(err.message).to.include('after gunzip');
      });
    }

    it('truncated header', async () => {
      const file = writeFile(tmp(), 'short', idxBytes([10, 28, 28], new Uint8Array(0)).subarray(0, 9));
      await expectUserError(readIdxImages(file), /short is truncated/, /header needs 16 bytes/, /got 9/);
      const tiny = writeFile(tmp(), 'tiny', Uint8Array.from([0, 0]));
      await expectUserError(readIdx(tiny), /tiny is truncated/);
    });

    it('trailing bytes beyond what the header says', async () => {
      const file = writeFile(tmp(), 'long', Buffer.concat([idxBytes([2], Uint8Array.from([1, 2])), Buffer.from([0])]));
      await expectUserError(readIdxLabels(file), /long is longer than its IDX header says/, /expected 10 bytes/, /got 11/);
    });

    it('a corrupt gzip stream', async () => {
      const gz = gzipSync(idxBytes([100], new Uint8Array(100).fill(3)));
      const file = writeFile(tmp(), 'labels.gz', gz.subarray(0, gz.length - 12));
      await expectUserError(readIdxLabels(file), /labels\.gz is a truncated or corrupt gzip file/);
    });

    it('label out of range', async () => {
      const file = writeFile(tmp(), 't10k-labels-idx1-ubyte', idxBytes([4], Uint8Array.from([1, 2, 10, 3])));
      await expectUserError(readIdxLabels(file, 10), /t10k-labels-idx1-ubyte/, /label 10 at index 2/, /0\.\.9/);
    });

    it('empty files', async () => {
      const images = writeFile(tmp(), 'none-images', idxBytes([0, 28, 28], new Uint8Array(0)));
      await expectUserError(readIdxImages(images), /none-images holds no images/);
      const labels = writeFile(tmp(), 'none-labels', idxBytes([0], new Uint8Array(0)));
      await expectUserError(readIdxLabels(labels), /none-labels holds no labels/);
    });

    it('a missing file', async () => {
      await expectUserError(readIdx(join(tmp(), 'nope-idx1-ubyte')), /nope-idx1-ubyte does not exist/);
    });
  });
});
