// FakeQuant as a tfjs op: TensorFlow's FakeQuantWithMinMaxVars(PerChannel)
// forward and gradient, with min/max as ordinary (trainable) tensors.
//
// The nudged range is computed from the min/max tensors with tensor ops that
// repeat quantize/math.ts's `nudge` step for step in float32, and the forward
// repeats `fakeQuantValue`: the exporter reads the same min/max variables and
// calls math.ts, so the eval graph and the int8 model agree bit for bit.
//
// Only elementwise ops, reductions, reshape and select are used — all native
// kernels on both the wasm and cpu backends — and the gradient is written by
// hand (tf.customGrad), so none of the inner ops' gradients is ever needed.
import * as tf from '@tensorflow/tfjs';
import { MIN_SCALE, POINT_RANGE_SCALE, unsignedGrid, type QuantGrid } from './math.js';

export interface FakeQuantOptions {
  /** Bit width, 2..16 (TF allows 2..16; int8 export needs ≤ 8). Default 8. */
  bits?: number;
  /** Grid [1, 2^bits−1] instead of [0, 2^bits−1] (symmetric int8 weights). Default false. */
  narrowRange?: boolean;
  /**
   * Per-channel quantization along this axis of x (negative counts from the
   * end); min/max then hold one value per channel. Omit for per-tensor.
   */
  axis?: number;
  /**
   * Range gradient. 'tf' (default): dmin = Σg over x < nudged_min, dmax = Σg
   * over x > nudged_max, as TensorFlow. 'lsq': the LSQ step-size gradient
   * (Esser et al. 2020), see `lsqGradScale`. 'none': dmin = dmax = 0 (ranges
   * owned by an observer, or frozen) — also skips the reductions.
   */
  rangeGradient?: 'tf' | 'lsq' | 'none';
  /**
   * LSQ gradient scale; default 1/sqrt(N·Qp) per channel with N the number
   * of elements of x in that channel and Qp = qmax − zero_point (the count of
   * positive levels; zero_point − qmin when there are none).
   */
  lsqGradScale?: number;
}

/** A nudged range as tensors of the channel shape (scalar when per-tensor). */
export interface NudgedRangeTensors {
  scale: tf.Tensor;
  /** f32(1/scale), the multiplier the forward uses (as math.ts's fakeQuantIndex). */
  invScale: tf.Tensor;
  /** Zero point on the unsigned grid, an integer-valued float tensor. */
  zeroPoint: tf.Tensor;
  nudgedMin: tf.Tensor;
  nudgedMax: tf.Tensor;
}

/**
 * math.ts's `nudge` as tensor ops on min/max of any shape (elementwise).
 * Every step is one float32 operation in the same order, so the results are
 * the same floats math.ts produces for the same min/max.
 */
export function nudgedRange(min: tf.Tensor, max: tf.Tensor, grid: QuantGrid): NudgedRangeTensors {
  return tf.tidy(() => {
    const { qmin, qmax } = grid;
    const width = tf.sub(max, min);
    const scale = tf.where(tf.equal(width, 0), tf.fill(width.shape, POINT_RANGE_SCALE), tf.maximum(tf.div(width, qmax - qmin), MIN_SCALE));
    const zpFromMin = tf.sub(qmin, tf.div(min, scale));
    // Clamping first and then rounding equals math.ts's clamp-or-round
    // because the grid ends are integers.
    const clamped = tf.clipByValue(zpFromMin, qmin, qmax);
    // Round half away from zero (values are ≥ 0). floor(v + 0.5) in float32 is
    // wrong for v = 0.49999997 (the sum rounds up to 1), so split off the
    // fraction instead: v − floor(v) is exact for v ≥ 0.
    const whole = tf.floor(clamped);
    const zeroPoint = tf.add(whole, tf.cast(tf.greaterEqual(tf.sub(clamped, whole), 0.5), 'float32'));
    return {
      scale,
      invScale: tf.div(1, scale),
      zeroPoint,
      nudgedMin: tf.mul(tf.sub(qmin, zeroPoint), scale),
      nudgedMax: tf.mul(tf.sub(qmax, zeroPoint), scale),
    };
  });
}

/** Resolved layout of the per-channel parameters against x. */
interface ChannelLayout {
  /** Normalised axis, or null for per-tensor. */
  axis: number | null;
  channels: number;
  /** Shape min/max are reshaped to so they broadcast against x. */
  paramShape: number[];
}

function channelLayout(x: tf.Tensor, min: tf.Tensor, max: tf.Tensor, axis: number | undefined): ChannelLayout {
  if (axis === undefined) {
    if (min.size !== 1 || max.size !== 1) {
      throw new Error(`per-tensor fakeQuant needs scalar min/max; got shapes [${min.shape}] and [${max.shape}] (pass axis for per-channel)`);
    }
    return { axis: null, channels: 1, paramShape: [] };
  }
  const rank = x.rank;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`fakeQuant axis ${axis} is out of range for a rank-${rank} input`);
  }
  const a = axis < 0 ? axis + rank : axis;
  const channels = x.shape[a];
  if (min.size !== channels || max.size !== channels) {
    throw new Error(`per-channel fakeQuant on axis ${a} needs ${channels} min/max values; got ${min.size} and ${max.size}`);
  }
  const paramShape = x.shape.map((d, i) => (i === a ? d : 1));
  return { axis: a, channels, paramShape };
}

/**
 * Sums t (shaped like x) down to one value per channel, shaped like `like`.
 * Viewing t as [outer, C, inner]: the inner dims are summed as rows
 * (contiguous), the outer ones by a matMul with a ones vector. On wasm the
 * matMul form is ~3× faster than Sum over a leading axis (which transposes
 * first), and only with the big operand as the transposed left input: as the
 * right input xnnpack repacks it as weights, ~10× slower.
 */
