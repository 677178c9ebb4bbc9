// --mode int8: the QAT eval graph as integer TFLite ops. Every scale and
// zero point comes from the trained ranges through the shared functions
// (activationRange, weightRanges, foldedParams, quantizeBias) and
// quantize/math.ts; weights are the fake-quant grid indices, so the file
// computes what the eval graph simulated.

import * as tf from '@tensorflow/tfjs';
import type { AnalyzedGraph } from '../src/ir/analyze.js';
import type { IRNode, NodeOf } from '../src/ir/types.js';
import { signedParams, type QuantParams } from '../quantize/math.js';
import { foldedParams } from '../quantize/fold.js';
import { activationRange, quantizeBias, weightQuantOf, weightRanges } from '../quantize/qparams.js';
import { packInt4, storesInt4 } from '../src/tflite/int4.js';
import type { ParamLookup as VariableStore } from '../quantize/fold.js';
import { batched, type Emitter, type TensorRef } from './emitter.js';
import { consumersOf } from './fuse.js';
import { toTfliteLayout } from './layout.js';
import { cannotExport, emitCommon } from './lower-common.js';
import { emitWeightedOp } from './lower-float.js';
import { tensorData, weightedKind, windowOf, type WeightedLayer } from './weighted.js';
import { quantizeWeights } from './weights.js';

type FakeQuantNode = NodeOf<'fakeQuant'>;
type QLayerNode = NodeOf<'qconv2d'> | NodeOf<'qdepthwiseConv2d'> | NodeOf<'qdense'>;

/** Ops whose int8 output keeps the input's scale and zero point. */
const KEEPS_RANGE = new Set(['maxPool', 'avgPool', 'globalAvgPool', 'flatten', 'reshape', 'pad']);
const FLOAT_LAYERS = new Set(['conv2d', 'depthwiseConv2d', 'dense', 'batchNorm']);
const FLOAT_LAYER = 'it is still a float layer (skipped, or matched by no quantization pattern), and an int8 model cannot hold float layers';

/** int8 parameters of a fake-quant node's frozen range; only 8-bit activations fit int8 TFLite. */
function fakeQuantParams(fq: FakeQuantNode, store: VariableStore): QuantParams {
  if (fq.attrs.bits !== 8) {
    throw cannotExport({ name: fq.attrs.quantizes, op: 'fakeQuant' }, 'int8', `its output is quantized to ${fq.attrs.bits} bits, and int8 TFLite activations need 8`);
  }
  const p = signedParams(activationRange(fq, store), 8);
  return { scale: Math.fround(p.scale), zeroPoint: p.zeroPoint };
}

function sameQuant(a: QuantParams | null, b: QuantParams): boolean {
  return a !== null && Math.fround(a.scale) === Math.fround(b.scale) && a.zeroPoint === b.zeroPoint;
}

/** The fake-quant node that quantizes `layer`'s output, if the rewrite put one there. */
function outputFakeQuant(layer: string, users: Map<string, IRNode[]>): FakeQuantNode | null {
  const fq = (users.get(layer) ?? []).find((u) => u.op === 'fakeQuant' && u.attrs.quantizes === layer);
  return (fq as FakeQuantNode | undefined) ?? null;
}

/** The int8 quantization of the model input (from its input fake-quant). */
export function inputQuant(a: AnalyzedGraph, store: VariableStore, input: string): QuantParams {
  const fq = outputFakeQuant(input, consumersOf(a));
  if (!fq) throw cannotExport({ name: input, op: 'input' }, 'int8', 'the model input has no fake-quant node, so its int8 scale is unknown');
  return fakeQuantParams(fq, store);
}

/** A QAT layer's eval-mode folded weights (kernel in IR layout) and activation. */
export function qatWeightedLayer(node: IRNode, store: VariableStore): WeightedLayer {
  const kind = weightedKind(node.op)!;
  const n = node as QLayerNode;
  const { kernel, bias } = foldedParams(n, store);
  try {
    const layer: WeightedLayer = {
      name: n.name, kind, kernel: tensorData(kernel), kernelShape: [...kernel.shape], bias: tensorData(bias), activation: n.attrs.activation,
    };
    const window = windowOf(kind, n.attrs);
    if (window) layer.window = window;
    return layer;
  } finally {
    tf.dispose([kernel, bias]);
  }
}

function requireInt8(node: IRNode, x: TensorRef): QuantParams {
  if (x.type !== 'INT8' || !x.quant) throw new Error(`export: input of ${node.name} is not int8`);
  return x.quant;
}

/** CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED with int8 weights and int32 bias. */
function emitInt8Weighted(e: Emitter, n: QLayerNode, store: VariableStore, x: TensorRef, y: TensorRef): void {
  const kind = weightedKind(n.op)!;
  const sIn = Math.fround(requireInt8(n, x).scale);
  const { kernel, bias } = foldedParams(n, store);
  let layer: WeightedLayer;
  let ranges;
  try {
    ranges = weightRanges(n, kernel);
    layer = { name: n.name, kind, kernel: tensorData(kernel), kernelShape: [...kernel.shape], bias: tensorData(bias), activation: n.attrs.activation };
  } finally {
    tf.dispose([kernel, bias]);
  }
  const window = windowOf(kind, n.attrs);
  if (window) layer.window = window;
  const w = toTfliteLayout(kind, layer.kernel, layer.kernelShape);
  const qw = quantizeWeights(w, ranges, n.name);
  const perChannel = qw.scales.length > 1;
  const channelScales = Array.from({ length: w.channels }, (_, c) => Math.fround(qw.scales[perChannel ? c : 0]!));
  const qb = quantizeBias(layer.bias, sIn, channelScales);
  const zeros = (k: number): number[] => new Array<number>(k).fill(0);
  // INT4: two weights per byte; LiteRT and TFLite ≥ 2.11 run them.
  const int4 = storesInt4(weightQuantOf(n).bits);
  const weights = e.constant(`${n.name}/kernel`, w.shape, int4 ? 'INT4' : 'INT8', int4 ? packInt4(qw.data) : qw.data, {
    scale: qw.scales, zeroPoint: zeros(qw.scales.length), quantizedDimension: perChannel ? w.channelAxis : 0,
  });
  const biasScales = channelScales.map((s) => Math.fround(sIn * s));
  const b = e.constant(`${n.name}/bias`, [w.channels], 'INT32', qb, {
    scale: perChannel ? biasScales : [biasScales[0]!], zeroPoint: zeros(perChannel ? w.channels : 1), quantizedDimension: 0,
  });
  emitWeightedOp(e, layer, x.index, weights, b, y.index);
}

/** Lowers every node after the inputs (bound by the caller as int8 tensors). */
export function lowerInt8(a: AnalyzedGraph, store: VariableStore, e: Emitter): void {
  const users = consumersOf(a);
  for (const node of a.order) {
    if (node.op === 'input') continue;
    const shape = batched(a.shapes.get(node.name)!);
    const xs = node.inputs.map((i) => e.value(i));
    const outQuant = (): QuantParams => {
      const fq = outputFakeQuant(node.name, users);
      if (!fq) throw cannotExport(node, 'int8', 'its output has no fake-quant node, so its int8 scale is unknown');
      return fakeQuantParams(fq, store);
    };
    const int8Out = (q: QuantParams): TensorRef => e.bind(node.name, e.activation(node.name, shape, 'INT8', q));
    switch (node.op) {
      case 'fakeQuant': {
        const x = xs[0]!;
        const q = fakeQuantParams(node, store);
        if (sameQuant(x.quant, q)) {
          e.bind(node.name, x);
        } else {
          // A range that differs from its producer's (not something the rewrite emits today): requantize.
          requireInt8(node, x);
          const y = e.bind(node.name, e.activation(node.name, shape, 'INT8', q));
          e.op('QUANTIZE', [x.index], [y.index]);
        }
        break;
      }
      case 'qconv2d':
      case 'qdepthwiseConv2d':
      case 'qdense':
        if (node.attrs.weightQuant === null) {
          throw cannotExport(node, 'int8', 'it was left float by --skip, and an int8 model cannot hold float layers (export with --mode dynamic or --mode float, or train without skipping it)');
        }
        emitInt8Weighted(e, node, store, xs[0]!, int8Out(outQuant()));
        break;
      case 'qadd':
      case 'add': {
        if (!outputFakeQuant(node.name, users)) throw cannotExport(node, 'int8', FLOAT_LAYER);
        xs.forEach((x) => requireInt8(node, x));
        const act = node.op === 'qadd' ? node.attrs.activation : 'none';
        emitCommon(e, node, xs, int8Out(outQuant()), act);
        break;
      }
      case 'concat': {
        const q = outQuant();
        // TFLite's int8 CONCATENATION needs every input on the output's scale; the rewrite shares one range.
        const ins = xs.map((x, k) => {
          requireInt8(node, x);
          if (sameQuant(x.quant, q)) return x;
          const r = e.activation(`${node.name}/input${k}_requantized`, x.shape, 'INT8', q);
          e.op('QUANTIZE', [x.index], [r.index]);
          return r;
        });
        emitCommon(e, node, ins, int8Out(q));
        break;
      }
      case 'softmax': {
        requireInt8(node, xs[0]!);
        const q = outQuant();
        if (!sameQuant(q, { scale: 1 / 256, zeroPoint: -128 })) {
          throw cannotExport(node, 'int8', `its output range gives scale ${q.scale} and zero point ${q.zeroPoint}, but int8 SOFTMAX needs 1/256 and −128`);
        }
        emitCommon(e, node, xs, int8Out(q));
        break;
      }
      case 'relu':
      case 'relu6': {
        const x = xs[0]!;
        requireInt8(node, x);
        const fq = outputFakeQuant(node.name, users);
        emitCommon(e, node, xs, int8Out(fq ? fakeQuantParams(fq, store) : x.quant!));
        break;
      }
      case 'dropout':
        e.bind(node.name, xs[0]!);
        break;
      default:
        if (KEEPS_RANGE.has(node.op)) {
          const x = xs[0]!;
          emitCommon(e, node, xs, int8Out(requireInt8(node, x)));
          break;
        }
        if (FLOAT_LAYERS.has(node.op)) {
          throw cannotExport(node, 'int8', FLOAT_LAYER);
        }
        throw cannotExport(node, 'int8');
    }
  }
}
