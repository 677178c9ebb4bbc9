// rewriteForQat: float IR → QAT IR, driven by the pattern table in
// patterns.ts. Three passes:
//   1. match patterns in execution order and emit QAT nodes (fused layers
//      keep the float layer's name and its variables' names);
//   2. give every quantized op quantized inputs: a float producer feeding
//      one (a skipped or unmatched layer) gets a fakeQuant after it;
//   3. concat: its inputs' fakeQuants and its own read one min/max pair;
//      an averaging pool's fakeQuant reads its input fakeQuant's pair.
// Whatever no pattern covers stays float and is reported by name.
import { UserError } from '../src/errors.js';
import { analyze } from '../src/ir/analyze.js';
import type { FakeQuantAttrs, FusedActivation, Graph, IRNode, NodeOf } from '../src/ir/types.js';
import { activationBits, inputRangeFromMeanStd, resolveQatConfig, weightBitsOf, type QatConfig } from './config.js';
import { PATTERNS, type EmitterName, type Pattern, type Slot } from './patterns.js';
import { consumersOf, nodesByName, rangeSource } from './graph.js';
import { fixedOutputOf, fixedOutputRange, OP_TABLE, QAT_OPS } from './op-table.js';
import { intermediateRoles, normAxes, rangeParamRoles } from './norm-decomposition.js';
import { defaultParamRefs } from '../src/ir/analyze.js';

export interface RewriteResult {
  graph: Graph;
  /** One sentence per layer left float, naming it and saying why. */
  report: string[];
}

/** Fixed output range of a quantized softmax (op-table.ts): [0, 255/256] on the 8-bit grid → scale 1/256. */
export const SOFTMAX_RANGE: [number, number] = fixedOutputRange('SOFTMAX');

type Match = Partial<Record<Slot, IRNode>> & { layer: IRNode; nodes: IRNode[] };

interface Rewriter {
  config: QatConfig;
  out: IRNode[];
  /** Float tensor name → the QAT tensor consumers now read. */
  rename: Map<string, string>;
  report: string[];
  /** Nodes whose inputs must be quantized tensors. */
  quantizedConsumers: Set<string>;
  concats: string[];
  /** avgPool / globalAvgPool nodes whose output fakeQuant shares the input's range. */
  pools: string[];
}

/** The activation a match fuses, by its op's row in the op table. */
const fusedActivation = (m: Match): FusedActivation => (m.activation ? OP_TABLE[m.activation.op].fusesAs! : 'none');

const mapped = (rw: Rewriter, names: string[]): string[] => names.map((n) => rw.rename.get(n) ?? n);

function fakeQuantNode(quantizes: string, attrs: Omit<FakeQuantAttrs, 'quantizes'>): NodeOf<'fakeQuant'> {
  const name = `${quantizes}/fq`;
  return {
    name, op: 'fakeQuant', inputs: [quantizes], attrs: { ...attrs, quantizes },
    params: attrs.fixedRange ? {} : { min: `${name}/min`, max: `${name}/max` },
  };
}

function activationFq(rw: Rewriter, quantizes: string): NodeOf<'fakeQuant'> {
  return fakeQuantNode(quantizes, { bits: activationBits(rw.config, quantizes), narrowRange: false, role: 'activation' });
}

/**
 * A concat or an averaging pool: one activation fake-quant after it, whose
 * range shareRanges() later ties to its inputs' (TFLite keeps their scale).
 */
function sharedRangeLayer(rw: Rewriter, m: Match, group: string[]): void {
  const layer = quantizedSingleOp(rw, m);
  if (!layer) return;
  group.push(layer.name);
  const fq = activationFq(rw, layer.name);
  finish(rw, m, [layer, fq], fq.name);
}

/**
 * A one-op match reading the rewritten inputs. Skipped by request, it is
 * emitted as it is (and reported) and null comes back; otherwise its inputs
 * are marked for quantization and the caller emits it with its fakeQuant.
 */
