// The prepared-layer record (TFLite Micro's OpData): everything an int8
// CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED computes with, resolved once
// from the run's variables — the BN-folded integer weights in TFLite's
// layout, their per-channel scales, the int32 bias, the input and output
// quantization, the rounding LiteRT uses for it and the requantization.
// The exporter writes this record into the file and the integer eval graph
// computes with it; the interpreter's planner builds the same record back
// from the file (src/interpreter/plan/conv.ts), and a test holds them equal.
import * as tf from '@tensorflow/tfjs';
import { requantizedOutput, weightedOpMultipliers } from '../src/interpreter/kernels/requant.js';
import type { FusedActivation } from '../src/interpreter/kernels/types.js';
import type { Arithmetic } from '../src/interpreter/kernels/xnnpack.js';
import type { Graph } from '../src/ir/types.js';
import { foldedParams, isQConvLike, type ParamLookup, type QConvLikeNode } from './fold.js';
import { inputFakeQuant, nodesByName, outputFakeQuants } from './graph.js';
import type { QuantParams } from './math.js';
import { INT4_ROUNDING, OP_TABLE, storesInt4For, TFLITE_FUSED_ACTIVATION, type WeightedBuiltin } from './op-table.js';
import { activationQuant, quantizeBias, weightQuantOf, weightRanges } from './qparams.js';
import { KIND_OF_BUILTIN, toTfliteLayout } from './weight-layout.js';
import { quantizeWeights } from './weights.js';

/** How an int32 accumulator becomes an int8 output, per output channel. */
export interface Requantization {
  /** XNNPACK's float32 scale per channel, or null where the fixed-point multipliers apply. */
  scale: Float32Array | null;
  /** Fixed-point multiplier and shift per channel (TFLite's reference and builtin kernels). */
  multiplier: Int32Array;
  shift: Int32Array;
  outputZeroPoint: number;
  /** The fused activation's clamp, in output codes. */
  actMin: number;
  actMax: number;
}

export interface PreparedLayer {
  /** The layer's name: its output tensor's in the file. */
  name: string;
  builtin: WeightedBuiltin;
  /** The fused activation, as TFLite names it. */
  activation: FusedActivation;
  /** Weight bit width as stored: INT4 at 4 bits and below, else INT8. */
  storedInt4: boolean;
  /** Integer weights in TFLite's layout (conv OHWI, depthwise [1,h,w,c], dense [out,in]). */
  weights: Int8Array;
  weightShape: number[];
  /** The axis of weightShape the output channels run along (the file's quantizedDimension). */
  channelAxis: number;
  /** float32 weight scale per output channel, or one for the tensor; zero points are 0. */
  weightScales: number[];
  /** int32 bias per output channel (scale input scale × weight scale). */
  bias: Int32Array;
  input: QuantParams;
  output: QuantParams;
  /** Whose rounding LiteRT runs this op with (XNNPACK's unless INT4 weights send it to a builtin kernel). */
  arithmetic: Arithmetic;
  requant: Requantization;
}

/** The builtin a fused QAT layer lowers to (op-table.ts). */
export function builtinOf(node: QConvLikeNode): WeightedBuiltin {
  return OP_TABLE[node.op].builtin as WeightedBuiltin;
}

/** Values summed per output: the length of a weight row of CONV_2D and FULLY_CONNECTED ([out, …]). */
export function inputDepthOf(weightShape: readonly number[]): number {
  return weightShape.reduce((a, b) => a * b, 1) / (weightShape[0] ?? 1);
}

/** The rounding LiteRT runs a weighted op with: XNNPACK's, or for INT4 weights the op table's rule. */
export function arithmeticOf(builtin: WeightedBuiltin, storedInt4: boolean, weightShape: readonly number[]): Arithmetic {
  return storedInt4 ? INT4_ROUNDING[builtin](inputDepthOf(weightShape)) : 'xnnpack';
}

/** The requantization of a layer with these scales, as the int8 kernels derive it. */
export function requantizationOf(
  builtin: WeightedBuiltin, input: QuantParams, weightScales: ArrayLike<number>, output: QuantParams, channels: number,
  activation: FusedActivation, arithmetic: Arithmetic,
): Requantization {
  const mult = weightedOpMultipliers(builtin, input.scale, weightScales, output.scale, channels);
  const r = requantizedOutput(mult, input.scale, weightScales, output.scale, output.zeroPoint, activation, arithmetic);
  return { scale: r.scale, multiplier: r.multiplier, shift: r.shift, outputZeroPoint: r.outputZeroPoint, actMin: r.actMin, actMax: r.actMax };
}

/**
 * Prepares one fused QAT layer with weight quantization, given the int8
 * quantization of its input and output (the callers resolve those: the
 * exporter from the tensors it emitted, the integer eval graph from its
 * grids). The folded kernel is read from `store` now.
 */
export function prepareLayer(node: QConvLikeNode, store: ParamLookup, input: QuantParams, output: QuantParams): PreparedLayer {
  const builtin = builtinOf(node);
  const { kernel, bias } = foldedParams(node, store);
  let kernelData: Float32Array;
  let biasData: Float32Array;
  let ranges;
  try {
    ranges = weightRanges(node, kernel);
    kernelData = Float32Array.from(kernel.dataSync() as Float32Array);
    biasData = Float32Array.from(bias.dataSync() as Float32Array);
  } finally {
    tf.dispose([kernel, bias]);
  }
  const w = toTfliteLayout(KIND_OF_BUILTIN[builtin], kernelData, kernel.shape);
  const qw = quantizeWeights(w, ranges, node.name);
  const weightScales = qw.scales.map(Math.fround);
  const sIn = Math.fround(input.scale);
  const perChannel = weightScales.length > 1;
  const channelScales = Array.from({ length: w.channels }, (_, c) => weightScales[perChannel ? c : 0]!);
  const storedInt4 = storesInt4For(builtin, weightQuantOf(node).bits);
  const arithmetic = arithmeticOf(builtin, storedInt4, w.shape);
  const inQ = { scale: sIn, zeroPoint: input.zeroPoint };
  const outQ = { scale: Math.fround(output.scale), zeroPoint: output.zeroPoint };
  const activation = TFLITE_FUSED_ACTIVATION[node.attrs.activation];
  return {
    name: node.name,
    builtin,
    activation,
    storedInt4,
    weights: qw.data,
    weightShape: w.shape,
    channelAxis: perChannel ? w.channelAxis : 0,
    weightScales,
    bias: quantizeBias(biasData, sIn, channelScales),
    input: inQ,
    output: outQ,
    arithmetic,
    requant: requantizationOf(builtin, inQ, weightScales, outQ, w.channels, activation, arithmetic),
  };
}

/**
 * Every fused layer of a QAT graph with weight quantization and 8-bit
 * input and output ranges, prepared, in graph order: what an int8 export
 * of the graph holds.
 */
export function prepareLayers(graph: Graph, store: ParamLookup): PreparedLayer[] {
  const byName = nodesByName(graph.nodes);
  const outputs = outputFakeQuants(graph.nodes);
  const layers: PreparedLayer[] = [];
  for (const n of graph.nodes) {
    if (!isQConvLike(n) || !n.attrs.weightQuant) continue;
    const inFq = inputFakeQuant(n, 0, byName);
    const outFq = outputs.get(n.name);
    if (inFq?.attrs.bits !== 8 || outFq?.attrs.bits !== 8) continue;
    layers.push(prepareLayer(n, store, activationQuant(inFq, store), activationQuant(outFq, store)));
  }
  return layers;
}
