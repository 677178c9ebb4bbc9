// What a kernel sees besides its inputs: train or eval mode, the store's
// variables, collectors for state updates, and (for the QAT IR) the
// quantization schedule.
import type * as tf from '@tensorflow/tfjs';
import { QAT_DEFAULTS, type RangeMode } from '../../quantize/config.js';
import type { IRNode, NodeOf } from '../../src/ir/types.js';
import type { ActivationGrid } from './grid.js';

/** A batch statistic the train graph produced; the caller folds it into the moving value. */
export interface StatUpdate {
  /** Store name of the moving variable. */
  name: string;
  /** Batch value (kept alive past tidy; the consumer disposes it). */
  value: tf.Tensor;
  momentum: number;
}

/**
 * A new value for a quantization range variable (already the EMA). Several
 * fakeQuant nodes may share one variable (concat); their values combine by
 * min (for min) or max (for max) so the shared range covers every member.
 */
export interface RangeUpdate {
  name: string;
  value: tf.Tensor;
  combine: 'min' | 'max';
}

/** The QAT schedule as kernels need it. Steps count from the start of QAT. */
export interface QatRuntime {
  step: number;
  quantDelay: number;
  freezeBnStep: number | null;
  rangeMode: RangeMode;
  emaDecay: number;
  /** Calibration: observe ranges only — no fake quant, BN on moving statistics, no dropout. */
  observeOnly: boolean;
  /** Decay of this observation when it differs from emaDecay (calibration averages batches). */
  observeDecay?: number;
  /** The fakeQuant feeding each fused layer's input (null: float input), for the eval graph's bias quantization. */
  inputQuantizers: ReadonlyMap<string, NodeOf<'fakeQuant'> | null>;
  /** The graph is a QAT IR: ops with weights of their own (a PReLU slope) fake-quantize them as the int8 file stores them. */
  quantizedGraph?: boolean;
}

/** Whether fake quant is on at this step: past the quant delay, and not a calibration pass (which only observes). */
export function fakeQuantOn(q: QatRuntime): boolean {
  return !q.observeOnly && q.step >= q.quantDelay;
}

export const DEFAULT_QAT_RUNTIME: QatRuntime = {
  step: Number.MAX_SAFE_INTEGER,
  quantDelay: QAT_DEFAULTS.quantDelay,
  freezeBnStep: QAT_DEFAULTS.freezeBnStep,
  rangeMode: QAT_DEFAULTS.rangeMode,
  emaDecay: QAT_DEFAULTS.emaDecay,
  observeOnly: false,
  inputQuantizers: new Map(),
};

/**
 * How the eval graph of a QAT IR computes its quantized ops. 'integer':
 * exactly the int8 model's arithmetic (XNNPACK's, as LiteRT runs it and
 * src/interpreter reproduces it), on integer codes recovered from the grid
 * values; 'simulated': float32 ops on fake-quantized values (the arithmetic
 * training uses), which can land 1 LSB off near rounding boundaries.
 */
export type EvalArithmetic = 'integer' | 'simulated';

/** What the integer eval kernels need to know about a node's surroundings. */
export interface IntegerEvalInfo {
  /** The fakeQuant feeding input `index` (through pass-through ops), or null where it is float. */
  inputQuantizer(node: IRNode, index: number): NodeOf<'fakeQuant'> | null;
  /** The fakeQuant quantizing this node's output, or null. */
  outputQuantizer(node: IRNode): NodeOf<'fakeQuant'> | null;
  /** The node's output shape at this batch size. */
  outputShape(node: IRNode, batch: number): number[];
  /** The frozen int8 grid of a fakeQuant (null unless 8-bit: only those have integer kernels). */
  grid(fq: NodeOf<'fakeQuant'>): ActivationGrid | null;
  /** Records that an integer kernel computed this node (its output lies on its output fakeQuant's grid). */
  markComputed(node: IRNode): void;
  /** The output fakeQuant's name if an integer kernel computed `name` on its grid, else null. */
  computedOnGrid(name: string): string | null;
}

export interface KernelContext {
  training: boolean;
  /** Present in the integer eval graph: quantized ops then compute the int8 model's integers. */
  integer?: IntegerEvalInfo;
  /**
   * Layers whose input carries no gradient (the model input, possibly through
   * a fakeQuant with no range gradient): their conv skips the input gradient.
   */
  constInputs?: ReadonlySet<string>;
  /**
   * Train graph only: fakeQuant nodes that apply their input layer's
   * relu/relu6 themselves (that layer, in `deferredActivations`, skips it),
   * so an activation and its fake quant are one pass forward and backward.
   */
  activationInto?: ReadonlyMap<string, 'relu' | 'relu6'>;
  deferredActivations?: ReadonlySet<string>;
  /**
   * Train graph only: a BN-folded layer's fake quant when that is the
   * layer's only consumer; while it observes EMA ranges the layer runs its
   * batch norm and that fake quant as one op.
   */
  fakeQuantAfter?: ReadonlyMap<string, NodeOf<'fakeQuant'>>;
  /** Train graph only: a batchNorm node's relu/relu6 when that is its only consumer; on wasm the two run as one op. */
  activationAfterNorm?: ReadonlyMap<string, NodeOf<'relu'> | NodeOf<'relu6'>>;
  /** Nodes of this run whose op their input's producer already applied (they pass their input through). */
  appliedUpstream?: Set<string>;
  /** The variable (or, later, transformed tensor) behind a node's param role. */
  param(node: { name: string; params: Record<string, string> }, role: string): tf.Tensor;
  /** A store variable by name. */
  variable(name: string): tf.Tensor;
  /** Tensor fed to an input node. */
  feed(name: string): tf.Tensor;
  /** Collects batch statistics (training only). */
  statUpdates: StatUpdate[];
  /** Collects observed quantization ranges. */
  rangeUpdates: RangeUpdate[];
  /** Seed of this step's dropout masks. */
  stepSeed: number;
  /** Index of the first example of x in the whole batch (dropout draws the whole batch's rows). */
  exampleOffset?: number;
  /** Quantization schedule; absent for float graphs. */
  qat?: QatRuntime;
}

/** Unbiased variance for the moving average (batch variance underestimates it). */
export function bessel(count: number): number {
  return count > 1 ? count / (count - 1) : 1;
}

/** Inference-mode normalisation and no dropout: eval, and calibration's observation pass. */
export function inferenceMode(ctx: KernelContext): boolean {
  return !ctx.training || ctx.qat?.observeOnly === true;
}
