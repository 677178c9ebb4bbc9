// Planners for the dense-prediction ops: TRANSPOSE_CONV, RESIZE_BILINEAR,
// RESIZE_NEAREST_NEIGHBOR, STRIDED_SLICE, SLICE, MIRROR_PAD,
// SQUARED_DIFFERENCE and RSQRT.

import {
  type AxisGather, type Movable, gatherAxes, planBroadcast, prepareMirrorPad, prepareResizeBilinear, prepareResizeNearest,
  prepareRsqrtInt8, prepareSlice, prepareSquaredDifferenceInt8, prepareStridedSlice, prepareTransposeConvFloat,
  prepareTransposeConvInt8, resizeBilinearFloat, resizeBilinearInt8, resizeNearest, rsqrtFloat, rsqrtInt8, squaredDifferenceFloat,
  squaredDifferenceInt8, transposeConvFloat, transposeConvInt8,
} from '../kernels/index.js';
import {
  type OpContext, type Step, type TensorInfo, checkOutputShape, constantInts, expectCounts, fusedActivation, input, invalid,
  optionalInput, optionsOf, output, perTensorQuant, prepared, requireConstant, requirePositive, requireRank, requireSameQuant,
  tensorWord, unaryStep, unsupported, weightQuant,
  broadcastOperands,
} from './context.js';
import { typeError } from './support.js';
import { wasmArenaFor } from '../wasm/arena.js';

function constantBias(ctx: OpContext, bias: TensorInfo | null, dtype: 'int32' | 'float32', channels: number): TensorInfo | null {
  if (!bias) return null;
  requireConstant(ctx, bias, 'bias');
  if (bias.dtype !== dtype) throw unsupported(ctx, `its bias ${tensorWord(bias)} is ${bias.dtype}; ${dtype} is expected here`);
  if (bias.size !== channels) throw invalid(ctx, `has a bias of ${bias.size} values for ${channels} output channels`);
  return bias;
}

export function planTransposeConv(ctx: OpContext): Step {
  expectCounts(ctx, 3, 4);
  const o = optionsOf(ctx, 'TRANSPOSE_CONV');
  const shapeT = input(ctx, 0, 'output shape');
  const w = input(ctx, 1, 'weights');
  const x = input(ctx, 2, 'input');
  const y = output(ctx);
  requireRank(ctx, x, 4, 'NHWC input');
  requireRank(ctx, w, 4, 'weights [out,h,w,in]');
  requireConstant(ctx, w, 'weights');
  requirePositive(ctx, { stride_w: o.strideW, stride_h: o.strideH });
  const outShape = constantInts(ctx, shapeT, 'output shape');
  checkOutputShape(ctx, y, outShape);
  const outC = w.shape[0]!;
  const opts = { padding: o.padding, strideH: o.strideH, strideW: o.strideW, activation: fusedActivation(ctx, o.fusedActivation) };
  ctx.work((x.size / x.shape[3]!) * w.size);
  ctx.reserve(8 * y.size / Math.max(1, y.shape[0]!), 'the transposed-convolution accumulators');
  const bias = optionalInput(ctx, 3);
  if (x.dtype === 'int8' && w.dtype === 'int8' && y.dtype === 'int8') {
    const wq = weightQuant(ctx, w, outC, 0);
    const b = constantBias(ctx, bias, 'int32', outC);
    const p = prepared(ctx, () => prepareTransposeConvInt8(
      x.shape, perTensorQuant(ctx, x, 'input'), w.shape, ctx.data(w) as Int8Array, wq, b ? (ctx.data(b) as Int32Array) : null,
      outShape, perTensorQuant(ctx, y, 'output'), opts, ctx.arithmetic, wasmArenaFor((ctx.data(x) as Int8Array).buffer)));
    return unaryStep(ctx, x, y, transposeConvInt8, p);
  }
  if (x.dtype === 'float32' && w.dtype === 'float32' && y.dtype === 'float32') {
    const b = constantBias(ctx, bias, 'float32', outC);
    const p = prepared(ctx, () => prepareTransposeConvFloat(
      x.shape, w.shape, ctx.data(w) as Float32Array, b ? (ctx.data(b) as Float32Array) : null, outShape, opts));
    return unaryStep(ctx, x, y, transposeConvFloat, p);
  }
  throw typeError(ctx);
}

/** RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: an NHWC input and a constant [height, width]. */
export function planResize(ctx: OpContext): Step {
  expectCounts(ctx, 2, 2);
  const o = optionsOf(ctx, 'RESIZE_BILINEAR', 'RESIZE_NEAREST_NEIGHBOR');
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  requireRank(ctx, x, 4, 'NHWC input');
  const size = constantInts(ctx, input(ctx, 1, 'size'), 'size');
  if (o.alignCorners && o.halfPixelCenters) throw invalid(ctx, 'sets both align_corners and half_pixel_centers; TFLite accepts one at most');
  const opts = { alignCorners: o.alignCorners, halfPixelCenters: o.halfPixelCenters };
  if (x.dtype !== y.dtype) throw typeError(ctx);
  if (x.dtype === 'int8') requireSameQuant(ctx, x, y);
  else if (x.dtype !== 'float32') throw typeError(ctx);
  if (o.op === 'RESIZE_NEAREST_NEIGHBOR') {
    const p = prepared(ctx, () => prepareResizeNearest(x.shape, size, opts));
    checkOutputShape(ctx, y, p.outputShape);
    ctx.work(y.size);
    const dx = ctx.data(x) as Int8Array;
    const dy = ctx.data(y) as Int8Array;
    // Whole pixels are copied, so the element type does not matter.
    return () => resizeNearest(p, dx, dy);
  }
  const p = prepared(ctx, () => prepareResizeBilinear(x.shape, size, opts));
  checkOutputShape(ctx, y, p.outputShape);
  ctx.work(4 * y.size);
  return x.dtype === 'int8' ? unaryStep(ctx, x, y, resizeBilinearInt8, p) : unaryStep(ctx, x, y, resizeBilinearFloat, p);
}

