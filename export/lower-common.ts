// Lowering of the ops that carry no weights, shared by every mode: the
// caller picks the output tensor (float, or int8 with the scale the mode
// requires) and these emit the TFLite op with its options and constants.

import type { IRNode, Padding } from '../src/ir/types.js';
import { UserError } from '../src/errors.js';
import type { Emitter, TensorRef } from './emitter.js';
import { tfliteActivation, type FusedActivation } from './fuse.js';
import { FIXED_OUTPUT_QUANT, HARD_SIGMOID_LOWERING } from '../quantize/op-table.js';
import { channelSlopeShape, constantOperand, HARD_SIGMOID_INNER_QUANT, intermediate, type ParamValues } from './operands.js';
import { ELEMENTWISE_OPS, emitBinaryOp, emitElementwise } from './lower-elementwise.js';

const padding = (p: Padding): 'SAME' | 'VALID' => (p === 'same' ? 'SAME' : 'VALID');

/** Ops this file lowers (besides the pass-through dropout). */
export const COMMON_OPS = new Set(['relu', 'relu6', 'add', 'qadd', 'concat', 'maxPool', 'avgPool', 'globalAvgPool', 'flatten', 'reshape', 'pad', 'softmax']);
/** The activations beyond relu/relu6 (single TFLite ops, or the ops TensorFlow's converter builds them from). */
export const ACTIVATION_OPS: readonly string[] = ['sigmoid', 'tanh', 'hardSwish', 'hardSigmoid', 'swish', 'leakyRelu', 'prelu'];
for (const op of ACTIVATION_OPS) COMMON_OPS.add(op);
// The decoder ops: data movement and upsampling.
for (const op of ['crop', 'mirrorPad', 'upsampleNearest', 'upsampleBilinear']) COMMON_OPS.add(op);

/** The activations that are one TFLite op without options. */
const OPTIONLESS_ACTIVATIONS = { sigmoid: 'LOGISTIC', tanh: 'TANH', hardSwish: 'HARD_SWISH' } as const;
for (const op of ELEMENTWISE_OPS) COMMON_OPS.add(op);

/** One sentence for a layer the mode cannot express. */
export function cannotExport(node: Pick<IRNode, 'name' | 'op'>, mode: string, why = 'it has no TFLite lowering'): UserError {
  return new UserError(`cannot export layer '${node.name}' (op ${node.op}) in ${mode} mode: ${why}.`);
}

/**
 * Emits `node` reading `xs` and writing `y`. `activation` is a relu/relu6
 * fused into an add. Adds of more than two inputs become a chain of ADDs.
 */
