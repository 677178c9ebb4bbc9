// What a model is trained to do (`--task`): classify images, segment them
// (a class per pixel) or map them to images. A task fixes the training loss
// and the per-example score the progress line shows, and what the model's
// output and the dataset's targets must look like.
import * as tf from '@tensorflow/tfjs';
import type { Batch, Dataset, DatasetTask } from '../datasets/types.js';
import { UserError } from '../src/errors.js';
import { correctCount, crossEntropy, headsCrossEntropy } from './loss.js';
import { IMAGE_TOLERANCE } from './task-metrics.js';

export type TaskName = DatasetTask;
export const TASK_NAMES: readonly TaskName[] = ['classify', 'segment', 'image'];

export type ImageLoss = 'l1' | 'l2';
export const IMAGE_LOSSES: readonly ImageLoss[] = ['l1', 'l2'];
/** L1: squared error's gradient fades as outputs near their targets, which leaves denoised images blurred. */
export const DEFAULT_IMAGE_LOSS: ImageLoss = 'l1';

/** What objectiveFor builds an objective from, as plain data (it crosses to training workers). */
export interface ObjectiveSpec {
  task: TaskName;
  outputShape: number[];
  imageLoss: ImageLoss;
}

export interface Objective {
  task: TaskName;
  /** How to build this objective again (in a worker thread). */
  spec: ObjectiveSpec;
  /** The batch's targets as a tensor (the caller disposes it). */
  target(batch: Batch): tf.Tensor;
  /** Mean loss over the batch (per pixel for dense tasks). */
  loss(output: tf.Tensor, target: tf.Tensor): tf.Scalar;
  /** Sum over the batch of each example's accuracy in [0, 1] (task-metrics.ts defines it per task). */
  score(output: tf.Tensor, target: tf.Tensor): tf.Scalar;
  /** All-zero targets for n examples, for memory probes. */
  blank(n: number): Pick<Batch, 'y' | 'masks' | 'targets'>;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const classify: Objective = {
  task: 'classify',
  spec: { task: 'classify', outputShape: [], imageLoss: DEFAULT_IMAGE_LOSS },
  target: (b) => tf.tensor1d(b.y, 'int32'),
  loss: (out, y) => crossEntropy(out as tf.Tensor2D, y as tf.Tensor1D),
  score: (out, y) => correctCount(out as tf.Tensor2D, y as tf.Tensor1D),
  blank: (n) => ({ y: new Int32Array(n) }),
};

function segment(outputShape: readonly number[]): Objective {
  const [h, w, k] = outputShape as [number, number, number];
  return {
    task: 'segment',
    spec: { task: 'segment', outputShape: [...outputShape], imageLoss: DEFAULT_IMAGE_LOSS },
    target(b) {
      if (!b.masks) throw new Error('a segmentation batch carries masks');
      return tf.tensor3d(b.masks, [b.n, h, w], 'int32');
    },
    // Every pixel is one example of the classifier's cross-entropy.
    loss: (out, y) => tf.tidy(() => crossEntropy(tf.reshape(out, [-1, k]) as tf.Tensor2D, tf.reshape(y, [-1]) as tf.Tensor1D)),
    score: (out, y) => tf.tidy(() => tf.div(tf.sum(tf.cast(tf.equal(tf.argMax(out, -1), y), 'float32')), h * w) as tf.Scalar),
    blank: (n) => ({ y: new Int32Array(n), masks: new Int32Array(n * h * w) }),
  };
}

function image(outputShape: readonly number[], lossName: ImageLoss): Objective {
  const per = size(outputShape);
  return {
    task: 'image',
    spec: { task: 'image', outputShape: [...outputShape], imageLoss: lossName },
    target(b) {
      if (!b.targets) throw new Error('an image-to-image batch carries target images');
      return tf.tensor4d(b.targets, [b.n, ...outputShape] as [number, number, number, number]);
    },
    loss: (out, t) => tf.tidy(() => {
      const d = tf.sub(out, t);
      return tf.mean(lossName === 'l1' ? tf.abs(d) : tf.square(d)) as tf.Scalar;
    }),
    score: (out, t) => tf.tidy(() => tf.div(tf.sum(tf.cast(tf.lessEqual(tf.abs(tf.sub(out, t)), IMAGE_TOLERANCE), 'float32')), per) as tf.Scalar),
    blank: (n) => ({ y: new Int32Array(n), targets: new Float32Array(n * per) }),
  };
}

/** The objective of `task` for a model whose per-example output has `outputShape` (checked by checkTaskFits first). */
export function objectiveFor(task: TaskName, outputShape: readonly number[], lossName: ImageLoss = DEFAULT_IMAGE_LOSS): Objective {
  if (task === 'segment') return segment(outputShape);
  if (task === 'image') return image(outputShape, lossName);
  return classify;
}

/**
 * The training loss of a model with one or several outputs: the sum of the
 * objective's loss of every head against the same targets, so each head
 * must have the first one's per-example shape.
 */
export function trainingLoss(objective: Objective, heads: readonly tf.Tensor[], target: tf.Tensor): tf.Scalar {
  if (objective.task === 'classify') return headsCrossEntropy(heads as tf.Tensor2D[], target as tf.Tensor1D);
  const first = heads[0]!.shape.slice(1);
  heads.forEach((h, k) => {
    const shape = h.shape.slice(1);
    if (shape.length !== first.length || shape.some((d, i) => d !== first[i])) {
      throw new UserError(`output ${k} of the model has shape ${fmt(shape)} per example, but training sums every head's ${objective.task} loss against the same targets, so each needs output 0's shape ${fmt(first)}`);
    }
  });
  if (heads.length === 1) return objective.loss(heads[0]!, target);
  return tf.tidy(() => tf.addN(heads.map((h) => objective.loss(h, target))) as tf.Scalar);
}

export function checkTaskName(task: string): TaskName {
  if (!(TASK_NAMES as readonly string[]).includes(task)) throw new UserError(`--task must be one of ${TASK_NAMES.join(', ')}, got '${task}'`);
  return task as TaskName;
}

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

const DATASET_KIND: Record<TaskName, string> = {
  classify: 'one label per image',
  segment: 'a label per pixel',
  image: 'a target image per image',
};

const DATASETS_FOR: Record<TaskName, string> = {
  classify: 'mnist, fashion-mnist, synthetic or an IDX directory',
  segment: 'mnist-seg or fashion-seg',
  image: 'fashion-denoise',
};

/**
 * Refuses, in one sentence and before any step, a task the dataset has no
 * targets for or the model's output cannot express.
 */
export function checkTaskFits(task: TaskName, modelName: string, outputShape: readonly number[], ds: Dataset): void {
  const dsTask = ds.task ?? 'classify';
  if (dsTask !== task) {
    throw new UserError(`--task ${task} needs ${DATASET_KIND[task]} but dataset '${ds.name}' has ${DATASET_KIND[dsTask]}; use --task ${dsTask}, or ${task === 'image' ? 'an' : 'a'} ${task} dataset (${DATASETS_FOR[task]})`);
  }
  const { height: h, width: w, channels: c } = ds.train;
  if (task === 'classify') {
    if (outputShape.length !== 1) {
      throw new UserError(`model '${modelName}' outputs ${fmt(outputShape)} per image, not one score per class; a per-pixel model trains with --task ${outputShape.length === 3 && outputShape[2] === ds.numClasses ? 'segment' : 'image'}`);
    }
    if (outputShape[0] !== ds.numClasses) throw new UserError(`model '${modelName}' outputs ${outputShape[0]} classes but dataset '${ds.name}' has ${ds.numClasses}`);
    return;
  }
  const want = task === 'segment' ? [h, w, ds.numClasses] : [h, w, c];
  if (outputShape.length === 1) {
    throw new UserError(`model '${modelName}' outputs ${fmt(outputShape)} (one score per class for the whole image) but --task ${task} needs ${fmt(want)} per image; use a per-pixel model such as ${task === 'segment' ? 'unet-tiny' : 'style-net'}`);
  }
  if (outputShape.length !== 3 || outputShape.some((d, i) => d !== want[i])) {
    const what = task === 'segment' ? `${h}×${w} pixels × ${ds.numClasses} classes` : `${h}×${w}×${c} target images`;
    throw new UserError(`model '${modelName}' outputs ${fmt(outputShape)} per image but dataset '${ds.name}' has ${what}, so its output must be ${fmt(want)}`);
  }
}
