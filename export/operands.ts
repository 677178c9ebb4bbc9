// Operands the lowering creates besides the IR's own tensors: constants read
// by an op (a PRELU slope, the 3 and 1/6 of a hard sigmoid) and the
// intermediate tensors of an IR op TFLite builds from several ops. Their
// int8 quantization is decided here, from the values alone, so the exporter
// and the integer eval graph (which runs the same lowering) cannot disagree.

import type { IRNode } from '../src/ir/types.js';
import { fakeQuantIndex, nudge, signedParams, unsignedGrid, type NudgedRange, type QuantParams } from '../quantize/math.js';
import type { Emitter, TensorRef } from './emitter.js';
import { HARD_SIGMOID_LOWERING } from '../quantize/op-table.js';

/** A node parameter's current values (the store's variable, read by the caller). */
export type ParamValues = (node: IRNode, role: string) => Float32Array;

/** TF's 8-bit nudged range [min(0, values), max(0, values)]: zero exact, as converters store constants. */
function rangeHoldingZero(values: ArrayLike<number>): NudgedRange {
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  return nudge(lo, hi, unsignedGrid(8, false));
}

/**
 * A constant operand: float32, or int8 per-tensor on the range from zero to
 * its values (the asymmetric per-tensor int8 operand TFLite's PRELU and MUL
 * take).
 */
export function constantOperand(e: Emitter, name: string, shape: number[], values: Float32Array, int8: boolean): number {
  if (!int8) return e.constant(name, shape, 'FLOAT32', values);
  const r = rangeHoldingZero(values);
  const q = signedParams(r, 8);
  const codes = Int8Array.from(values, (v) => fakeQuantIndex(v, r) - 128);
  return e.constant(name, shape, 'INT8', codes, { scale: q.scale, zeroPoint: q.zeroPoint });
}

/** An intermediate tensor shaped like `like`: float32 if it is, else int8 with `quant`. */
export function intermediate(e: Emitter, name: string, like: TensorRef, quant: QuantParams): TensorRef {
  return like.type === 'FLOAT32' ? e.activation(name, like.shape, 'FLOAT32') : e.activation(name, like.shape, like.type, quant);
}

/**
 * relu6(x + 3) on its whole range [0, 6]: the hard sigmoid's intermediate.
 * A fixed grid (6/255) rather than an observed one: after the MUL by 1/6 its
 * step is 1/255, no coarser than the output's own grid on [0, 1].
 */
export const HARD_SIGMOID_INNER_QUANT: QuantParams = signedParams(nudge(...HARD_SIGMOID_LOWERING.innerRange, unsignedGrid(8, false)), 8);

/** The TFLite shape of a per-channel slope for input shape `x` (batch first): 1 everywhere but the channels. */
export function channelSlopeShape(x: readonly number[]): number[] {
  const perExample = x.slice(1);
  return perExample.map((d, i) => (i === perExample.length - 1 ? d : 1));
}

/** ParamValues reading a store's variables. */
export function paramValuesOf(store: { get(name: string): { dataSync(): ArrayLike<number> } }): ParamValues {
  return (node, role) => {
    const name = node.params[role];
    if (name === undefined) throw new Error(`export: node '${node.name}' has no parameter '${role}'`);
    return Float32Array.from(store.get(name).dataSync());
  };
}
