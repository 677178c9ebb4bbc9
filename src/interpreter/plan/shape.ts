// Planners for ops that move, pool or reduce data: RESHAPE, SQUEEZE,
// CONCATENATION, PAD, MAX_POOL_2D, AVERAGE_POOL_2D, MEAN, SOFTMAX.

import {
  averagePool2dFloat, averagePool2dInt8, concatenation, concatenationInt8, copyTensor, maxPool2dFloat, maxPool2dInt8,
  meanFloat, meanInt8, pad, planConcatenation, prepareAveragePool2dFloat, prepareAveragePool2dInt8,
  prepareConcatenationInt8, prepareMaxPool2dFloat, prepareMaxPool2dInt8, prepareMeanFloat, prepareMeanInt8, preparePad,
  prepareSoftmaxFloat, prepareSoftmaxInt8, reshapeOutputShape, softmaxFloat, softmaxInt8, squeezeOutputShape, convOutSize,
  type PoolOptions,
} from '../kernels/index.js';
import {
  type OpContext, type Step, checkOutputShape, constantInts, expectCounts, fusedActivation, input,
  invalid, optionalInput, optionsOf, output, perTensorQuant, prepared, requireFixedOutputQuant, requirePositive, requireRank, requireSameQuant,
  tensorWord, unaryStep, unsupported,
} from './context.js';
import { typeError } from './support.js';
import { wasmArenaFor } from '../wasm/arena.js';

type Copyable = Int8Array | Uint8Array | Int32Array | Float32Array;

export function planReshape(ctx: OpContext): Step {
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  if (ctx.op === 'SQUEEZE') {
    expectCounts(ctx, 1, 1);
    const o = optionsOf(ctx, 'SQUEEZE');
    checkOutputShape(ctx, y, prepared(ctx, () => squeezeOutputShape(x.shape, o.squeezeDims)));
  } else {
    expectCounts(ctx, 1, 2);
    const o = optionsOf(ctx, 'RESHAPE');
    const shapeInput = optionalInput(ctx, 1);
    let target: number[];
    if (shapeInput && shapeInput.constant) target = constantInts(ctx, shapeInput, 'shape');
    else if (!shapeInput && o.newShape) target = o.newShape;
    else target = y.shape; // a computed shape tensor: the declared output shape is the answer
    checkOutputShape(ctx, y, prepared(ctx, () => reshapeOutputShape(x.shape, target)));
  }
  if (x.dtype !== y.dtype) throw typeError(ctx);
  if (x.quant && y.quant && x.quant.scale.length === 1 && y.quant.scale.length === 1) requireSameQuant(ctx, x, y);
  ctx.work(x.size);
  const dx = ctx.data(x);
  const dy = ctx.data(y);
  return () => copyTensor(dx as Copyable, dy as Copyable);
}

export function planConcat(ctx: OpContext): Step {
  if (ctx.inputs.length < 1) throw invalid(ctx, 'has no inputs');
  expectCounts(ctx, 1, ctx.inputs.length);
  const o = optionsOf(ctx, 'CONCATENATION');
  const xs = ctx.inputs.map((_, k) => input(ctx, k, `input ${k}`));
  const y = output(ctx);
  const shapes = xs.map((x) => x.shape);
  const plan = prepared(ctx, () => planConcatenation(shapes, o.axis));
  checkOutputShape(ctx, y, plan.outputShape);
  ctx.work(y.size);
  if (xs.some((x) => x.dtype !== y.dtype)) throw typeError(ctx);
  const dxs = xs.map((x) => ctx.data(x));
  const dy = ctx.data(y);
  if (y.dtype === 'int8') {
    const act = fusedActivation(ctx, o.fusedActivation);
    const quants = xs.map((x, k) => perTensorQuant(ctx, x, `input ${k}`));
    const p = prepared(ctx, () => prepareConcatenationInt8(shapes, quants, o.axis, perTensorQuant(ctx, y, 'output'), act));
    return () => concatenationInt8(p, dxs as Int8Array[], dy as Int8Array);
  }
  if (y.dtype === 'float32' || y.dtype === 'int32' || y.dtype === 'uint8') {
    if (o.fusedActivation !== 'NONE') throw unsupported(ctx, `a fused ${o.fusedActivation} on a ${y.dtype} CONCATENATION is not supported`);
    if (y.dtype === 'uint8') xs.forEach((x) => requireSameQuant(ctx, x, y));
    return () => concatenation(plan, dxs as Copyable[], dy as Copyable);
  }
  throw typeError(ctx);
}

