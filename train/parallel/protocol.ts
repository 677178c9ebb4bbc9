// Messages between the main thread and a training worker.
import type { BackendName } from '../../src/backend.js';
import type { Graph } from '../../src/ir/types.js';
import type { QatTrainOptions } from '../graph/build.js';
import type { ObjectiveSpec } from '../task.js';
import type { Layout } from './layout.js';
import type { WireRange, WireStat } from './merge.js';

/**
 * How weights reach the workers and gradients come back. 'shared': one
 * SharedArrayBuffer of weights written once per step for every worker, one
 * per worker for its gradients; messages carry only the batch. 'transfer':
 * fresh buffers moved (not copied) with each message.
 */
export type Transport = 'shared' | 'transfer';
export const TRANSPORTS: readonly Transport[] = ['shared', 'transfer'];

export interface SharedBuffers {
  /** Model variables (Float32, the model layout). */
  model: SharedArrayBuffer;
  /** This worker's gradients (Float32, the gradient layout). */
  grads: SharedArrayBuffer;
  /** Int32 sequence numbers: [0] weights written for step id, [1] gradients written for step id. */
  seq: SharedArrayBuffer;
}

export interface InitMessage {
  type: 'init';
  /** Replica number (the main thread is replica 0). */
  replica: number;
  ir: Graph;
  qat: QatTrainOptions | null;
  /** The training loss and score (the task). */
  objective: ObjectiveSpec;
  backend: BackendName;
  /** Every variable the train graph reads (weights, BN statistics, ranges). */
  model: Layout;
  /** The variables to differentiate, in the order gradients come back. */
  grads: Layout;
  shared: SharedBuffers | null;
}

export interface StepMessage {
  type: 'step';
  id: number;
  /** The store's global step (the QAT schedule reads it). */
  step: number;
  stepSeed: number;
  /** Index of this shard's first example in the whole batch (dropout masks follow the example). */
  offset: number;
  x: Float32Array;
  shape: [number, number, number, number];
  y: Int32Array;
  /** Segmentation targets of the shard's examples. */
  masks?: Int32Array;
  /** Image-to-image targets of the shard's examples. */
  targets?: Float32Array;
  /** Model values ('transfer'); null when they are in the shared buffer. */
  model: Float32Array | null;
}

export type ToWorker = InitMessage | StepMessage | { type: 'close' };

export interface WorkerTimings {
  /** Weights into the replica's variables. */
  loadMs: number;
  /** Forward and backward. */
  computeMs: number;
  /** Gradients and statistics out of the backend. */
  storeMs: number;
}

export interface ResultMessage {
  type: 'result';
  id: number;
  loss: number;
  correct: number;
  /** Gradients ('transfer'); null when they are in the shared buffer. */
  grads: Float32Array | null;
  stats: WireStat[];
  ranges: WireRange[];
  timings: WorkerTimings;
}

export interface ErrorMessage {
  type: 'error';
  id: number | null;
  message: string;
  /** A UserError (bad input) rather than a bug. */
  user: boolean;
  stack?: string;
}

export type FromWorker = { type: 'ready' } | ResultMessage | ErrorMessage;
