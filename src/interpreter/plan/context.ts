// What an op planner sees: the op's tensors (shape, dtype, quantization,
// arena view), a budget to reserve scratch memory and work against, and
// helpers that turn a broken expectation into one sentence naming the op.

import { UserError } from '../../errors.js';
import type { OperatorOptions, OpName } from '../../tflite/options.js';
import type { DType, TensorData } from '../dtypes.js';
import type { Arithmetic, FusedActivation, QuantParamsT } from '../kernels/index.js';
import { FIXED_OUTPUT_QUANT, type FixedQuantOp } from '../../../quantize/op-table.js';
import type { PreparedLayer } from '../../../quantize/prepare.js';
import { broadcastShapes } from '../kernels/broadcast.js';

export interface TensorInfo {
  index: number;
  name: string;
  dtype: DType;
  shape: number[];
  /** Element count. */
  size: number;
  bytes: number;
  /** Null when the tensor carries no scale. */
  quant: QuantParamsT | null;
  /** True for tensors whose contents come from the file. */
  constant: boolean;
  /** Stored as INT4 in the file; held here unpacked (dtype int8). */
  packedInt4?: boolean;
}

/** Runs one planned op over arena views fixed at plan time. */
export type Step = () => void;

export interface OpContext {
  index: number;
  op: OpName;
  version: number;
  options: OperatorOptions;
  /** Whose integer arithmetic the int8 kernels reproduce. */
  arithmetic: Arithmetic;
  /** "operator 3 (CONV_2D)" */
  label: string;
  /** Inputs in file order; null for an omitted optional input (−1). */
  inputs: ReadonlyArray<TensorInfo | null>;
  outputs: readonly TensorInfo[];
  /** The arena view of a tensor (constants already hold their data). */
  data(t: TensorInfo): TensorData;
  /** Counts scratch bytes a kernel is about to allocate against the arena cap. */
  reserve(bytes: number, what: string): void;
  /** Counts multiply-adds (or element visits) one invoke will do against the work cap. */
  work(ops: number): void;
  /** Keeps the record of a prepared int8 weighted layer (what the exporter's prepare computed). */
  recordLayer?(layer: PreparedLayer): void;
}

/** The op's options, typed. The interpreter pairs every op with its own options table, so a mismatch is a bug here. */
export function optionsOf<K extends OpName>(ctx: OpContext, ...ops: K[]): Extract<OperatorOptions, { op: K }> {
  const o = ctx.options;
  if (!(ops as readonly string[]).includes(o.op)) throw new Error('options mismatch');
  return o as Extract<OperatorOptions, { op: K }>;
}

export function invalid(ctx: OpContext, detail: string): UserError {
  return new UserError(`The model is invalid: ${ctx.label} ${detail}.`);
}

export function unsupported(ctx: OpContext, detail: string): UserError {
  return new UserError(`The interpreter cannot run ${ctx.label}: ${detail}.`);
}

export function tensorWord(t: TensorInfo): string {
  return `tensor ${t.index} ${JSON.stringify(t.name)}`;
}

export function input(ctx: OpContext, k: number, what: string): TensorInfo {
  const t = ctx.inputs[k];
  if (!t) throw invalid(ctx, `has no ${what} (input ${k})`);
  return t;
}

export function optionalInput(ctx: OpContext, k: number): TensorInfo | null {
  return ctx.inputs[k] ?? null;
}

export function output(ctx: OpContext, k = 0): TensorInfo {
  const t = ctx.outputs[k];
  if (!t) throw invalid(ctx, `has no output ${k}`);
  return t;
}

export function expectCounts(ctx: OpContext, minIn: number, maxIn: number, outs = 1): void {
  const n = ctx.inputs.length;
  if (n < minIn || n > maxIn) {
    const want = minIn === maxIn ? `${minIn}` : `${minIn}–${maxIn}`;
    throw invalid(ctx, `has ${n} inputs; it takes ${want}`);
  }
  if (ctx.outputs.length !== outs) throw invalid(ctx, `has ${ctx.outputs.length} outputs; it produces ${outs}`);
}

