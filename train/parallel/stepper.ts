// Data-parallel training step over N replicas: the main thread is replica 0
// and N−1 worker threads hold the others, each on its own single-threaded
// wasm backend. Per step the main thread publishes the weights, every
// replica computes gradients on its contiguous shard of the batch, and the
// main thread combines them (Σ nᵢ·gᵢ / N), applies the optimizer once and
// folds the merged BN / range statistics into the store.
//
// What stays per shard (as in any data-parallel BN without cross-replica
// sync): the forward pass normalises with the shard's batch statistics and
// QAT's observed ranges quantize with the shard's own EMA. Models without BN
// in training mode and without EMA-observed fake quant (float nets, frozen-BN
// QAT, learned ranges, the quant delay) step exactly as one process would.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../datasets/types.js';
import { activeBackend } from '../../src/backend.js';
import { UserError } from '../../src/errors.js';
import { applyRangeUpdates, applyStatUpdates, type QatTrainOptions, type RangeUpdate, type StatUpdate, type TrainGraph } from '../graph/build.js';
import type { Optimizer } from '../optimizers.js';
import { MODEL_KINDS, type VariableKind, type VariableStore } from '../state.js';
import type { StepResult } from '../step.js';
import { objectiveFor, type Objective } from '../task.js';
import { disposeUpdates, shardGradients } from './gradients.js';
import { layoutOf, packTensors, slotView, type Layout } from './layout.js';
import { mergeStats, statRoles, toWire, weightedMeanInto } from './merge.js';
import { TrainingWorker } from './pool.js';
import type { ResultMessage, SharedBuffers, Transport, WorkerTimings } from './protocol.js';
import { shardBatch, sliceBatch } from './shards.js';

export interface ParallelStepperOptions {
  /** The main thread's train graph over `store` (replica 0). */
  graph: TrainGraph;
  store: VariableStore;
  optimizer: Optimizer;
  /** Which variables get gradients (as createStepper). */
  kinds?: readonly VariableKind[];
  /** The QAT schedule the graph was built with, for the workers' replicas. */
  qat?: QatTrainOptions;
  /** Replicas in total, counting the main thread; ≥ 2. */
  replicas: number;
  transport?: Transport;
  /** The training loss and score (default: classification). */
  objective?: Objective;
}

/** Cumulative milliseconds since the stepper started (or since resetTimings). */
export interface ParallelTimings {
  steps: number;
  /** Main thread: weights out of the backend into the message / shared buffer. */
  publishMs: number;
  /** Main thread: its own shard's forward and backward. */
  ownShardMs: number;
  /** Main thread: waiting for the workers after its own shard. */
  waitMs: number;
  /** Main thread: worker gradients into tensors, the weighted mean, merging statistics. */
  mergeMs: number;
  /** Main thread: the optimizer update and the statistics update (what one process pays too). */
  applyMs: number;
  /** Summed over workers. */
  workers: WorkerTimings;
}

export interface ParallelStepper {
  readonly replicas: number;
  run(batch: Batch, lr: number, stepSeed: number): Promise<StepResult>;
  timings(): ParallelTimings;
  resetTimings(): void;
  /** Stops the workers; safe to call twice. */
  close(): Promise<void>;
}

function zeroTimings(): ParallelTimings {
  return { steps: 0, publishMs: 0, ownShardMs: 0, waitMs: 0, mergeMs: 0, applyMs: 0, workers: { loadMs: 0, computeMs: 0, storeMs: 0 } };
}

