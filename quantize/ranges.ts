// Where quantization ranges come from: observed (EMA of batch ranges for
// activations, last value for weights), then optionally learned by the
// optimizer through fakeQuant's range gradient. Follows TF's quantization
// helpers (tfmot quant_ops: MovingAvgQuantize / LastValueQuantize), except
// that the first observed batch initialises a range directly instead of
// averaging in from an arbitrary [−6, 6].
//
// No store lives here: range variables are created through the caller's
// getter and named `<name>/min`, `<name>/max`, `<name>/observed`, so they sit
// in the graph builders' one named variable store (and its checkpoint).
import * as tf from '@tensorflow/tfjs';
import { fakeQuant } from './fake-quant.js';
import { MIN_SYMMETRIC_ABS } from './math.js';

/** Returns the variable called `name`, creating it from `init()` the first time. */
export type VariableGetter = (name: string, init: () => tf.Tensor, trainable: boolean) => tf.Variable;

/** A VariableGetter over a plain named store (the variable's tfjs name stays unique/automatic). */
export function storeGetter(store: Map<string, tf.Variable>): VariableGetter {
  return (name, init, trainable) => {
    const existing = store.get(name);
    if (existing) return existing;
    const v = tf.tidy(() => tf.variable(init(), trainable));
    store.set(name, v);
    return v;
  };
}

export interface RangeVariables {
  /** Range ends: scalars per tensor, [C] per channel. */
  min: tf.Variable;
  max: tf.Variable;
  /** Scalar count of batches observed so far (0 = not yet initialised). */
  observed: tf.Variable;
}

/** How a quantizer finds its range and what it does with it. */
export interface QuantizerConfig {
  bits: number;
  narrowRange: boolean;
  /** Per-channel axis of the quantized tensor; omit for per-tensor. */
  axis?: number;
  /**
   * Symmetric ranges (weights): with narrowRange the range is [−a, a],
   * a = max|w|, so the int8 zero point is 0; without it TF's two's-complement
   * ratio [−a·2^b/(2^b−2), a] (zero point 0 as well).
   */
  symmetric?: boolean;
  /**
   * 'ema': moving average of batch ranges (activations, TF's default).
   * 'minmax': the current tensor's range every step (weights, TF's LastValue).
   * 'learned': observed by `observer` for the first `observeSteps` steps, then
   * trainable variables updated by the optimizer through fakeQuant's gradient.
   */
  range: 'ema' | 'minmax' | 'learned';
  /** Observer of a 'learned' range during its observation phase. Default 'ema'. */
  observer?: 'ema' | 'minmax';
  /** EMA decay (TF: 0.999). */
  decay?: number;
  /** 'learned' only: steps of observation before learning (at least 1). */
  observeSteps?: number;
  /** 'learned' only: the LSQ step-size gradient instead of TF's. */
  lsq?: boolean;
  /** Steps for which the quantizer is the identity while ranges are still observed. */
  quantDelay?: number;
}

export const DEFAULT_EMA_DECAY = 0.999;

/** The range variables of quantizer `name`; trainable iff the range is learned. */
export function rangeVariables(get: VariableGetter, name: string, config: QuantizerConfig, channels?: number): RangeVariables {
  if (config.axis !== undefined && !(channels !== undefined && channels > 0)) {
    throw new Error(`per-channel quantizer '${name}' needs its channel count`);
  }
  const shape = config.axis === undefined ? [] : [channels as number];
  const trainable = config.range === 'learned';
  return {
    min: get(`${name}/min`, () => tf.zeros(shape), trainable),
    max: get(`${name}/max`, () => tf.zeros(shape), trainable),
    observed: get(`${name}/observed`, () => tf.scalar(0), false),
  };
}


/**
 * The range of x (per channel along `axis`, or whole), widened to contain 0
 * — TFLite needs 0 exactly representable — and made symmetric if asked.
 */
/** A range widened to contain 0, as every quantization grid must (0 is exactly representable). */
export function includingZero(min: tf.Tensor, max: tf.Tensor): { min: tf.Tensor; max: tf.Tensor } {
  return { min: tf.minimum(min, 0), max: tf.maximum(max, 0) };
}

/** includingZero for a range held as numbers. */
export function rangeIncludingZero(min: number, max: number): [number, number] {
  return [Math.min(min, 0), Math.max(max, 0)];
}

