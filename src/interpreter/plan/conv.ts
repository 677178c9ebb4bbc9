// Planners for the weighted ops: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED.
// Weights and bias must be constants; all multipliers and folded bias terms
// are computed here, once.

import {
  conv2dFloat, conv2dInt8, depthwiseConv2dFloat, depthwiseConv2dInt8, fullyConnectedFloat, fullyConnectedHybrid,
  fullyConnectedInt8, prepareConv2dFloat, prepareConv2dInt8, prepareDepthwiseConv2dFloat, prepareDepthwiseConv2dInt8,
  prepareFullyConnectedFloat, prepareFullyConnectedHybrid, prepareFullyConnectedInt8, convOutSize,
} from '../kernels/index.js';
import {
  type OpContext, type Step, type TensorInfo, checkOutputShape, expectCounts, fusedActivation, input, invalid,
  optionalInput, output, perTensorQuant, prepared, requireConstant, requireRank, unsupported, weightQuant, tensorWord,
} from './context.js';
import { typeError } from './support.js';
import { wasmArenaFor } from '../wasm/arena.js';

function positive(ctx: OpContext, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) throw invalid(ctx, `has ${name} ${v}; it must be a positive integer`);
  }
}

function biasOf(ctx: OpContext, bias: TensorInfo | null, dtype: 'int32' | 'float32', channels: number): TensorInfo | null {
  if (!bias) return null;
  requireConstant(ctx, bias, 'bias');
  if (bias.dtype !== dtype) throw unsupported(ctx, `its bias ${tensorWord(bias)} is ${bias.dtype}; ${dtype} is expected here`);
  if (bias.size !== channels) throw invalid(ctx, `has a bias of ${bias.size} values for ${channels} output channels`);
  return bias;
}

export function planConv2d(ctx: OpContext): Step {
  expectCounts(ctx, 2, 3);
  const o = ctx.options;
  if (o.op !== 'CONV_2D') throw new Error('options mismatch');
  const x = input(ctx, 0, 'input');
  const w = input(ctx, 1, 'filter');
  const y = output(ctx);
  requireRank(ctx, x, 4, 'NHWC input');
  requireRank(ctx, w, 4, 'OHWI filter');
  requireConstant(ctx, w, 'filter');
  positive(ctx, { stride_w: o.strideW, stride_h: o.strideH, dilation_w: o.dilationWFactor, dilation_h: o.dilationHFactor });
  const [outC, fh, fw, fin] = w.shape as [number, number, number, number];
  if (fin !== x.shape[3]) throw invalid(ctx, `has a filter for ${fin} input channels but its input has ${x.shape[3]}`);
  const act = fusedActivation(ctx, o.fusedActivation);
  const opts = { padding: o.padding, strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationHFactor, dilationW: o.dilationWFactor, activation: act };
  const outH = convOutSize(o.padding, x.shape[1]!, fh, o.strideH, o.dilationHFactor);
  const outW = convOutSize(o.padding, x.shape[2]!, fw, o.strideW, o.dilationWFactor);
  checkOutputShape(ctx, y, [x.shape[0]!, outH, outW, outC]);
  ctx.work(y.size * fh * fw * fin);
  const bias = optionalInput(ctx, 2);
  if (x.dtype === 'int8' && w.dtype === 'int8' && y.dtype === 'int8') {
    const wq = weightQuant(ctx, w, outC, 0);
    const b = biasOf(ctx, bias, 'int32', outC);
    ctx.reserve(outH * outW * fh * fw * fin, 'the im2col buffer');
    const p = prepared(ctx, () => prepareConv2dInt8(
      { shape: x.shape, ...perTensorQuant(ctx, x, 'input') },
      { shape: w.shape, data: ctx.data(w) as Int8Array, ...wq },
      b ? (ctx.data(b) as Int32Array) : null, perTensorQuant(ctx, y, 'output'), opts, ctx.arithmetic, wasmArenaFor((ctx.data(x) as Int8Array).buffer)));
    const xin = ctx.data(x) as Int8Array;
    const yout = ctx.data(y) as Int8Array;
    return () => conv2dInt8(p, xin, yout);
  }
  if (x.dtype === 'float32' && w.dtype === 'float32' && y.dtype === 'float32') {
    const b = biasOf(ctx, bias, 'float32', outC);
    const p = prepared(ctx, () => prepareConv2dFloat(x.shape, w.shape, ctx.data(w) as Float32Array, b ? (ctx.data(b) as Float32Array) : null, opts));
    const xin = ctx.data(x) as Float32Array;
    const yout = ctx.data(y) as Float32Array;
    return () => conv2dFloat(p, xin, yout);
  }
  throw typeError(ctx);
}

