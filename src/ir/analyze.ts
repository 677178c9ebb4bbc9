// Validation and shape inference in one pass. Everything downstream works on
// an AnalyzedGraph, so a graph that reaches a builder or the exporter is
// known to be acyclic, fully connected and shape-consistent.
import { UserError } from '../errors.js';
import { OP_SPECS, ShapeProblem } from './ops/index.js';
import type { OpSpec } from './ops/spec.js';
import type { Graph, IRNode, OpName, Shape, VariableSpec } from './types.js';

export interface AnalyzedGraph {
  graph: Graph;
  /** Nodes in execution (topological) order; declaration order is kept where possible. */
  order: IRNode[];
  /** Output shape of every node (no batch dimension). */
  shapes: Map<string, Shape>;
  /** Every variable the graph needs, in execution order. */
  variables: VariableSpec[];
  /** Names of the input nodes. */
  inputs: string[];
}

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.\-/]*$/;

function err(msg: string): never {
  throw new UserError(msg);
}

function checkNodeShape(n: unknown, i: number): asserts n is IRNode {
  const node = n as Partial<IRNode> | null;
  if (typeof node !== 'object' || node === null) err(`node #${i} is not an object`);
  if (typeof node.name !== 'string' || !NAME_RE.test(node.name)) {
    err(`node #${i} has an invalid name ${JSON.stringify(node.name)} (use letters, digits, _ . - /)`);
  }
  if (typeof node.op !== 'string' || !(node.op in OP_SPECS)) {
    err(`node '${node.name}' has unknown op ${JSON.stringify(node.op)}; known ops: ${Object.keys(OP_SPECS).join(', ')}`);
  }
  if (!Array.isArray(node.inputs) || !node.inputs.every((x) => typeof x === 'string')) err(`node '${node.name}' needs an inputs list of node names`);
  if (typeof node.attrs !== 'object' || node.attrs === null) err(`node '${node.name}' needs an attrs object`);
  if (typeof node.params !== 'object' || node.params === null || !Object.values(node.params).every((v) => typeof v === 'string')) {
    err(`node '${node.name}' needs a params object mapping roles to variable names`);
  }
}

/** Kahn's algorithm, picking ready nodes in declaration order so the result is stable. */
function topoOrder(nodes: IRNode[]): IRNode[] {
  const index = new Map(nodes.map((n, i) => [n.name, i]));
  const pending = nodes.map((n) => new Set(n.inputs).size);
  const users = nodes.map(() => [] as number[]);
  nodes.forEach((n, i) => new Set(n.inputs).forEach((src) => users[index.get(src)!].push(i)));
  const done: boolean[] = nodes.map(() => false);
  const order: IRNode[] = [];
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (let i = 0; i < nodes.length; i++) {
      if (done[i] || pending[i] > 0) continue;
      done[i] = true;
      progressed = true;
      order.push(nodes[i]);
      for (const u of users[i]) pending[u]--;
      break; // restart from the top: keeps declaration order among ready nodes
    }
  }
  if (order.length !== nodes.length) {
    const stuck = nodes.filter((_, i) => !done[i]).map((n) => n.name);
    err(`the graph has a cycle through ${stuck.map((s) => `'${s}'`).join(', ')}`);
  }
  return order;
}

export function analyze(graph: Graph): AnalyzedGraph {
  if (typeof graph !== 'object' || graph === null || !Array.isArray(graph.nodes)) err('a graph needs a nodes list');
  if (graph.nodes.length === 0) err(`graph '${graph.name}' has no nodes`);
  graph.nodes.forEach(checkNodeShape);
  const byName = new Map<string, IRNode>();
  for (const n of graph.nodes) {
    if (byName.has(n.name)) err(`two nodes are named '${n.name}'`);
    byName.set(n.name, n);
  }
  for (const n of graph.nodes) {
    const spec = OP_SPECS[n.op] as OpSpec<OpName>;
    for (const src of n.inputs) if (!byName.has(src)) err(`node '${n.name}' reads unknown input '${src}'`);
    const a = spec.arity;
    if (typeof a === 'number' ? n.inputs.length !== a : n.inputs.length < a.min) {
      err(`node '${n.name}' (${n.op}) takes ${typeof a === 'number' ? a : `at least ${a.min}`} input(s), got ${n.inputs.length}`);
    }
    const bad = spec.checkAttrs(n.attrs as never);
    if (bad) err(`node '${n.name}' (${n.op}): ${bad}`);
  }
  if (!Array.isArray(graph.outputs) || graph.outputs.length === 0) err(`graph '${graph.name}' names no outputs`);
  for (const o of graph.outputs) if (!byName.has(o)) err(`graph output '${o}' is not a node`);

  const order = topoOrder(graph.nodes);
  const shapes = new Map<string, Shape>();
  const variables: VariableSpec[] = [];
  const owner = new Map<string, string>();
  for (const n of order) {
    const spec = OP_SPECS[n.op] as OpSpec<OpName>;
    const ins = n.inputs.map((s) => shapes.get(s)!);
    let out: Shape;
    let params;
    try {
      out = spec.inferShape(n as never, ins);
      params = spec.params(n as never, ins);
    } catch (e) {
      if (e instanceof ShapeProblem) err(`node '${n.name}' (${n.op}): ${e.message}`);
      throw e;
    }
    shapes.set(n.name, out);
    const roles = params.map((p) => p.role);
    const given = Object.keys(n.params);
    const missing = roles.filter((r) => !given.includes(r));
    const extra = given.filter((r) => !roles.includes(r));
    if (missing.length || extra.length) {
      err(`node '${n.name}' (${n.op}) params ${missing.length ? `lack ${missing.join(', ')}` : ''}${missing.length && extra.length ? ' and ' : ''}${extra.length ? `have unexpected ${extra.join(', ')}` : ''}`);
    }
    for (const p of params) {
      const name = n.params[p.role];
      const prev = owner.get(name);
      if (prev !== undefined) {
        // Quantization ranges may be shared (a concat's inputs and output need one scale); nothing else may.
        const first = variables.find((v) => v.name === name)!;
        const sameShape = first.shape.length === p.shape.length && first.shape.every((d, i) => d === p.shape[i]);
        if (p.kind === 'range' && first.kind === 'range' && sameShape) continue;
        err(`variable '${name}' is claimed by both '${prev}' and '${n.name}'`);
      }
      owner.set(name, n.name);
      variables.push({ ...p, name, node: n.name });
    }
  }
  const inputs = order.filter((n) => n.op === 'input').map((n) => n.name);
  if (inputs.length === 0) err(`graph '${graph.name}' has no input node`);
  return { graph, order, shapes, variables, inputs };
}

/** Default variable names for a node's params: `<node>/<role>`. */
export function defaultParamRefs(node: Pick<IRNode, 'name'>, roles: string[]): Record<string, string> {
  return Object.fromEntries(roles.map((r) => [r, `${node.name}/${r}`]));
}
