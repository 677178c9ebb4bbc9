// Two graphs from one IR and one store: the train graph (BN batch
// statistics with moving-stat updates returned, dropout on) and the eval
// graph (BN moving statistics, dropout off). Both look variables up by the
// names in the IR, so whatever one writes the other reads.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../src/errors.js';
import { analyze, type AnalyzedGraph } from '../../src/ir/analyze.js';
import type { Graph, IRNode, NodeOf, OpName } from '../../src/ir/types.js';
import type { VariableStore } from '../state.js';
import { TFJS_OPS, type TfjsOp, type KernelContext, type StatUpdate } from './tfjs-ops.js';
import type { EvalArithmetic, QatRuntime, RangeUpdate } from './context.js';
import { INTEGER_EVAL_OPS, integerEvalInfo } from './integer-eval-ops.js';
import { checkNamesMatch, modelVariableNames } from '../state.js';
import { isQConvLike } from '../../quantize/fold.js';
import { consumersOf, inputFakeQuant, nodesByName } from '../../quantize/graph.js';
import { isQuantizedGraph } from '../../quantize/op-table.js';
import { QAT_DEFAULTS, type QatConfig } from '../../quantize/config.js';

export type { StatUpdate, RangeUpdate, EvalArithmetic } from './context.js';

export interface TrainStepOutput {
  logits: tf.Tensor2D;
  /** Every graph output in order (heads[0] is logits): the loss sums over them. */
  heads: tf.Tensor2D[];
  /** Batch statistics to fold into the moving values with applyStatUpdates(). */
  statUpdates: StatUpdate[];
  /** Observed quantization ranges to store with applyRangeUpdates(). */
  rangeUpdates: RangeUpdate[];
}

export interface TrainGraph {
  ir: AnalyzedGraph;
  /** Forward pass in training mode. Call inside tf.variableGrads/tidy; statUpdates and rangeUpdates survive the tidy. */
  run(x: tf.Tensor4D, opts?: TrainRunOptions): TrainStepOutput;
}

/** Per-step inputs of a train-graph run besides the images. */
export interface TrainRunOptions {
  /** Seed of the step's dropout masks (default: the store's step). */
  stepSeed?: number;
  /**
   * Index of x's first example in the whole batch, when x is one part of it
   * (a micro-batch or a worker's shard): dropout then draws the rows the
   * whole batch would have got, so how a batch is cut changes nothing.
   */
  exampleOffset?: number;
}

/** How a QAT IR trains: its QatConfig and the global step at which QAT started (delays count from there). */
export interface QatTrainOptions {
  config: QatConfig;
  startStep: number;
}

export interface EvalGraphOptions {
  /**
   * How a QAT IR's quantized ops compute (context.ts EvalArithmetic).
   * Default: 'integer' for a QAT IR — the exported int8 model's integers,
   * bit for bit — and 'simulated' for a float graph (where both are the same).
   */
  arithmetic?: EvalArithmetic;
}

export interface EvalGraph {
  ir: AnalyzedGraph;
  /** The arithmetic this graph computes its quantized ops with. */
  arithmetic: EvalArithmetic;
  /** Logits (outputs[0]) in inference mode. */
  run(x: tf.Tensor4D): tf.Tensor2D;
  /** Every node's output by name, for parity reports; the caller disposes. */
  runAll(x: tf.Tensor4D): Map<string, tf.Tensor>;
}

function runNode(node: IRNode, inputs: tf.Tensor[], ctx: KernelContext): tf.Tensor {
  const integer = ctx.integer ? INTEGER_EVAL_OPS[node.op]?.(node, inputs, ctx) ?? null : null;
  if (integer && node.op !== 'fakeQuant') ctx.integer!.markComputed(node);
  return integer ?? (TFJS_OPS[node.op] as TfjsOp<OpName>)(node as never, inputs, ctx);
}

