// Planners for elementwise ops: ADD, SUB, MUL (with broadcasting), the
// activations (LOGISTIC, TANH, HARD_SWISH, RELU, RELU6), QUANTIZE and
// DEQUANTIZE.

import {
  addSubInt8, binaryFloat, dequantize, dequantizeFloat16, hardSwishFloat, hardSwishInt8, logisticFloat, logisticInt8,
  mulInt8, prepareAddInt8, prepareBinaryFloat, prepareDequantize, prepareHardSwishInt8Lut, prepareLogisticInt8,
  prepareMulInt8, prepareQuantize, prepareReluInt8, prepareRequantize, prepareSubInt8, prepareTanhInt8, quantizeFloat,
  reluFloat, reluInt8, requantize, tanhFloat, tanhInt8,
} from '../kernels/index.js';
import {
  type OpContext, type Step, checkOutputShape, expectCounts, fusedActivation, input, invalid, output, perTensorQuant,
  optionsOf, prepared, tensorWord, unaryStep, requireFixedOutputQuant,
  broadcastOperands,
} from './context.js';
import { typeError } from './support.js';

export function planBinary(ctx: OpContext): Step {
  const o = optionsOf(ctx, 'ADD', 'SUB', 'MUL');
  const { a, b, y } = broadcastOperands(ctx);
  const act = fusedActivation(ctx, o.fusedActivation);
  if (a.dtype === 'int8' && b.dtype === 'int8' && y.dtype === 'int8') {
    const qa = perTensorQuant(ctx, a, 'first operand');
    const qb = perTensorQuant(ctx, b, 'second operand');
    const qy = perTensorQuant(ctx, y, 'output');
    const da = ctx.data(a) as Int8Array;
    const db = ctx.data(b) as Int8Array;
    const dy = ctx.data(y) as Int8Array;
    if (o.op === 'MUL') {
      const p = prepared(ctx, () => prepareMulInt8(a.shape, qa, b.shape, qb, qy, act, ctx.arithmetic));
      return () => mulInt8(p, da, db, dy);
    }
    const p = prepared(ctx, () => (o.op === 'ADD' ? prepareAddInt8 : prepareSubInt8)(a.shape, qa, b.shape, qb, qy, act, ctx.arithmetic));
    return () => addSubInt8(p, da, db, dy);
  }
  if (a.dtype === 'float32' && b.dtype === 'float32' && y.dtype === 'float32') {
    const p = prepared(ctx, () => prepareBinaryFloat(a.shape, b.shape, o.op, act));
    const da = ctx.data(a) as Float32Array;
    const db = ctx.data(b) as Float32Array;
    const dy = ctx.data(y) as Float32Array;
    return () => binaryFloat(p, da, db, dy);
  }
  throw typeError(ctx);
}

function sameShape(ctx: OpContext): void {
  const x = input(ctx, 0, 'input');
  checkOutputShape(ctx, output(ctx), x.shape);
  ctx.work(x.size);
}

export function planActivation(ctx: OpContext): Step {
  expectCounts(ctx, 1, 1);
  sameShape(ctx);
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  const op = ctx.op;
  if (x.dtype === 'int8' && y.dtype === 'int8') {
    const qx = perTensorQuant(ctx, x, 'input');
    const qy = perTensorQuant(ctx, y, 'output');
    switch (op) {
      case 'LOGISTIC':
        requireFixedOutputQuant(ctx, 'LOGISTIC');
        return unaryStep(ctx, x, y, logisticInt8, prepared(ctx, () => prepareLogisticInt8(qx, qy)));
      case 'TANH':
        return unaryStep(ctx, x, y, tanhInt8, prepared(ctx, () => prepareTanhInt8(qx, qy)));
      case 'HARD_SWISH':
        return unaryStep(ctx, x, y, hardSwishInt8, prepared(ctx, () => prepareHardSwishInt8Lut(qx, qy)));
      case 'RELU':
      case 'RELU6':
        return unaryStep(ctx, x, y, reluInt8, prepared(ctx, () => prepareReluInt8(qx, qy, op)));
      default:
        throw new Error(`not an activation: ${op}`);
    }
  }
  if (x.dtype === 'float32' && y.dtype === 'float32') {
    const dx = ctx.data(x) as Float32Array;
    const dy = ctx.data(y) as Float32Array;
    switch (op) {
      case 'LOGISTIC': return () => logisticFloat(dx, dy);
      case 'TANH': return () => tanhFloat(dx, dy);
      case 'HARD_SWISH': return () => hardSwishFloat(dx, dy);
      case 'RELU': return () => reluFloat(dx, dy, Infinity);
      case 'RELU6': return () => reluFloat(dx, dy, 6);
      default: throw new Error(`not an activation: ${op}`);
    }
  }
  throw typeError(ctx);
}

export function planQuantize(ctx: OpContext): Step {
  expectCounts(ctx, 1, 1);
  sameShape(ctx);
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  if (y.dtype !== 'int8' && y.dtype !== 'uint8') throw typeError(ctx);
  const qy = perTensorQuant(ctx, y, 'output');
  if (x.dtype === 'float32') return unaryStep(ctx, x, y, quantizeFloat, prepared(ctx, () => prepareQuantize(qy, ctx.arithmetic)));
  if (x.dtype === 'int8' || x.dtype === 'uint8') {
    const qx = perTensorQuant(ctx, x, 'input');
    return unaryStep(ctx, x, y, requantize, prepared(ctx, () => prepareRequantize(qx, qy, ctx.arithmetic)));
  }
  throw typeError(ctx);
}

export function planDequantize(ctx: OpContext): Step {
  expectCounts(ctx, 1, 1);
  sameShape(ctx);
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  if (y.dtype !== 'float32') throw typeError(ctx);
  const dy = ctx.data(y) as Float32Array;
  if (x.dtype === 'float16') {
    const dx = ctx.data(x) as Uint16Array;
    return () => dequantizeFloat16(dx, dy);
  }
  if (x.dtype === 'int8' || x.dtype === 'uint8' || x.dtype === 'int16') {
    if (!x.quant || x.quant.scale.length === 0) throw invalid(ctx, `needs a quantized input, but ${tensorWord(x)} has no scale`);
    const q = x.quant;
    return unaryStep(ctx, x, y, dequantize, prepared(ctx, () => prepareDequantize(x.shape, q)));
  }
  throw typeError(ctx);
}
