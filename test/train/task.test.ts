// Task losses and scores against hand-worked values: per-pixel
// cross-entropy, L1/L2, pixel accuracy, mean IoU, PSNR; and the one-sentence
// refusals of a task the model or dataset cannot serve.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { checkTaskFits, objectiveFor } from '../../train/task.js';
import { IMAGE_TOLERANCE, meanIoU, psnr, taskMeter } from '../../train/task-metrics.js';
import type { Dataset, Split } from '../../datasets/index.js';
import { expectUserErrorSync } from '../datasets/fixtures.js';
import { useWasm } from './helpers.js';

function dataset(task: Dataset['task'], numClasses: number): Dataset {
  const split: Split = { images: new Float32Array(0), labels: new Int32Array(0), count: 0, height: 28, width: 28, channels: 1 };
  return { name: task === 'segment' ? 'mnist-seg' : task === 'image' ? 'fashion-denoise' : 'mnist', numClasses, task, train: split, test: split };
}

describe('train/task-metrics', () => {
  it('mean IoU of a confusion matrix, worked by hand', () => {
    // Rows: label, columns: prediction. Class 0: TP 5, FN 1, FP 2 → 5/8. Class 1: TP 3, FN 2, FP 1 → 3/6.
    // Class 2: TP 0, FN 0, FP 1 → 0/1. Class 3 never occurs and is left out.
    const confusion = [
      5, 1, 0, 0,
      1, 3, 1, 0,
      1, 0, 0, 0,
      0, 0, 0, 0,
    ];
    expect(meanIoU(confusion, 4)).to.be.closeTo((5 / 8 + 3 / 6 + 0) / 3, 1e-12);
  });

  it('PSNR: MSE 0.01 on [0, 1] values is 20 dB; 0.001 is 30 dB', () => {
    expect(psnr(0.01)).to.be.closeTo(20, 1e-12);
    expect(psnr(0.001)).to.be.closeTo(30, 1e-12);
    expect(psnr(1, 255)).to.be.closeTo(48.1308036, 1e-6);
  });

  it('segment meter: pixel accuracy and mean IoU from per-pixel scores', () => {
    const m = taskMeter('segment', 3);
    // Four pixels, three classes; top classes 0, 2, 1, 1 against labels 0, 2, 2, 1.
    m.add([9, 1, 1, 0, 1, 5, 0, 3, 2, 1, 4, 0], { mask: [0, 2, 2, 1] });
    const r = m.result();
    expect(r.accuracy).to.equal(3 / 4);
    // IoU: class 0 1/1, class 1 1/2 (one FP), class 2 1/2 (one FN).
    expect(r.miou).to.be.closeTo((1 + 0.5 + 0.5) / 3, 1e-12);
    expect(m.scoreSum).to.equal(0.75);
  });

  it('image meter: PSNR over every value and the share within tolerance', () => {
    const m = taskMeter('image', 1);
    m.add([0.5, 0.2, 1, 0], { image: [0.5, 0.3, 1, 0.04] });
    m.add([0, 0], { image: [0.2, 0] });
    // Squared errors 0, 0.01, 0, 0.0016, 0.04, 0 over 6 values.
    const r = m.result();
    expect(r.psnr).to.be.closeTo(psnr(0.0516 / 6), 1e-9);
    expect(r.accuracy).to.equal(4 / 6);
    expect(IMAGE_TOLERANCE).to.equal(0.05);
  });

  it('classify meter: top class against the label', () => {
    const m = taskMeter('classify', 3);
    m.add([0.1, 0.7, 0.2], { label: 1 });
    m.add([0.5, 0.4, 0.1], { label: 2 });
    expect(m.result()).to.deep.equal({ accuracy: 0.5 });
  });
});

describe('train/task objectives', () => {
  before(useWasm);

  it('segment: the mean per-pixel cross-entropy and the share of right pixels', () => {
    const objective = objectiveFor('segment', [1, 2, 2]);
    // Two pixels of one image: logits (0, ln 3) with label 1 → −ln(3/4); (0, 0) with label 0 → ln 2.
    const out = tf.tensor4d([0, Math.log(3), 0, 0], [1, 1, 2, 2]);
    const y = objective.target({ x: new Float32Array(2), y: new Int32Array(1), n: 1, shape: [1, 1, 2, 1], masks: Int32Array.from([1, 0]) });
    expect(objective.loss(out, y).dataSync()[0]).to.be.closeTo((-Math.log(3 / 4) + Math.log(2)) / 2, 1e-6);
    expect(objective.score(out, y).dataSync()[0]).to.be.closeTo(1, 1e-6);
    tf.dispose([out, y]);
  });

  it('image: L1 and L2 losses and the share of values within tolerance', () => {
    const batch = { x: new Float32Array(4), y: new Int32Array(1), n: 1, shape: [1, 2, 2, 1] as [number, number, number, number], targets: Float32Array.from([0, 0.5, 1, 0.2]) };
    const out = tf.tensor4d([0.1, 0.5, 0.7, 0.2], [1, 2, 2, 1]);
    const l1 = objectiveFor('image', [2, 2, 1], 'l1');
    const l2 = objectiveFor('image', [2, 2, 1], 'l2');
    const t = l1.target(batch);
    expect(l1.loss(out, t).dataSync()[0]).to.be.closeTo((0.1 + 0 + 0.3 + 0) / 4, 1e-6);
    expect(l2.loss(out, t).dataSync()[0]).to.be.closeTo((0.01 + 0 + 0.09 + 0) / 4, 1e-6);
    expect(l1.score(out, t).dataSync()[0]).to.be.closeTo(2 / 4, 1e-6);
    tf.dispose([out, t]);
  });

  it('refuses a task the model or the dataset cannot serve, in one sentence', () => {
    expectUserErrorSync(() => checkTaskFits('segment', 'mnist-cnn', [11], dataset('segment', 11)),
      /model 'mnist-cnn' outputs \[11\] \(one score per class for the whole image\) but --task segment needs \[28, 28, 11\] per image; use a per-pixel model such as unet-tiny/);
    expectUserErrorSync(() => checkTaskFits('classify', 'unet-tiny', [28, 28, 11], dataset('segment', 11)),
      /--task classify needs one label per image but dataset 'mnist-seg' has a label per pixel; use --task segment/);
    expectUserErrorSync(() => checkTaskFits('classify', 'unet-tiny', [28, 28, 10], dataset('classify', 10)),
      /model 'unet-tiny' outputs \[28, 28, 10\] per image, not one score per class; a per-pixel model trains with --task segment/);
    expectUserErrorSync(() => checkTaskFits('segment', 'mnist-cnn', [10], dataset('classify', 10)),
      /--task segment needs a label per pixel but dataset 'mnist' has one label per image; use --task classify, or a segment dataset \(mnist-seg or fashion-seg\)/);
    expectUserErrorSync(() => checkTaskFits('segment', 'unet-tiny', [28, 28, 10], dataset('segment', 11)),
      /model 'unet-tiny' outputs \[28, 28, 10\] per image but dataset 'mnist-seg' has 28×28 pixels × 11 classes, so its output must be \[28, 28, 11\]/);
    expectUserErrorSync(() => checkTaskFits('image', 'style-net', [28, 28, 3], dataset('image', 10)),
      /must be \[28, 28, 1\]/);
    checkTaskFits('segment', 'unet-tiny', [28, 28, 11], dataset('segment', 11));
    checkTaskFits('image', 'style-net', [28, 28, 1], dataset('image', 10));
  });
});
