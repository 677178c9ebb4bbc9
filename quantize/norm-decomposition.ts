// Instance and layer normalization as the int8 ops TFLite runs. The QAT
// train graph simulates these steps (train/graph/qnorm.ts), the integer eval
// graph and the int8/float exporters emit them (export/lower-norm.ts), all
// from the list below, so what training sees is what the file computes.
//
//   mean       = MEAN(x, axes, keepDims)            own range
//   centered   = SUB(x, mean)                       own range
//   squared    = SQUARED_DIFFERENCE(x, mean)        own range
//   variance   = MEAN(squared, axes, keepDims)      own range
//   invStd     = RSQRT(variance)                    own range
//   normalized = MUL(centered, invStd)              own range (output if neither γ nor β)
//   scaled     = MUL(normalized, γ)                 own range (output if no β)     [scale]
//   shifted    = ADD(scaled, β)                     the node's output fakeQuant    [center]
//
// γ and β are int8 constants, symmetric per tensor (zero point 0, ±127):
// TFLite's int8 MUL and ADD take one scale per operand.
//
// Epsilon. The squared difference is taken from x and the int8 mean, not
// from `centered` squared, so it carries one rounding instead of two. In
// int8 there is no ADD of ε: its grid step is far above any ε worth using, so
// such an ADD would only requantize once more. A variance that lands on code
// zero makes RSQRT return its largest code (TFLite maps 1/√0 to 127), the
// saturation ε would otherwise prevent. The QAT simulation computes
// rsqrt(max(variance, ε)), equal to the int8 op above ε and saturated by the
// invStd range below it, and finite everywhere so its gradients are too. The
// float32 lowering adds ε before RSQRT, as the float op does.
//
// No tfjs here: the exporter and the interpreter-backed eval import it.
import { fakeQuantIndex, signedOffset, symmetricRange, type NudgedRange } from './math.js';
import type { NodeOf, NormAttrs, Shape } from '../src/ir/types.js';

export type NormStepOp = 'MEAN' | 'SUB' | 'SQUARED_DIFFERENCE' | 'RSQRT' | 'MUL' | 'ADD';
export type NormRole = 'mean' | 'centered' | 'squared' | 'variance' | 'invStd' | 'normalized' | 'scaled' | 'shifted';
export type NormOperand = 'x' | 'gamma' | 'beta' | NormRole;

export interface NormStep {
  role: NormRole;
  op: NormStepOp;
  inputs: NormOperand[];
  /** Its output is reduced over the normalized axes (kept as size-1 dims). */
  reduced: boolean;
}

const ALL_STEPS: readonly NormStep[] = [
  { role: 'mean', op: 'MEAN', inputs: ['x'], reduced: true },
  { role: 'centered', op: 'SUB', inputs: ['x', 'mean'], reduced: false },
  { role: 'squared', op: 'SQUARED_DIFFERENCE', inputs: ['x', 'mean'], reduced: false },
  { role: 'variance', op: 'MEAN', inputs: ['squared'], reduced: true },
  { role: 'invStd', op: 'RSQRT', inputs: ['variance'], reduced: true },
  { role: 'normalized', op: 'MUL', inputs: ['centered', 'invStd'], reduced: false },
  { role: 'scaled', op: 'MUL', inputs: ['normalized', 'gamma'], reduced: false },
  { role: 'shifted', op: 'ADD', inputs: ['scaled', 'beta'], reduced: false },
];

/** The steps of a norm with these flags; without γ, β is added to `normalized`. */
export function normSteps(a: Pick<NormAttrs, 'center' | 'scale'>): NormStep[] {
  const steps = ALL_STEPS.filter((s) => (s.role !== 'scaled' || a.scale) && (s.role !== 'shifted' || a.center));
  return steps.map((s) => (s.role === 'shifted' && !a.scale ? { ...s, inputs: ['normalized', 'beta'] } : s));
}

/** Roles whose value has a range of its own: every step but the last (the node's output). */
export function intermediateRoles(a: Pick<NormAttrs, 'center' | 'scale'>): NormRole[] {
  return normSteps(a).slice(0, -1).map((s) => s.role);
}

/** The param roles of an intermediate's range variables. */
export function rangeParamRoles(role: NormRole): [string, string] {
  return [`${role}/min`, `${role}/max`];
}

/**
 * The fakeQuant node an intermediate would have if it were a graph node:
 * the simulation runs the fakeQuant kernel on it and the lowering reads its
 * int8 scale and zero point from it, so both see one range.
 */
export function intermediateQuantizer(node: NodeOf<'qnorm'>, role: NormRole): NodeOf<'fakeQuant'> {
  const [min, max] = rangeParamRoles(role);
  const quantizes = `${node.name}/${role}`;
  return {
    name: `${quantizes}/fq`, op: 'fakeQuant', inputs: [quantizes],
    attrs: { bits: node.attrs.bits, narrowRange: false, role: 'activation', quantizes },
    params: { min: node.params[min]!, max: node.params[max]! },
  };
}

/** Per-example axes normalized over and axes γ/β span, for either float norm. */
export function normAxes(node: NodeOf<'instanceNorm'> | NodeOf<'layerNorm'> | NodeOf<'qnorm'>, rank: number): { axes: number[]; paramAxes: number[] } {
  if (node.op === 'instanceNorm') return { axes: Array.from({ length: rank - 1 }, (_, i) => i), paramAxes: [rank - 1] };
  if (node.op === 'layerNorm') return { axes: [...node.attrs.axes], paramAxes: [...node.attrs.axes] };
  return { axes: [...node.attrs.axes], paramAxes: [...node.attrs.paramAxes] };
}

/** γ/β's stored shape: the input's sizes on the param axes. */
export function normParamShape(input: Shape, paramAxes: readonly number[]): number[] {
  return paramAxes.map((a) => input[a]!);
}

/** γ/β broadcast against a batched input: [1, …] with the param axes' sizes. */
export function normBroadcastShape(input: Shape, paramAxes: readonly number[]): number[] {
  return [1, ...input.map((d, i) => (paramAxes.includes(i) ? d : 1))];
}

/** A batched shape with the normalized (per-example) axes reduced to 1. */
export function normReducedShape(batched: readonly number[], axes: readonly number[]): number[] {
  return batched.map((d, i) => (i > 0 && axes.includes(i - 1) ? 1 : d));
}

/** A constant operand (γ or β) in int8: one symmetric range over the tensor. */
export interface NormConstant {
  range: NudgedRange;
  /** int8 codes (zero point 0). */
  codes: Int8Array;
}

/** γ or β as the int8 model stores it; the codes are the fake-quant op's grid indices. */
export function quantizeNormConstant(values: ArrayLike<number>, bits: number): NormConstant {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]!));
  const range = symmetricRange(m, bits);
  const off = signedOffset(bits);
  return { range, codes: Int8Array.from(values, (v) => fakeQuantIndex(v, range) - off) };
}