/**
 * Runs the graph. In inference each node runs in its own tidy (its folded
 * weights and integer intermediates go as soon as it is done), and unless
 * every value is wanted a node's output is freed after its last consumer —
 * a deep net at batch 256 would otherwise hold every activation at once. A
 * kernel may return one of its inputs (dropout, a one-input concat), so a
 * tensor is only freed once no live value refers to it. Training keeps
 * everything: the backward pass needs it.
 */
function execute(a: AnalyzedGraph, ctx: KernelContext, keepAll: boolean): Map<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>();
  if (ctx.training) {
    for (const node of a.order) values.set(node.name, runNode(node, node.inputs.map((i) => values.get(i)!), ctx));
    return keepAll ? values : new Map(a.graph.outputs.map((o) => [o, values.get(o)!]));
  }
  const lastUse = new Map<string, number>();
  a.order.forEach((n, k) => n.inputs.forEach((i) => lastUse.set(i, k)));
  for (const o of a.graph.outputs) lastUse.set(o, Infinity);
  const protectedTensors = new Set(a.inputs.map((i) => ctx.feed(i)));
  a.order.forEach((node, k) => {
    const inputs = node.inputs.map((i) => values.get(i)!);
    values.set(node.name, tf.tidy(() => runNode(node, inputs, ctx)));
    if (keepAll) return;
    for (const name of new Set(node.inputs)) {
      if (lastUse.get(name) !== k) continue;
      const t = values.get(name)!;
      values.delete(name);
      if (!protectedTensors.has(t) && ![...values.values()].includes(t)) t.dispose();
    }
  });
  return keepAll ? values : new Map(a.graph.outputs.map((o) => [o, values.get(o)!]));
}

function checkInput(a: AnalyzedGraph, x: tf.Tensor): string {
  if (a.inputs.length !== 1) throw new UserError(`graph '${a.graph.name}' has ${a.inputs.length} inputs; the graph builders take one`);
  const name = a.inputs[0];
  const want = a.shapes.get(name)!;
  const got = x.shape.slice(1);
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new UserError(`model '${a.graph.name}' expects input [batch, ${want.join(', ')}], got [${x.shape.join(', ')}]`);
  }
  return name;
}

function context(
  a: AnalyzedGraph, state: VariableStore, x: tf.Tensor, training: boolean, stepSeed: number, qat: QatRuntime,
  extra: Pick<KernelContext, 'integer' | 'constInputs' | 'exampleOffset' | 'activationInto' | 'deferredActivations' | 'fakeQuantAfter' | 'activationAfterNorm' | 'appliedUpstream'> = {},
): KernelContext {
  const inputName = checkInput(a, x);
  return {
    ...extra,
    training,
    stepSeed,
    statUpdates: [],
    rangeUpdates: [],
    qat,
    variable: (name: string) => state.get(name),
    param: (node: Pick<IRNode, 'name' | 'params'>, role: string) => state.get(node.params[role]),
    feed: (name: string) => {
      if (name !== inputName) throw new Error(`no feed for input '${name}'`);
      return x;
    },
  };
}

function prepare(ir: Graph | AnalyzedGraph, state: VariableStore): AnalyzedGraph {
  const a = 'order' in ir ? ir : analyze(ir);
  const needed = modelVariableNames(a);
  const missing = needed.filter((n) => !state.has(n));
  if (missing.length) checkNamesMatch(needed, needed.filter((n) => state.has(n)), 'the variable store does not hold this model');
  return a;
}

function inputQuantizers(a: AnalyzedGraph): QatRuntime['inputQuantizers'] {
  const byName = nodesByName(a.order);
  return new Map(a.order.filter(isQConvLike).map((n) => [n.name, inputFakeQuant(n, 0, byName)]));
}