export async function createParallelStepper(o: ParallelStepperOptions): Promise<ParallelStepper> {
  const replicas = o.replicas;
  if (!Number.isInteger(replicas) || replicas < 2) throw new Error(`createParallelStepper needs at least 2 replicas, got ${replicas}`);
  const backend = activeBackend();
  if (backend === 'node') throw new UserError('--workers applies to the wasm and cpu backends; the node backend already uses every core');
  const transport = o.transport ?? 'shared';
  const store = o.store;
  const vars = store.trainable(o.kinds);
  const gradLayout = layoutOf([...vars].map(([name, v]) => ({ name, shape: v.shape })));
  const modelLayout = layoutOf(store.list(MODEL_KINDS).map((e) => ({ name: e.name, shape: e.variable.shape })));
  const roles = statRoles(o.graph.ir);
  const objective = o.objective ?? objectiveFor('classify', []);
  const sharedModel = transport === 'shared' ? new SharedArrayBuffer(4 * modelLayout.total) : null;
  const shared: Array<SharedBuffers | null> = [];
  const workers: TrainingWorker[] = [];
  try {
    // Started one after another: two wasm instances compiling at once only slow each other down.
    for (let k = 1; k < replicas; k++) {
      const buffers = sharedModel
        ? { model: sharedModel, grads: new SharedArrayBuffer(4 * gradLayout.total), seq: new SharedArrayBuffer(8) }
        : null;
      shared.push(buffers);
      workers.push(await TrainingWorker.start({
        type: 'init', replica: k, ir: o.graph.ir.graph, qat: o.qat ?? null, objective: objective.spec, backend, model: modelLayout, grads: gradLayout, shared: buffers,
      }));
    }
  } catch (e) {
    await Promise.all(workers.map((w) => w.close()));
    throw e;
  }

  let nextId = 0;
  let t = zeroTimings();
  // Reused across steps: a fresh 5 MB array costs more in page faults than the step's arithmetic on it.
  const mine = new Float32Array(gradLayout.total);
  const reusedMean = backend === 'cpu' ? null : new Float32Array(gradLayout.total);
  /** Where the mean gradient goes: the cpu backend keeps the arrays tensors are made from, so it gets a fresh one. */
  const meanBuffer = (): Float32Array => reusedMean ?? new Float32Array(gradLayout.total);

  /** Weights for each worker: written once into the shared buffer, or one moved buffer per worker. */
  function publish(id: number, count: number): Array<Float32Array | null> {
    if (sharedModel) {
      packTensors(modelLayout, (n) => store.get(n), new Float32Array(sharedModel));
      for (let k = 0; k < count; k++) Atomics.store(new Int32Array(shared[k]!.seq), 0, id);
      return new Array<null>(count).fill(null);
    }
    const first = new Float32Array(modelLayout.total);
    packTensors(modelLayout, (n) => store.get(n), first);
    return Array.from({ length: count }, (_, k) => (k === 0 ? first : first.slice()));
  }

  function gradOf(r: ResultMessage, k: number, layout: Layout): Float32Array {
    if (r.grads) return r.grads;
    const seq = new Int32Array(shared[k]!.seq);
    if (Atomics.load(seq, 1) !== r.id) throw new Error(`training worker ${k + 1} reported step ${r.id} before writing its gradients`);
    return new Float32Array(shared[k]!.grads, 0, layout.total);
  }

  function apply(batchN: number, shardN: number[], own: ReturnType<typeof shardGradients>, results: ResultMessage[], lr: number): StepResult {
    const started = performance.now();
    const named = new Map<string, tf.Tensor>();
    const statUpdates: StatUpdate[] = [];
    const rangeUpdates: RangeUpdate[] = [...own.rangeUpdates];
    try {
      const workerGrads = results.map((r, k) => gradOf(r, k, gradLayout));
      packTensors(gradLayout, (name) => {
        const g = own.grads.get(name);
        if (!g) throw new Error(`no gradient for '${name}'`);
        return g;
      }, mine);
      const mean = weightedMeanInto(meanBuffer(), [{ n: shardN[0], grads: mine }, ...workerGrads.map((grads, k) => ({ n: shardN[k + 1], grads }))]);
      for (const s of gradLayout.slots) named.set(s.name, tf.tensor(slotView(mean, s), s.shape, 'float32'));
      const merged = mergeStats([{ n: shardN[0], stats: own.statUpdates.map(toWire) }, ...results.map((r, k) => ({ n: shardN[k + 1], stats: r.stats }))], roles);
      for (const u of merged) statUpdates.push({ name: u.name, value: tf.tensor(u.value), momentum: u.momentum });
      for (const r of results) for (const u of r.ranges) rangeUpdates.push({ name: u.name, value: tf.tensor(u.value), combine: u.combine });
      t.mergeMs += performance.now() - started;
      o.optimizer.apply(named, lr, store.step);
      applyStatUpdates(store, statUpdates);
      applyRangeUpdates(store, rangeUpdates);
      store.setStep(store.step + 1);
    } finally {
      tf.dispose([...named.values()]);
      disposeUpdates(statUpdates, rangeUpdates);
    }
    let loss = own.loss * shardN[0];
    let correct = own.correct;
    results.forEach((r, k) => {
      loss += r.loss * shardN[k + 1];
      correct += r.correct;
    });
    return { loss: loss / batchN, correct };
  }

  return {
    replicas,
    async run(batch, lr, stepSeed) {
      const shards = shardBatch(batch.n, replicas);
      const id = ++nextId;
      const t0 = performance.now();
      const models = publish(id, shards.length - 1);
      const t1 = performance.now();
      const pending = shards.slice(1).map((s, k) => {
        const part = sliceBatch(batch, s);
        // Copies of just the shard: cloning a view would copy the whole batch.
        const x = part.x.slice();
        const y = part.y.slice();
        const masks = part.masks?.slice();
        const targets = part.targets?.slice();
        const model = models[k];
        const transfer = [x, y, masks, targets, model].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
        return workers[k].step({
          type: 'step', id, step: store.step, stepSeed, offset: s.offset, x, shape: part.shape, y, model,
          ...(masks ? { masks } : {}), ...(targets ? { targets } : {}),
        }, transfer);
      });
      let own: ReturnType<typeof shardGradients>;
      try {
        own = shardGradients(o.graph, vars, sliceBatch(batch, shards[0]), stepSeed, 0, objective);
      } catch (e) {
        await Promise.allSettled(pending);
        throw e;
      }
      const t2 = performance.now();
      let result: StepResult;
      try {
        const results = await Promise.all(pending);
        const t3 = performance.now();
        const mergeBefore = t.mergeMs;
        result = apply(batch.n, shards.map((s) => s.n), own, results, lr);
        const t4 = performance.now();
        t.steps++;
        t.publishMs += t1 - t0;
        t.ownShardMs += t2 - t1;
        t.waitMs += t3 - t2;
        t.applyMs += t4 - t3 - (t.mergeMs - mergeBefore);
        for (const r of results) {
          t.workers.loadMs += r.timings.loadMs;
          t.workers.computeMs += r.timings.computeMs;
          t.workers.storeMs += r.timings.storeMs;
        }
      } catch (e) {
        await Promise.allSettled(pending);
        throw e;
      } finally {
        tf.dispose([...own.grads.values()]);
        disposeUpdates(own.statUpdates, own.rangeUpdates);
      }
      return result;
    },
    timings: () => structuredClone(t),
    resetTimings: () => {
      t = zeroTimings();
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
