// The rewrite pass's pattern table: which chains of float ops become which
// quantized construct. Data, not control flow — quantize/rewrite.ts walks
// the graph, matches these rows in order, and hands each match to the
// emitter the row names. Adding a pattern is adding a row (and, for a new
// kind of construct, one emitter).
import type { OpName } from '../src/ir/types.js';
import { FOLDS_BATCH_NORM, FUSABLE_ACTIVATIONS, opsWhere, type OutputRule } from './op-table.js';

/** The part of a match a chain step fills. */
export type Slot = 'layer' | 'batchNorm' | 'activation';

export interface ChainStep {
  /** Ops this step accepts. */
  ops: readonly OpName[];
  slot: Slot;
  /** Skipped when the next node is not one of `ops`. */
  optional?: boolean;
}

/** How a match is turned into QAT IR (see EMITTERS in rewrite.ts). */
export type EmitterName = 'fusedLayer' | 'quantizedElementwise' | 'sharedRangeConcat' | 'roundedPool' | 'passThrough' | 'fixedRange' | 'modelInput'
  | 'decomposedNorm';

export interface Pattern {
  name: string;
  /**
   * A linear chain: step k+1 must be the only consumer of step k, and a
   * step inside the chain must not be a graph output.
   */
  chain: readonly ChainStep[];
  emit: EmitterName;
  /** What the pattern becomes, for docs and reports. */
  becomes: string;
}

const ACT: ChainStep = { ops: FUSABLE_ACTIVATIONS, slot: 'activation', optional: true };

/** Ops without weights that get a trained output range of their own (add, …), by whether they fuse a following activation. */
function elementwise(fusesActivation: boolean): OpName[] {
  return opsWhere((r) => r.output.kind === 'observed' && !r.foldsBatchNorm && !r.qat && (r.fusesActivation === true) === fusesActivation);
}

/** A one-op pattern matching every op whose output range the op table decides by `rule`. */
function singleOp(name: string, rule: OutputRule['kind'], emit: EmitterName, becomes: string): Pattern {
  return { name, chain: [{ ops: opsWhere((r) => r.output.kind === rule), slot: 'layer' }], emit, becomes };
}

export const PATTERNS: readonly Pattern[] = [
  {
    name: 'conv-like [+ batchNorm] [+ relu|relu6]',
    chain: [{ ops: FOLDS_BATCH_NORM, slot: 'layer' }, { ops: ['batchNorm'], slot: 'batchNorm', optional: true }, ACT],
    emit: 'fusedLayer',
    becomes: 'qconv2d / qdepthwiseConv2d / qdense (BN folded, weights fake-quantized, activation fused) + activation fakeQuant',
  },
  // Before the elementwise rows: the norms also have observed output ranges.
  {
    name: 'instance / layer normalization',
    chain: [{ ops: opsWhere((r) => r.qatTwin === 'qnorm'), slot: 'layer' }],
    emit: 'decomposedNorm',
    becomes: 'qnorm (its int8 decomposition, a range per intermediate, γ/β fake-quantized) + fakeQuant of its output',
  },
  {
    name: 'elementwise with a fused activation: add [+ relu|relu6]',
    chain: [{ ops: elementwise(true), slot: 'layer' }, ACT],
    emit: 'quantizedElementwise',
    becomes: 'the op (or its QAT twin, qadd, with the fused activation) + fakeQuant of its output',
  },
  {
    name: 'elementwise without activation fusion',
    chain: [{ ops: elementwise(false), slot: 'layer' }],
    emit: 'quantizedElementwise',
    becomes: 'the op + fakeQuant of its output',
  },
  singleOp('concat', 'sharedWithInputs', 'sharedRangeConcat', 'concat + fakeQuant; its inputs\' fakeQuants and its own share one min/max pair'),
  // The int8 kernels round an average to the input's grid; a fakeQuant on that same range makes the eval graph round it too.
  singleOp('averaging pool', 'roundsOnInputGrid', 'roundedPool',
    'unchanged + a fakeQuant sharing its input fakeQuant\'s min/max (same scale and zero point: the exporter aliases it)'),
  singleOp('range-preserving', 'keepsInput', 'passThrough', 'unchanged; keeps its input\'s range, no fakeQuant'),
  singleOp('fixed output range (softmax)', 'fixed', 'fixedRange',
    'unchanged + a fakeQuant with the fixed range of its TFLite op (softmax: [0, 255/256], scale 1/256, int8 zero point −128)'),
  singleOp('model input', 'modelInput', 'modelInput', 'input + input fakeQuant (range observed, or fixed by --input-mean/--input-std)'),
];
