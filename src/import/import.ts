// importLayersModel: a tfjs-layers model.json (+ weight shards) → an IR Graph
// and the initial values of its variables, keyed by variable-store name.
import { UserError } from '../errors.js';
import { analyze } from '../ir/analyze.js';
import { GraphBuilder } from '../ir/builder.js';
import type { Graph } from '../ir/types.js';
import type { LayerJson, ModelJson, TopologyJson } from './format.js';
import { convertLayer, readRescaling, type ConvertContext } from './layers.js';
import type { WeightValue } from './weights.js';

export interface ImportOptions {
  /**
   * Drop the softmax that ends each output so the outputs are logits, as training
   * expects (its loss applies softmax itself). Default false: the graph
   * computes exactly what tfjs-layers' model.predict does.
   */
  logits?: boolean;
}

/** A Rescaling layer (y = x·scale + offset) that directly followed the model input. */
export interface InputRescaling {
  scale: number;
  offset: number;
}

export interface ImportedModel {
  graph: Graph;
  /** Initial value of every model variable of `graph`, by store name. */
  weights: Map<string, Float32Array>;
  /**
   * Set when the model began with a Rescaling layer. That layer is not in
   * `graph`: the graph's input IS the rescaled tensor, so it trains, evaluates
   * and exports on post-rescaling values (qat's datasets feed [0,1] images,
   * which is what Rescaling(1/255) makes of raw 0..255 pixels). Feed the raw
   * values through x·scale + offset first.
   */
  inputRescaling?: InputRescaling;
}

/** One line telling the user which input convention the imported model now has. */
export function describeInputRescaling(r: InputRescaling): string {
  return `Rescaling(scale ${r.scale}, offset ${r.offset}) after the input is folded: qat feeds the model its post-rescaling values (x·${r.scale} + ${r.offset}), e.g. [0,1] images for Rescaling(1/255), not raw inputs`;
}

interface Binding { node: string; role: string; source: { weight: string; swapLastAxes?: boolean } | { constant: number } }

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The per-example input shape of an InputLayer or a Sequential model's first layer, if it names one. */
function inputShapeOf(config: Record<string, unknown>): number[] | null {
  const s = config.batch_input_shape ?? config.batch_shape ?? config.batchInputShape;
  if (Array.isArray(s) && s.length >= 2 && s.slice(1).every((d) => typeof d === 'number')) return s.slice(1) as number[];
  return null;
}

function layerName(l: LayerJson): string {
  const n = l.name ?? l.config.name;
  if (typeof n !== 'string') throw new UserError(`a ${l.class_name} layer in the model has no name`);
  return n;
}

/** Layer names feeding a Functional layer: tfjs/Keras 2 nested lists, or Keras 3 `{args}` objects. */
function inboundNames(l: LayerJson): string[] {
  const nodes = l.inbound_nodes ?? [];
  if (nodes.length === 0) return [];
  if (nodes.length > 1) throw new UserError(`layer '${layerName(l)}' (${l.class_name}) is called ${nodes.length} times; shared layers cannot be imported`);
  const call = nodes[0];
  const names: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number') {
      if (v[2] !== 0) throw new UserError(`layer '${layerName(l)}' (${l.class_name}) uses output ${String(v[2])} of '${v[0]}'; only single-output layers can be imported`);
      names.push(v[0]);
    } else if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (isRecord(v)) {
      if (isRecord(v.config) && Array.isArray(v.config.keras_history)) visit(v.config.keras_history);
      else if (Array.isArray(v.args)) visit(v.args);
    }
  };
  visit(call);
  return names;
}

function kerasVersionOf(t: ModelJson['modelTopology']): { kerasVersion?: string } {
  const v = (t as { keras_version?: unknown }).keras_version;
  return typeof v === 'string' ? { kerasVersion: v } : {};
}

function topologyOf(t: ModelJson['modelTopology']): TopologyJson {
  return 'model_config' in t && isRecord(t.model_config) ? t.model_config : (t as TopologyJson);
}

/** Whether a --model value names a model.json file rather than a zoo model. */
export function isModelFile(model: string): boolean {
  return model.endsWith('.json') || model.includes('/') || model.includes('\\');
}

/**
 * A tfjs-layers model's topology and decoded weights (by manifest name) →
 * the IR. `source` names the model in messages; `fallbackName` names the
 * graph when the topology does not.
 */
