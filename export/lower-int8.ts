// --mode int8: the QAT eval graph as integer TFLite ops. Every scale and
// zero point comes from the trained ranges (quantize/qparams.ts); each
// weighted layer is the prepared-layer record (quantize/prepare.ts) the
// integer eval graph computes with, so the file computes what it did. What
// each op becomes (range kept, fixed, shared) is read from op-table.ts.

import * as tf from '@tensorflow/tfjs';
import type { AnalyzedGraph } from '../src/ir/analyze.js';
import type { IRNode, NodeOf } from '../src/ir/types.js';
import type { QuantParams } from '../quantize/math.js';
import { foldedParams, type ParamLookup } from '../quantize/fold.js';
import { prepareLayer } from '../quantize/prepare.js';
import { activationQuant, biasScales } from '../quantize/qparams.js';
import { packInt4 } from '../src/tflite/int4.js';
import { batched, type Emitter, type TensorRef } from './emitter.js';
import { outputFakeQuants } from '../quantize/graph.js';
import { FIXED_OUTPUT_QUANT, FOLDS_BATCH_NORM, OP_TABLE } from '../quantize/op-table.js';
import { COMMON_OPS, cannotExport, emitCommon } from './lower-common.js';
import { paramValuesOf } from './operands.js';
import { emitNormInt8 } from './lower-norm.js';
import { emitFloatWeighted, emitWeightedOp, type FloatLoweringOptions } from './lower-float.js';
import { weightedKind } from '../quantize/weight-layout.js';
import { tensorData, windowOf, type WeightedLayer } from './weighted.js';

type FakeQuantNode = NodeOf<'fakeQuant'>;
type QLayerNode = NodeOf<'qconv2d'> | NodeOf<'qdepthwiseConv2d'> | NodeOf<'qdense'> | NodeOf<'qconv2dTranspose'>;

/** Float layers the rewrite left in place: an int8 model cannot hold them. */
const FLOAT_LAYERS: ReadonlySet<string> = new Set([...FOLDS_BATCH_NORM, 'batchNorm']);
const FLOAT_LAYER = 'it is still a float layer (skipped, or matched by no quantization pattern), and an int8 model cannot hold float layers';

/** int8 parameters of a fake-quant node's frozen range; only 8-bit activations fit int8 TFLite. */
function fakeQuantParams(fq: FakeQuantNode, store: ParamLookup): QuantParams {
  if (fq.attrs.bits !== 8) {
    throw cannotExport({ name: fq.attrs.quantizes, op: 'fakeQuant' }, 'int8', `its output is quantized to ${fq.attrs.bits} bits, and int8 TFLite activations need 8`);
  }
  return activationQuant(fq, store);
}

function sameQuant(a: QuantParams | null, b: QuantParams): boolean {
  return a !== null && Math.fround(a.scale) === Math.fround(b.scale) && a.zeroPoint === b.zeroPoint;
}

/** The int8 quantization of the model input (from its input fake-quant). */
export function inputQuant(a: AnalyzedGraph, store: ParamLookup, input: string): QuantParams {
  const fq = outputFakeQuants(a.order).get(input);
  if (!fq) throw cannotExport({ name: input, op: 'input' }, 'int8', 'the model input has no fake-quant node, so its int8 scale is unknown');
  return fakeQuantParams(fq, store);
}

