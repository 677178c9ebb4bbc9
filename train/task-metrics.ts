// Scores of a task over a split, accumulated one example at a time from
// host arrays, so the eval graph, the interpreter and LiteRT are scored by
// the same code: accuracy for every task, plus mean IoU (segment) or PSNR
// (image).
import type { DatasetTask } from '../datasets/types.js';
import { argmax } from '../src/parity/stats.js';

export interface TaskScores {
  /** classify: share of images whose top class is the label; segment: share of pixels; image: share of values within IMAGE_TOLERANCE. */
  accuracy: number;
  /** segment: mean over classes present in the labels or predictions of TP / (TP + FP + FN). */
  miou?: number;
  /** image: 10·log10(1 / MSE) in dB over every value of the split (values in [0, 1]); Infinity when exact. */
  psnr?: number;
}

/** An image output value within this distance of its target counts as right (≈ 13 grey levels of 255). */
export const IMAGE_TOLERANCE = 0.05;

/** Accumulates one example's output against its target. */
export interface TaskMeter {
  /** `output`: the example's scores (classify: [k]; segment: [h·w·k] channels last) or image values. */
  add(output: ArrayLike<number>, target: ExampleTarget): void;
  /** Accuracy summed over examples so far (each example counts 1). */
  readonly scoreSum: number;
  readonly count: number;
  result(): TaskScores;
}

/** What one example should produce: a class, per-pixel classes, or an image. */
export type ExampleTarget = { label: number } | { mask: ArrayLike<number> } | { image: ArrayLike<number> };

/** Per-pixel classes of channels-last scores with k channels. */
export function pixelClasses(scores: ArrayLike<number>, k: number): Int32Array {
  const out = new Int32Array(scores.length / k);
  for (let p = 0; p < out.length; p++) out[p] = argmax(scores, p * k, k);
  return out;
}

/** Mean IoU of a k×k confusion matrix (rows: label, columns: prediction) over the classes that occur in either. */
export function meanIoU(confusion: ArrayLike<number>, k: number): number {
  let sum = 0, classes = 0;
  for (let c = 0; c < k; c++) {
    let tp = 0, labelled = 0, predicted = 0;
    for (let o = 0; o < k; o++) {
      labelled += confusion[c * k + o]!;
      predicted += confusion[o * k + c]!;
    }
    tp = confusion[c * k + c]!;
    const union = labelled + predicted - tp;
    if (union === 0) continue;
    sum += tp / union;
    classes++;
  }
  return classes ? sum / classes : 0;
}

/** Peak signal-to-noise ratio in dB of a mean squared error, for values whose full range is `peak`. */
export function psnr(mse: number, peak = 1): number {
  return 10 * Math.log10((peak * peak) / mse);
}

class ClassifyMeter implements TaskMeter {
  scoreSum = 0;
  count = 0;
  add(output: ArrayLike<number>, target: ExampleTarget): void {
    if (!('label' in target)) throw new Error('a classifier is scored against a label');
    if (argmax(output) === target.label) this.scoreSum++;
    this.count++;
  }
  result(): TaskScores {
    return { accuracy: this.count ? this.scoreSum / this.count : 0 };
  }
}

class SegmentMeter implements TaskMeter {
  scoreSum = 0;
  count = 0;
  private readonly confusion: Float64Array;
  constructor(private readonly k: number) {
    this.confusion = new Float64Array(k * k);
  }
  add(output: ArrayLike<number>, target: ExampleTarget): void {
    if (!('mask' in target)) throw new Error('a segmentation is scored against a mask');
    const predicted = pixelClasses(output, this.k);
    const mask = target.mask;
    if (predicted.length !== mask.length) throw new Error(`a ${predicted.length}-pixel output against a ${mask.length}-pixel mask`);
    let right = 0;
    for (let p = 0; p < mask.length; p++) {
      const label = mask[p]!;
      this.confusion[label * this.k + predicted[p]!]!++;
      if (label === predicted[p]) right++;
    }
    this.scoreSum += right / mask.length;
    this.count++;
  }
  result(): TaskScores {
    let right = 0, all = 0;
    for (let c = 0; c < this.k; c++) right += this.confusion[c * this.k + c]!;
    for (const v of this.confusion) all += v;
    return { accuracy: all ? right / all : 0, miou: meanIoU(this.confusion, this.k) };
  }
}

class ImageMeter implements TaskMeter {
  scoreSum = 0;
  count = 0;
  private squared = 0;
  private values = 0;
  private within = 0;
  add(output: ArrayLike<number>, target: ExampleTarget): void {
    if (!('image' in target)) throw new Error('an image output is scored against a target image');
    const want = target.image;
    if (output.length !== want.length) throw new Error(`a ${output.length}-value output against a ${want.length}-value target`);
    let close = 0;
    for (let i = 0; i < want.length; i++) {
      const d = output[i]! - want[i]!;
      this.squared += d * d;
      if (Math.abs(d) <= IMAGE_TOLERANCE) close++;
    }
    this.values += want.length;
    this.within += close;
    this.scoreSum += close / want.length;
    this.count++;
  }
  result(): TaskScores {
    return { accuracy: this.values ? this.within / this.values : 0, psnr: this.values ? psnr(this.squared / this.values) : 0 };
  }
}

/** A fresh meter; `classes` is the output's channel count (segment). */
export function taskMeter(task: DatasetTask, classes: number): TaskMeter {
  if (task === 'segment') return new SegmentMeter(classes);
  if (task === 'image') return new ImageMeter();
  return new ClassifyMeter();
}