function quantizedSingleOp(rw: Rewriter, m: Match): IRNode | null {
  const layer = { ...m.layer, inputs: mapped(rw, m.layer.inputs) } as IRNode;
  if (isSkipped(rw, m)) {
    rw.report.push(skippedLine(layer));
    finish(rw, m, [layer], layer.name);
    return null;
  }
  rw.quantizedConsumers.add(layer.name);
  return layer;
}

function isSkipped(rw: Rewriter, m: Match): boolean {
  return m.nodes.some((n) => rw.config.skip.includes(n.name));
}

function skippedLine(n: IRNode): string {
  return `layer ${n.name} (op ${n.op}) is not quantized: skipped by request (--skip)`;
}

/** Emits `nodes` and points the match's last float tensor at `result`. */
function finish(rw: Rewriter, m: Match, nodes: IRNode[], result: string): void {
  rw.out.push(...nodes);
  rw.rename.set(m.nodes[m.nodes.length - 1].name, result);
}

const EMITTERS: Record<EmitterName, (rw: Rewriter, m: Match) => void> = {
  fusedLayer(rw, m) {
    const layer = m.layer as NodeOf<'conv2d'> | NodeOf<'depthwiseConv2d'> | NodeOf<'dense'>;
    const bn = m.batchNorm as NodeOf<'batchNorm'> | undefined;
    const skipped = isSkipped(rw, m);
    const op = OP_TABLE[layer.op].qatTwin!;
    const fused = {
      name: layer.name,
      op,
      inputs: mapped(rw, layer.inputs),
      attrs: {
        ...layer.attrs,
        activation: fusedActivation(m),
        batchNorm: bn ? { epsilon: bn.attrs.epsilon, momentum: bn.attrs.momentum } : null,
        weightQuant: skipped ? null : { bits: weightBitsOf(rw.config, layer.name), perChannel: rw.config.perChannel },
      },
      params: {
        ...layer.params,
        ...(bn ? { gamma: bn.params.gamma, beta: bn.params.beta, movingMean: bn.params.movingMean, movingVariance: bn.params.movingVariance } : {}),
      },
    } as IRNode;
    if (skipped) {
      rw.report.push(skippedLine(layer));
      finish(rw, m, [fused], layer.name);
      return;
    }
    rw.quantizedConsumers.add(layer.name);
    const fq = activationFq(rw, layer.name);
    finish(rw, m, [fused, fq], fq.name);
  },
  quantizedElementwise(rw, m) {
    const layer = m.layer;
    const inputs = mapped(rw, layer.inputs);
    if (isSkipped(rw, m)) {
      rw.report.push(skippedLine(layer));
      const act = m.activation;
      finish(rw, m, [{ ...layer, inputs } as IRNode, ...(act ? [{ ...act, inputs: [layer.name] } as IRNode] : [])], m.nodes[m.nodes.length - 1].name);
      return;
    }
    // A plain op stays itself; with a fused activation it becomes its QAT twin (add → qadd).
    const node = (m.activation
      ? { name: layer.name, op: OP_TABLE[layer.op].qatTwin!, inputs, attrs: { activation: fusedActivation(m) }, params: {} }
      : { ...layer, inputs }) as IRNode;
    rw.quantizedConsumers.add(layer.name);
    const fq = activationFq(rw, layer.name);
    finish(rw, m, [node, fq], fq.name);
  },
  sharedRangeConcat: (rw, m) => sharedRangeLayer(rw, m, rw.concats),
  roundedPool: (rw, m) => sharedRangeLayer(rw, m, rw.pools),
  passThrough(rw, m) {
    finish(rw, m, [{ ...m.layer, inputs: mapped(rw, m.layer.inputs) } as IRNode], m.layer.name);
  },
  fixedRange(rw, m) {
    const layer = quantizedSingleOp(rw, m);
    if (!layer) return;
    const fq = fakeQuantNode(layer.name, { bits: 8, narrowRange: false, role: 'softmax', fixedRange: fixedOutputRange(fixedOutputOf(layer.op)!) });
    finish(rw, m, [layer, fq], fq.name);
  },
  decomposedNorm(rw, m) {
    const layer = quantizedSingleOp(rw, m) as NodeOf<'instanceNorm'> | NodeOf<'layerNorm'> | null;
    if (!layer) return;
    // Rank 3: an instanceNorm reads [h, w, c] (its spec); a layerNorm names its axes.
    const attrs = { ...layer.attrs, ...normAxes(layer, 3), bits: activationBits(rw.config, layer.name) };
    const ranges = intermediateRoles(layer.attrs).flatMap((r) => rangeParamRoles(r));
    const node: NodeOf<'qnorm'> = {
      name: layer.name, op: 'qnorm', inputs: layer.inputs, attrs,
      params: { ...layer.params, ...defaultParamRefs(layer, ranges) },
    };
    const fq = activationFq(rw, layer.name);
    finish(rw, m, [node, fq], fq.name);
  },
  modelInput(rw, m) {
    const input = m.layer;
    if (isSkipped(rw, m)) {
      rw.report.push(skippedLine(input));
      finish(rw, m, [input], input.name);
      return;
    }
    const fq = inputFq(rw, input.name);
    finish(rw, m, [input, fq], fq.name);
  },
};