function qatRuntime(a: AnalyzedGraph, state: VariableStore, qat: QatTrainOptions | undefined, extra: Partial<QatRuntime> = {}): QatRuntime {
  const c = qat?.config ?? QAT_DEFAULTS;
  return {
    step: state.step - (qat?.startStep ?? 0),
    quantDelay: c.quantDelay,
    freezeBnStep: c.freezeBnStep,
    rangeMode: c.rangeMode,
    emaDecay: c.emaDecay,
    observeOnly: false,
    inputQuantizers: inputQuantizers(a),
    quantizedGraph: isQuantizedGraph(a.graph),
    ...extra,
  };
}

/**
 * Layers reading the model input directly, or through its fakeQuant when
 * that has no range gradient (a fixed range, or EMA-observed ranges): no
 * gradient needs to flow into their input (layers/ops conv2dConstInput).
 */
function constInputLayers(a: AnalyzedGraph, qat: QatTrainOptions | undefined): Set<string> {
  const byName = new Map(a.order.map((n) => [n.name, n]));
  const learned = (qat?.config ?? QAT_DEFAULTS).rangeMode === 'learned';
  const noGradient = (name: string): boolean => {
    const n = byName.get(name);
    if (!n) return false;
    if (n.op === 'input') return true;
    return n.op === 'fakeQuant' && (n.attrs.fixedRange !== undefined || !learned) && byName.get(n.inputs[0])?.op === 'input';
  };
  return new Set(a.order.filter((n) => (n.op === 'conv2d' || n.op === 'qconv2d') && noGradient(n.inputs[0])).map((n) => n.name));
}

/**
 * Fused layers whose relu/relu6 output feeds only its fakeQuant: the
 * fakeQuant applies the activation inside its own pass (qat-ops.ts).
 */
type Fusions = Pick<KernelContext, 'activationInto' | 'deferredActivations' | 'fakeQuantAfter' | 'activationAfterNorm'>;

/**
 * Layers whose only consumer is a fake quant: their relu/relu6 moves into
 * it, and a folded batch norm (with no other activation) runs with it as one
 * op. A float batch norm whose only consumer is relu/relu6 runs with it.
 */
function consumerFusions(a: AnalyzedGraph): Fusions {
  const consumers = consumersOf(a.order);
  const activationInto = new Map<string, 'relu' | 'relu6'>();
  const deferredActivations = new Set<string>();
  const fakeQuantAfter = new Map<string, NodeOf<'fakeQuant'>>();
  const activationAfterNorm = new Map<string, NodeOf<'relu'> | NodeOf<'relu6'>>();
  for (const n of a.order) {
    const only = consumers.get(n.name) ?? [];
    if (n.op === 'batchNorm' && only.length === 1 && (only[0]!.op === 'relu' || only[0]!.op === 'relu6') && !a.graph.outputs.includes(n.name)) {
      activationAfterNorm.set(n.name, only[0] as NodeOf<'relu'> | NodeOf<'relu6'>);
    }
    if (!isQConvLike(n)) continue;
    const fq = only.length === 1 && only[0]!.op === 'fakeQuant' && !a.graph.outputs.includes(n.name) ? only[0] as NodeOf<'fakeQuant'> : null;
    if (!fq) continue;
    const act = n.attrs.activation;
    if (act === 'relu' || act === 'relu6') {
      activationInto.set(fq.name, act);
      deferredActivations.add(n.name);
    }
    if (n.attrs.batchNorm && (act === 'relu' || act === 'relu6' || act === 'none')) fakeQuantAfter.set(n.name, fq);
  }
  return { activationInto, deferredActivations, fakeQuantAfter, activationAfterNorm };
}

/** `fuseActivations: false` keeps every activation, batch norm and fake quant a separate op (to compare against). */
export function buildTrainGraph(ir: Graph | AnalyzedGraph, state: VariableStore, opts: { qat?: QatTrainOptions; fuseActivations?: boolean } = {}): TrainGraph {
  const a = prepare(ir, state);
  const constInputs = constInputLayers(a, opts.qat);
  const fusions = opts.fuseActivations === false ? {} : consumerFusions(a);
  return {
    ir: a,
    run(x, runOpts = {}) {
      const ctx = context(a, state, x, true, runOpts.stepSeed ?? state.step, qatRuntime(a, state, opts.qat), {
        constInputs, exampleOffset: runOpts.exampleOffset ?? 0, ...fusions, appliedUpstream: new Set(),
      });
      const out = execute(a, ctx, false);
      const heads = a.graph.outputs.map((o) => out.get(o) as tf.Tensor2D);
      return { logits: heads[0]!, heads, statUpdates: ctx.statUpdates, rangeUpdates: ctx.rangeUpdates };
    },
  };
}

