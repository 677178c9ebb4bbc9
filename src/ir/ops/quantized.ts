// The QAT IR ops the rewrite pass (quantize/rewrite.ts) produces. A fused
// layer owns the float layer's parameters plus the folded batchNorm's, under
// the same store names, so a float checkpoint restores into the QAT graph.
import { isBitWidth } from '../../../quantize/math.js';
import { TFLITE_FUSED_ACTIVATION } from '../../../quantize/op-table.js';
import type { OpSpec } from './spec.js';
import { firstProblem, noParams } from './spec.js';
import { conv2d, depthwiseConv2d } from './conv.js';
import { dense } from './dense.js';
import { add } from './merge.js';
import type { FusedActivation, NodeOf, ParamSpec, QuantizedLayerAttrs, Shape } from '../types.js';

/** The activations a quantized layer can fuse: those TFLite has a fused-activation option for (quantize/op-table.ts). */
const ACTIVATIONS = Object.keys(TFLITE_FUSED_ACTIVATION) as FusedActivation[];

const isBits = isBitWidth;

export function quantChecks(a: QuantizedLayerAttrs): string | undefined {
  const bn = a.batchNorm;
  const wq = a.weightQuant;
  return firstProblem(
    [ACTIVATIONS.includes(a.activation), "activation must be 'none', 'relu' or 'relu6'"],
    [bn === null || (typeof bn === 'object' && typeof bn.epsilon === 'number' && bn.epsilon > 0
      && typeof bn.momentum === 'number' && bn.momentum >= 0 && bn.momentum < 1), 'batchNorm must be null or { epsilon > 0, momentum in [0, 1) }'],
    [wq === null || (typeof wq === 'object' && isBits(wq.bits) && typeof wq.perChannel === 'boolean'),
      'weightQuant must be null or { bits: 2..8, perChannel: boolean }'],
  );
}

/** The BN parameters a folded layer takes over, one per output channel. */
export function bnParams(channels: number): ParamSpec[] {
  const c = [channels];
  return [
    { role: 'gamma', shape: c, kind: 'weight', init: { type: 'ones' } },
    { role: 'beta', shape: c, kind: 'weight', init: { type: 'zeros' } },
    { role: 'movingMean', shape: c, kind: 'stat', init: { type: 'zeros' } },
    { role: 'movingVariance', shape: c, kind: 'stat', init: { type: 'ones' } },
  ];
}

type QLayer = 'qconv2d' | 'qdepthwiseConv2d' | 'qdense';
type FloatOf<K extends QLayer> = K extends 'qconv2d' ? 'conv2d' : K extends 'qdepthwiseConv2d' ? 'depthwiseConv2d' : 'dense';

function quantizedLayer<K extends QLayer>(base: OpSpec<FloatOf<K>>): OpSpec<K> {
  const asBase = (n: NodeOf<K>): NodeOf<FloatOf<K>> => n as unknown as NodeOf<FloatOf<K>>;
  return {
    arity: 1,
    checkAttrs: (a) => base.checkAttrs(a as never) ?? quantChecks(a as QuantizedLayerAttrs),
    inferShape: (node, ins) => base.inferShape(asBase(node), ins),
    params(node, ins: Shape[]) {
      const p = base.params(asBase(node), ins);
      if ((node.attrs as QuantizedLayerAttrs).batchNorm === null) return p;
      const out = base.inferShape(asBase(node), ins);
      return [...p, ...bnParams(out[out.length - 1])];
    },
  };
}

export const qconv2d = quantizedLayer<'qconv2d'>(conv2d);
export const qdepthwiseConv2d = quantizedLayer<'qdepthwiseConv2d'>(depthwiseConv2d);
export const qdense = quantizedLayer<'qdense'>(dense);

export const qadd: OpSpec<'qadd'> = {
  arity: { min: 2 },
  checkAttrs: (a) => (ACTIVATIONS.includes(a.activation) ? undefined : "activation must be 'none', 'relu' or 'relu6'"),
  inferShape: (node, ins) => add.inferShape(node as unknown as NodeOf<'add'>, ins),
  params: noParams,
};

export const fakeQuant: OpSpec<'fakeQuant'> = {
  arity: 1,
  checkAttrs: (a) => {
    const r = a.fixedRange;
    return firstProblem(
      [isBits(a.bits), 'bits must be an integer from 2 to 8'],
      [typeof a.narrowRange === 'boolean', 'narrowRange must be true or false'],
      [a.role === 'input' || a.role === 'activation' || a.role === 'softmax', "role must be 'input', 'activation' or 'softmax'"],
      [typeof a.quantizes === 'string' && a.quantizes.length > 0, 'quantizes must name the layer whose output is quantized'],
      [r === undefined || (Array.isArray(r) && r.length === 2 && r.every(Number.isFinite) && r[0] < r[1]), 'fixedRange must be [min, max] with min < max'],
    );
  },
  inferShape: (_n, [x]) => x,
  params(node) {
    if (node.attrs.fixedRange) return [];
    return [
      { role: 'min', shape: [], kind: 'range', init: { type: 'zeros' } },
      { role: 'max', shape: [], kind: 'range', init: { type: 'zeros' } },
    ];
  },
};

/** The QAT ops, for the op table. */
export const QUANTIZED_OPS: { [K in QLayer | 'qadd' | 'fakeQuant']: OpSpec<K> } = {
  qconv2d, qdepthwiseConv2d, qdense, qadd, fakeQuant,
};