function inputFq(rw: Rewriter, name: string): NodeOf<'fakeQuant'> {
  const { inputMean, inputStd } = rw.config;
  const bits = activationBits(rw.config, name);
  const fixed = inputMean !== undefined && inputStd !== undefined ? inputRangeFromMeanStd(inputMean, inputStd, bits) : undefined;
  return fakeQuantNode(name, { bits, narrowRange: false, role: 'input', ...(fixed ? { fixedRange: fixed } : {}) });
}

/** The longest chain of `p` starting at `start`, or null. */
function matchAt(p: Pattern, start: IRNode, users: Map<string, IRNode[]>, outputs: Set<string>, claimed: Set<string>): Match | null {
  const [first, ...rest] = p.chain;
  if (!first.ops.includes(start.op)) return null;
  const m: Match = { layer: start, nodes: [start] };
  let cur = start;
  for (const step of rest) {
    const next = users.get(cur.name)!;
    const candidate = next.length === 1 && !outputs.has(cur.name) ? next[0] : undefined;
    if (candidate && step.ops.includes(candidate.op) && !claimed.has(candidate.name)) {
      m[step.slot] = candidate;
      m.nodes.push(candidate);
      cur = candidate;
    } else if (!step.optional) {
      return null;
    }
  }
  return m;
}

/** Follows range-keeping ops back to the node that produced a tensor. */
function producerOf(name: string, byName: Map<string, IRNode>): IRNode {
  return rangeSource(name, byName)!;
}

/** Pass 2: a float tensor read by a quantized op gets a fakeQuant after its producer. */
function quantizeFloatInputs(rw: Rewriter): void {
  const byName = nodesByName(rw.out);
  for (const consumer of [...rw.out]) {
    if (!rw.quantizedConsumers.has(consumer.name)) continue;
    for (const input of consumer.inputs) {
      const producer = producerOf(input, byName);
      if (producer.op === 'fakeQuant') continue;
      const fq = producer.op === 'input' ? inputFq(rw, producer.name) : activationFq(rw, producer.name);
      if (byName.has(fq.name)) continue;
      for (const n of rw.out) n.inputs = n.inputs.map((i) => (i === producer.name ? fq.name : i));
      rw.out.splice(rw.out.indexOf(producer) + 1, 0, fq);
      byName.set(fq.name, fq);
    }
  }
}

/**
 * Pass 3: ranges that must be one. An averaging pool's fakeQuant joins its
 * input's fakeQuant (the int8 pool keeps the input's scale and zero point,
 * so its fakeQuant is a pure rounding to that grid); a concat's inputs'
 * fakeQuants and its own form one group (TFLite needs equal scales). Every
 * member of a group then reads the group root's min/max pair.
 */
