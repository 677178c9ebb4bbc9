// The integer eval graph's kernels: each quantized op computes exactly the
// integers the exported int8 model computes under XNNPACK (LiteRT's
// arithmetic, reproduced by src/interpreter with arithmetic 'xnnpack'),
// with tfjs ops on integer-valued float32/int32 tensors.
//
// Independent of the exporter: weights, biases and scales come from the
// store through the contract functions (foldedParams, weightRanges,
// activationRange, quantizeBias) — not from export/ — so agreement with the
// interpreter on an exported file checks the export. Per op:
//  - CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED: acc = Σ(q_x − zp_x)·w_q
//    (exact-accumulate.ts) + int32 bias; out = rne(f32(f32(acc)·M_c)) + zp_out
//    with M_c = f32(f32(f32(s_in)·f32(s_w,c))/f32(s_out)), clamped to the
//    fused activation's bounds rne(f/s_out + zp_out) (xnnpack.ts).
//  - ADD: XNNPACK's 21-bit multipliers and shift, in exact float32 pieces.
//  - MEAN (globalAvgPool): rne(f32(Σ(q − zp_in)·f32(f32(s_in/s_out)·f32(1/N)))) + zp_out.
//  - AVERAGE_POOL_2D: TFLite's integer average (the interpreter's kernel):
//    Σq over the in-bounds taps divided by their count, half away from zero.
//  - SOFTMAX (TFLite's LUT kernel, not XNNPACK): the interpreter's kernel on
//    the downloaded codes.
// Every kernel returns null when its op is not fully quantized on 8-bit
// grids (a skipped layer, a float neighbour); the simulated kernel runs then.
import * as tf from '@tensorflow/tfjs';
import { conv2d, depthwiseConv2d } from '../../layers/ops.js';
import type { ParamLookup, QConvLikeNode } from '../../quantize/fold.js';
import { inputFakeQuant, nodesByName, outputFakeQuants } from '../../quantize/graph.js';
import { TFLITE_FUSED_ACTIVATION } from '../../quantize/op-table.js';
import { prepareLayer, type PreparedLayer, type Requantization } from '../../quantize/prepare.js';
import { activationRange } from '../../quantize/qparams.js';
import type { Graph, IRNode, NodeOf, OpName } from '../../src/ir/types.js';
import {
  type Arithmetic, type FusedActivation, type QuantParamsT, addInt8, fixedPointMultiply, prepareAddInt8,
  prepareSoftmaxInt8, softmaxInt8, xnnActivationRange, xnnAddParams,
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

/** Splits an integer m (|m| < 2^31) as m = 1024·hi + lo with 0 ≤ lo < 1024. */
function split1024(m: number): [number, number] {
  const hi = Math.floor(m / 1024);
  return [hi, m - 1024 * hi];
}

/**
 * XNNPACK's int8 ADD: out = ((bias + q_a·A + q_b·B) >> shift) + zp_out with
 * 21-bit multipliers A, B and |bias| < 2^31. The sum needs ~31 bits, so it
 * is taken apart at 2^10: with A = 1024·A_h + A_l (0 ≤ A_l < 1024), likewise
 * B and bias, the high part H = bias_h + q_a·A_h + q_b·B_h and the low part
 * L = bias_l + q_a·A_l + q_b·B_l are integers below 2^21 and 2^19 (|q| ≤ 128),
 * exact in float32; sum = 1024·(H + ⌊L/1024⌋) + (L mod 1024), and since
 * shift ≥ 12 > 10 the remainder never reaches the next multiple of 2^shift:
 * sum >> shift = ⌊(H + ⌊L/1024⌋) / 2^(shift−10)⌋ — every step exact.
 */
function integerAdd(node: NodeOf<'add'> | NodeOf<'qadd'>, xs: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids || xs.length !== 2) return null;
  const [ga, gb] = grids.inputs as [ActivationGrid, ActivationGrid];
  const go = grids.output;
  const activation = TFLITE_FUSED_ACTIVATION[node.op === 'qadd' ? node.attrs.activation : 'none'];
  const qa = gridCodes(xs[0]!, ga);
  const qb = gridCodes(xs[1]!, gb);
  let p: ReturnType<typeof xnnAddParams> | null = null;
  try {
    p = xnnAddParams(ga.scale, ga.zeroPoint, gb.scale, gb.zeroPoint, go.scale, 1);
  } catch {
    p = null;
  }
  const [ah, al] = p ? split1024(p.aMultiplier) : [0, 0];
  const [bh, bl] = p ? split1024(p.bMultiplier) : [0, 0];
  const [ch, cl] = p ? split1024(p.bias) : [0, 0];
  const highBound = Math.abs(ch) + 128 * (Math.abs(ah) + Math.abs(bh));
  const lowBound = cl + 128 * (al + bl);
  if (!p || p.shift < 10 || highBound + lowBound / 1024 + 1 > FLOAT32_EXACT_INTEGER || lowBound > FLOAT32_EXACT_INTEGER) {
    // Scale ratios XNNPACK rejects: LiteRT runs TFLite's reference ADD; so does the interpreter's kernel.
    return referenceAdd(qa, qb, ga, gb, go, activation);
  }
  const act = xnnActivationRange(activation, go.scale, go.zeroPoint, go.qmin, go.qmax);
  const high = tf.add(tf.add(tf.mul(qa, ah), tf.mul(qb, bh)), ch);
  const low = tf.add(tf.add(tf.mul(qa, al), tf.mul(qb, bl)), cl);
  const n = tf.add(high, tf.floor(tf.div(low, 1024)));
  return requantizedValues(tf.floor(tf.div(n, 2 ** (p.shift - 10))), go, act.min, act.max);
}

