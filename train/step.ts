// One optimizer step of the train graph: forward with batch statistics,
// gradients of the mean cross-entropy, optimizer update, moving-stat update.
// A batch larger than the micro-batch runs as contiguous parts whose
// gradients are summed with weights nᵢ/N (the whole batch's mean) and whose
// BN statistics and observed ranges combine as the data-parallel workers'
// do; each part normalises with its own batch statistics, as a worker's
// shard does. Every tensor created here is disposed before returning.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../datasets/types.js';
import { applyRangeUpdates, applyStatUpdates, type RangeUpdate, type StatUpdate, type TrainGraph } from './graph/build.js';
import { objectiveFor, trainingLoss, type Objective } from './task.js';
import type { Optimizer } from './optimizers.js';
import { disposeUpdates, shardGradients } from './parallel/gradients.js';
import { mergeStats, statRoles, toWire, type WireStat } from './parallel/merge.js';
import { shardBatch, sliceBatch } from './parallel/shards.js';
import type { VariableKind, VariableStore } from './state.js';

export interface StepResult {
  loss: number;
  correct: number;
}

export interface Stepper {
  run(batch: Batch, lr: number, stepSeed: number): StepResult;
}

/**
 * `kinds`: which variables get gradients (weights; plus ranges for
 * learned-range QAT). `microBatch`: most images per forward/backward pass.
 * `objective`: the task's loss and score (default: classification).
 */
export function createStepper(
  graph: TrainGraph, store: VariableStore, optimizer: Optimizer, kinds?: readonly VariableKind[], microBatch = Infinity,
  objective: Objective = objectiveFor('classify', []),
): Stepper {
  const weights = store.trainable(kinds);
  const roles = statRoles(graph.ir);

  function accumulated(batch: Batch, lr: number, stepSeed: number): StepResult {
    const parts = shardBatch(batch.n, Math.ceil(batch.n / microBatch));
    const sum = new Map<string, tf.Tensor>();
    const stats: Array<{ n: number; stats: WireStat[] }> = [];
    const ranges: RangeUpdate[] = [];
    let statUpdates: StatUpdate[] = [];
    let loss = 0;
    let correct = 0;
    try {
      for (const part of parts) {
        const g = shardGradients(graph, weights, sliceBatch(batch, part), stepSeed, part.offset, objective);
        for (const [name, grad] of g.grads) {
          const prev = sum.get(name);
          sum.set(name, tf.tidy(() => {
            const weighted = tf.mul(grad, part.n / batch.n);
            return prev ? tf.add(prev, weighted) : weighted;
          }));
          tf.dispose([grad, ...(prev ? [prev] : [])]);
        }
        stats.push({ n: part.n, stats: g.statUpdates.map(toWire) });
        disposeUpdates(g.statUpdates, []);
        ranges.push(...g.rangeUpdates);
        loss += g.loss * part.n;
        correct += g.correct;
      }
      statUpdates = mergeStats(stats, roles).map((u) => ({ name: u.name, value: tf.tensor(u.value), momentum: u.momentum }));
      optimizer.apply(sum, lr, store.step);
      applyStatUpdates(store, statUpdates);
      applyRangeUpdates(store, ranges);
      store.setStep(store.step + 1);
      return { loss: loss / batch.n, correct };
    } finally {
      tf.dispose([...sum.values()]);
      disposeUpdates(statUpdates, ranges);
    }
  }

  const varList = [...weights.values()];
  // variableGrads keys gradients by tfjs' internal variable names.
  const ourName = new Map([...weights].map(([n, v]) => [v.name, n]));
  return {
    run(batch, lr, stepSeed) {
      if (batch.n > microBatch) return accumulated(batch, lr, stepSeed);
      const x = tf.tensor4d(batch.x, batch.shape);
      const y = objective.target(batch);
      let updates: StatUpdate[] = [];
      let ranges: RangeUpdate[] = [];
      let correct: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const out = graph.run(x, { stepSeed });
        updates = out.statUpdates;
        ranges = out.rangeUpdates;
        correct = tf.keep(objective.score(out.logits, y));
        return trainingLoss(objective, out.heads, y);
      }, varList);
      try {
        const named = new Map(Object.entries(grads).map(([k, g]) => [ourName.get(k)!, g]));
        optimizer.apply(named, lr, store.step);
        applyStatUpdates(store, updates);
        applyRangeUpdates(store, ranges);
        store.setStep(store.step + 1);
        return { loss: value.dataSync()[0], correct: correct!.dataSync()[0] };
      } finally {
        tf.dispose([x, y, value, ...(correct ? [correct] : []), ...Object.values(grads)]);
        for (const u of updates) u.value.dispose();
        for (const u of ranges) if (!u.value.isDisposed) u.value.dispose();
      }
    },
  };
}
