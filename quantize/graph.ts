// Walking a (QAT) graph the way quantization sees it: who reads a node,
// which node's range a tensor is on (looking through the ops that keep
// their input's range), and which fakeQuant quantizes a node's output. The
// rewrite, the eval graphs and the exporter all ask these questions.
import type { IRNode, NodeOf } from '../src/ir/types.js';
import { keepsInputRange } from './op-table.js';

export function nodesByName(nodes: readonly IRNode[]): Map<string, IRNode> {
  return new Map(nodes.map((n) => [n.name, n]));
}

/** The readers of every node's output (a node reading one tensor twice is listed once). */
export function consumersOf(nodes: readonly IRNode[]): Map<string, IRNode[]> {
  const users = new Map<string, IRNode[]>(nodes.map((n) => [n.name, []]));
  for (const n of nodes) for (const i of new Set(n.inputs)) users.get(i)!.push(n);
  return users;
}

/**
 * The node whose output range the tensor `name` is on: its producer, or,
 * through ops that keep their input's range (pools, reshape, …), the first
 * producer before them.
 */
export function rangeSource(name: string, byName: ReadonlyMap<string, IRNode>): IRNode | undefined {
  let cur = byName.get(name);
  while (cur && keepsInputRange(cur.op)) cur = byName.get(cur.inputs[0]!);
  return cur;
}

/** The fakeQuant whose output reaches input `index` of `node` (through range-keeping ops), or null if that input is float. */
export function inputFakeQuant(node: IRNode, index: number, byName: ReadonlyMap<string, IRNode>): NodeOf<'fakeQuant'> | null {
  const src = rangeSource(node.inputs[index]!, byName);
  return src && src.op === 'fakeQuant' ? src : null;
}

/** Each quantized node's output fakeQuant, by the node's name: the fakeQuant that reads it and says it quantizes it. */
export function outputFakeQuants(nodes: readonly IRNode[]): Map<string, NodeOf<'fakeQuant'>> {
  const out = new Map<string, NodeOf<'fakeQuant'>>();
  for (const n of nodes) if (n.op === 'fakeQuant' && n.inputs[0] === n.attrs.quantizes) out.set(n.attrs.quantizes, n);
  return out;
}
