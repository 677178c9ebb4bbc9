// Fluent construction of a Graph with shape inference as nodes are added,
// so model factories can pick strides from the current spatial size.
// Parameters get the default names `<node>/<role>`.
import { UserError } from '../errors.js';
import { analyze, defaultParamRefs } from './analyze.js';
import { specOf, ShapeProblem } from './ops/index.js';
import type { Graph, IRNode, KernelInit, NodeOf, NormAttrs, OpAttrs, OpName, Pair, Padding, Shape } from './types.js';

type PairLike = number | Pair;
const pair = (v: PairLike): Pair => (typeof v === 'number' ? [v, v] : v);

export interface ConvOptions {
  filters: number;
  kernelSize: PairLike;
  strides?: PairLike;
  padding?: Padding;
  dilations?: PairLike;
  useBias?: boolean;
  kernelInit?: KernelInit;
}

export interface DepthwiseOptions extends Omit<ConvOptions, 'filters'> {
  depthMultiplier?: number;
}

export interface PoolOptions {
  poolSize: PairLike;
  strides?: PairLike;
  padding?: Padding;
}

export interface NormOptions {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

// Keras' defaults (LayerNormalization, GroupNormalization): ε 1e-3, with β and γ.
const normAttrs = (o: NormOptions): NormAttrs => ({ epsilon: o.epsilon ?? 1e-3, center: o.center ?? true, scale: o.scale ?? true });

export class GraphBuilder {
  private readonly nodes: IRNode[] = [];
  private readonly shapes = new Map<string, Shape>();

  constructor(readonly name: string) {}

  /** Output shape of an existing node (no batch dimension). */
  shape(name: string): Shape {
    const s = this.shapes.get(name);
    if (!s) throw new Error(`GraphBuilder: no node '${name}'`);
    return s;
  }

  /** Adds any node; returns its name. */
  node<K extends OpName>(op: K, name: string, inputs: string[], attrs: OpAttrs[K]): string {
    if (this.shapes.has(name)) throw new Error(`GraphBuilder: duplicate node name '${name}'`);
    const spec = specOf(op);
    const node = { name, op, inputs, attrs, params: {} } as NodeOf<K>;
    const bad = spec.checkAttrs(attrs);
    if (bad) throw new UserError(`node '${name}' (${op}): ${bad}`);
    const ins = inputs.map((i) => this.shape(i));
    try {
      this.shapes.set(name, spec.inferShape(node, ins));
      node.params = defaultParamRefs(node, spec.params(node, ins).map((p) => p.role));
    } catch (e) {
      if (e instanceof ShapeProblem) throw new UserError(`node '${name}' (${op}): ${e.message}`);
      throw e;
    }
    this.nodes.push(node as IRNode);
    return name;
  }

  input(name: string, shape: number[]): string {
    return this.node('input', name, [], { shape });
  }

  conv2d(name: string, x: string, o: ConvOptions): string {
    return this.node('conv2d', name, [x], {
      filters: o.filters, kernelSize: pair(o.kernelSize), strides: pair(o.strides ?? 1), padding: o.padding ?? 'same',
      dilations: pair(o.dilations ?? 1), useBias: o.useBias ?? true, ...(o.kernelInit ? { kernelInit: o.kernelInit } : {}),
    });
  }

  depthwiseConv2d(name: string, x: string, o: DepthwiseOptions): string {
    return this.node('depthwiseConv2d', name, [x], {
      kernelSize: pair(o.kernelSize), strides: pair(o.strides ?? 1), padding: o.padding ?? 'same', dilations: pair(o.dilations ?? 1),
      depthMultiplier: o.depthMultiplier ?? 1, useBias: o.useBias ?? true, ...(o.kernelInit ? { kernelInit: o.kernelInit } : {}),
    });
  }

  dense(name: string, x: string, units: number, o: { useBias?: boolean; kernelInit?: KernelInit } = {}): string {
    return this.node('dense', name, [x], { units, useBias: o.useBias ?? true, ...(o.kernelInit ? { kernelInit: o.kernelInit } : {}) });
  }

  // Momentum 0.9 (PyTorch's default) rather than Keras' 0.99: runs here are a few
  // hundred steps, and at 0.99 the moving statistics still carry most of their
  // initial (0, 1) values, so the eval graph scores near chance.
  batchNorm(name: string, x: string, o: { epsilon?: number; momentum?: number } = {}): string {
    return this.node('batchNorm', name, [x], { epsilon: o.epsilon ?? 1e-3, momentum: o.momentum ?? 0.9 });
  }

