// Planners for the weighted ops: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED.
// Weights and bias must be constants; all multipliers and folded bias terms
// are computed here, once.

import type { Conv2DOptions, DepthwiseConv2DOptions } from '../../tflite/options.js';
import {
  conv2dFloat, conv2dHybrid, conv2dInt8, prepareConv2dHybrid, depthwiseConv2dHybrid, prepareDepthwiseConv2dHybrid, depthwiseConv2dFloat, depthwiseConv2dInt8, fullyConnectedFloat, fullyConnectedHybrid,
  fullyConnectedInt8, prepareConv2dFloat, prepareConv2dInt8, prepareDepthwiseConv2dFloat, prepareDepthwiseConv2dInt8,
  prepareFullyConnectedFloat, prepareFullyConnectedHybrid, prepareFullyConnectedInt8, convOutSize,
  type Arithmetic, type ConvOptions, type FusedActivation, type QuantParamsT, type RequantizedOutput, type TensorSpec, type WeightSpec,
  tensorZeroPoint,
} from '../kernels/index.js';
import type { WeightedBuiltin } from '../../../quantize/op-table.js';
import {
  type OpContext, type Step, type TensorInfo, checkOutputShape, expectCounts, fusedActivation, input, invalid,
  optionalInput, output, perTensorQuant, prepared, requireConstant, requirePositive, requireRank, unaryStep, unsupported,
  optionsOf, weightQuant, tensorWord,
} from './context.js';
import { weightedMacs } from './cost.js';
import { typeError } from './support.js';
import { type WasmArena, wasmArenaFor } from '../wasm/arena.js';

type Int8Prepare<P, O> = (
  input: TensorSpec, filter: WeightSpec, bias: Int32Array | null, output: QuantParamsT, o: O, arithmetic: Arithmetic, wasm: WasmArena | null,
) => P;
type FloatPrepare<P, O> = (
  inputShape: readonly number[], filterShape: readonly number[], weights: Float32Array, bias: Float32Array | null, o: O, wasm: WasmArena | null,
) => P;

function dtypes(...ts: TensorInfo[]): string {
  return ts.map((t) => t.dtype).join(' ');
}

function biasOf(ctx: OpContext, bias: TensorInfo | null, dtype: 'int32' | 'float32', channels: number): TensorInfo | null {
  if (!bias) return null;
  requireConstant(ctx, bias, 'bias');
  if (bias.dtype !== dtype) throw unsupported(ctx, `its bias ${tensorWord(bias)} is ${bias.dtype}; ${dtype} is expected here`);
  if (bias.size !== channels) throw invalid(ctx, `has a bias of ${bias.size} values for ${channels} output channels`);
  return bias;
}

/** int8 data, symmetric int8 weights quantized along `axis`, an int32 bias; `im2col` bytes are counted first when given. */
function int8Step<P extends RequantizedOutput, O extends { activation: FusedActivation }>(
  ctx: OpContext, x: TensorInfo, w: TensorInfo, y: TensorInfo, bias: TensorInfo | null, channels: number, axis: number, opts: O,
  prepare: Int8Prepare<P, O>, kernel: (p: P, x: Int8Array, y: Int8Array) => void, im2col?: number,
): Step {
  const wq = weightQuant(ctx, w, channels, axis);
  const b = biasOf(ctx, bias, 'int32', channels);
  if (im2col !== undefined) ctx.reserve(im2col, 'the im2col buffer');
  const qx = perTensorQuant(ctx, x, 'input');
  const qy = perTensorQuant(ctx, y, 'output');
  const p = prepared(ctx, () => prepare(
    { shape: x.shape, ...qx }, { shape: w.shape, data: ctx.data(w) as Int8Array, ...wq },
    b ? (ctx.data(b) as Int32Array) : null, qy, opts, ctx.arithmetic, wasmArenaFor((ctx.data(x) as Int8Array).buffer)));
  // The weights and bias are views of the file's constants, not copies.
  ctx.recordLayer?.({
    name: y.name, builtin: ctx.op as WeightedBuiltin, activation: opts.activation, storedInt4: w.packedInt4 === true,
    weights: ctx.data(w) as Int8Array, weightShape: [...w.shape], channelAxis: wq.quantizedDimension,
    weightScales: Array.from(wq.scale), bias: b ? (ctx.data(b) as Int32Array) : new Int32Array(channels),
    input: { scale: qx.scale[0]!, zeroPoint: tensorZeroPoint(qx) }, output: { scale: qy.scale[0]!, zeroPoint: tensorZeroPoint(qy) },
    arithmetic: ctx.arithmetic,
    requant: { scale: p.scale, multiplier: p.multiplier, shift: p.shift, outputZeroPoint: p.outputZeroPoint, actMin: p.actMin, actMax: p.actMax },
  });
  return unaryStep(ctx, x, y, kernel, p);
}