function shareRanges(rw: Rewriter): void {
  const byName = nodesByName(rw.out);
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    while (parent.has(x) && parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  /** b's group joins a's: a's root stays the root. */
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    parent.set(ra, ra);
    if (ra !== rb) parent.set(rb, ra);
  };
  const poolFqs = new Set<string>();
  // Pools first, producer side as the parent: a pool's fakeQuant is never a group root.
  for (const p of rw.pools) {
    const producer = producerOf(byName.get(p)!.inputs[0], byName);
    if (producer.op !== 'fakeQuant') continue;
    poolFqs.add(`${p}/fq`);
    union(producer.name, `${p}/fq`);
  }
  for (const c of rw.concats) {
    const own = `${c}/fq`;
    parent.set(own, find(own));
    for (const input of byName.get(c)!.inputs) {
      const p = producerOf(input, byName);
      if (p.op === 'fakeQuant') union(own, p.name);
    }
  }
  for (const name of parent.keys()) {
    const root = byName.get(find(name)) as NodeOf<'fakeQuant'>;
    const member = byName.get(name) as NodeOf<'fakeQuant'>;
    if (member === root) continue;
    if (poolFqs.has(name)) {
      // The pool's output is on its input's grid, fixed or trained.
      const { bits, narrowRange, fixedRange } = root.attrs;
      member.attrs = { bits, narrowRange, role: member.attrs.role, quantizes: member.attrs.quantizes, ...(fixedRange ? { fixedRange: [...fixedRange] as [number, number] } : {}) };
      member.params = { ...root.params };
      continue;
    }
    if (member.attrs.fixedRange || root.attrs.fixedRange) {
      rw.report.push(`layer ${member.attrs.quantizes} (op fakeQuant) cannot share the range of ${root.attrs.quantizes} around a concat: one of them has a fixed range`);
      continue;
    }
    member.params = { ...root.params };
    member.attrs = { ...member.attrs, bits: root.attrs.bits };
  }
}

/**
 * Rewrites a float graph for quantization-aware training. The result is
 * validated; `report` names every layer left float and why.
 */
export function rewriteForQat(graph: Graph, config: Partial<QatConfig> = {}): RewriteResult {
  const a = analyze(graph);
  const already = a.order.find((n) => QAT_OPS.has(n.op));
  if (already) throw new UserError(`graph '${graph.name}' is already quantized (node '${already.name}' is a ${already.op})`);
  const rw: Rewriter = {
    config: resolveQatConfig(config), out: [], rename: new Map(), report: [], quantizedConsumers: new Set(), concats: [], pools: [],
  };
  const known = new Set(a.order.map((n) => n.name));
  const unknownSkips = rw.config.skip.filter((s) => !known.has(s));
  if (unknownSkips.length) throw new UserError(`--skip names ${unknownSkips.map((s) => `'${s}'`).join(', ')}, which ${unknownSkips.length === 1 ? 'is not a layer' : 'are not layers'} of '${graph.name}'`);

  const users = consumersOf(a.order);
  const outputs = new Set(graph.outputs);
  const claimed = new Set<string>();
  for (const node of a.order) {
    if (claimed.has(node.name)) continue;
    let match: Match | null = null;
    let pattern: Pattern | undefined;
    for (const p of PATTERNS) {
      match = matchAt(p, node, users, outputs, claimed);
      if (match) { pattern = p; break; }
    }
    if (!match || !pattern) {
      rw.report.push(`layer ${node.name} (op ${node.op}) is not quantized: no pattern matches`);
      rw.out.push({ ...node, inputs: mapped(rw, node.inputs) } as IRNode);
      continue;
    }
    for (const n of match.nodes) claimed.add(n.name);
    EMITTERS[pattern.emit](rw, match);
  }
  quantizeFloatInputs(rw);
  shareRanges(rw);
  const out: Graph = { name: graph.name, nodes: rw.out, outputs: mapped(rw, graph.outputs) };
  analyze(out);
  return { graph: out, report: rw.report };
}

