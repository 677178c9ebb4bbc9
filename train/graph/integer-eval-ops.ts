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
// Ops without weights (ADD, MEAN, AVERAGE_POOL_2D, SOFTMAX, and whatever
// the op table and the lowering add) are lowered as the exporter lowers
// them and run by the interpreter on the downloaded int8 codes: one
// implementation of their options and their arithmetic.
//
// Every op returns null when it is not fully quantized on 8-bit grids (a
// skipped layer, a float neighbour); the simulated kernel runs then.
import * as tf from '@tensorflow/tfjs';
import type { ParamLookup, QConvLikeNode } from '../../quantize/fold.js';
import { inputFakeQuant, nodesByName, outputFakeQuants } from '../../quantize/graph.js';
import { OP_TABLE, opsWhere } from '../../quantize/op-table.js';
import { prepareLayer, type PreparedLayer, type Requantization } from '../../quantize/prepare.js';
import { activationRange } from '../../quantize/qparams.js';
import type { IRNode, NodeOf, OpName } from '../../src/ir/types.js';
import { type Arithmetic, fixedPointMultiply } from '../../src/interpreter/kernels/index.js';
import { Interpreter } from '../../src/interpreter/interpreter.js';
import type { AnalyzedGraph } from '../../src/ir/analyze.js';
import { Emitter } from '../../export/emitter.js';
import { COMMON_OPS, emitCommon } from '../../export/lower-common.js';
import { paramValuesOf } from '../../export/operands.js';
import { emitInt8Weighted } from '../../export/lower-int8.js';
import type { IntegerEvalInfo, KernelContext } from './context.js';
import { integerNorm } from './qnorm.js';
import { accumulateWithBias, FLOAT32_EXACT_INTEGER, type Contraction } from './exact-accumulate.js';
import { activationGrid, gridCentered, gridCodes, gridValues, requantizedValues, type ActivationGrid } from './grid.js';


