// One optimizer step of the train graph: forward with batch statistics,
// gradients of the mean cross-entropy, optimizer update, moving-stat update.
// Every tensor created here is disposed before returning.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../datasets/types.js';
import { applyRangeUpdates, applyStatUpdates, type RangeUpdate, type StatUpdate, type TrainGraph } from './graph/build.js';
import { correctCount, crossEntropy } from './loss.js';
import type { Optimizer } from './optimizers.js';
import type { VariableKind, VariableStore } from './state.js';

export interface StepResult {
  loss: number;
  correct: number;
}

export interface Stepper {
  run(batch: Batch, lr: number, stepSeed: number): StepResult;
}

/** `kinds`: which variables get gradients (weights; plus ranges for learned-range QAT). */
export function createStepper(graph: TrainGraph, store: VariableStore, optimizer: Optimizer, kinds?: readonly VariableKind[]): Stepper {
  const weights = store.trainable(kinds);
  const varList = [...weights.values()];
  // variableGrads keys gradients by tfjs' internal variable names.
  const ourName = new Map([...weights].map(([n, v]) => [v.name, n]));
  return {
    run(batch, lr, stepSeed) {
      const x = tf.tensor4d(batch.x, batch.shape);
      const y = tf.tensor1d(batch.y, 'int32');
      let updates: StatUpdate[] = [];
      let ranges: RangeUpdate[] = [];
      let correct: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const out = graph.run(x, { stepSeed });
        updates = out.statUpdates;
        ranges = out.rangeUpdates;
        correct = tf.keep(correctCount(out.logits, y));
        return crossEntropy(out.logits, y);
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
