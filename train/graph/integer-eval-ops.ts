// The integer eval graph's ops: each quantized op computes exactly the
// integers the exported int8 model computes under LiteRT (XNNPACK's
// arithmetic, or a builtin kernel's where LiteRT falls back to one), as
// src/interpreter reproduces them with arithmetic 'xnnpack'.
//
// Weighted layers compute with the exporter's prepared-layer record
// (quantize/prepare.ts: integer weights, int32 bias, requantization) on a
// fast tfjs path: acc = Σ(q_x − zp_x)·w_q + bias, exact in int32 pieces
// (exact-accumulate.ts), then XNNPACK's float32 requantization
// rne(f32(f32(acc)·M_c)) + zp_out clamped to the activation's bounds, or
// for INT4 weights TFLite's fixed-point one. Agreement with the interpreter
// on the exported file checks what the file holds and how it is read.
//
// ADD, MEAN (globalAvgPool), AVERAGE_POOL_2D and SOFTMAX run the
// interpreter's own kernels on the downloaded int8 codes: one
// implementation of their arithmetic.
//
// Every op returns null when it is not fully quantized on 8-bit grids (a
// skipped layer, a float neighbour); the simulated kernel runs then.
import * as tf from '@tensorflow/tfjs';
import type { ParamLookup, QConvLikeNode } from '../../quantize/fold.js';
import { inputFakeQuant, nodesByName, outputFakeQuants } from '../../quantize/graph.js';
import { TFLITE_FUSED_ACTIVATION } from '../../quantize/op-table.js';
import { prepareLayer, type PreparedLayer, type Requantization } from '../../quantize/prepare.js';
import { activationRange } from '../../quantize/qparams.js';
import type { Graph, IRNode, NodeOf, OpName } from '../../src/ir/types.js';
import {
  type Arithmetic, type QuantParamsT, addInt8, averagePool2dInt8, fixedPointMultiply, meanInt8, prepareAddInt8, prepareAveragePool2dInt8,
  prepareMeanInt8, prepareSoftmaxInt8, softmaxInt8,
} from '../../src/interpreter/kernels/index.js';
import type { IntegerEvalInfo, KernelContext } from './context.js';
import { accumulateWithBias, FLOAT32_EXACT_INTEGER, type Contraction } from './exact-accumulate.js';
import { activationGrid, gridCentered, gridCodes, gridValues, requantizedValues, type ActivationGrid } from './grid.js';

const f32 = Math.fround;

/** The per-run view of the graph and store the integer kernels use (ranges read once per run). */
export function integerEvalInfo(graph: Graph, store: ParamLookup): IntegerEvalInfo {
  const outputs = outputFakeQuants(graph.nodes);
  const byName = nodesByName(graph.nodes);
  const inputs = new Map<string, Array<NodeOf<'fakeQuant'> | null>>();
  const grids = new Map<string, ActivationGrid | null>();
  const computed = new Set<string>();
  return {
    markComputed: (node) => computed.add(node.name),
    computedOnGrid: (name) => (computed.has(name) ? outputs.get(name)?.name ?? null : null),
    inputQuantizer(node, index) {
      let list = inputs.get(node.name);
      if (!list) {
        list = node.inputs.map((_, i) => inputFakeQuant(node, i, byName));
        inputs.set(node.name, list);
      }
      return list[index] ?? null;
    },
    outputQuantizer: (node) => outputs.get(node.name) ?? null,
    grid(fq) {
      if (!grids.has(fq.name)) grids.set(fq.name, fq.attrs.bits === 8 ? activationGrid(activationRange(fq, store), 8) : null);
      return grids.get(fq.name)!;
    },
  };
}

interface Grids {
  inputs: ActivationGrid[];
  output: ActivationGrid;
}

/** The 8-bit grids of every input and of the output, or null if any is missing. */
function gridsOf(node: IRNode, ctx: KernelContext): Grids | null {
  const info = ctx.integer;
  if (!info) return null;
  const out = info.outputQuantizer(node);
  const output = out ? info.grid(out) : null;
  if (!output) return null;
  const inputs: ActivationGrid[] = [];
  for (let i = 0; i < node.inputs.length; i++) {
    const fq = info.inputQuantizer(node, i);
    const g = fq ? info.grid(fq) : null;
    if (!g) return null;
    inputs.push(g);
  }
  return { inputs, output };
}

