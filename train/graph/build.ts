// Two graphs from one IR and one store: the train graph (BN batch
// statistics with moving-stat updates returned, dropout on) and the eval
// graph (BN moving statistics, dropout off). Both look variables up by the
// names in the IR, so whatever one writes the other reads.
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../src/errors.js';
import { analyze, type AnalyzedGraph } from '../../src/ir/analyze.js';
import type { Graph, IRNode, OpName } from '../../src/ir/types.js';
import type { VariableStore } from '../state.js';
import { KERNELS, type Kernel, type KernelContext, type StatUpdate } from './kernels.js';
import { checkNamesMatch, modelVariableNames } from '../state.js';

export type { StatUpdate } from './kernels.js';

export interface TrainStepOutput {
  logits: tf.Tensor2D;
  /** Batch statistics to fold into the moving values with applyStatUpdates(). */
  statUpdates: StatUpdate[];
}

export interface TrainGraph {
  ir: AnalyzedGraph;
  /** Forward pass in training mode. Call inside tf.variableGrads/tidy; statUpdates survive the tidy. */
  run(x: tf.Tensor4D, opts?: { stepSeed?: number }): TrainStepOutput;
}

export interface EvalGraph {
  ir: AnalyzedGraph;
  /** Logits (outputs[0]) in inference mode. */
  run(x: tf.Tensor4D): tf.Tensor2D;
  /** Every node's output by name, for parity reports; the caller disposes. */
  runAll(x: tf.Tensor4D): Map<string, tf.Tensor>;
}

function execute(a: AnalyzedGraph, ctx: KernelContext, keepAll: boolean): Map<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>();
  for (const node of a.order) {
    const kernel = KERNELS[node.op] as Kernel<OpName>;
    values.set(node.name, kernel(node as never, node.inputs.map((i) => values.get(i)!), ctx));
  }
  if (keepAll) return values;
  return new Map(a.graph.outputs.map((o) => [o, values.get(o)!]));
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

function context(a: AnalyzedGraph, state: VariableStore, x: tf.Tensor, training: boolean, stepSeed: number): KernelContext {
  const inputName = checkInput(a, x);
  return {
    training,
    stepSeed,
    statUpdates: [],
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

export function buildTrainGraph(ir: Graph | AnalyzedGraph, state: VariableStore): TrainGraph {
  const a = prepare(ir, state);
  return {
    ir: a,
    run(x, opts = {}) {
      const ctx = context(a, state, x, true, opts.stepSeed ?? state.step);
      const out = execute(a, ctx, false);
      return { logits: out.get(a.graph.outputs[0]) as tf.Tensor2D, statUpdates: ctx.statUpdates };
    },
  };
}

export function buildEvalGraph(ir: Graph | AnalyzedGraph, state: VariableStore): EvalGraph {
  const a = prepare(ir, state);
  return {
    ir: a,
    run: (x) => tf.tidy(() => execute(a, context(a, state, x, false, 0), false).get(a.graph.outputs[0]) as tf.Tensor2D),
    runAll: (x) => {
      const all = execute(a, context(a, state, x, false, 0), true);
      const inputName = a.inputs[0];
      // The input tensor belongs to the caller; hand back a copy so disposing the map is always safe.
      all.set(inputName, tf.clone(x));
      return all;
    },
  };
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