function floatStep<P, O>(
  ctx: OpContext, x: TensorInfo, w: TensorInfo, y: TensorInfo, bias: TensorInfo | null, channels: number, opts: O,
  prepare: FloatPrepare<P, O>, kernel: (p: P, x: Float32Array, y: Float32Array) => void,
): Step {
  const b = biasOf(ctx, bias, 'float32', channels);
  const p = prepared(ctx, () => prepare(
    x.shape, w.shape, ctx.data(w) as Float32Array, b ? (ctx.data(b) as Float32Array) : null, opts, wasmArenaFor((ctx.data(x) as Float32Array).buffer)));
  return unaryStep(ctx, x, y, kernel, p);
}

/** Input, constant filter and output of a convolution whose strides and dilations are usable. */
function convOperands(ctx: OpContext, o: Conv2DOptions | DepthwiseConv2DOptions, filterWhat: string): { x: TensorInfo; w: TensorInfo; y: TensorInfo } {
  const x = input(ctx, 0, 'input');
  const w = input(ctx, 1, 'filter');
  const y = output(ctx);
  requireRank(ctx, x, 4, 'NHWC input');
  requireRank(ctx, w, 4, filterWhat);
  requireConstant(ctx, w, 'filter');
  requirePositive(ctx, { stride_w: o.strideW, stride_h: o.strideH, dilation_w: o.dilationWFactor, dilation_h: o.dilationHFactor });
  return { x, w, y };
}

/** The kernel's window options, once the output shape they compute matches the file's. */
function convWindow(
  ctx: OpContext, o: Conv2DOptions | DepthwiseConv2DOptions, x: TensorInfo, y: TensorInfo, fh: number, fw: number, outC: number,
): ConvOptions {
  const activation = fusedActivation(ctx, o.fusedActivation);
  const outH = convOutSize(o.padding, x.shape[1]!, fh, o.strideH, o.dilationHFactor);
  const outW = convOutSize(o.padding, x.shape[2]!, fw, o.strideW, o.dilationWFactor);
  checkOutputShape(ctx, y, [x.shape[0]!, outH, outW, outC]);
  return { padding: o.padding, strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationHFactor, dilationW: o.dilationWFactor, activation };
}

/**
 * float32 data, int8 weights quantized along `axis` and a float32 bias
 * (dynamic range); `scratch` bytes (the quantized input, patches) are
 * counted before the kernel allocates them.
 */
function hybridStep<P>(
  ctx: OpContext, x: TensorInfo, w: TensorInfo, y: TensorInfo, bias: TensorInfo | null, channels: number, axis: number,
  scratch: number, prepare: (weights: WeightSpec, bias: Float32Array | null) => P, kernel: (p: P, x: Float32Array, y: Float32Array) => void,
): Step {
  const wq = weightQuant(ctx, w, channels, axis);
  const b = biasOf(ctx, bias, 'float32', channels);
  ctx.reserve(scratch, 'the dynamic-range scratch');
  const p = prepared(ctx, () => prepare({ shape: w.shape, data: ctx.data(w) as Int8Array, ...wq }, b ? (ctx.data(b) as Float32Array) : null));
  return unaryStep(ctx, x, y, kernel, p);
}