export function emitCommon(e: Emitter, node: IRNode, xs: TensorRef[], y: TensorRef, activation: FusedActivation = 'none', params?: ParamValues): void {
  const x = xs[0]!;
  const int8 = y.type !== 'FLOAT32';
  switch (node.op) {
    case 'relu':
      e.op('RELU', [x.index], [y.index]);
      return;
    case 'relu6':
      e.op('RELU6', [x.index], [y.index]);
      return;
    case 'add':
    case 'qadd': {
      let acc = x;
      for (let k = 1; k < xs.length; k++) {
        const last = k === xs.length - 1;
        const out = last ? y : e.activation(`${node.name}/partial${k}`, y.shape, y.type, y.quant);
        e.op('ADD', [acc.index, xs[k]!.index], [out.index], { fusedActivation: last ? tfliteActivation(activation) : 'NONE' });
        acc = out;
      }
      if (xs.length === 1) throw new Error(`export: add '${node.name}' has one input`);
      return;
    }
    case 'concat':
      e.op('CONCATENATION', xs.map((t) => t.index), [y.index], { axis: y.shape.length - 1 });
      return;
    case 'maxPool':
    case 'avgPool': {
      const a = node.attrs;
      e.op(node.op === 'maxPool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', [x.index], [y.index], {
        padding: padding(a.padding), strideH: a.strides[0], strideW: a.strides[1],
        filterHeight: a.poolSize[0], filterWidth: a.poolSize[1],
      });
      return;
    }
    case 'globalAvgPool':
      e.op('MEAN', [x.index, e.int32Constant(`${node.name}/axes`, [1, 2])], [y.index], { keepDims: false });
      return;
    case 'flatten':
    case 'reshape':
      // Row-major NHWC in both tfjs and TFLite, so the flatten order (and with
      // it the following dense layer's weights) lines up unchanged.
      e.op('RESHAPE', [x.index, e.int32Constant(`${node.name}/shape`, y.shape)], [y.index], { newShape: y.shape });
      return;
    case 'pad': {
      const [[t, b], [l, r]] = node.attrs.paddings;
      e.op('PAD', [x.index, e.int32Constant(`${node.name}/paddings`, [0, 0, t, b, l, r, 0, 0], [4, 2])], [y.index]);
      return;
    }
    case 'softmax':
      e.op('SOFTMAX', [x.index], [y.index], { beta: 1 });
      return;
    case 'crop': {
      // Batch and channels whole (begin/end masks), the spatial window by its corners.
      const [h, w] = [y.shape[1]!, y.shape[2]!];
      const [[t], [l]] = node.attrs.cropping;
      e.op('STRIDED_SLICE', [
        x.index, e.int32Constant(`${node.name}/begin`, [0, t, l, 0]), e.int32Constant(`${node.name}/end`, [0, t + h, l + w, 0]),
        e.int32Constant(`${node.name}/strides`, [1, 1, 1, 1]),
      ], [y.index], { beginMask: 0b1001, endMask: 0b1001, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false });
      return;
    }
    case 'mirrorPad': {
      const [[t, b], [l, r]] = node.attrs.paddings;
      e.op('MIRROR_PAD', [x.index, e.int32Constant(`${node.name}/paddings`, [0, 0, t, b, l, r, 0, 0], [4, 2])], [y.index], {
        mode: node.attrs.mode === 'reflect' ? 'REFLECT' : 'SYMMETRIC',
      });
      return;
    }
    case 'upsampleNearest':
    case 'upsampleBilinear': {
      const size = e.int32Constant(`${node.name}/size`, [y.shape[1]!, y.shape[2]!]);
      // Whole factors pick the same nearest pixels with or without half-pixel centers; the flags say what bilinear samples.
      const halfPixelCenters = node.op === 'upsampleBilinear' && node.attrs.halfPixelCenters;
      e.op(node.op === 'upsampleNearest' ? 'RESIZE_NEAREST_NEIGHBOR' : 'RESIZE_BILINEAR', [x.index, size], [y.index], { alignCorners: false, halfPixelCenters });
      return;
    }
    case 'sigmoid':
    case 'tanh':
    case 'hardSwish':
      e.op(OPTIONLESS_ACTIVATIONS[node.op], [x.index], [y.index]);
      return;
    case 'leakyRelu':
      e.op('LEAKY_RELU', [x.index], [y.index], { alpha: node.attrs.alpha });
      return;
    case 'prelu': {
      if (!params) throw new Error(`export: prelu '${node.name}' needs its slope values`);
      const alpha = constantOperand(e, `${node.name}/alpha`, channelSlopeShape(x.shape), params(node, 'alpha'), int8);
      e.op('PRELU', [x.index, alpha], [y.index]);
      return;
    }
    case 'hardSigmoid': {
      // What TensorFlow's converter emits for Keras' relu6(x + 3)·(1/6): ADD with a fused RELU6, then MUL.
      const inner = intermediate(e, `${node.name}/relu6`, x, HARD_SIGMOID_INNER_QUANT);
      const { offset, factor } = HARD_SIGMOID_LOWERING;
      emitBinaryOp(e, 'ADD', x, constantOperand(e, `${node.name}/three`, [1], Float32Array.of(offset), int8), inner, 'relu6');
      emitBinaryOp(e, 'MUL', inner, constantOperand(e, `${node.name}/one_sixth`, [1], Float32Array.of(factor), int8), y);
      return;
    }
    case 'swish': {
      // x·sigmoid(x), the sigmoid on LOGISTIC's fixed output grid.
      const sig = intermediate(e, `${node.name}/sigmoid`, x, FIXED_OUTPUT_QUANT.LOGISTIC);
      e.op('LOGISTIC', [x.index], [sig.index]);
      emitBinaryOp(e, 'MUL', x, sig, y);
      return;
    }
    default:
      if (emitElementwise(e, node, xs, y, activation)) return;
      throw new Error(`export: emitCommon cannot lower op ${node.op}`);
  }
}
