// Lowering of instance / layer normalization: the steps of
// quantize/norm-decomposition.ts as TFLite ops, int8 (the QAT twin with its
// trained ranges) or float32 (either float norm, or the twin in a float
// mode). The integer eval graph runs the same int8 emission through the
// interpreter (train/graph/qnorm.ts), so this is the one lowering.
import type { ParamLookup } from '../quantize/fold.js';
import {
  intermediateQuantizer, normAxes, normBroadcastShape, normReducedShape, normSteps, quantizeNormConstant, type NormOperand, type NormStep,
} from '../quantize/norm-decomposition.js';
import { activationQuant } from '../quantize/qparams.js';
import type { NodeOf } from '../src/ir/types.js';
import type { Emitter, TensorRef } from './emitter.js';
import { cannotExport } from './lower-common.js';

export type NormNode = NodeOf<'instanceNorm'> | NodeOf<'layerNorm'> | NodeOf<'qnorm'>;

/** The IR ops this file lowers. */
export const NORM_OPS: ReadonlySet<string> = new Set(['instanceNorm', 'layerNorm', 'qnorm']);

export function isNormNode(node: { op: string }): node is NormNode {
  return NORM_OPS.has(node.op);
}

interface Operands {
  /** The tensor a step writes (the last step writes y). */
  output(step: NormStep, shape: number[]): TensorRef;
  /** γ or β as a constant of the broadcast shape. */
  constant(which: 'gamma' | 'beta', shape: number[]): number;
  /** RSQRT's input: the variance, plus ε where the mode adds it. */
  rsqrtInput(variance: TensorRef): TensorRef;
}

function emitSteps(e: Emitter, node: NormNode, x: TensorRef, y: TensorRef, o: Operands): void {
  const rank = x.shape.length - 1;
  const { axes, paramAxes } = normAxes(node, rank);
  const perExample = x.shape.slice(1);
  const reduced = normReducedShape(x.shape, axes);
  const steps = normSteps(node.attrs);
  const values = new Map<NormOperand, number>([['x', x.index]]);
  const refs = new Map<NormOperand, TensorRef>([['x', x]]);
  const bshape = normBroadcastShape(perExample, paramAxes);
  if (node.attrs.scale) values.set('gamma', o.constant('gamma', bshape));
  if (node.attrs.center) values.set('beta', o.constant('beta', bshape));
  const batchedAxes = axes.map((a) => a + 1);
  steps.forEach((s, k) => {
    const out = k === steps.length - 1 ? y : o.output(s, s.reduced ? reduced : [...x.shape]);
    const ins = s.inputs.map((i) => values.get(i)!);
    switch (s.op) {
      case 'MEAN':
        e.op('MEAN', [ins[0]!, e.int32Constant(`${node.name}/${s.role}/axes`, batchedAxes)], [out.index], { keepDims: true });
        break;
      case 'RSQRT':
        e.op('RSQRT', [o.rsqrtInput(refs.get(s.inputs[0]!)!).index], [out.index]);
        break;
      case 'SQUARED_DIFFERENCE':
        e.op('SQUARED_DIFFERENCE', ins, [out.index]);
        break;
      default:
        e.op(s.op, ins, [out.index], { fusedActivation: 'NONE' });
    }
    values.set(s.role, out.index);
    refs.set(s.role, out);
  });
}

/** The int8 decomposition of a QAT norm: its intermediates on their trained ranges, γ/β as int8 constants. */
export function emitNormInt8(e: Emitter, node: NodeOf<'qnorm'>, store: ParamLookup, x: TensorRef, y: TensorRef): void {
  if (node.attrs.bits !== 8) {
    throw cannotExport(node, 'int8', `its intermediates are quantized to ${node.attrs.bits} bits, and int8 TFLite activations need 8`);
  }
  emitSteps(e, node, x, y, {
    output: (s, shape) => e.activation(`${node.name}/${s.role}`, shape, 'INT8', activationQuant(intermediateQuantizer(node, s.role), store)),
    constant(which, shape) {
      const c = quantizeNormConstant(store.get(node.params[which]!).dataSync(), node.attrs.bits);
      return e.constant(`${node.name}/${which}`, shape, 'INT8', c.codes, { scale: [Math.fround(c.range.scale)], zeroPoint: [0] });
    },
    rsqrtInput: (v) => v,
  });
}

/** The float32 decomposition (ε added before RSQRT), for a float norm or a QAT one in a float mode. */
export function emitNormFloat(e: Emitter, node: NormNode, store: ParamLookup, x: TensorRef, y: TensorRef): void {
  emitSteps(e, node, x, y, {
    output: (s, shape) => e.activation(`${node.name}/${s.role}`, shape, 'FLOAT32'),
    constant: (which, shape) => e.constant(`${node.name}/${which}`, shape, 'FLOAT32', Float32Array.from(store.get(node.params[which]!).dataSync())),
    rsqrtInput(v) {
      const eps = e.constant(`${node.name}/epsilon`, [1], 'FLOAT32', Float32Array.of(node.attrs.epsilon));
      const out = e.activation(`${node.name}/variance_eps`, v.shape, 'FLOAT32');
      e.op('ADD', [v.index, eps], [out.index], { fusedActivation: 'NONE' });
      return out;
    },
  });
}