/** A QAT layer's eval-mode folded weights (kernel in IR layout) and activation. */
export function qatWeightedLayer(node: IRNode, store: ParamLookup): WeightedLayer {
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

/** CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED / TRANSPOSE_CONV: the prepared layer's integer weights (INT8 or INT4) and int32 bias. */
export function emitInt8Weighted(e: Emitter, n: QLayerNode, store: ParamLookup, x: TensorRef, y: TensorRef): void {
  const p = prepareLayer(n, store, requireInt8(n, x), y.quant!);
  const zeros = (k: number): number[] => new Array<number>(k).fill(0);
  // INT4: two weights per byte; LiteRT and TFLite ≥ 2.11 run them.
  const weights = e.constant(`${n.name}/kernel`, p.weightShape, p.storedInt4 ? 'INT4' : 'INT8', p.storedInt4 ? packInt4(p.weights) : p.weights, {
    scale: p.weightScales, zeroPoint: zeros(p.weightScales.length), quantizedDimension: p.channelAxis,
  });
  const scales = Array.from(biasScales(p.input.scale, p.weightScales));
  const b = e.constant(`${n.name}/bias`, [p.bias.length], 'INT32', p.bias, {
    scale: scales, zeroPoint: zeros(scales.length), quantizedDimension: 0,
  });
  const kind = weightedKind(n.op)!;
  emitWeightedOp(e, { kind, window: windowOf(kind, n.attrs), activation: n.attrs.activation }, x.index, weights, b, y.index, false, y.shape);
}

/** What a layer left float costs: its weights' bytes as float32 beyond what int8 weights would take. */
export interface FloatLayerCost {
  name: string;
  builtin: string;
  extraBytes: number;
}

const FLOAT_ISLAND: FloatLoweringOptions = { mode: 'float', dynamicConvWeights: 'float', qatWeighted: null };

/**
 * A layer left float (--skip) inside the int8 model, as TensorFlow's
 * converter leaves one: its int8 input is DEQUANTIZEd (once per tensor),
 * the float op runs with BN folded, and its float output is QUANTIZEd back
 * by the fake-quant that follows it (or leaves the model as float32).
 */
function emitFloatLayer(e: Emitter, n: QLayerNode, store: ParamLookup, x: TensorRef, shape: number[], dequantized: Map<number, TensorRef>): FloatLayerCost {
  let xf = x;
  if (x.type !== 'FLOAT32') {
    xf = dequantized.get(x.index) ?? e.activation(`${n.name}/input_dequantized`, x.shape, 'FLOAT32');
    if (!dequantized.has(x.index)) {
      e.op('DEQUANTIZE', [x.index], [xf.index]);
      dequantized.set(x.index, xf);
    }
  }
  const layer = qatWeightedLayer(n, store);
  e.bind(n.name, emitFloatWeighted(e, layer, xf, shape, FLOAT_ISLAND));
  return { name: n.name, builtin: OP_TABLE[n.op].builtin!, extraBytes: 3 * layer.kernel.length };
}

/**
 * Lowers every node after the inputs (bound by the caller as int8 tensors);
 * returns the layers left float.
 */
export function lowerInt8(a: AnalyzedGraph, store: ParamLookup, e: Emitter): FloatLayerCost[] {
  const floatLayers: FloatLayerCost[] = [];
  const dequantized = new Map<number, TensorRef>();
  const outputFqs = outputFakeQuants(a.order);
  const outputFakeQuant = (name: string): FakeQuantNode | null => outputFqs.get(name) ?? null;
  for (const node of a.order) {
    if (node.op === 'input') continue;
    const shape = batched(a.shapes.get(node.name)!);
    const xs = node.inputs.map((i) => e.value(i));
    const outQuant = (): QuantParams => {
      const fq = outputFakeQuant(node.name);
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
        } else if (x.type === 'FLOAT32') {
          // The output of a layer left float, back onto its trained int8 grid.
          const y = e.bind(node.name, e.activation(node.name, shape, 'INT8', q));
          e.op('QUANTIZE', [x.index], [y.index]);
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
      case 'qconv2dTranspose':
        if (node.attrs.weightQuant === null) {
          floatLayers.push(emitFloatLayer(e, node, store, xs[0]!, shape, dequantized));
          break;
        }
        emitInt8Weighted(e, node, store, xs[0]!, int8Out(outQuant()));
        break;
      case 'relu':
      case 'relu6': {
        // A standalone activation (one not fused into its producer) keeps its input's range unless a fakeQuant follows.
        const x = xs[0]!;
        requireInt8(node, x);
        const fq = outputFakeQuant(node.name);
        emitCommon(e, node, xs, int8Out(fq ? fakeQuantParams(fq, store) : x.quant!));
        break;
      }
      case 'dropout':
        e.bind(node.name, xs[0]!);
        break;
      case 'qnorm':
        emitNormInt8(e, node, store, xs[0]!, int8Out(outQuant()));
        break;
      case 'instanceNorm':
      case 'layerNorm':
        throw cannotExport(node, 'int8', FLOAT_LAYER);
      default: {
        if (FLOAT_LAYERS.has(node.op)) throw cannotExport(node, 'int8', FLOAT_LAYER);
        const rule = OP_TABLE[node.op].output;
        if (!COMMON_OPS.has(node.op)) throw cannotExport(node, 'int8');
        // A float neighbour shows as a missing output fakeQuant first, then as an input that is not int8.
        if (rule.kind === 'observed' && !outputFakeQuant(node.name)) throw cannotExport(node, 'int8', FLOAT_LAYER);
        xs.forEach((x) => requireInt8(node, x));
        if (rule.kind === 'keepsInput' || rule.kind === 'roundsOnInputGrid') {
          emitCommon(e, node, xs, int8Out(xs[0]!.quant!));
        } else if (rule.kind === 'sharedWithInputs') {
          // TFLite's int8 CONCATENATION needs every input on the output's scale; the rewrite shares one range.
          const q = outQuant();
          const ins = xs.map((x, k) => {
            if (sameQuant(x.quant, q)) return x;
            const r = e.activation(`${node.name}/input${k}_requantized`, x.shape, 'INT8', q);
            e.op('QUANTIZE', [x.index], [r.index]);
            return r;
          });
          emitCommon(e, node, ins, int8Out(q));
        } else if (rule.kind === 'fixed') {
          const q = outQuant();
          const fixed = FIXED_OUTPUT_QUANT[rule.op];
          if (!sameQuant(q, fixed)) {
            throw cannotExport(node, 'int8', `its output range gives scale ${q.scale} and zero point ${q.zeroPoint}, but int8 ${rule.op} needs 1/${1 / fixed.scale} and ${fixed.zeroPoint}`);
          }
          emitCommon(e, node, xs, int8Out(q));
        } else if (rule.kind === 'observed') {
          // An elementwise op (add, qadd with its fused activation): its own trained output range.
          emitCommon(e, node, xs, int8Out(outQuant()), 'activation' in node.attrs ? node.attrs.activation : 'none', paramValuesOf(store));
        } else {
          throw cannotExport(node, 'int8');
        }
      }
    }
  }
  return floatLayers;
}
