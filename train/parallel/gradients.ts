// One replica's share of a step: the gradients of the task's mean loss
// over its examples, and the statistics its forward pass observed — nothing
// applied. The same function runs on the main thread and in the workers, so
// every replica computes exactly what train/step.ts would on those examples.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../datasets/types.js';
import type { RangeUpdate, StatUpdate, TrainGraph } from '../graph/build.js';
import { objectiveFor, trainingLoss, type Objective } from '../task.js';

export interface ShardGradients {
  /** Mean loss over the shard's examples. */
  loss: number;
  correct: number;
  /** By store name; the caller disposes them. */
  grads: Map<string, tf.Tensor>;
  /** The caller disposes their values. */
  statUpdates: StatUpdate[];
  rangeUpdates: RangeUpdate[];
}

/**
 * `vars`: the variables to differentiate, by store name; `exampleOffset`: where the batch starts in the whole step's batch;
 * `objective`: the task's loss and score (default: classification).
 */
export function shardGradients(
  graph: TrainGraph, vars: ReadonlyMap<string, tf.Variable>, batch: Batch, stepSeed: number, exampleOffset = 0,
  objective: Objective = objectiveFor('classify', []),
): ShardGradients {
  const ourName = new Map([...vars].map(([n, v]) => [v.name, n]));
  const x = tf.tensor4d(batch.x, batch.shape);
  const y = objective.target(batch);
  let statUpdates: StatUpdate[] = [];
  let rangeUpdates: RangeUpdate[] = [];
  let correct: tf.Scalar | undefined;
  try {
    const { value, grads } = tf.variableGrads(() => {
      const out = graph.run(x, { stepSeed, exampleOffset });
      statUpdates = out.statUpdates;
      rangeUpdates = out.rangeUpdates;
      correct = tf.keep(objective.score(out.logits, y));
      return trainingLoss(objective, out.heads, y);
    }, [...vars.values()]);
    const loss = value.dataSync()[0];
    value.dispose();
    const named = new Map(Object.entries(grads).map(([k, g]) => [ourName.get(k)!, g]));
    return { loss, correct: correct!.dataSync()[0], grads: named, statUpdates, rangeUpdates };
  } catch (e) {
    disposeUpdates(statUpdates, rangeUpdates);
    throw e;
  } finally {
    tf.dispose([x, y, ...(correct ? [correct] : [])]);
  }
}

export function disposeUpdates(stats: StatUpdate[], ranges: RangeUpdate[]): void {
  for (const u of [...stats, ...ranges]) if (!u.value.isDisposed) u.value.dispose();
}
