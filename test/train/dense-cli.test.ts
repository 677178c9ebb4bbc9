// Dense tasks through the real CLI: a short segmentation run on mnist-seg,
// its QAT fine-tune, eval (accuracy + mean IoU), export, parity (per-pixel
// agreement, interpreter = LiteRT) and `qat run --out-png`; two replicas; and the
// one-sentence refusals before training starts.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from './helpers.js';
import { qat } from '../support/cli.js';
import { decodePng } from '../../src/io/png.js';
import { loadDataset } from '../../datasets/index.js';
import { grayPng } from '../../src/io/png.js';
import { writeFileSync } from 'node:fs';

interface EvalJson { accuracy: number; miou: number; task: string; count: number }
interface ParityJson {
  task: string; agreement: number; litertAgreement: number; litertIdentical: number; count: number;
  accuracy: { evalGraph: number; interpreter: number; litert: number };
  miou: { evalGraph: number; interpreter: number; litert: number };
}

describe('qat train --task segment → eval → export → parity → run', function () {
  const dir = scratchDir('dense-cli');
  after(() => dir.remove());
  const float = join(dir.path, 'seg');
  const q = join(dir.path, 'seg-qat');
  const model = join(dir.path, 'seg.tflite');

  it('trains unet-tiny on mnist-seg and evaluates accuracy and mean IoU', () => {
    const t = qat('train', '--model', 'unet-tiny', '--task', 'segment', '--dataset', 'mnist-seg', '--limit', '48', '--epochs', '2', '--batch', '8', '--out', float, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    expect(t.stdout).to.match(/test mIoU \d+\.\d\d%/);
    const config = JSON.parse(readFileSync(join(float, 'checkpoint', 'config.json'), 'utf8')) as { task: string };
    expect(config.task).to.equal('segment');
    const metrics = JSON.parse(readFileSync(join(float, 'metrics.json'), 'utf8')) as { epochs: Array<{ testAccuracy: number; testMiou: number; trainLoss: number }> };
    const e = qat('eval', '--run', float, '--json', '--backend', 'wasm');
    expect(e.status, e.stderr).to.equal(0);
    const r = JSON.parse(e.stdout) as EvalJson;
    expect(r.task).to.equal('segment');
    expect(r.count).to.equal(48);
    expect(r.accuracy).to.equal(metrics.epochs.at(-1)!.testAccuracy);
    expect(r.miou).to.equal(metrics.epochs.at(-1)!.testMiou);
    expect(r.miou).to.be.within(0, 1);
    // The per-pixel loss trains: the second epoch's is lower.
    expect(metrics.epochs[1]!.trainLoss).to.be.below(metrics.epochs[0]!.trainLoss);
  });

  it('trains with two replicas (--workers 2): each worker gets its shard\'s masks', () => {
    const out = join(dir.path, 'seg-2w');
    const t = qat('train', '--model', 'unet-tiny', '--task', 'segment', '--dataset', 'mnist-seg', '--limit', '48', '--epochs', '1', '--batch', '16', '--workers', '2', '--out', out, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    expect(t.stderr).to.equal('');
    expect(t.stdout).to.match(/test mIoU \d+\.\d\d%/);
    const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8')) as { epochs: Array<{ trainLoss: number }> };
    expect(Number.isFinite(metrics.epochs[0]!.trainLoss)).to.equal(true);
  });

  it('fine-tunes with fake quant, exports, and the int8 model matches the eval graph pixel for pixel', () => {
    const t = qat('train', '--quantize', '--from', float, '--out', q, '--backend', 'wasm');
    expect(t.status, t.stderr).to.equal(0);
    const x = qat('export', '--run', q, '--out', model);
    expect(x.status, x.stderr).to.equal(0);
    const e = JSON.parse(qat('eval', '--run', q, '--json', '--backend', 'wasm').stdout) as EvalJson;
    const p = qat('parity', '--run', q, '--model', model, '--json', '--backend', 'wasm');
    expect(p.status, p.stderr).to.equal(0);
    const r = JSON.parse(p.stdout) as ParityJson;
    expect(r.task).to.equal('segment');
    expect(r.count).to.equal(48);
    expect(r.agreement).to.equal(1);
    expect(r.litertIdentical).to.equal(1);
    expect(r.litertAgreement).to.equal(1);
    expect(r.accuracy.interpreter).to.equal(r.accuracy.evalGraph);
    expect(r.miou.litert).to.equal(r.miou.interpreter);
    // The integer eval graph is what `qat eval` scores: the same figures.
    expect(r.accuracy.evalGraph).to.be.closeTo(e.accuracy, 1e-12);
    expect(r.miou.evalGraph).to.be.closeTo(e.miou, 1e-12);
  });

  it('qat run --out-png writes the per-pixel classes as a 28×28 colour mask', async () => {
    const ds = await loadDataset('mnist-seg', { seed: 1, limit: 1 });
    const input = join(dir.path, 'canvas.png');
    writeFileSync(input, grayPng(ds.test.images.subarray(0, 784), 28, 28));
    const out = join(dir.path, 'mask.png');
    const r = qat('run', model, '--input', input, '--out-png', out);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`wrote output 0 as a 28×28 mask PNG to ${out}`);
    const png = decodePng(new Uint8Array(readFileSync(out)));
    expect([png.width, png.height, png.channels]).to.deep.equal([28, 28, 3]);
  });

  it('refuses a task the model or the data cannot serve in one sentence, before training', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--model', 'mnist-cnn', '--task', 'segment', '--dataset', 'mnist-seg'], /model 'mnist-cnn' outputs \[11\] \(one score per class for the whole image\) but --task segment needs \[28, 28, 11\]/],
      [['--model', 'unet-tiny', '--task', 'classify', '--dataset', 'mnist-seg'], /--task classify needs one label per image but dataset 'mnist-seg' has a label per pixel/],
      [['--model', 'unet-tiny', '--task', 'segment', '--dataset', 'mnist-seg', '--loss', 'l2'], /--loss applies to --task image, not --task segment/],
      [['--model', 'unet-tiny', '--task', 'segments', '--dataset', 'mnist-seg'], /--task must be one of classify, segment, image, got 'segments'/],
      [['--model', 'unet-tiny', '--dataset', 'mnist-seg', '--input-size', '32'], /model 'unet-tiny' takes 32×32×1 inputs but --task segment compares outputs pixel by pixel/],
    ];
    for (const [args, want] of cases) {
      const r = qat('train', ...args, '--limit', '8', '--epochs', '1', '--out', join(dir.path, 'never'), '--backend', 'wasm');
      expect(r.status, r.stdout + r.stderr).to.equal(2);
      expect(r.stderr).to.match(want);
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stdout).to.not.match(/epoch 1/);
    }
  });
});