export function planConv2d(ctx: OpContext): Step {
  expectCounts(ctx, 2, 3);
  const o = optionsOf(ctx, 'CONV_2D');
  const { x, w, y } = convOperands(ctx, o, 'OHWI filter');
  const [outC, fh, fw, fin] = w.shape as [number, number, number, number];
  if (fin !== x.shape[3]) throw invalid(ctx, `has a filter for ${fin} input channels but its input has ${x.shape[3]}`);
  const opts = convWindow(ctx, o, x, y, fh, fw, outC);
  const bias = optionalInput(ctx, 2);
  const types = dtypes(x, w, y);
  ctx.work(weightedMacs(y.size * fh * fw * fin, types));
  if (types === 'int8 int8 int8') {
    const im2col = y.shape[1]! * y.shape[2]! * fh * fw * fin;
    return int8Step(ctx, x, w, y, bias, outC, 0, opts, prepareConv2dInt8, conv2dInt8, im2col);
  }
  if (types === 'float32 float32 float32') return floatStep(ctx, x, w, y, bias, outC, opts, prepareConv2dFloat, conv2dFloat);
  if (types === 'float32 int8 float32') {
    const scratch = x.size / (x.shape[0] ?? 1) + y.shape[1]! * y.shape[2]! * fh * fw * fin;
    return hybridStep(ctx, x, w, y, bias, outC, 0, scratch,
      (wt, b) => prepareConv2dHybrid(x.shape, wt.shape, wt.data, wt.scale, b, opts), conv2dHybrid);
  }
  throw typeError(ctx);
}

export function planDepthwiseConv2d(ctx: OpContext): Step {
  expectCounts(ctx, 2, 3);
  const o = optionsOf(ctx, 'DEPTHWISE_CONV_2D');
  const { x, w, y } = convOperands(ctx, o, '[1,H,W,C] filter');
  const [, fh, fw, outC] = w.shape as [number, number, number, number];
  const opts = { ...convWindow(ctx, o, x, y, fh, fw, outC), depthMultiplier: o.depthMultiplier };
  const bias = optionalInput(ctx, 2);
  const types = dtypes(x, w, y);
  ctx.work(weightedMacs(y.size * fh * fw, types));
  if (types === 'int8 int8 int8') return int8Step(ctx, x, w, y, bias, outC, 3, opts, prepareDepthwiseConv2dInt8, depthwiseConv2dInt8);
  if (types === 'float32 float32 float32') return floatStep(ctx, x, w, y, bias, outC, opts, prepareDepthwiseConv2dFloat, depthwiseConv2dFloat);
  if (types === 'float32 int8 float32') {
    if (w.quant && w.quant.scale.length !== outC) {
      throw unsupported(ctx, `its dynamic-range weights (${tensorWord(w)}) have ${w.quant.scale.length} scale(s); LiteRT requires one per channel (${outC})`);
    }
    return hybridStep(ctx, x, w, y, bias, outC, 3, x.size / (x.shape[0] ?? 1) + 4 * outC,
      (wt, b) => prepareDepthwiseConv2dHybrid(x.shape, wt.shape, wt.data, wt.scale, b, opts), depthwiseConv2dHybrid);
  }
  throw typeError(ctx);
}

export function planFullyConnected(ctx: OpContext): Step {
  expectCounts(ctx, 2, 3);
  const o = optionsOf(ctx, 'FULLY_CONNECTED');
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
  const bias = optionalInput(ctx, 2);
  const types = dtypes(x, w, y);
  ctx.work(weightedMacs(batches * units * depth, types));
  if (types === 'int8 int8 int8') return int8Step(ctx, x, w, y, bias, units, 0, opts, prepareFullyConnectedInt8, fullyConnectedInt8);
  if (types === 'float32 float32 float32') return floatStep(ctx, x, w, y, bias, units, opts, prepareFullyConnectedFloat, fullyConnectedFloat);
  if (types === 'float32 int8 float32') {
    return hybridStep(ctx, x, w, y, bias, units, 0, depth + 8 * units, (wt, b) => prepareFullyConnectedHybrid(x.shape, wt, b, opts), fullyConnectedHybrid);
  }
  throw typeError(ctx);
}
