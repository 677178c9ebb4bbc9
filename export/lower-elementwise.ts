// Lowering of the elementwise ops of two tensors (MUL, SUB, MAXIMUM,
// MINIMUM, with broadcasting), multiplication by a constant, and global max
// pooling, keyed by IR op so any op built from them (an activation that
// multiplies, an average) emits the same TFLite op.

import type { IRNode, NodeOf, OpName } from '../src/ir/types.js';
import type { Emitter, TensorRef } from './emitter.js';
import { tfliteActivation, type FusedActivation } from './fuse.js';

export type BinaryBuiltin = 'MUL' | 'SUB' | 'MAXIMUM' | 'MINIMUM';

/** The IR ops lowered as one binary TFLite op, by op. */
export const BINARY_BUILTINS: Readonly<Partial<Record<OpName, BinaryBuiltin>>> = {
  mul: 'MUL', sub: 'SUB', maximum: 'MAXIMUM', minimum: 'MINIMUM', qmul: 'MUL', qsub: 'SUB',
};

/** Ops this file lowers. */
export const ELEMENTWISE_OPS: readonly OpName[] = [...Object.keys(BINARY_BUILTINS) as OpName[], 'mulConstant', 'globalMaxPool'];

/** One binary op a ⊙ b → y; TFLite broadcasts the operands' shapes. */
export function emitBinary(e: Emitter, builtin: BinaryBuiltin, a: TensorRef, b: TensorRef, y: TensorRef, activation: FusedActivation = 'none'): void {
  if (builtin === 'MAXIMUM' || builtin === 'MINIMUM') {
    e.op(builtin, [a.index, b.index], [y.index]);
  } else {
    e.op(builtin, [a.index, b.index], [y.index], { fusedActivation: tfliteActivation(activation) });
  }
}

/**
 * y = x · factor as MUL with a one-element constant. In an int8 model the
 * constant is symmetric int8 at ±127 (scale |factor|/127): the largest code,
 * so the factor carries the most precision the kernel's multiplier allows.
 */
function emitMulConstant(e: Emitter, node: NodeOf<'mulConstant'>, x: TensorRef, y: TensorRef): void {
  const f = node.attrs.factor;
  const c = y.type === 'INT8'
    ? e.constant(`${node.name}/factor`, [1], 'INT8', Int8Array.of(f < 0 ? -127 : 127), { scale: [Math.abs(f) / 127], zeroPoint: [0] })
    : e.constant(`${node.name}/factor`, [1], 'FLOAT32', Float32Array.of(f));
  e.op('MUL', [x.index, c], [y.index], { fusedActivation: 'NONE' });
}

/**
 * Emits `node` if this file lowers its op; false otherwise. `activation`:
 * a relu/relu6 the float exporter fused into a mul or sub (the QAT twins
 * carry their own).
 */
export function emitElementwise(e: Emitter, node: IRNode, xs: TensorRef[], y: TensorRef, activation: FusedActivation = 'none'): boolean {
  const binary = BINARY_BUILTINS[node.op];
  if (binary) {
    emitBinary(e, binary, xs[0]!, xs[1]!, y, node.op === 'qmul' || node.op === 'qsub' ? node.attrs.activation : activation);
    return true;
  }
  if (node.op === 'mulConstant') {
    emitMulConstant(e, node, xs[0]!, y);
    return true;
  }
  if (node.op === 'globalMaxPool') {
    // REDUCE_MAX rather than a MAX_POOL_2D over the whole image: TensorFlow's converter emits it for Keras' GlobalMaxPooling2D.
    e.op('REDUCE_MAX', [xs[0]!.index, e.int32Constant(`${node.name}/axes`, [1, 2])], [y.index], { keepDims: false });
    return true;
  }
  return false;
}