  relu(name: string, x: string): string { return this.node('relu', name, [x], {}); }
  relu6(name: string, x: string): string { return this.node('relu6', name, [x], {}); }
  softmax(name: string, x: string): string { return this.node('softmax', name, [x], {}); }
  flatten(name: string, x: string): string { return this.node('flatten', name, [x], {}); }
  globalAvgPool(name: string, x: string): string { return this.node('globalAvgPool', name, [x], {}); }
  add(name: string, xs: string[]): string { return this.node('add', name, xs, {}); }
  concat(name: string, xs: string[]): string { return this.node('concat', name, xs, { axis: -1 }); }
  dropout(name: string, x: string, rate: number): string { return this.node('dropout', name, [x], { rate }); }
  reshape(name: string, x: string, shape: number[]): string { return this.node('reshape', name, [x], { shape }); }
  pad(name: string, x: string, paddings: [Pair, Pair]): string { return this.node('pad', name, [x], { paddings }); }

  maxPool(name: string, x: string, o: PoolOptions): string {
    return this.node('maxPool', name, [x], { poolSize: pair(o.poolSize), strides: pair(o.strides ?? o.poolSize), padding: o.padding ?? 'valid' });
  }

  avgPool(name: string, x: string, o: PoolOptions): string {
    return this.node('avgPool', name, [x], { poolSize: pair(o.poolSize), strides: pair(o.strides ?? o.poolSize), padding: o.padding ?? 'valid' });
  }

  sigmoid(name: string, x: string): string { return this.node('sigmoid', name, [x], {}); }
  tanh(name: string, x: string): string { return this.node('tanh', name, [x], {}); }
  hardSwish(name: string, x: string): string { return this.node('hardSwish', name, [x], {}); }
  /** relu6(x + 3)/6, the Keras / MobileNet v3 form. */
  hardSigmoid(name: string, x: string): string { return this.node('hardSigmoid', name, [x], {}); }
  swish(name: string, x: string): string { return this.node('swish', name, [x], {}); }
  leakyRelu(name: string, x: string, alpha: number): string { return this.node('leakyRelu', name, [x], { alpha }); }
  /** A trained slope per channel. */
  prelu(name: string, x: string): string { return this.node('prelu', name, [x], {}); }

  /** Instance normalization of an [h, w, c] tensor (per example and channel, over h and w). */
  instanceNorm(name: string, x: string, o: NormOptions = {}): string {
    return this.node('instanceNorm', name, [x], normAttrs(o));
  }

  /** Layer normalization over per-example `axes` (default: the last axis, as Keras). */
  layerNorm(name: string, x: string, o: NormOptions & { axes?: number[] } = {}): string {
    const rank = this.shape(x).length;
    const axes = [...new Set((o.axes ?? [-1]).map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    return this.node('layerNorm', name, [x], { ...normAttrs(o), axes });
  }

  crop(name: string, x: string, cropping: [Pair, Pair]): string { return this.node('crop', name, [x], { cropping }); }

  mirrorPad(name: string, x: string, paddings: [Pair, Pair], mode: 'reflect' | 'symmetric' = 'reflect'): string {
    return this.node('mirrorPad', name, [x], { paddings, mode });
  }

  /** Keras' bilinear samples at half-pixel centers; tfjs-layers' does not (pass halfPixelCenters: false). */
  upsample(name: string, x: string, size: PairLike, o: { interpolation?: 'nearest' | 'bilinear'; halfPixelCenters?: boolean } = {}): string {
    if (o.interpolation === 'bilinear') return this.node('upsampleBilinear', name, [x], { size: pair(size), halfPixelCenters: o.halfPixelCenters ?? true });
    return this.node('upsampleNearest', name, [x], { size: pair(size) });
  }

  /** Keras Conv2DTranspose; default 'same' padding (output = input · strides). */
  conv2dTranspose(name: string, x: string, o: Omit<ConvOptions, 'dilations'>): string {
    return this.node('conv2dTranspose', name, [x], {
      filters: o.filters, kernelSize: pair(o.kernelSize), strides: pair(o.strides ?? 1), padding: o.padding ?? 'same',
      useBias: o.useBias ?? true, ...(o.kernelInit ? { kernelInit: o.kernelInit } : {}),
    });
  }

  /** Finishes the graph with the given outputs and validates it. */
  build(outputs: string[]): Graph {
    const graph: Graph = { name: this.name, nodes: [...this.nodes], outputs };
    analyze(graph);
    return graph;
  }
}