export function planPad(ctx: OpContext): Step {
  expectCounts(ctx, 2, 2);
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  const padsT = input(ctx, 1, 'paddings');
  const pads = constantInts(ctx, padsT, 'paddings');
  if (padsT.shape.length !== 2 || padsT.shape[0] !== x.shape.length || padsT.shape[1] !== 2) {
    throw invalid(ctx, `needs paddings of shape [${x.shape.length},2] but ${tensorWord(padsT)} is [${padsT.shape.join(',')}]`);
  }
  const p0 = prepared(ctx, () => preparePad(x.shape, pads, 0));
  checkOutputShape(ctx, y, p0.outputShape);
  ctx.work(y.size);
  if (x.dtype !== y.dtype) throw typeError(ctx);
  let p = p0;
  if (y.dtype === 'int8' || y.dtype === 'uint8') {
    requireSameQuant(ctx, x, y);
    p = { ...p0, padValue: y.quant!.zeroPoint[0] ?? 0 };
  } else if (y.dtype !== 'float32' && y.dtype !== 'int32') {
    throw typeError(ctx);
  }
  const dx = ctx.data(x);
  const dy = ctx.data(y);
  // The kernel only moves elements, so any same-typed pair of arrays works.
  return () => pad(p, dx as Int8Array, dy as Int8Array);
}

export function planPool(ctx: OpContext): Step {
  expectCounts(ctx, 1, 1);
  const o = optionsOf(ctx, 'MAX_POOL_2D', 'AVERAGE_POOL_2D');
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  requireRank(ctx, x, 4, 'NHWC input');
  requirePositive(ctx, { stride_w: o.strideW, stride_h: o.strideH, filter_width: o.filterWidth, filter_height: o.filterHeight });
  const outH = convOutSize(o.padding, x.shape[1]!, o.filterHeight, o.strideH);
  const outW = convOutSize(o.padding, x.shape[2]!, o.filterWidth, o.strideW);
  checkOutputShape(ctx, y, [x.shape[0]!, outH, outW, x.shape[3]!]);
  ctx.work(y.size * o.filterHeight * o.filterWidth);
  const opts: PoolOptions = {
    padding: o.padding, strideH: o.strideH, strideW: o.strideW, filterH: o.filterHeight, filterW: o.filterWidth,
    activation: fusedActivation(ctx, o.fusedActivation),
  };
  const max = o.op === 'MAX_POOL_2D';
  if (x.dtype === 'int8' && y.dtype === 'int8') {
    requireSameQuant(ctx, x, y);
    const qy = perTensorQuant(ctx, y, 'output');
    const wasm = max ? wasmArenaFor((ctx.data(x) as Int8Array).buffer) : null;
    const p = prepared(ctx, () => (max ? prepareMaxPool2dInt8(x.shape, opts, qy, wasm) : prepareAveragePool2dInt8(x.shape, opts, qy)));
    return unaryStep(ctx, x, y, max ? maxPool2dInt8 : averagePool2dInt8, p);
  }
  if (x.dtype === 'float32' && y.dtype === 'float32') {
    const wasm = max ? wasmArenaFor((ctx.data(x) as Float32Array).buffer) : null;
    const p = prepared(ctx, () => (max ? prepareMaxPool2dFloat(x.shape, opts, wasm) : prepareAveragePool2dFloat(x.shape, opts)));
    return unaryStep(ctx, x, y, max ? maxPool2dFloat : averagePool2dFloat, p);
  }
  throw typeError(ctx);
}

export function planMean(ctx: OpContext): Step {
  expectCounts(ctx, 2, 2);
  const o = optionsOf(ctx, 'MEAN');
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  const axes = constantInts(ctx, input(ctx, 1, 'axes'), 'axes');
  ctx.work(x.size);
  ctx.reserve(8 * y.size, 'the reduction sums');
  if (x.dtype === 'int8' && y.dtype === 'int8') {
    const p = prepared(ctx, () => prepareMeanInt8(x.shape, perTensorQuant(ctx, x, 'input'), axes, o.keepDims, perTensorQuant(ctx, y, 'output'), ctx.arithmetic));
    checkOutputShape(ctx, y, p.outputShape);
    return unaryStep(ctx, x, y, meanInt8, p);
  }
  if (x.dtype === 'float32' && y.dtype === 'float32') {
    const p = prepared(ctx, () => prepareMeanFloat(x.shape, axes, o.keepDims));
    checkOutputShape(ctx, y, p.outputShape);
    return unaryStep(ctx, x, y, meanFloat, p);
  }
  throw typeError(ctx);
}

export function planSoftmax(ctx: OpContext): Step {
  expectCounts(ctx, 1, 1);
  const o = optionsOf(ctx, 'SOFTMAX');
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  if (x.shape.length < 1) throw invalid(ctx, 'needs an input of rank 1 or more');
  checkOutputShape(ctx, y, x.shape);
  if (!Number.isFinite(o.beta)) throw invalid(ctx, `has beta ${o.beta}`);
  ctx.work(x.size);
  if (x.dtype === 'int8' && y.dtype === 'int8') {
    const qy = requireFixedOutputQuant(ctx, 'SOFTMAX', 0.001);
    const p = prepared(ctx, () => prepareSoftmaxInt8(x.shape, perTensorQuant(ctx, x, 'input'), o.beta, qy));
    return unaryStep(ctx, x, y, softmaxInt8, p);
  }
  if (x.dtype === 'float32' && y.dtype === 'float32') {
    const p = prepared(ctx, () => prepareSoftmaxFloat(x.shape, o.beta));
    return unaryStep(ctx, x, y, softmaxFloat, p);
  }
  throw typeError(ctx);
}