function quantParams(g: ActivationGrid): QuantParamsT {
  return { scale: [g.scale], zeroPoint: [g.zeroPoint], quantizedDimension: 0 };
}

const lookup = (ctx: KernelContext): ParamLookup => ({ get: (name) => ctx.variable(name) });

/** The prepared layer's integer weights (TFLite's layout) back in the float op's layout, as float32 integers. */
function irLayoutWeights(p: PreparedLayer, irShape: number[]): tf.Tensor {
  const w = tf.tensor(Float32Array.from(p.weights), p.weightShape);
  if (p.builtin === 'DEPTHWISE_CONV_2D') return tf.reshape(w, irShape); // [1,h,w,cin·m] is [h,w,cin,m] in memory
  return p.builtin === 'CONV_2D' ? tf.transpose(w, [1, 2, 3, 0]) : tf.transpose(w); // OHWI → HWIO, [out,in] → [in,out]
}

function contractionOf(node: QConvLikeNode): Contraction {
  if (node.op === 'qdense') return { kind: 'dense' };
  const { strides, padding, dilations } = node.attrs;
  return { kind: node.op === 'qconv2d' ? 'conv' : 'depthwise', strides, padding, dilations };
}

function integerLayer(node: QConvLikeNode, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const wq = node.attrs.weightQuant;
  const grids = gridsOf(node, ctx);
  if (!wq || !grids) return null;
  const gIn = grids.inputs[0]!;
  const gOut = grids.output;
  const p = prepareLayer(node, lookup(ctx), gIn, gOut);
  const w = irLayoutWeights(p, ctx.param(node, 'kernel').shape);
  const accF = accumulateWithBias(contractionOf(node), gridCentered(x!, gIn), w, p.bias, gIn.centeredAbsMax, 2 ** (wq.bits - 1) - 1);
  const r = p.requant;
  if (p.arithmetic !== 'xnnpack') return fixedPointRequantized(accF, r, p.arithmetic, gOut);
  // tf.round is round-half-to-even on every backend, as lrintf.
  return requantizedValues(tf.round(tf.mul(accF, tf.tensor1d(r.scale!))), gOut, r.actMin, r.actMax);
}

/**
 * TFLite's builtin requantization (what LiteRT runs for INT4-weight convs):
 * fixed-point multipliers, double or single rounding, on the CPU — the
 * int32 accumulators are exact in float32 below 2^24, which bounds these
 * 4-bit layers by far.
 */
function fixedPointRequantized(accF: tf.Tensor, r: Requantization, arithmetic: Arithmetic, gOut: ActivationGrid): tf.Tensor {
  const channels = accF.shape[accF.rank - 1]!;
  const multiply = fixedPointMultiply(arithmetic);
  const acc = accF.dataSync();
  const out = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) {
    if (!(Math.abs(acc[i]!) <= FLOAT32_EXACT_INTEGER)) throw new Error('integer eval: an INT4-weight accumulator exceeds 2^24');
    const c = i % channels;
    out[i] = multiply(acc[i]!, r.multiplier[c]!, r.shift[c]!);
  }
  return requantizedValues(tf.tensor(out, accF.shape), gOut, r.actMin, r.actMax);
}

/** The int8 codes of values on a grid, downloaded for an interpreter kernel. */
function int8Codes(x: tf.Tensor, g: ActivationGrid): Int8Array {
  return Int8Array.from(tf.tidy(() => gridCodes(x, g)).dataSync());
}

/** Runs an interpreter kernel writing `shape`'s int8 codes, and returns them as values on the output grid. */
function fromKernel(shape: readonly number[], g: ActivationGrid, run: (out: Int8Array) => void): tf.Tensor {
  const out = new Int8Array(shape.reduce((x, y) => x * y, 1));
  run(out);
  return gridValues(tf.tensor(Float32Array.from(out), [...shape]), g);
}

/**
 * ADD: the interpreter's kernel, which is XNNPACK's (21-bit multipliers,
 * one rounding shift), or TFLite's reference ADD for the scale ratios
 * XNNPACK rejects — as LiteRT falls back.
 */