export function planDepthwiseConv2d(ctx: OpContext): Step {
  expectCounts(ctx, 2, 3);
  const o = ctx.options;
  if (o.op !== 'DEPTHWISE_CONV_2D') throw new Error('options mismatch');
  const x = input(ctx, 0, 'input');
  const w = input(ctx, 1, 'filter');
  const y = output(ctx);
  requireRank(ctx, x, 4, 'NHWC input');
  requireRank(ctx, w, 4, '[1,H,W,C] filter');
  requireConstant(ctx, w, 'filter');
  positive(ctx, { stride_w: o.strideW, stride_h: o.strideH, dilation_w: o.dilationWFactor, dilation_h: o.dilationHFactor });
  const [, fh, fw, outC] = w.shape as [number, number, number, number];
  const act = fusedActivation(ctx, o.fusedActivation);
  const opts = {
    padding: o.padding, strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationHFactor, dilationW: o.dilationWFactor,
    activation: act, depthMultiplier: o.depthMultiplier,
  };
  const outH = convOutSize(o.padding, x.shape[1]!, fh, o.strideH, o.dilationHFactor);
  const outW = convOutSize(o.padding, x.shape[2]!, fw, o.strideW, o.dilationWFactor);
  checkOutputShape(ctx, y, [x.shape[0]!, outH, outW, outC]);
  ctx.work(y.size * fh * fw);
  const bias = optionalInput(ctx, 2);
  if (x.dtype === 'int8' && w.dtype === 'int8' && y.dtype === 'int8') {
    const wq = weightQuant(ctx, w, outC, 3);
    const b = biasOf(ctx, bias, 'int32', outC);
    const p = prepared(ctx, () => prepareDepthwiseConv2dInt8(
      { shape: x.shape, ...perTensorQuant(ctx, x, 'input') },
      { shape: w.shape, data: ctx.data(w) as Int8Array, ...wq },
      b ? (ctx.data(b) as Int32Array) : null, perTensorQuant(ctx, y, 'output'), opts, ctx.arithmetic, wasmArenaFor((ctx.data(x) as Int8Array).buffer)));
    const xin = ctx.data(x) as Int8Array;
    const yout = ctx.data(y) as Int8Array;
    return () => depthwiseConv2dInt8(p, xin, yout);
  }
  if (x.dtype === 'float32' && w.dtype === 'float32' && y.dtype === 'float32') {
    const b = biasOf(ctx, bias, 'float32', outC);
    const p = prepared(ctx, () => prepareDepthwiseConv2dFloat(x.shape, w.shape, ctx.data(w) as Float32Array, b ? (ctx.data(b) as Float32Array) : null, opts));
    const xin = ctx.data(x) as Float32Array;
    const yout = ctx.data(y) as Float32Array;
    return () => depthwiseConv2dFloat(p, xin, yout);
  }
  throw typeError(ctx);
}

export function planFullyConnected(ctx: OpContext): Step {
  expectCounts(ctx, 2, 3);
  const o = ctx.options;
  if (o.op !== 'FULLY_CONNECTED') throw new Error('options mismatch');
  const x = input(ctx, 0, 'input');
  const w = input(ctx, 1, 'weights');
  const y = output(ctx);
  requireRank(ctx, w, 2, '[units, depth] weights');
  requireConstant(ctx, w, 'weights');
  if (o.weightsFormat !== 'DEFAULT') throw unsupported(ctx, `weights format ${o.weightsFormat} is not supported (only DEFAULT)`);
  const [units, depth] = w.shape as [number, number];
  if (depth < 1 || x.size % depth !== 0) throw invalid(ctx, `has an input of ${x.size} values, not a whole number of ${depth}-value rows`);
  const act = fusedActivation(ctx, o.fusedActivation);
  const opts = { activation: act, keepNumDims: o.keepNumDims, asymmetricQuantizeInputs: o.asymmetricQuantizeInputs };
  const batches = x.size / depth;
  checkOutputShape(ctx, y, o.keepNumDims ? [...x.shape.slice(0, -1), units] : [batches, units]);
  ctx.work(batches * units * depth);
  const bias = optionalInput(ctx, 2);
  if (x.dtype === 'int8' && w.dtype === 'int8' && y.dtype === 'int8') {
    const wq = weightQuant(ctx, w, units, 0);
    const b = biasOf(ctx, bias, 'int32', units);
    const p = prepared(ctx, () => prepareFullyConnectedInt8(
      { shape: x.shape, ...perTensorQuant(ctx, x, 'input') },
      { shape: w.shape, data: ctx.data(w) as Int8Array, ...wq },
      b ? (ctx.data(b) as Int32Array) : null, perTensorQuant(ctx, y, 'output'), opts, ctx.arithmetic, wasmArenaFor((ctx.data(x) as Int8Array).buffer)));
    const xin = ctx.data(x) as Int8Array;
    const yout = ctx.data(y) as Int8Array;
    return () => fullyConnectedInt8(p, xin, yout);
  }
  if (x.dtype === 'float32' && w.dtype === 'float32' && y.dtype === 'float32') {
    const b = biasOf(ctx, bias, 'float32', units);
    const p = prepared(ctx, () => prepareFullyConnectedFloat(x.shape, w.shape, ctx.data(w) as Float32Array, b ? (ctx.data(b) as Float32Array) : null, opts));
    const xin = ctx.data(x) as Float32Array;
    const yout = ctx.data(y) as Float32Array;
    return () => fullyConnectedFloat(p, xin, yout);
  }
  if (x.dtype === 'float32' && w.dtype === 'int8' && y.dtype === 'float32') {
    const wq = weightQuant(ctx, w, units, 0);
    const b = biasOf(ctx, bias, 'float32', units);
    ctx.reserve(depth + 8 * units, 'the dynamic-range scratch');
    const p = prepared(ctx, () => prepareFullyConnectedHybrid(x.shape, { shape: w.shape, data: ctx.data(w) as Int8Array, ...wq },
      b ? (ctx.data(b) as Float32Array) : null, opts));
    const xin = ctx.data(x) as Float32Array;
    const yout = ctx.data(y) as Float32Array;
    return () => fullyConnectedHybrid(p, xin, yout);
  }
  throw typeError(ctx);
}
