// Which float-IR nodes collapse into one TFLite op: conv/depthwise/dense
// followed by batchNorm and/or relu/relu6, and add followed by relu/relu6
// (TFLite fuses activations into those ops' options). A node is absorbed
// only when it is its producer's sole consumer and no graph output needs
// the value in between.

import type { AnalyzedGraph } from '../src/ir/analyze.js';
import type { FusedActivation, IRNode, NodeOf } from '../src/ir/types.js';
import { consumersOf as consumersOfNodes } from '../quantize/graph.js';
import { FOLDS_BATCH_NORM, OP_TABLE, TFLITE_FUSED_ACTIVATION } from '../quantize/op-table.js';

export type { FusedActivation };

export interface Fusion {
  /** The node that keeps its name in the file (conv1, not conv1_relu). */
  head: IRNode;
  batchNorm: NodeOf<'batchNorm'> | null;
  activation: FusedActivation;
  /** Absorbed node names, in order; the last one's value is the fused op's output. */
  absorbed: string[];
}

/** Consumers of every node's output. */
export function consumersOf(a: AnalyzedGraph): Map<string, IRNode[]> {
  return consumersOfNodes(a.order);
}

const WEIGHTED: ReadonlySet<string> = new Set(FOLDS_BATCH_NORM);

/** Fusions keyed by head name, plus the set of absorbed node names. */
export function planFusions(a: AnalyzedGraph): { fusions: Map<string, Fusion>; absorbed: Set<string> } {
  const users = consumersOf(a);
  const outputs = new Set(a.graph.outputs);
  const soleUser = (name: string): IRNode | null => {
    const u = users.get(name)!;
    return u.length === 1 && !outputs.has(name) ? u[0]! : null;
  };
  const fusions = new Map<string, Fusion>();
  const absorbed = new Set<string>();
  for (const n of a.order) {
    if (!OP_TABLE[n.op].fusesActivation) continue;
    const f: Fusion = { head: n, batchNorm: null, activation: 'none', absorbed: [] };
    let tail = n.name;
    const next = soleUser(tail);
    if (WEIGHTED.has(n.op) && next?.op === 'batchNorm') {
      f.batchNorm = next;
      f.absorbed.push(next.name);
      tail = next.name;
    }
    const act = soleUser(tail);
    const fusesAs = act ? OP_TABLE[act.op].fusesAs : undefined;
    if (act && fusesAs) {
      f.activation = fusesAs;
      f.absorbed.push(act.name);
    }
    if (f.absorbed.length) {
      fusions.set(n.name, f);
      f.absorbed.forEach((x) => absorbed.add(x));
    }
  }
  return { fusions, absorbed };
}

/** TFLite's fused-activation enum name. */
export function tfliteActivation(a: FusedActivation): 'NONE' | 'RELU' | 'RELU6' {
  return TFLITE_FUSED_ACTIVATION[a];
}