export function convertModel(
  topology: ModelJson['modelTopology'], saved: Map<string, WeightValue>, source: string, fallbackName: string, opts: ImportOptions = {},
): ImportedModel {
  const topo = topologyOf(topology);
  const cfg = topo.config;
  const layers: LayerJson[] = Array.isArray(cfg) ? cfg : cfg.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw new UserError(`${source} holds no layers`);
  const modelName = (!Array.isArray(cfg) && typeof cfg.name === 'string' ? cfg.name : fallbackName);
  const b = new GraphBuilder(modelName);
  const bindings: Binding[] = [];
  const find = (name: string): WeightValue | undefined => {
    const exact = saved.get(name);
    if (exact) return exact;
    // The Keras converter may prefix weight names with an enclosing scope.
    const hits = [...saved.keys()].filter((k) => k.endsWith(`/${name}`));
    return hits.length === 1 ? saved.get(hits[0]!) : undefined;
  };
  const ctx: ConvertContext = {
    savedShape: (layer, weight) => find(`${layer}/${weight}`)?.shape,
    b,
    bind: (node, role, layer, weight, swapLastAxes) => bindings.push({ node, role, source: { weight: `${layer}/${weight}`, ...(swapLastAxes ? { swapLastAxes } : {}) } }),
    constant: (node, role, value) => bindings.push({ node, role, source: { constant: value } }),
    ...kerasVersionOf(topology),
  };
  // Layer name → the IR node holding its output.
  const out = new Map<string, string>();
  const addInput = (name: string, config: Record<string, unknown>, who: string): void => {
    const shape = inputShapeOf(config);
    if (!shape) throw new UserError(`${who} does not state its input shape (batch_input_shape)`);
    out.set(name, b.input(name, shape));
  };
  let outputs: string[];
  let inputRescaling: InputRescaling | undefined;
  // A Rescaling that reads the model input (and is its only reader) is not
  // a node: its output stands for the input, and the affine map is recorded.
  const foldRescaling = (l: LayerJson, name: string, input: string): void => {
    inputRescaling = readRescaling(name, l.config);
    out.set(name, out.get(input)!);
  };
  if (topo.class_name === 'Sequential') {
    let prev: string | null = null;
    for (const l of layers) {
      const name = layerName(l);
      if (l.class_name === 'InputLayer') {
        addInput(name, l.config, `input layer '${name}'`);
      } else {
        if (prev === null) addInput(`${name}_input`, l.config, `the first layer '${name}' of the Sequential model`);
        const input = prev ?? `${name}_input`;
        const first = prev === null || layers[0]!.class_name === 'InputLayer' && prev === layerName(layers[0]!);
        if (l.class_name === 'Rescaling' && first) foldRescaling(l, name, input);
        else out.set(name, convertLayer(ctx, { name, className: l.class_name, config: l.config, inputs: [out.get(input)!] }));
      }
      prev = name;
    }
    outputs = [out.get(prev!)!];
  } else if (topo.class_name === 'Model' || topo.class_name === 'Functional') {
    if (Array.isArray(cfg)) throw new UserError(`${source}: a Functional model's config must be an object`);
    const inputLayers = new Set(layers.filter((l) => l.class_name === 'InputLayer').map(layerName));
    const readers = new Map<string, number>();
    for (const l of layers) for (const n of inboundNames(l)) readers.set(n, (readers.get(n) ?? 0) + 1);
    // Layers are listed in an order where inputs precede their users.
    for (const l of layers) {
      const name = layerName(l);
      if (l.class_name === 'InputLayer') { addInput(name, l.config, `input layer '${name}'`); continue; }
      const inbound = inboundNames(l);
      if (l.class_name === 'Rescaling' && inbound.length === 1 && inputLayers.has(inbound[0]!)) {
        if (readers.get(inbound[0]!) !== 1) {
          throw new UserError(`layer '${name}' (Rescaling) cannot be imported: the input '${inbound[0]}' it rescales is also read by other layers, so it cannot be folded into the input`);
        }
        foldRescaling(l, name, inbound[0]!);
        continue;
      }
      const inputs = inbound.map((n) => {
        const node = out.get(n);
        if (!node) throw new UserError(`layer '${name}' (${l.class_name}) takes input from '${n}', which is not defined before it`);
        return node;
      });
      out.set(name, convertLayer(ctx, { name, className: l.class_name, config: l.config, inputs }));
    }
    const outs = (cfg.output_layers ?? []) as unknown[];
    const names = outs.flatMap((o) => (Array.isArray(o) && typeof o[0] === 'string' ? [o[0]] : []));
    if (names.length === 0) throw new UserError(`${source} names no output layers`);
    outputs = names.map((n) => {
      const node = out.get(n);
      if (!node) throw new UserError(`output layer '${n}' is not among the model's layers`);
      return node;
    });
    const ins = (cfg.input_layers ?? []) as unknown[];
    if (ins.length > 1) throw new UserError(`the model has ${ins.length} inputs; only single-input models can be imported`);
  } else {
    throw new UserError(`${source} holds a ${topo.class_name} model; only Sequential and Functional (Model) models can be imported`);
  }
  let graph = b.build(outputs);
  if (opts.logits) graph = dropFinalSoftmax(graph);
  const weights = resolveWeights(source, find, graph, bindings);
  return inputRescaling ? { graph, weights, inputRescaling } : { graph, weights };
}