function sumPerChannel(t: tf.Tensor, layout: ChannelLayout, like: tf.Tensor): tf.Tensor {
  const { axis, channels } = layout;
  if (axis === null) return tf.reshape(tf.sum(t), like.shape);
  const outer = t.shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  let s = inner > 1 ? tf.sum(tf.reshape(t, [outer * channels, inner]), 1) : t;
  if (outer > 1) s = tf.matMul(tf.reshape(s, [outer, channels]), tf.ones([outer, 1]), true, false);
  return tf.reshape(s, like.shape);
}

/**
 * Fake-quantizes x to the nudged grid of [min, max]:
 *   y = (clamp(floor((x − nmin)·(1/s) + 0.5), 0, qmax − qmin))·s + nmin
 * which equals TF's clamp-then-round and math.ts's `fakeQuantValue` in every
 * float32 bit. Gradients: dx = g where nmin ≤ x ≤ nmax (else 0), and dmin/dmax
 * per `rangeGradient`; they have the shapes of min and max.
 *
 * Where this departs from TF's kernels, it follows math.ts: x is multiplied by
 * f32(1/s) (TF's FakeQuantWithMinMaxArgs form) where FakeQuantWithMinMaxVars
 * divides by s — the two differ by one step for ~1 value in 500k; a range with
 * max ≤ min gets scale 2^-24 (TF divides by zero); zero points above 255 (bits
 * > 8) are not wrapped to uint8. A NaN in x gets a NaN gradient (TF: 0).
 */
export function fakeQuant(x: tf.Tensor, min: tf.Tensor, max: tf.Tensor, opts: FakeQuantOptions = {}): tf.Tensor {
  const grid = unsignedGrid(opts.bits ?? 8, opts.narrowRange ?? false);
  const layout = channelLayout(x, min, max, opts.axis);
  const mode = opts.rangeGradient ?? 'tf';
  const levels = grid.qmax - grid.qmin;

  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xt, minIn, maxIn] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const r = nudgedRange(
      tf.reshape(minIn, layout.paramShape),
      tf.reshape(maxIn, layout.paramShape),
      grid,
    );
    // Clamping the grid index rather than x saves an op and gives the same
    // index: rounding is monotonic, and x = nmin / nmax land exactly on
    // 0 / qmax−qmin (their float error is far below half a step).
    const index = tf.clipByValue(tf.floor(tf.add(tf.div(tf.sub(xt, r.nudgedMin), r.scale), 0.5)), 0, levels);
    const y = tf.add(tf.mul(index, r.scale), r.nudgedMin);
    save(mode === 'lsq' ? [xt, r.nudgedMin, r.nudgedMax, r.invScale, r.zeroPoint, y] : [xt, r.nudgedMin, r.nudgedMax]);

    const gradFunc = (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]): tf.Tensor[] => {
      const g = dy as tf.Tensor;
      const [xs, nMin, nMax] = saved;
      // The masks come from signs of differences: an IEEE difference of two
      // distinct floats is never zero and has the true sign, so step() of it
      // is exactly the comparison, and sub/step/mul stay fast on wasm with a
      // per-channel operand where its comparison kernels take ~25× longer.
      const below = tf.step(tf.sub(nMin, xs)); // 1 where x < nmin
      const above = tf.step(tf.sub(xs, nMax)); // 1 where x > nmax
      if (mode === 'tf') {
        const gBelow = tf.mul(g, below);
        const gAbove = tf.mul(g, above);
        // Exact: each element subtracts g itself or zero.
        const dx = tf.sub(tf.sub(g, gBelow), gAbove);
        return [dx, sumPerChannel(gBelow, layout, minIn), sumPerChannel(gAbove, layout, maxIn)];
      }
      const outside = tf.add(below, above);
      const dx = tf.sub(g, tf.mul(g, outside));
      if (mode === 'none') return [dx, tf.zerosLike(minIn), tf.zerosLike(maxIn)];
      // LSQ: ∂y/∂s with round() passed straight through and the zero point
      // held: (y − x)/s inside the range, the clamped level y/s outside it.
      const [, , , invScale, zeroPoint, ys] = saved;
      const xInside = tf.sub(xs, tf.mul(xs, outside));
      const dyds = tf.mul(tf.sub(ys, xInside), invScale);
      const n = x.size / layout.channels;
      const gradS = tf.mul(sumPerChannel(tf.mul(g, dyds), layout, invScale), lsqScale(zeroPoint, grid, n, opts.lsqGradScale));
      // Handing ∂L/∂s to min and max in the ratio (qmin−zp) : (qmax−zp)
      // makes an SGD step move s by −lr·∂L/∂s and leave the zero point where
      // it is (a ReLU range keeps min = 0; a symmetric one stays symmetric).
      return [
        dx,
        tf.reshape(tf.mul(gradS, tf.sub(grid.qmin, zeroPoint)), minIn.shape),
        tf.reshape(tf.mul(gradS, tf.sub(grid.qmax, zeroPoint)), maxIn.shape),
      ];
    };
    return { value: y, gradFunc };
  });
  return op(x, min, max);
}

/** LSQ gradient scale 1/sqrt(N·Qp), per channel (or the caller's constant). */
function lsqScale(zeroPoint: tf.Tensor, grid: QuantGrid, n: number, override: number | undefined): tf.Tensor {
  if (override !== undefined) return tf.scalar(override);
  const positive = tf.sub(grid.qmax, zeroPoint);
  const qp = tf.where(tf.greater(positive, 0), positive, tf.sub(zeroPoint, grid.qmin));
  return tf.rsqrt(tf.mul(tf.maximum(qp, 1), n));
}
