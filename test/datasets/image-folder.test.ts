// --dataset DIR with class subfolders of PNG and JPEG images: class names
// from the folders (sorted), a seeded per-class split, every image resized
// to one size, gray kept gray; through the CLI it trains with fake quant,
// exports a labels file beside the int8 model, and qat run names the class.
import { expect } from 'chai';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { loadDataset } from '../../datasets/index.js';
import { loadImageFolder } from '../../datasets/image-folder.js';
import { readLabels } from '../../src/io/labels.js';
import { qat } from '../support/cli.js';
import { encodePng } from '../support/png-encode.js';
import { userErrorMessage } from '../support/user-error.js';
import { scratchDirs } from '../train/helpers.js';

/** A w×h gray picture bright on the left half (class 0) or the right half (class 1), with seeded noise. */
function picture(w: number, h: number, side: 0 | 1, seed: number): Uint8Array {
  let s = seed >>> 0;
  const px = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const bright = (x < w / 2) === (side === 0);
      px[y * w + x] = (bright ? 180 : 20) + (s >>> 26);
    }
  }
  return px;
}

function rgba(gray: Uint8Array, tint = 0): Uint8Array {
  const out = new Uint8Array(gray.length * 4);
  gray.forEach((v, i) => out.set([v, Math.max(0, v - tint), v, 255], i * 4));
  return out;
}

/** 12 images per class: PNGs (16×16) and JPEGs (20×20, resized on load). */
function makeFolder(root: string, classes: string[], opts: { color?: boolean } = {}): void {
  classes.forEach((name, side) => {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 12; i++) {
      const seed = 100 * side + i;
      if (i % 3 === 2) {
        const data = rgba(picture(20, 20, side as 0 | 1, seed), opts.color ? 40 : 0);
        writeFileSync(join(dir, `img${i}.jpg`), jpeg.encode({ width: 20, height: 20, data }, 95).data);
      } else {
        writeFileSync(join(dir, `img${i}.png`), encodePng(16, 16, 0, picture(16, 16, side as 0 | 1, seed)));
      }
    }
  });
}

describe('image-folder datasets', function () {
  this.timeout(600_000);
  const dir = scratchDirs('imgdir');

  it('reads class subfolders: sorted names, seeded per-class split, one size, gray kept gray', async () => {
    const root = dir();
    makeFolder(root, ['zebra', 'ant']);
    const ds = await loadDataset(root, { seed: 3, valSplit: 0.25 });
    expect(ds.classNames).to.deep.equal(['ant', 'zebra']);
    expect(ds.numClasses).to.equal(2);
    expect([ds.train.count, ds.test.count]).to.deep.equal([18, 6]);
    expect([ds.train.height, ds.train.width, ds.train.channels]).to.deep.equal([16, 16, 1]);
    expect(Array.from(ds.test.labels).filter((l) => l === 0)).to.have.length(3);
    // 'ant' (class 0) was made bright on its right half (it is the second folder written).
    const img = ds.train.images.subarray(ds.train.labels.indexOf(0) * 256, ds.train.labels.indexOf(0) * 256 + 256);
    expect(img[8 * 16 + 12]!).to.be.greaterThan(0.6);
    expect(img[8 * 16 + 3]!).to.be.lessThan(0.3);
    const again = loadImageFolder(root, { seed: 3, valSplit: 0.25 });
    expect(Array.from(again.test.images)).to.deep.equal(Array.from(ds.test.images));
    const other = loadImageFolder(root, { seed: 4, valSplit: 0.25 });
    expect(Array.from(other.test.images)).to.not.deep.equal(Array.from(ds.test.images));
    expect(userErrorMessage(() => loadImageFolder(root, { valSplit: 1 }))).to.match(/--val-split must be a fraction in \[0, 1\)/);
  });

  it('makes the set RGB when any image has color', () => {
    const root = dir();
    makeFolder(root, ['a', 'b'], { color: true });
    const ds = loadImageFolder(root);
    expect(ds.train.channels).to.equal(3);
  });

  it('trains, exports and runs through the CLI with class names printed', () => {
    const root = dir();
    makeFolder(root, ['cat', 'dog']);
    const run = join(dir(), 'run');
    const t = qat('train', '--model', 'lenet5', '--dataset', root, '--val-split', '0.25', '--quantize', '--epochs', '2', '--batch', '6', '--out', run, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    expect(t.stdout).to.match(/18 train \/ 6 test, 16×16×1, 2 classes/);
    // eval reloads the run's own split (its --val-split and seed): the same 6 held-out images.
    const ev = qat('eval', '--run', run, '--json', '--backend', 'wasm');
    expect(ev.status, ev.stderr).to.equal(0);
    expect((JSON.parse(ev.stdout) as { count: number }).count).to.equal(6);
    const model = join(dir(), 'pets.tflite');
    const e = qat('export', '--run', run, '--out', model);
    expect(e.status, e.stderr).to.equal(0);
    expect(readLabels(model)).to.deep.equal(['cat', 'dog']);
    expect(readFileSync(model.replace(/\.tflite$/, '.labels.txt'), 'utf8')).to.equal('cat\ndog\n');
    const r = qat('run', model, '--input', join(root, 'dog', 'img0.png'));
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/class 1 \(dog\): /);
    expect(r.stdout).to.match(/class 0 \(cat\): /);
  });
});