/** Every output that is a softmax read by no other layer gives way to its logits (each head of a multi-head model). */
function dropFinalSoftmax(g: Graph): Graph {
  const dropped = new Set(g.outputs.filter((o) => {
    const last = g.nodes.find((n) => n.name === o);
    return last?.op === 'softmax' && !g.nodes.some((n) => n.inputs.includes(o));
  }));
  if (dropped.size === 0) return g;
  const logitsOf = (o: string): string => (dropped.has(o) ? g.nodes.find((n) => n.name === o)!.inputs[0]! : o);
  const graph: Graph = { ...g, nodes: g.nodes.filter((n) => !dropped.has(n.name)), outputs: g.outputs.map(logitsOf) };
  analyze(graph);
  return graph;
}

/** Matches the bindings to saved weights, checking every shape against the graph's variables. */
function resolveWeights(path: string, find: (name: string) => WeightValue | undefined, graph: Graph, bindings: Binding[]): Map<string, Float32Array> {
  const vars = new Map(analyze(graph).variables.map((v) => [v.name, v]));
  const byNode = new Map(graph.nodes.map((n) => [n.name, n]));
  const weights = new Map<string, Float32Array>();
  for (const bd of bindings) {
    const node = byNode.get(bd.node);
    const store = node?.params[bd.role];
    if (store === undefined) continue; // e.g. a node dropped with the final softmax
    const v = vars.get(store);
    if (!v) throw new Error(`import: graph has no variable '${store}'`);
    const count = v.shape.reduce((a, b) => a * b, 1);
    if ('constant' in bd.source) {
      weights.set(store, new Float32Array(count).fill(bd.source.constant));
      continue;
    }
    const w = find(bd.source.weight);
    if (!w) throw new UserError(`weight '${bd.source.weight}' is not in the weights manifest of ${path}`);
    const swap = bd.source.swapLastAxes === true;
    const shape = swap ? swappedShape(w.shape) : w.shape;
    if (shape.length !== v.shape.length || shape.some((d, i) => d !== v.shape[i])) {
      throw new UserError(`weight '${bd.source.weight}' has shape [${shape}] in the weights${swap ? ' (last two axes swapped)' : ''} but the layer needs [${v.shape}]`);
    }
    weights.set(store, swap ? swapLastAxes(w.values, w.shape) : w.values);
  }
  const missing = [...vars.keys()].filter((n) => !weights.has(n));
  if (missing.length) throw new Error(`import: no value for variables ${missing.join(', ')}`);
  return weights;
}

function swappedShape(shape: readonly number[]): number[] {
  const r = shape.length;
  return r < 2 ? [...shape] : [...shape.slice(0, r - 2), shape[r - 1]!, shape[r - 2]!];
}

/** Row-major values of shape [..., a, b] as [..., b, a]. */
function swapLastAxes(values: Float32Array, shape: readonly number[]): Float32Array {
  const r = shape.length;
  if (r < 2) return values;
  const a = shape[r - 2]!;
  const b = shape[r - 1]!;
  const out = new Float32Array(values.length);
  for (let base = 0; base < values.length; base += a * b) {
    for (let i = 0; i < a; i++) for (let j = 0; j < b; j++) out[base + j * a + i] = values[base + i * b + j]!;
  }
  return out;
}