export function buildEvalGraph(ir: Graph | AnalyzedGraph, state: VariableStore, opts: EvalGraphOptions = {}): EvalGraph {
  const a = prepare(ir, state);
  const arithmetic = opts.arithmetic ?? (isQuantizedGraph(a.graph) ? 'integer' : 'simulated');
  // Ranges are read afresh on every run: the store may have trained since the last one.
  const ctx = (x: tf.Tensor): KernelContext => context(
    a, state, x, false, 0, qatRuntime(a, state, undefined),
    arithmetic === 'integer' ? { integer: integerEvalInfo(a, state) } : {},
  );
  return {
    ir: a,
    arithmetic,
    run: (x) => tf.tidy(() => execute(a, ctx(x), false).get(a.graph.outputs[0]) as tf.Tensor2D),
    runAll: (x) => {
      // tidy keeps the node outputs and frees the intermediates (folded kernels, quantized weights, …).
      const kept = tf.tidy(() => Object.fromEntries(execute(a, ctx(x), true)));
      const all = new Map<string, tf.Tensor>(Object.entries(kept));
      const inputName = a.inputs[0];
      // The input tensor belongs to the caller; hand back a copy so disposing the map is always safe.
      all.set(inputName, tf.clone(x));
      return all;
    },
  };
}

export interface CalibrationGraph {
  ir: AnalyzedGraph;
  /**
   * Runs one batch in inference mode (BN moving statistics, no dropout, no
   * fake quant) and moves every observed range towards this batch's by
   * (1 − decay); the first batch initialises them.
   */
  observe(x: tf.Tensor4D, decay: number): void;
}

/** Post-training calibration: range observation only, no gradients. */
export function buildCalibrationGraph(ir: Graph | AnalyzedGraph, state: VariableStore): CalibrationGraph {
  const a = prepare(ir, state);
  return {
    ir: a,
    observe(x, decay) {
      let updates: RangeUpdate[] = [];
      tf.tidy(() => {
        const ctx = context(a, state, x, true, 0, qatRuntime(a, state, undefined, { observeOnly: true, observeDecay: decay }));
        execute(a, ctx, false);
        updates = ctx.rangeUpdates;
        for (const u of ctx.statUpdates) u.value.dispose();
      });
      applyRangeUpdates(state, updates);
    },
  };
}

/** Stores observed ranges (shared variables take the min of mins / max of maxes), then disposes the values. */
export function applyRangeUpdates(state: VariableStore, updates: RangeUpdate[]): void {
  tf.tidy(() => {
    const merged = new Map<string, tf.Tensor>();
    for (const u of updates) {
      const prev = merged.get(u.name);
      merged.set(u.name, prev ? (u.combine === 'min' ? tf.minimum(prev, u.value) : tf.maximum(prev, u.value)) : u.value);
    }
    for (const [name, v] of merged) state.get(name).assign(tf.reshape(v, state.get(name).shape));
  });
  for (const u of updates) u.value.dispose();
}

/** moving ← momentum·moving + (1 − momentum)·batch, then disposes the batch values. */
export function applyStatUpdates(state: VariableStore, updates: StatUpdate[]): void {
  tf.tidy(() => {
    for (const u of updates) {
      const v = state.get(u.name);
      v.assign(tf.add(tf.mul(v, u.momentum), tf.mul(u.value, 1 - u.momentum)));
    }
  });
  for (const u of updates) u.value.dispose();
}