/** Strides, dilations and window sizes must be positive integers. */
export function requirePositive(ctx: OpContext, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) throw invalid(ctx, `has ${name} ${v}; it must be a positive integer`);
  }
}

export function requireConstant(ctx: OpContext, t: TensorInfo, what: string): void {
  if (!t.constant) throw unsupported(ctx, `its ${what} (${tensorWord(t)}) is computed at run time; only constant ${what} is supported`);
}

export function requireRank(ctx: OpContext, t: TensorInfo, rank: number, what: string): void {
  if (t.shape.length !== rank) throw invalid(ctx, `expects a ${rank}-D ${what} but ${tensorWord(t)} has shape [${t.shape.join(',')}]`);
}

/** Per-tensor quantization (one scale, one zero point within the dtype's range). */
export function perTensorQuant(ctx: OpContext, t: TensorInfo, what: string): QuantParamsT {
  const q = t.quant;
  if (!q || q.scale.length === 0) throw invalid(ctx, `needs a quantized ${what}, but ${tensorWord(t)} (${t.dtype}) has no scale`);
  if (q.scale.length !== 1) throw unsupported(ctx, `its ${what} (${tensorWord(t)}) has ${q.scale.length} per-channel scales; activations must be quantized per tensor`);
  const zp = q.zeroPoint.length > 0 ? q.zeroPoint[0]! : 0;
  const [lo, hi] = t.dtype === 'uint8' ? [0, 255] : t.dtype === 'int16' ? [-32768, 32767] : [-128, 127];
  if (zp < lo || zp > hi) throw invalid(ctx, `has ${what} ${tensorWord(t)} with zero point ${zp}, outside the ${t.dtype} range`);
  return q;
}

/**
 * The int8 output quantization TFLite fixes for `op` (quantize/op-table.ts),
 * within `tolerance` of the scale relative to it; returns the output's
 * quantization.
 */
export function requireFixedOutputQuant(ctx: OpContext, op: FixedQuantOp, tolerance = 0): QuantParamsT {
  const y = output(ctx);
  const q = perTensorQuant(ctx, y, 'output');
  const want = FIXED_OUTPUT_QUANT[op];
  const s = q.scale[0]!;
  const z = q.zeroPoint.length > 0 ? q.zeroPoint[0]! : 0;
  if (z !== want.zeroPoint || Math.abs(s - want.scale) > tolerance * want.scale) {
    throw invalid(ctx, `needs its int8 output ${tensorWord(y)} quantized with scale 1/${1 / want.scale} and zero point ${want.zeroPoint} (TFLite requires it); it has scale ${s} and zero point ${z}`);
  }
  return q;
}

/** The input and output of a data-moving op must share scale and zero point (TFLite requires it). */
export function requireSameQuant(ctx: OpContext, x: TensorInfo, y: TensorInfo): void {
  const qx = perTensorQuant(ctx, x, 'input');
  const qy = perTensorQuant(ctx, y, 'output');
  const sx = qx.scale[0]!;
  const sy = qy.scale[0]!;
  const zx = qx.zeroPoint[0] ?? 0;
  const zy = qy.zeroPoint[0] ?? 0;
  if (zx !== zy || Math.abs(sx - sy) > 1e-6 * Math.max(sx, sy)) {
    throw unsupported(ctx, `its input and output must share scale and zero point (TFLite requires it for ${ctx.op}); they are ${sx}/${zx} and ${sy}/${zy}`);
  }
}