/** The per-run view of the graph and store the integer kernels use (ranges read once per run). */
export function integerEvalInfo(a: AnalyzedGraph, store: ParamLookup): IntegerEvalInfo {
  const graph = a.graph;
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
    outputShape: (node, batch) => [batch, ...a.shapes.get(node.name)!],
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

const lookup = (ctx: KernelContext): ParamLookup => ({ get: (name) => ctx.variable(name) });

/** The prepared layer's integer weights (TFLite's layout) back in the float op's layout, as float32 integers. */
function irLayoutWeights(p: PreparedLayer, irShape: number[]): tf.Tensor {
  const w = tf.tensor(Float32Array.from(p.weights), p.weightShape);
  if (p.builtin === 'DEPTHWISE_CONV_2D') return tf.reshape(w, irShape); // [1,h,w,cin·m] is [h,w,cin,m] in memory
  return p.builtin === 'CONV_2D' ? tf.transpose(w, [1, 2, 3, 0]) : tf.transpose(w); // OHWI → HWIO, [out,in] → [in,out]
}

/** The layers whose integer arithmetic runs on the fast tfjs path (a transposed conv runs in the interpreter). */
type GemmLayerNode = Exclude<QConvLikeNode, NodeOf<'qconv2dTranspose'>>;

function contractionOf(node: GemmLayerNode): Contraction {
  if (node.op === 'qdense') return { kind: 'dense' };
  const { strides, padding, dilations } = node.attrs;
  return { kind: node.op === 'qconv2d' ? 'conv' : 'depthwise', strides, padding, dilations };
}

function integerLayer(node: GemmLayerNode, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
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

/** The int8 codes of values on a grid, downloaded for the interpreter. */
function int8Codes(x: tf.Tensor, g: ActivationGrid): Int8Array {
  return Int8Array.from(tf.tidy(() => gridCodes(x, g)).dataSync());
}

/**
 * A quantized op without weights (ADD, MEAN, AVERAGE_POOL_2D, SOFTMAX, …),
 * computed by the interpreter on the op's own int8 lowering: emitCommon
 * writes the TFLite op with its options and constants exactly as the
 * exporter does, and the interpreter plans and runs it on the downloaded
 * codes. So each op's arithmetic (XNNPACK's ADD with its fallback, TFLite's
 * integer average, the softmax LUT, …) and options live in one place, and a
 * new op with an op-table row and a lowering needs nothing here.
 */
function integerByLowering(node: IRNode, xs: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!grids) return null;
  // An averaging pool is only an int8 op on its input's own grid.
  if (OP_TABLE[node.op].output.kind === 'roundsOnInputGrid' && !sameGrid(grids.inputs[0]!, grids.output)) return null;
  const shape = ctx.integer!.outputShape(node, xs[0]!.shape[0]!);
  const it = loweredOp(node, xs.map((x) => x.shape), grids, shape, ctx);
  xs.forEach((x, k) => it.setInput(k, int8Codes(x, grids.inputs[k]!)));
  it.invoke();
  return gridValues(tf.tensor(Float32Array.from(it.output(0) as Int8Array), shape), grids.output);
}

/** Each node's planned one-op model, kept while its shapes and grids stay the same (eval runs batch after batch). */
const LOWERED = new WeakMap<IRNode, { key: string; interpreter: Interpreter }>();

function loweredOp(node: IRNode, shapes: number[][], grids: Grids, shape: number[], ctx: KernelContext): Interpreter {
  // A node with parameters (a PRELU slope) is lowered with their current, trained, values.
  const paramValues = paramValuesOf(lookup(ctx));
  const params = Object.keys(node.params).map((role) => Array.from(paramValues(node, role)));
  const key = JSON.stringify([shapes, grids.inputs.map((g) => [g.scale, g.zeroPoint]), grids.output.scale, grids.output.zeroPoint, params]);
  const cached = LOWERED.get(node);
  if (cached?.key === key) return cached.interpreter;
  const e = new Emitter();
  const ins = shapes.map((s, k) => e.activation(`input${k}`, s, 'INT8', grids.inputs[k]!));
  const y = e.activation(node.name, shape, 'INT8', grids.output);
  emitCommon(e, node, ins, y, 'activation' in node.attrs ? node.attrs.activation : 'none', paramValues);
  e.builder.setInputs(ins.map((t) => t.index));
  e.builder.setOutputs([y.index]);
  const interpreter = new Interpreter(e.builder.build());
  LOWERED.set(node, { key, interpreter });
  return interpreter;
}

/**
 * A transposed conv, in the interpreter: its int8 lowering (the exporter's
 * own, from the prepared layer: weights, int32 bias, requantization) run on
 * the downloaded codes. Rebuilt when the prepared layer changes.
 */
function integerTransposeConv(node: NodeOf<'qconv2dTranspose'>, [x]: tf.Tensor[], ctx: KernelContext): tf.Tensor | null {
  const grids = gridsOf(node, ctx);
  if (!node.attrs.weightQuant || !grids) return null;
  const gIn = grids.inputs[0]!;
  const p = prepareLayer(node, lookup(ctx), gIn, grids.output);
  const shape = ctx.integer!.outputShape(node, x!.shape[0]!);
  const key = JSON.stringify([x!.shape, gIn.scale, gIn.zeroPoint, grids.output.scale, grids.output.zeroPoint, fingerprint(p.weights), fingerprint(p.bias), p.weightScales]);
  let it = LOWERED.get(node)?.key === key ? LOWERED.get(node)!.interpreter : null;
  if (!it) {
    const e = new Emitter();
    const xT = e.activation('input0', x!.shape, 'INT8', gIn);
    const y = e.activation(node.name, shape, 'INT8', grids.output);
    emitInt8Weighted(e, node, lookup(ctx), xT, y);
    e.builder.setInputs([xT.index]);
    e.builder.setOutputs([y.index]);
    it = new Interpreter(e.builder.build());
    LOWERED.set(node, { key, interpreter: it });
  }
  it.setInput(0, int8Codes(x!, gIn));
  it.invoke();
  return gridValues(tf.tensor(Float32Array.from(it.output(0) as Int8Array), shape), grids.output);
}

/** FNV-1a over integer values: tells a retrained layer's weights from the cached ones. */
function fingerprint(values: Int8Array | Int32Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < values.length; i++) h = Math.imul(h ^ (values[i]! & 0xffffffff), 0x01000193) >>> 0;
  return `${values.length}:${h}`;
}

function sameGrid(a: ActivationGrid, b: ActivationGrid): boolean {
  return a.scale === b.scale && a.zeroPoint === b.zeroPoint;
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
  // Ops that compute new values (a range of their own, a fixed one, or a rounded average) and have a lowering.
  ...Object.fromEntries(opsWhere((r) => ['observed', 'fixed', 'roundsOnInputGrid'].includes(r.output.kind))
    .filter((op) => COMMON_OPS.has(op)).map((op) => [op, integerByLowering])),
  qconv2d: (n, xs, ctx) => integerLayer(n as GemmLayerNode, xs, ctx),
  qdepthwiseConv2d: (n, xs, ctx) => integerLayer(n as GemmLayerNode, xs, ctx),
  qdense: (n, xs, ctx) => integerLayer(n as GemmLayerNode, xs, ctx),
  qconv2dTranspose: (n, xs, ctx) => integerTransposeConv(n as NodeOf<'qconv2dTranspose'>, xs, ctx),
  fakeQuant: (n, xs, ctx) => integerFakeQuant(n as NodeOf<'fakeQuant'>, xs, ctx),
  qnorm: integerNorm,
};