function int8Data(q: tf.Tensor): Int8Array {
  return Int8Array.from(q.dataSync());
}

function referenceAdd(qa: tf.Tensor, qb: tf.Tensor, ga: ActivationGrid, gb: ActivationGrid, go: ActivationGrid, activation: FusedActivation): tf.Tensor {
  const p = prepareAddInt8(qa.shape, quantParams(ga), qb.shape, quantParams(gb), quantParams(go), activation, 'xnnpack');
  const out = new Int8Array(p.outputShape.reduce((x, y) => x * y, 1));
  addInt8(p, int8Data(qa), int8Data(qb), out);
  return gridValues(tf.tensor(Float32Array.from(out), p.outputShape), go);
}

/** XNNPACK MEAN over H and W. */
function integerGlobalAvgPool(node: NodeOf<'globalAvgPool'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids) return null;
  const gIn = grids.inputs[0]!;
  const gOut = grids.output;
  const n = x!.shape[1]! * x!.shape[2]!;
  // Σ(q − zp) of integers, exact while N·max|q − zp| ≤ 2^24.
  if (n * gIn.centeredAbsMax > FLOAT32_EXACT_INTEGER) return null;
  const sum = tf.sum(gridCentered(x!, gIn), [1, 2]);
  const scale = f32(f32(f32(gIn.scale) / f32(gOut.scale)) * f32(1 / n));
  return requantizedValues(tf.round(tf.mul(sum, scale)), gOut, gOut.qmin, gOut.qmax);
}

/**
 * TFLite's integer AVERAGE_POOL_2D (input and output share one grid): the
 * raw codes summed over the in-bounds taps (a depthwise conv with a ones
 * filter and zero padding, exact: |Σ| ≤ 128·taps), divided by the tap count
 * rounding half away from zero. The quotient (|Σ| + count/2)/count is below
 * 2^8, so float32 division is off by < 2^-16 — less than 1/count, the
 * smallest distance from a non-integer quotient to an integer — and its
 * truncation is the integer division's.
 */
function integerAvgPool(node: NodeOf<'avgPool'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids) return null;
  const gIn = grids.inputs[0]!;
  const gOut = grids.output;
  const { poolSize, strides, padding } = node.attrs;
  const taps = poolSize[0] * poolSize[1];
  if (gIn.scale !== gOut.scale || gIn.zeroPoint !== gOut.zeroPoint || taps * 128 >= 2 ** 16) return null;
  const [, h, w, c] = x!.shape as number[];
  const acc = depthwiseConv2d(gridCodes(x!, gIn) as tf.Tensor4D, tf.ones([poolSize[0], poolSize[1], c!, 1]), strides, padding);
  const count = conv2d(tf.ones([1, h!, w!, 1]), tf.ones([poolSize[0], poolSize[1], 1, 1]), strides, padding);
  const half = tf.floor(tf.div(count, 2));
  const num = tf.where(tf.greater(acc, 0), tf.add(acc, half), tf.sub(acc, half));
  const t = tf.div(num, count);
  const q = tf.mul(tf.sign(t), tf.floor(tf.abs(t)));
  return gridValues(tf.clipByValue(q, gOut.qmin, gOut.qmax), gOut);
}

/** TFLite's int8 SOFTMAX (a float32 LUT kernel XNNPACK does not run): the interpreter's kernel on the codes. */
function integerSoftmax(node: NodeOf<'softmax'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids) return null;
  const gIn = grids.inputs[0]!;
  const gOut = grids.output;
  const p = prepareSoftmaxInt8(x!.shape, quantParams(gIn), 1, quantParams(gOut));
  const out = new Int8Array(x!.size);
  softmaxInt8(p, int8Data(gridCodes(x!, gIn)), out);
  return gridValues(tf.tensor(Float32Array.from(out), x!.shape), gOut);
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

export type IntegerKernel = (node: IRNode, inputs: tf.Tensor[], ctx: KernelContext) => tf.Tensor | null;

/** Integer kernels by op; an op missing here (or a kernel returning null) runs its simulated kernel. */
export const INTEGER_KERNELS: Partial<Record<OpName, IntegerKernel>> = {
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