/** Symmetric weights: scale per tensor or per output channel, zero points 0. */
export function weightQuant(ctx: OpContext, t: TensorInfo, channels: number, axis: number): QuantParamsT {
  const q = t.quant;
  if (!q || q.scale.length === 0) throw invalid(ctx, `needs quantized weights, but ${tensorWord(t)} has no scale`);
  if (q.scale.length !== 1 && q.scale.length !== channels) {
    throw invalid(ctx, `has ${q.scale.length} weight scales for ${channels} output channels`);
  }
  if (q.scale.length > 1 && q.quantizedDimension !== axis) {
    throw invalid(ctx, `has weights quantized along dimension ${q.quantizedDimension}; they must be quantized along dimension ${axis}`);
  }
  for (let i = 0; i < q.zeroPoint.length; i++) {
    if (q.zeroPoint[i] !== 0) throw unsupported(ctx, `its int8 weights (${tensorWord(t)}) have zero point ${q.zeroPoint[i]}; TFLite requires symmetric weights (zero point 0)`);
  }
  return q;
}

const KERNEL_ACTIVATIONS = ['NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'];

export function fusedActivation(ctx: OpContext, a: string): FusedActivation {
  if (!KERNEL_ACTIVATIONS.includes(a)) throw unsupported(ctx, `fused activation ${a} is not supported (supported: ${KERNEL_ACTIVATIONS.join(', ')})`);
  return a as FusedActivation;
}

/** Constant int32/int64 values (axes, paddings, shapes) as plain numbers. */
export function constantInts(ctx: OpContext, t: TensorInfo, what: string): number[] {
  requireConstant(ctx, t, what);
  const d = ctx.data(t);
  if (t.dtype === 'int32') return Array.from(d as Int32Array);
  if (t.dtype === 'int64') {
    return Array.from(d as BigInt64Array, (v) => {
      if (v > 2147483647n || v < -2147483648n) throw invalid(ctx, `has an out-of-range ${what} value ${v}`);
      return Number(v);
    });
  }
  throw invalid(ctx, `expects its ${what} as int32 or int64, but ${tensorWord(t)} is ${t.dtype}`);
}

/**
 * Runs a kernel's prepare; the kernels throw plain Errors for shapes or
 * parameters they cannot handle, which are the file's fault here.
 */
export function prepared<T>(ctx: OpContext, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof UserError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw invalid(ctx, `cannot be prepared (${msg})`);
  }
}

/** The computed output shape must be the one the file declares (activations are sized from it). */
export function checkOutputShape(ctx: OpContext, t: TensorInfo, computed: readonly number[]): void {
  const same = computed.length === t.shape.length && computed.every((d, i) => d === t.shape[i]);
  if (!same) {
    throw invalid(ctx, `computes an output of shape [${computed.join(',')}] but its output ${tensorWord(t)} is declared [${t.shape.join(',')}]`);
  }
}

/** A kernel bound to its input's and output's arena views, which are fixed at plan time. */
export function unaryStep<P, X extends TensorData, Y extends TensorData = X>(
  ctx: OpContext, x: TensorInfo, y: TensorInfo, kernel: (p: P, x: X, y: Y) => void, p: P,
): Step {
  const dx = ctx.data(x) as X;
  const dy = ctx.data(y) as Y;
  return () => kernel(p, dx, dy);
}

/**
 * A broadcasting binary op's operands and output: the output must have the
 * operands' broadcast shape; counts the op's work and the memory of its
 * broadcast plan (one offset pair per innermost run).
 */
export function broadcastOperands(ctx: OpContext, names: readonly [string, string] = ['first operand', 'second operand']): { a: TensorInfo; b: TensorInfo; y: TensorInfo } {
  expectCounts(ctx, 2, 2);
  const a = input(ctx, 0, names[0]);
  const b = input(ctx, 1, names[1]);
  const y = output(ctx);
  const shape = prepared(ctx, () => broadcastShapes(a.shape, b.shape));
  checkOutputShape(ctx, y, shape);
  ctx.work(y.size);
  ctx.reserve(8 * (y.size / Math.max(1, shape[shape.length - 1] ?? 1)), 'the broadcast plan');
  return { a, b, y };
}
