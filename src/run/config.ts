// What a run directory remembers about how it was trained, stored beside
// the checkpoint weights so eval, resume and export need no flags repeated.
import { UserError } from '../errors.js';
import type { OptimizerConfig } from '../../train/optimizers.js';
import type { ScheduleName } from '../../train/schedule.js';
import type { QatConfig } from '../../quantize/config.js';
import type { DatasetTask } from '../../datasets/types.js';
import { TASK_NAMES, type ImageLoss } from '../../train/task.js';

/** How a quantized run was made; its IR (ir.json) is the rewritten QAT IR. */
export interface RunQuantization {
  config: QatConfig;
  /** Global step at which QAT started: quant delay and BN freeze count from here. */
  startStep: number;
  /** The float run it was fine-tuned or calibrated from, if any. */
  from?: string;
  /** Set for post-training calibration (no gradient steps). */
  calibration?: { batches: number; batchSize: number };
  /** Layers left float and why (the rewrite's report). */
  report: string[];
}

export const RUN_CONFIG_FORMAT = 'qat-run';
export const RUN_CONFIG_VERSION = 1;

export interface RunConfig {
  format: typeof RUN_CONFIG_FORMAT;
  version: number;
  /** Zoo name (or the IR's name for a custom graph). */
  model: string;
  modelOptions: { alpha?: number; upsample?: 'transpose' | 'nearest' | 'bilinear' };
  /** The --dataset spec the run trained on. */
  dataset: string;
  limit?: number;
  inputShape: [number, number, number];
  numClasses: number;
  seed: number;
  batchSize: number;
  /** Epochs the run is meant to reach in total. */
  epochs: number;
  lr: number;
  schedule: ScheduleName;
  /** Random whole-pixel shift of training images (0 or absent: none). */
  augmentShift?: number;
  optimizer: OptimizerConfig;
  /** Completed epochs. */
  epoch: number;
  /** Steps already taken inside the current (incomplete) epoch; 0 at an epoch boundary. */
  stepInEpoch: number;
  /**
   * The training sums of those steps, so a resumed epoch's train loss and
   * accuracy cover all of its images, not only those after the resume.
   */
  partialEpoch?: PartialEpoch;
  /** Optimizer updates applied so far. */
  step: number;
  stepsPerEpoch: number;
  /** False when the run stopped early (Ctrl-C) and can be resumed with --from. */
  complete: boolean;
  backend: string;
  /** Present for quantization-aware (or calibrated) runs. */
  quantization?: RunQuantization;
  /** Image-folder datasets: the share of each class held out (with `seed`, it fixes the split eval and resume reload). */
  valSplit?: number;
  /** Names of the classes by id, when the dataset has them (an image folder's subfolders). */
  classNames?: string[];
  /** What the model was trained to do; absent in runs from before tasks existed, which classify. */
  task?: DatasetTask;
  /** Loss of an image-to-image run. */
  imageLoss?: ImageLoss;
}

/** The task of a run (runs written before tasks existed classify). */
export function runTask(config: Pick<RunConfig, 'task'>): DatasetTask {
  return config.task ?? 'classify';
}

export interface PartialEpoch {
  images: number;
  lossSum: number;
  correct: number;
  trainSeconds: number;
}

export function parseRunConfig(text: string, source: string): RunConfig {
  let o: Partial<RunConfig>;
  try {
    o = JSON.parse(text) as Partial<RunConfig>;
  } catch {
    throw new UserError(`${source} is not valid JSON (truncated or not a qat run config)`);
  }
  if (typeof o !== 'object' || o === null || o.format !== RUN_CONFIG_FORMAT) throw new UserError(`${source} is not a qat run config`);
  if (o.version !== RUN_CONFIG_VERSION) throw new UserError(`${source} has version ${String(o.version)}; this qat reads version ${RUN_CONFIG_VERSION}`);
  const ints: Array<keyof RunConfig> = ['numClasses', 'seed', 'batchSize', 'epochs', 'epoch', 'stepInEpoch', 'step', 'stepsPerEpoch'];
  for (const k of ints) if (!Number.isInteger(o[k])) throw new UserError(`${source} lacks a valid '${k}'`);
  if (!Array.isArray(o.inputShape) || o.inputShape.length !== 3) throw new UserError(`${source} lacks a valid 'inputShape'`);
  if (o.task !== undefined && !(TASK_NAMES as readonly string[]).includes(o.task)) throw new UserError(`${source} has an unknown task '${String(o.task)}'`);
  if (o.imageLoss !== undefined && o.imageLoss !== 'l1' && o.imageLoss !== 'l2') throw new UserError(`${source} has an unknown image loss '${String(o.imageLoss)}'`);
  const pe = o.partialEpoch;
  if (pe !== undefined && !(typeof pe === 'object' && pe !== null && [pe.images, pe.lossSum, pe.correct, pe.trainSeconds].every((v) => typeof v === 'number' && Number.isFinite(v)))) {
    throw new UserError(`${source} has an invalid 'partialEpoch'`);
  }
  return o as RunConfig;
}