export function batchRange(
  x: tf.Tensor,
  opts: { axis?: number; symmetric?: boolean; bits?: number; narrowRange?: boolean } = {},
): { min: tf.Tensor; max: tf.Tensor } {
  return tf.tidy(() => {
    let axes: number[] | undefined;
    if (opts.axis !== undefined) {
      const a = opts.axis < 0 ? opts.axis + x.rank : opts.axis;
      axes = x.shape.map((_, i) => i).filter((i) => i !== a);
    }
    let { min: lo, max: hi } = includingZero(tf.min(x, axes), tf.max(x, axes));
    if (opts.symmetric) {
      lo = tf.minimum(lo, -MIN_SYMMETRIC_ABS);
      hi = tf.maximum(hi, MIN_SYMMETRIC_ABS);
      const bits = opts.bits ?? 8;
      // TF's ratio of the negative to the positive end of the integer grid.
      const ratio = opts.narrowRange ? -1 : -(2 ** bits - 2) / 2 ** bits;
      const sLo = tf.minimum(lo, tf.div(hi, ratio));
      const sHi = tf.maximum(hi, tf.mul(lo, ratio));
      return { min: sLo, max: sHi };
    }
    return { min: lo, max: hi };
  });
}

/**
 * TF's assign_moving_average (no debiasing): v ← v − (v − batch)·(1 − decay),
 * except that the first observed batch is taken as it is.
 */
export function observeEma(vars: RangeVariables, x: tf.Tensor, config: QuantizerConfig): void {
  const decay = config.decay ?? DEFAULT_EMA_DECAY;
  if (!(decay >= 0 && decay < 1)) throw new Error(`EMA decay must be in [0, 1); got ${decay}`);
  tf.tidy(() => {
    const batch = batchRange(x, config);
    const first = tf.broadcastTo(tf.equal(vars.observed, 0), vars.min.shape);
    const ema = (v: tf.Tensor, b: tf.Tensor) => tf.sub(v, tf.mul(tf.sub(v, b), 1 - decay));
    vars.min.assign(tf.where(first, batch.min, ema(vars.min, batch.min)));
    vars.max.assign(tf.where(first, batch.max, ema(vars.max, batch.max)));
    vars.observed.assign(tf.add(vars.observed, 1));
  });
}

/** TF's LastValueQuantize: the range is the current tensor's range. */
export function observeLastValue(vars: RangeVariables, x: tf.Tensor, config: QuantizerConfig): void {
  tf.tidy(() => {
    const batch = batchRange(x, config);
    vars.min.assign(batch.min);
    vars.max.assign(batch.max);
    vars.observed.assign(tf.add(vars.observed, 1));
  });
}

function observeSteps(config: QuantizerConfig): number {
  return Math.max(1, config.observeSteps ?? 1);
}

/** Whether the quantizer still observes its range at this step (rather than learning or keeping it). */
export function isObserving(config: QuantizerConfig, step: number): boolean {
  return config.range !== 'learned' || step < observeSteps(config);
}

/**
 * The train-graph quantizer: observes the range of x when due (in place, on
 * `vars`), then fake-quantizes x with the updated range — or returns x itself
 * while `step < quantDelay`. Range gradients flow only to learned ranges
 * past their observation phase.
 */
export function trainQuantize(x: tf.Tensor, vars: RangeVariables, config: QuantizerConfig, step: number): tf.Tensor {
  const observing = isObserving(config, step);
  if (observing) {
    const observer = config.range === 'learned' ? (config.observer ?? 'ema') : config.range;
    if (observer === 'ema') observeEma(vars, x, config);
    else observeLastValue(vars, x, config);
  }
  if (step < (config.quantDelay ?? 0)) return x;
  return fakeQuant(x, vars.min, vars.max, {
    bits: config.bits,
    narrowRange: config.narrowRange,
    axis: config.axis,
    rangeGradient: observing ? 'none' : config.lsq ? 'lsq' : 'tf',
  });
}

/** The eval-graph quantizer: frozen ranges, exactly the arithmetic the exporter assumes. */
export function evalQuantize(x: tf.Tensor, vars: RangeVariables, config: QuantizerConfig): tf.Tensor {
  return fakeQuant(x, vars.min, vars.max, {
    bits: config.bits,
    narrowRange: config.narrowRange,
    axis: config.axis,
    rangeGradient: 'none',
  });
}

/**
 * Fake-quantizes x with the range of x itself (no variables): weights in an
 * eval graph, where the range is a function of the (frozen, BN-folded)
 * weights — the same floats the exporter derives from them.
 */
export function currentRangeQuantize(x: tf.Tensor, config: QuantizerConfig): tf.Tensor {
  return tf.tidy(() => {
    const r = batchRange(x, config);
    return fakeQuant(x, r.min, r.max, {
      bits: config.bits,
      narrowRange: config.narrowRange,
      axis: config.axis,
      rangeGradient: 'none',
    });
  });
}
