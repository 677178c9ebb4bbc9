// Lowering of the elementwise ops of two tensors (MUL, SUB, MAXIMUM,
// MINIMUM, with broadcasting), multiplication by a constant, and global max
// pooling, keyed by IR op so any op built from them (an activation that
// multiplies, an average) emits the same TFLite op.

import type { IRNode, OpName } from '../src/ir/types.js';
import type { Emitter, TensorRef } from './emitter.js';
import { tfliteActivation, type FusedActivation } from './fuse.js';
import { constantOperand } from './operands.js';

export type BinaryBuiltin = 'ADD' | 'SUB' | 'MUL' | 'MAXIMUM' | 'MINIMUM';

/** The IR ops lowered as one binary TFLite op, by op. */
export const BINARY_BUILTINS: Readonly<Partial<Record<OpName, BinaryBuiltin>>> = {
  mul: 'MUL', sub: 'SUB', maximum: 'MAXIMUM', minimum: 'MINIMUM', qmul: 'MUL', qsub: 'SUB',
};

/** Ops this file lowers. */
export const ELEMENTWISE_OPS: readonly OpName[] = [...Object.keys(BINARY_BUILTINS) as OpName[], 'mulConstant', 'globalMaxPool'];

/**
 * A two-input elementwise op with its fused activation (MAXIMUM and
 * MINIMUM have none): one place for the builtin and its options, whichever
 * IR op lowers to it. TFLite broadcasts the operands' shapes. `b` is a
 * tensor or a constant's index.
 */
export function emitBinaryOp(e: Emitter, builtin: BinaryBuiltin, a: TensorRef, b: TensorRef | number, y: TensorRef, activation: FusedActivation = 'none'): void {
  const ins = [a.index, typeof b === 'number' ? b : b.index];
  if (builtin === 'MAXIMUM' || builtin === 'MINIMUM') e.op(builtin, ins, [y.index]);
  else e.op(builtin, ins, [y.index], { fusedActivation: tfliteActivation(activation) });
}

/**
 * Emits `node` if this file lowers its op; false otherwise. `activation`:
 * a relu/relu6 the float exporter fused into a mul or sub (the QAT twins
 * carry their own).
 */
export function emitElementwise(e: Emitter, node: IRNode, xs: TensorRef[], y: TensorRef, activation: FusedActivation = 'none'): boolean {
  const binary = BINARY_BUILTINS[node.op];
  if (binary) {
    emitBinaryOp(e, binary, xs[0]!, xs[1]!, y, node.op === 'qmul' || node.op === 'qsub' ? node.attrs.activation : activation);
    return true;
  }
  if (node.op === 'mulConstant') {
    // A one-element constant, int8 on [0, factor] in an int8 model as converters store it.
    const factor = constantOperand(e, `${node.name}/factor`, [1], Float32Array.of(node.attrs.factor), y.type !== 'FLOAT32');
    emitBinaryOp(e, 'MUL', xs[0]!, factor, y);
    return true;
  }
  if (node.op === 'globalMaxPool') {
    // REDUCE_MAX rather than a MAX_POOL_2D over the whole image: TensorFlow's converter emits it for Keras' GlobalMaxPooling2D.
    e.op('REDUCE_MAX', [xs[0]!.index, e.int32Constant(`${node.name}/axes`, [1, 2])], [y.index], { keepDims: false });
    return true;
  }
  return false;
}
