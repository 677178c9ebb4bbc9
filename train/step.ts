// One optimizer step of the train graph: forward with batch statistics,
// gradients of the mean cross-entropy, optimizer update, moving-stat update.
// Every tensor created here is disposed before returning.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../datasets/types.js';
import { applyStatUpdates, type StatUpdate, type TrainGraph } from './graph/build.js';
import { correctCount, crossEntropy } from './loss.js';
import type { Optimizer } from './optimizers.js';
import type { VariableStore } from './state.js';

export interface StepResult {
  loss: number;
  correct: number;
}

export interface Stepper {
  run(batch: Batch, lr: number, stepSeed: number): StepResult;
}

export function createStepper(graph: TrainGraph, store: VariableStore, optimizer: Optimizer): Stepper {
  const weights = store.trainable();
  const varList = [...weights.values()];
  // variableGrads keys gradients by tfjs' internal variable names.
  const ourName = new Map([...weights].map(([n, v]) => [v.name, n]));
  return {
    run(batch, lr, stepSeed) {
      const x = tf.tensor4d(batch.x, batch.shape);
      const y = tf.tensor1d(batch.y, 'int32');
      let updates: StatUpdate[] = [];
      let correct: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const out = graph.run(x, { stepSeed });
        updates = out.statUpdates;
        correct = tf.keep(correctCount(out.logits, y));
        return crossEntropy(out.logits, y);
      }, varList);
      try {
        const named = new Map(Object.entries(grads).map(([k, g]) => [ourName.get(k)!, g]));
        optimizer.apply(named, lr, store.step);
        applyStatUpdates(store, updates);
        store.setStep(store.step + 1);
        return { loss: value.dataSync()[0], correct: correct!.dataSync()[0] };
      } finally {
        tf.dispose([x, y, value, ...(correct ? [correct] : []), ...Object.values(grads)]);
        for (const u of updates) u.value.dispose();
      }
    },
  };
}