function integerAdd(node: NodeOf<'add'> | NodeOf<'qadd'>, xs: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids || xs.length !== 2) return null;
  const [ga, gb] = grids.inputs as [ActivationGrid, ActivationGrid];
  const go = grids.output;
  const activation = TFLITE_FUSED_ACTIVATION[node.op === 'qadd' ? node.attrs.activation : 'none'];
  const [a, b] = xs as [tf.Tensor, tf.Tensor];
  const p = prepareAddInt8(a.shape, quantParams(ga), b.shape, quantParams(gb), quantParams(go), activation, 'xnnpack');
  return fromKernel(p.outputShape, go, (out) => addInt8(p, int8Codes(a, ga), int8Codes(b, gb), out));
}

/** MEAN over H and W: the interpreter's kernel with XNNPACK's arithmetic. */
function integerGlobalAvgPool(node: NodeOf<'globalAvgPool'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids) return null;
  const gIn = grids.inputs[0]!;
  const gOut = grids.output;
  const p = prepareMeanInt8(x!.shape, quantParams(gIn), [1, 2], false, quantParams(gOut), 'xnnpack');
  return fromKernel(p.outputShape, gOut, (out) => meanInt8(p, int8Codes(x!, gIn), out));
}

/** AVERAGE_POOL_2D: the interpreter's kernel (TFLite's integer average; input and output share one grid). */
function integerAvgPool(node: NodeOf<'avgPool'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids) return null;
  const gIn = grids.inputs[0]!;
  const gOut = grids.output;
  if (gIn.scale !== gOut.scale || gIn.zeroPoint !== gOut.zeroPoint) return null;
  const { poolSize, strides, padding } = node.attrs;
  const p = prepareAveragePool2dInt8(x!.shape, {
    padding: padding === 'same' ? 'SAME' : 'VALID', strideH: strides[0], strideW: strides[1], filterH: poolSize[0], filterW: poolSize[1], activation: 'NONE',
  }, quantParams(gOut));
  const shape = [p.geom.batches, p.geom.outH, p.geom.outW, x!.shape[3]!];
  return fromKernel(shape, gOut, (out) => averagePool2dInt8(p, int8Codes(x!, gIn), out));
}

/** TFLite's int8 SOFTMAX (a float32 LUT kernel XNNPACK does not run): the interpreter's kernel on the codes. */
function integerSoftmax(node: NodeOf<'softmax'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids) return null;
  const gIn = grids.inputs[0]!;
  const gOut = grids.output;
  const p = prepareSoftmaxInt8(x!.shape, quantParams(gIn), 1, quantParams(gOut));
  return fromKernel(x!.shape, gOut, (out) => softmaxInt8(p, int8Codes(x!, gIn), out));
}

/**
 * A fakeQuant right after an op the integer kernels computed on its grid is
 * the identity (gridValues computes the fakeQuant op's own values), so it is
 * skipped; a new handle keeps every runAll entry independently disposable.
 */
function integerFakeQuant(node: NodeOf<'fakeQuant'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  // reshape to its own shape: a new handle on the same data (tf.clone copies on wasm).
  return ctx.integer?.computedOnGrid(node.inputs[0]!) === node.name ? tf.reshape(x!, x!.shape) : null;
}

export type IntegerEvalOp = (node: IRNode, inputs: tf.Tensor[], ctx: KernelContext) => tf.Tensor | null;

/** The integer eval graph's ops by IR op; an op missing here (or returning null) runs its simulated kernel. */
export const INTEGER_EVAL_OPS: Partial<Record<OpName, IntegerEvalOp>> = {
  qconv2d: (n, xs, ctx) => integerLayer(n as QConvLikeNode, xs, ctx),
  qdepthwiseConv2d: (n, xs, ctx) => integerLayer(n as QConvLikeNode, xs, ctx),
  qdense: (n, xs, ctx) => integerLayer(n as QConvLikeNode, xs, ctx),
  add: (n, xs, ctx) => integerAdd(n as NodeOf<'add'>, xs, ctx),
  qadd: (n, xs, ctx) => integerAdd(n as NodeOf<'qadd'>, xs, ctx),
  globalAvgPool: (n, xs, ctx) => integerGlobalAvgPool(n as NodeOf<'globalAvgPool'>, xs, ctx),
  avgPool: (n, xs, ctx) => integerAvgPool(n as NodeOf<'avgPool'>, xs, ctx),
  softmax: (n, xs, ctx) => integerSoftmax(n as NodeOf<'softmax'>, xs, ctx),
  fakeQuant: (n, xs, ctx) => integerFakeQuant(n as NodeOf<'fakeQuant'>, xs, ctx),
};