/** A step that moves values by per-axis index maps; quantized data must keep its scale and zero point. */
function gatherStep(ctx: OpContext, x: TensorInfo, y: TensorInfo, make: () => AxisGather): Step {
  if (x.dtype !== y.dtype) throw typeError(ctx);
  if (x.dtype === 'int8' || x.dtype === 'uint8') requireSameQuant(ctx, x, y);
  else if (x.dtype !== 'float32' && x.dtype !== 'int32') throw typeError(ctx);
  const g = prepared(ctx, make);
  checkOutputShape(ctx, y, g.outputShape);
  ctx.work(y.size);
  const dx = ctx.data(x) as Movable;
  const dy = ctx.data(y) as Movable;
  return () => gatherAxes(g, dx, dy);
}

export function planMirrorPad(ctx: OpContext): Step {
  expectCounts(ctx, 2, 2);
  const o = optionsOf(ctx, 'MIRROR_PAD');
  const x = input(ctx, 0, 'input');
  const padsT = input(ctx, 1, 'paddings');
  const pads = constantInts(ctx, padsT, 'paddings');
  if (padsT.shape.length !== 2 || padsT.shape[0] !== x.shape.length || padsT.shape[1] !== 2) {
    throw invalid(ctx, `needs paddings of shape [${x.shape.length},2] but ${tensorWord(padsT)} is [${padsT.shape.join(',')}]`);
  }
  return gatherStep(ctx, x, output(ctx), () => prepareMirrorPad(x.shape, pads, o.mode));
}

export function planStridedSlice(ctx: OpContext): Step {
  expectCounts(ctx, 4, 4);
  const o = optionsOf(ctx, 'STRIDED_SLICE');
  const x = input(ctx, 0, 'input');
  if (o.ellipsisMask !== 0 || o.newAxisMask !== 0) {
    throw unsupported(ctx, `ellipsis_mask (${o.ellipsisMask}) and new_axis_mask (${o.newAxisMask}) are not supported; only begin, end and shrink masks are`);
  }
  const begin = constantInts(ctx, input(ctx, 1, 'begin'), 'begin');
  const end = constantInts(ctx, input(ctx, 2, 'end'), 'end');
  const strides = constantInts(ctx, input(ctx, 3, 'strides'), 'strides');
  return gatherStep(ctx, x, output(ctx), () => prepareStridedSlice(x.shape, begin, end, strides, o));
}

export function planSlice(ctx: OpContext): Step {
  expectCounts(ctx, 3, 3);
  const x = input(ctx, 0, 'input');
  const begin = constantInts(ctx, input(ctx, 1, 'begin'), 'begin');
  const size = constantInts(ctx, input(ctx, 2, 'size'), 'size');
  return gatherStep(ctx, x, output(ctx), () => prepareSlice(x.shape, begin, size));
}

export function planSquaredDifference(ctx: OpContext): Step {
  const { a, b, y } = broadcastOperands(ctx, ['first input', 'second input']);
  const da = ctx.data(a);
  const db = ctx.data(b);
  const dy = ctx.data(y);
  if (a.dtype === 'int8' && b.dtype === 'int8' && y.dtype === 'int8') {
    const p = prepared(ctx, () => prepareSquaredDifferenceInt8(
      a.shape, perTensorQuant(ctx, a, 'first input'), b.shape, perTensorQuant(ctx, b, 'second input'), perTensorQuant(ctx, y, 'output')));
    checkOutputShape(ctx, y, p.outputShape);
    return () => squaredDifferenceInt8(p, da as Int8Array, db as Int8Array, dy as Int8Array);
  }
  if (a.dtype === 'float32' && b.dtype === 'float32' && y.dtype === 'float32') {
    const plan = prepared(ctx, () => planBroadcast(a.shape, b.shape));
    checkOutputShape(ctx, y, plan.outputShape);
    return () => squaredDifferenceFloat(plan, da as Float32Array, db as Float32Array, dy as Float32Array);
  }
  throw typeError(ctx);
}

export function planRsqrt(ctx: OpContext): Step {
  expectCounts(ctx, 1, 1);
  const x = input(ctx, 0, 'input');
  const y = output(ctx);
  checkOutputShape(ctx, y, x.shape);
  ctx.work(x.size);
  if (x.dtype === 'int8' && y.dtype === 'int8') {
    const p = prepared(ctx, () => prepareRsqrtInt8(perTensorQuant(ctx, x, 'input'), perTensorQuant(ctx, y, 'output')));
    const dx = ctx.data(x) as Int8Array;
    const dy = ctx.data(y) as Int8Array;
    return () => {
      try {
        rsqrtInt8(p, dx, dy);
      } catch (e) {
        throw unsupported(ctx, e instanceof Error ? e.message : String(e));
      }
    };
  }
  if (x.dtype === 'float32' && y.dtype === 'float32') return unaryStep(ctx, x, y, rsqrtFloat, null);
  throw typeError(ctx);
}
