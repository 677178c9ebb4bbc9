// Adam and SGD with momentum, written here so their slots live in the one
// variable store (and therefore in checkpoints) under readable names.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../src/errors.js';
import type { VariableKind, VariableStore } from './state.js';
import { simdAdamUpdate, simdSgdUpdate } from '../layers/wasm/row_ops.js';
import { simdKernelsAvailable } from '../layers/wasm/tfjs_heap.js';

export type OptimizerName = 'adam' | 'sgd';
export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd'];

export type OptimizerConfig =
  | { name: 'adam'; beta1: number; beta2: number; epsilon: number }
  | { name: 'sgd'; momentum: number; nesterov: boolean };

export function optimizerConfig(name: string): OptimizerConfig {
  if (name === 'adam') return { name, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
  if (name === 'sgd') return { name, momentum: 0.9, nesterov: false };
  throw new UserError(`unknown optimizer '${name}'; choose adam or sgd`);
}

export interface Optimizer {
  config: OptimizerConfig;
  /** Updates every weight with its gradient; `step` is the number of updates already applied. */
  apply(grads: Map<string, tf.Tensor>, lr: number, step: number): void;
}

const slotName = (opt: string, slot: string, v: string): string => `optimizer/${opt}/${slot}/${v}`;

function ensureSlot(store: VariableStore, name: string, like: tf.Variable): tf.Variable {
  return store.has(name) ? store.get(name) : store.add(name, 'slot', tf.zerosLike(like));
}

/** Creates (or reuses, when restored from a checkpoint) the optimizer's slots in `store`. */
export function createOptimizer(config: OptimizerConfig, store: VariableStore, kinds?: readonly VariableKind[]): Optimizer {
  const weights = store.trainable(kinds);
  // Slots of another optimizer (after switching --optimizer on resume) would be unexpected state.
  for (const n of store.names(['slot'])) if (!n.startsWith(`optimizer/${config.name}/`)) store.remove(n);
  if (config.name === 'adam') {
    const { beta1, beta2, epsilon } = config;
    const slots = new Map([...weights].map(([n, v]) => [n, {
      m: ensureSlot(store, slotName('adam', 'm', n), v),
      v: ensureSlot(store, slotName('adam', 'v', n), v),
    }]));
    return {
      config,
      apply(grads, lr, step) {
        const t = step + 1;
        const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
        const fused = simdKernelsAvailable();
        tf.tidy(() => {
          for (const [n, g] of grads) {
            const w = weights.get(n)!;
            const s = slots.get(n)!;
            if (fused) {
              const [w1, m1, v1] = simdAdamUpdate(w, g, s.m, s.v, { beta1, beta2, epsilon, lr: lrT });
              s.m.assign(m1);
              s.v.assign(v1);
              w.assign(w1);
              continue;
            }
            const m = tf.add(tf.mul(s.m, beta1), tf.mul(g, 1 - beta1));
            const v = tf.add(tf.mul(s.v, beta2), tf.mul(tf.square(g), 1 - beta2));
            s.m.assign(m);
            s.v.assign(v);
            w.assign(tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon)), lrT)));
          }
        });
      },
    };
  }
  const { momentum, nesterov } = config;
  const velocity = new Map([...weights].map(([n, v]) => [n, ensureSlot(store, slotName('sgd', 'velocity', n), v)]));
  return {
    config,
    apply(grads, lr) {
      const fused = simdKernelsAvailable();
      tf.tidy(() => {
        for (const [n, g] of grads) {
          const w = weights.get(n)!;
          const vel = velocity.get(n)!;
          if (fused) {
            const [w1, vel1] = simdSgdUpdate(w, g, vel, momentum, nesterov, lr);
            vel.assign(vel1);
            w.assign(w1);
            continue;
          }
          const next = tf.add(tf.mul(vel, momentum), g);
          vel.assign(next);
          const update = nesterov ? tf.add(g, tf.mul(next, momentum)) : next;
          w.assign(tf.sub(w, tf.mul(update, lr)));
        }
      });
    },
  };
}
