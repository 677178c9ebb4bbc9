// Instance / layer normalization as one op with its closed-form backward:
// the composite (moments, sub, rsqrt, mul, add) keeps each primitive's
// inputs alive for the backward pass; this keeps the normalized values and
// the per-group inverse standard deviation only. Every kernel it uses runs
// on wasm.
import * as tf from '@tensorflow/tfjs';

/** Σ of t down to `shape` (t's shape with some axes of size 1): how a broadcast operand's gradient folds back. */
export function sumToShape(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = shape.map((d, i) => (d === 1 && t.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  return axes.length ? tf.sum(t, axes, true) : t;
}

/**
 * y = γ·(x − μ)/√(σ² + ε) + β, μ and σ² (biased) over the batched `axes` of
 * x, per everything else. γ and β are broadcast against x (same rank, size
 * 1 where they do not vary). Gradients for x, γ and β; dx includes the
 * statistics' own dependence on x:
 *   dx = r·(g − mean(g) − x̂·mean(g·x̂)),  g = dy·γ, r = 1/√(σ² + ε)
 * with the means over `axes`.
 */
export function normalize(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, axes: number[], epsilon: number): tf.Tensor {
  const count = axes.reduce((n, a) => n * x.shape[a]!, 1);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xIn, gIn, bIn, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const { mean, variance } = tf.moments(xIn, axes, true);
    const inv = tf.rsqrt(tf.add(variance, epsilon));
    const xhat = tf.mul(tf.sub(xIn, mean), inv);
    save([xhat, inv, gIn]);
    return {
      value: tf.add(tf.mul(xhat, gIn), bIn),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, r, g] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dBeta = sumToShape(dy, bIn.shape);
        const dyXhat = tf.mul(dy, xh);
        const dGamma = sumToShape(dyXhat, g.shape);
        const gy = tf.mul(dy, g);
        const meanG = tf.div(tf.sum(gy, axes, true), count);
        const meanGX = tf.div(tf.sum(tf.mul(gy, xh), axes, true), count);
        const dx = tf.mul(tf.sub(tf.sub(gy, meanG), tf.mul(xh, meanGX)), r);
        return [dx, dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta);
}
