// Helpers for comparing the layers/ops gradients on one backend with tfjs's
// own gradients on the cpu backend. Inputs are plain arrays so each backend
// builds its own tensors (no cross-backend data moves hide in the timings
// or the leak counts).
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';

export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** Deterministic uniform values in [−1, 1). */
export function randomHost(shape: number[], seed: number): HostTensor {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    data[i] = s / 2 ** 31 - 1;
  }
  return { shape, data };
}

export function toTensor(h: HostTensor): tf.Tensor {
  return tf.tensor(h.data, h.shape, 'float32');
}

/** max|a − b| / max|b|: robust to entries near zero, fails on real mismatches. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  if (!Number.isFinite(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

export interface GradResult {
  value: HostTensor;
  grads: HostTensor[];
}

/**
 * Forward value and gradients of loss = Σ f(inputs) ⊙ weights, read back to
 * the host. The weights make dy a dense random tensor rather than all ones.
 */
export function valueAndGrads(
  f: (...inputs: tf.Tensor[]) => tf.Tensor, inputs: HostTensor[], lossWeightsSeed: number,
): GradResult {
  const outs = tf.tidy(() => {
    const ts = inputs.map(toTensor);
    const value = f(...ts);
    const weights = toTensor(randomHost(value.shape, lossWeightsSeed));
    const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), weights)))(ts);
    return [value, ...grads];
  });
  const host = outs.map((t): HostTensor => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  tf.dispose(outs);
  return { value: host[0], grads: host.slice(1) };
}

/** [kh, kw, ...] → [(kh−1)·d+1, (kw−1)·d+1, ...] with zeros between taps, built from differentiable ops. */
export function dilateFilter(filter: tf.Tensor4D, d: [number, number]): tf.Tensor4D {
  const [kh, kw, a, b] = filter.shape;
  const blocks = tf.pad(tf.reshape(filter, [kh, 1, kw, 1, a, b]), [[0, 0], [0, d[0] - 1], [0, 0], [0, d[1] - 1], [0, 0], [0, 0]]);
  const spread = tf.reshape(blocks, [kh * d[0], kw * d[1], a, b]);
  return tf.slice(spread as tf.Tensor4D, [0, 0, 0, 0], [(kh - 1) * d[0] + 1, (kw - 1) * d[1] + 1, a, b]);
}

/** Runs `fn` on `backend` and checks it left no tensors behind there. */
export async function onBackendNoLeak<T>(backend: string, fn: () => T): Promise<T> {
  expect(await tf.setBackend(backend)).to.equal(true);
  const before = tf.memory().numTensors;
  const out = fn();
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).to.equal(before);
  return out;
}
