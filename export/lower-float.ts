// --mode float and --mode dynamic: a float32 graph (BN folded, activations
// fused). Dynamic mode stores weights as per-channel symmetric int8:
// FULLY_CONNECTED runs them as a hybrid op (float in, int8 weights, float
// out); conv/depthwise weights stay float, or with 'dequantize' are int8
// constants expanded by a DEQUANTIZE in front of the float conv, or with
// 'hybrid' feed the conv directly (TensorFlow's converter's form: the runtime
// quantizes each input batch on the fly).

import type { AnalyzedGraph } from '../src/ir/analyze.js';
import type { IRNode } from '../src/ir/types.js';
import type { ParamLookup } from '../quantize/fold.js';
import { batched, type Emitter, type TensorRef } from './emitter.js';
import { planFusions, tfliteActivation } from './fuse.js';
import { toTfliteLayout, weightedKind } from '../quantize/weight-layout.js';
import { COMMON_OPS, cannotExport, emitCommon } from './lower-common.js';
import { paramValuesOf } from './operands.js';
import { emitNormFloat, isNormNode } from './lower-norm.js';
import { floatWeighted, type WeightedLayer } from './weighted.js';
import { quantizeWeights, symmetricRanges } from '../quantize/weights.js';
import type { DynamicConvWeights } from './types.js';

export interface FloatLoweringOptions {
  mode: 'float' | 'dynamic';
  dynamicConvWeights: DynamicConvWeights;
  /** Weighted layers of a QAT graph (qconv2d, …) with their folded params; float graphs pass null. */
  qatWeighted: ((node: IRNode) => WeightedLayer) | null;
}

/** Emits a weighted layer reading `x`; returns its output tensor. */
export function emitFloatWeighted(e: Emitter, layer: WeightedLayer, x: TensorRef, yShape: number[], o: FloatLoweringOptions): TensorRef {
  const w = toTfliteLayout(layer.kind, layer.kernel, layer.kernelShape);
  const y = e.activation(layer.name, yShape, 'FLOAT32');
  const bias = e.constant(`${layer.name}/bias`, [w.channels], 'FLOAT32', layer.bias);
  const int8 = (): number => {
    const q = quantizeWeights(w, symmetricRanges(w), layer.name);
    return e.constant(`${layer.name}/kernel`, w.shape, 'INT8', q.data, {
      scale: q.scales, zeroPoint: q.scales.map(() => 0), quantizedDimension: w.channelAxis,
    });
  };
  let weights: number;
  // LiteRT has no hybrid TRANSPOSE_CONV: asked for hybrid conv weights, its int8 weights are expanded by a DEQUANTIZE.
  const transposed = layer.kind === 'transposeConv';
  if (o.mode === 'dynamic' && (layer.kind === 'dense' || (o.dynamicConvWeights === 'hybrid' && !transposed))) {
    weights = int8();
  } else if (o.mode === 'dynamic' && (o.dynamicConvWeights === 'dequantize' || (transposed && o.dynamicConvWeights === 'hybrid'))) {
    const q = int8();
    weights = e.activation(`${layer.name}/kernel_dequantized`, w.shape, 'FLOAT32').index;
    e.op('DEQUANTIZE', [q], [weights]);
  } else {
    weights = e.constant(`${layer.name}/kernel`, w.shape, 'FLOAT32', w.data);
  }
  // Hybrid FULLY_CONNECTED quantizes its input per row at run time; the
  // asymmetric form uses the whole int8 range for one-sided (post-ReLU)
  // inputs, and it is what XNNPACK's dynamically quantized GEMM computes.
  const hybrid = o.mode === 'dynamic' && layer.kind === 'dense';
  emitWeightedOp(e, layer, x.index, weights, bias, y.index, hybrid, yShape);
  return y;
}

/** The CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED / TRANSPOSE_CONV op itself, any dtype; TRANSPOSE_CONV needs `yShape`. */
export function emitWeightedOp(
  e: Emitter, layer: Pick<WeightedLayer, 'kind' | 'window' | 'activation'>, x: number, weights: number, bias: number, y: number, asymmetricQuantizeInputs = false,
  yShape?: readonly number[],
): void {
  const fusedActivation = tfliteActivation(layer.activation);
  const win = layer.window;
  if (layer.kind === 'transposeConv') {
    if (!win || !yShape) throw new Error('export: a transposed conv needs its window and output shape');
    // Inputs: the output shape, the OHWI weights, the input, the bias.
    e.op('TRANSPOSE_CONV', [e.int32Constant('transpose_conv/output_shape', yShape), weights, x, bias], [y], {
      padding: win.padding === 'same' ? 'SAME' : 'VALID', strideH: win.strides[0], strideW: win.strides[1], fusedActivation,
    });
    return;
  }
  if (layer.kind === 'dense' || !win) {
    e.op('FULLY_CONNECTED', [x, weights, bias], [y], { fusedActivation, asymmetricQuantizeInputs });
    return;
  }
  const common = {
    padding: win.padding === 'same' ? ('SAME' as const) : ('VALID' as const),
    strideH: win.strides[0], strideW: win.strides[1],
    dilationHFactor: win.dilations[0], dilationWFactor: win.dilations[1], fusedActivation,
  };
  if (layer.kind === 'conv') e.op('CONV_2D', [x, weights, bias], [y], common);
  else e.op('DEPTHWISE_CONV_2D', [x, weights, bias], [y], { ...common, depthMultiplier: win.depthMultiplier });
}

/** Lowers every node after the inputs (already bound by the caller). */
export function lowerFloat(a: AnalyzedGraph, store: ParamLookup, e: Emitter, o: FloatLoweringOptions): void {
  const { fusions, absorbed } = planFusions(a);
  for (const node of a.order) {
    if (node.op === 'input' || absorbed.has(node.name)) continue;
    const shape = batched(a.shapes.get(node.name)!);
    const xs = node.inputs.map((i) => e.value(i));
    const fusion = fusions.get(node.name);
    const bindAll = (y: TensorRef): void => {
      e.bind(node.name, y);
      fusion?.absorbed.forEach((n) => e.bind(n, y));
    };
    const op = node.op as string;
    if (node.op === 'dropout' || op === 'fakeQuant') {
      // Dropout is the identity at inference; fake-quant is dropped in float modes.
      e.bind(node.name, xs[0]!);
      continue;
    }
    const kind = weightedKind(node.op);
    if (kind) {
      let layer: WeightedLayer;
      if (op.startsWith('q')) {
        if (!o.qatWeighted) throw new Error(`export: QAT layer ${node.name} without QAT weights`);
        layer = o.qatWeighted(node);
      } else {
        layer = floatWeighted(node, fusion, store);
      }
      bindAll(emitFloatWeighted(e, layer, xs[0]!, shape, o));
      continue;
    }
    if (node.op === 'qadd') {
      const y = e.activation(node.name, shape, 'FLOAT32');
      emitCommon(e, node, xs, y, node.attrs.activation);
      e.bind(node.name, y);
      continue;
    }
    if (isNormNode(node)) {
      const y = e.activation(node.name, shape, 'FLOAT32');
      emitNormFloat(e, node, store, xs[0]!, y);
      e.bind(node.name, y);
      continue;
    }
    if (!COMMON_OPS.has(node.op)) throw cannotExport(node, o.mode);
    const y = e.activation(node.name, shape, 'FLOAT32');
    emitCommon(e, node, xs, y, fusion?.activation ?? 'none', paramValuesOf(store));
    bindAll(y);
  }
}
