// Seeded random models built with ModelBuilder, for interpreter-vs-LiteRT
// tests and the interpreter benchmark. A `Net` is a small layer graph with
// float weights; it is emitted as a float32 model, or as an int8 model whose
// activation scales come from calibrating the float model (our interpreter's
// float path on seeded inputs) and whose weights are quantized per channel
// (conv, depthwise) or per tensor (fully connected) — realistic,
// non-power-of-two scales, the way a converter would pick them.

import { ModelBuilder, type QuantizationSpec } from '../../src/tflite/index.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { mulberry32 } from './random.js';

// Also exported from here, where test/export, test/train and bench/ import it.
export { mulberry32 };

export type Act = 'NONE' | 'RELU' | 'RELU6';
export type Padding = 'SAME' | 'VALID';
/** int8: int8 in/out. float-io: float32 in/out with QUANTIZE/DEQUANTIZE at the edges. uint8-io: uint8 in/out. */
export type Variant = 'float32' | 'int8' | 'float-io' | 'uint8-io';

type Kind =
  | 'input' | 'conv' | 'dw' | 'fc' | 'maxpool' | 'avgpool' | 'mean' | 'reshape' | 'squeeze' | 'add' | 'sub' | 'mul'
  | 'concat' | 'pad' | 'softmax' | 'logistic' | 'tanh' | 'hardswish' | 'relu' | 'relu6'
  | 'leakyrelu' | 'prelu' | 'maximum' | 'minimum' | 'reducemax'
  | 'tconv' | 'resize' | 'slice' | 'mirrorpad' | 'sqdiff' | 'rsqrt';

/** Single-input ops whose TFLite operator takes no options. */
const OPTIONLESS_OPS = { logistic: 'LOGISTIC', tanh: 'TANH', hardswish: 'HARD_SWISH', relu: 'RELU', relu6: 'RELU6', rsqrt: 'RSQRT' } as const;

interface Node {
  id: number;
  name: string;
  kind: Kind;
  inputs: number[];
  shape: number[];
  act: Act;
  weights?: Float32Array;
  weightShape?: number[];
  bias?: Float32Array;
  stride?: number;
  k?: number;
  padding?: Padding;
  ints?: number[];
  keepDims?: boolean;
  axis?: number;
  alpha?: number;
  /** RESIZE_*: which op, and how output pixels map onto input pixels. */
  /** STRIDED_SLICE: begin, end, strides and masks; MIRROR_PAD: its mode. */
  slice?: { begin: number[]; end: number[]; strides: number[]; beginMask: number; endMask: number; shrinkAxisMask: number };
  mirror?: 'REFLECT' | 'SYMMETRIC';
  resize?: { method: 'bilinear' | 'nearest'; alignCorners: boolean; halfPixelCenters: boolean };
}

function outSize(padding: Padding, n: number, k: number, s: number): number {
  return padding === 'SAME' ? Math.ceil(n / s) : Math.floor((n - k) / s) + 1;
}

const fixedQuant: Partial<Record<Kind, { scale: number; zeroPoint: number }>> = {
  softmax: { scale: 1 / 256, zeroPoint: -128 },
  logistic: { scale: 1 / 256, zeroPoint: -128 },
  tanh: { scale: 1 / 128, zeroPoint: 0 },
};
/** Ops whose int8 output must keep the input's scale and zero point. */
const SHARES_INPUT_QUANT: ReadonlySet<Kind> = new Set<Kind>([
  'maxpool', 'avgpool', 'reshape', 'squeeze', 'pad', 'concat', 'maximum', 'minimum', 'reducemax', 'resize', 'slice', 'mirrorpad',
]);

export class Net {
  readonly nodes: Node[] = [];
  readonly outputs: number[] = [];
  private readonly rand: () => number;

  constructor(readonly name: string, readonly inputShape: number[], seed: number, readonly inputRange: [number, number] = [0, 1]) {
    this.rand = mulberry32(seed);
    this.push({ kind: 'input', inputs: [], shape: [...inputShape], act: 'NONE' });
  }

  get input(): number {
    return 0;
  }

  shape(x: number): number[] {
    return this.nodes[x]!.shape;
  }

  private push(n: Omit<Node, 'id' | 'name'>): number {
    const id = this.nodes.length;
    this.nodes.push({ ...n, id, name: `${n.kind}${id}` });
    return id;
  }

  private uniform(n: number, a: number): Float32Array {
    return Float32Array.from({ length: n }, () => (2 * this.rand() - 1) * a);
  }

  conv(x: number, outC: number, k: number, o: { stride?: number; padding?: Padding; act?: Act } = {}): number {
    const [b, h, w, c] = this.shape(x) as [number, number, number, number];
    const stride = o.stride ?? 1;
    const padding = o.padding ?? 'SAME';
    const fanIn = k * k * c;
    return this.push({
      kind: 'conv', inputs: [x], act: o.act ?? 'RELU', stride, k, padding,
      shape: [b, outSize(padding, h, k, stride), outSize(padding, w, k, stride), outC],
      weightShape: [outC, k, k, c], weights: this.channelScaled(outC, fanIn, Math.sqrt(6 / fanIn)), bias: this.uniform(outC, 0.1),
    });
  }

  dw(x: number, k: number, o: { stride?: number; padding?: Padding; act?: Act; mult?: number } = {}): number {
    const [b, h, w, c] = this.shape(x) as [number, number, number, number];
    const stride = o.stride ?? 1;
    const padding = o.padding ?? 'SAME';
    const outC = c * (o.mult ?? 1);
    // Depthwise weights are [1,k,k,outC]; scale each channel (the last axis) differently.
    const ws = this.uniform(k * k * outC, Math.sqrt(6 / (k * k)));
    const gain = Float32Array.from({ length: outC }, () => 0.4 + 1.2 * this.rand());
    for (let i = 0; i < ws.length; i++) ws[i]! *= gain[i % outC]!;
    return this.push({
      kind: 'dw', inputs: [x], act: o.act ?? 'RELU6', stride, k, padding,
      shape: [b, outSize(padding, h, k, stride), outSize(padding, w, k, stride), outC],
      weightShape: [1, k, k, outC], weights: ws, bias: this.uniform(outC, 0.1),
    });
  }

  /** TRANSPOSE_CONV: weights [outC,k,k,inC] per channel on axis 0; SAME gives in·stride, VALID (in−1)·stride + k. */
  tconv(x: number, outC: number, k: number, o: { stride?: number; padding?: Padding; act?: Act } = {}): number {
    const [b, h, w, c] = this.shape(x) as [number, number, number, number];
    const stride = o.stride ?? 2;
    const padding = o.padding ?? 'SAME';
    const up = (n: number): number => (padding === 'SAME' ? n * stride : (n - 1) * stride + k);
    const fanIn = k * k * c;
    return this.push({
      kind: 'tconv', inputs: [x], act: o.act ?? 'NONE', stride, k, padding,
      shape: [b, up(h), up(w), outC],
      weightShape: [outC, k, k, c], weights: this.channelScaled(outC, fanIn, Math.sqrt(6 / fanIn)), bias: this.uniform(outC, 0.1),
    });
  }

  fc(x: number, units: number, act: Act = 'NONE'): number {
    const s = this.shape(x);
    const depth = s[s.length - 1]!;
    const batches = s.reduce((a, v) => a * v, 1) / depth;
    return this.push({
      kind: 'fc', inputs: [x], act, shape: [batches, units],
      weightShape: [units, depth], weights: this.uniform(units * depth, Math.sqrt(6 / depth)), bias: this.uniform(units, 0.1),
    });
  }

  /** Weights [outC, fanIn] with a different gain per output channel (so per-channel scales differ). */
  private channelScaled(outC: number, fanIn: number, a: number): Float32Array {
    const w = this.uniform(outC * fanIn, a);
    for (let c = 0; c < outC; c++) {
      const g = 0.4 + 1.2 * this.rand();
      for (let i = 0; i < fanIn; i++) w[c * fanIn + i]! *= g;
    }
    return w;
  }

  pool(kind: 'maxpool' | 'avgpool', x: number, k: number, stride = k, padding: Padding = 'VALID'): number {
    const [b, h, w, c] = this.shape(x) as [number, number, number, number];
    return this.push({ kind, inputs: [x], act: 'NONE', k, stride, padding, shape: [b, outSize(padding, h, k, stride), outSize(padding, w, k, stride), c] });
  }

  mean(x: number, axes: number[], keepDims: boolean): number {
    const s = this.shape(x);
    const shape: number[] = [];
    s.forEach((d, i) => {
      if (!axes.includes(i)) shape.push(d);
      else if (keepDims) shape.push(1);
    });
    return this.push({ kind: 'mean', inputs: [x], act: 'NONE', ints: axes, keepDims, shape });
  }

  reshape(x: number, shape: number[]): number {
    return this.push({ kind: 'reshape', inputs: [x], act: 'NONE', ints: shape, shape });
  }

  squeeze(x: number, dims: number[]): number {
    return this.push({ kind: 'squeeze', inputs: [x], act: 'NONE', ints: dims, shape: this.shape(x).filter((_, i) => !dims.includes(i)) });
  }

  binary(kind: 'add' | 'sub' | 'mul' | 'maximum' | 'minimum' | 'sqdiff', a: number, b: number, act: Act = 'NONE'): number {
    const sa = this.shape(a);
    const sb = this.shape(b);
    const rank = Math.max(sa.length, sb.length);
    const shape = Array.from({ length: rank }, (_, i) => {
      const da = sa[i - (rank - sa.length)] ?? 1;
      const db = sb[i - (rank - sb.length)] ?? 1;
      return da === 1 ? db : da;
    });
    return this.push({ kind, inputs: [a, b], act, shape });
  }

  concat(xs: number[], axis: number): number {
    const shape = [...this.shape(xs[0]!)];
    shape[axis] = xs.reduce((s, x) => s + this.shape(x)[axis]!, 0);
    return this.push({ kind: 'concat', inputs: xs, act: 'NONE', axis, shape });
  }

  pad(x: number, paddings: Array<[number, number]>): number {
    const shape = this.shape(x).map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
    return this.push({ kind: 'pad', inputs: [x], act: 'NONE', ints: paddings.flat(), shape });
  }

  /** RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR to [h, w]; tfjs layers leave both flags off, Keras sets half_pixel_centers. */
  resize(x: number, method: 'bilinear' | 'nearest', size: [number, number], o: { alignCorners?: boolean; halfPixelCenters?: boolean } = {}): number {
    const [b, , , c] = this.shape(x) as [number, number, number, number];
    return this.push({
      kind: 'resize', inputs: [x], act: 'NONE', ints: size, shape: [b, size[0], size[1], c],
      resize: { method, alignCorners: o.alignCorners ?? false, halfPixelCenters: o.halfPixelCenters ?? false },
    });
  }

  /** MIRROR_PAD with TFLite's [before, after] per axis. */
  mirrorPad(x: number, paddings: Array<[number, number]>, mode: 'REFLECT' | 'SYMMETRIC'): number {
    const shape = this.shape(x).map((d, i) => d + paddings[i]![0] + paddings[i]![1]);
    return this.push({ kind: 'mirrorpad', inputs: [x], act: 'NONE', ints: paddings.flat(), shape, mirror: mode });
  }

  /** STRIDED_SLICE; `shape` is the expected output shape (the test states it rather than re-deriving TFLite's rules here). */
  stridedSlice(
    x: number, begin: number[], end: number[], strides: number[], shape: number[],
    masks: { beginMask?: number; endMask?: number; shrinkAxisMask?: number } = {},
  ): number {
    return this.push({
      kind: 'slice', inputs: [x], act: 'NONE', shape,
      slice: { begin, end, strides, beginMask: masks.beginMask ?? 0, endMask: masks.endMask ?? 0, shrinkAxisMask: masks.shrinkAxisMask ?? 0 },
    });
  }

  /** SLICE: begin and size per axis (−1 = to the end), stored with empty strides. */
  slice(x: number, begin: number[], size: number[]): number {
    const shape = this.shape(x).map((d, i) => (size[i] === -1 ? d - begin[i]! : size[i]!));
    return this.push({ kind: 'slice', inputs: [x], act: 'NONE', shape, slice: { begin, end: size, strides: [], beginMask: 0, endMask: 0, shrinkAxisMask: 0 } });
  }

  unary(kind: 'softmax' | 'logistic' | 'tanh' | 'hardswish' | 'relu' | 'relu6' | 'rsqrt', x: number): number {
    return this.push({ kind, inputs: [x], act: 'NONE', shape: [...this.shape(x)] });
  }

  leakyRelu(x: number, alpha: number): number {
    return this.push({ kind: 'leakyrelu', inputs: [x], act: 'NONE', alpha, shape: [...this.shape(x)] });
  }

  /** PRELU with one seeded slope in [lo, hi] per channel (the last axis), stored as shape [1,1,C]. */
  prelu(x: number, lo = 0.05, hi = 0.4): number {
    const s = this.shape(x);
    const c = s[s.length - 1]!;
    const weights = Float32Array.from({ length: c }, () => lo + (hi - lo) * this.rand());
    return this.push({ kind: 'prelu', inputs: [x], act: 'NONE', weights, weightShape: [1, 1, c], shape: [...s] });
  }

  reduceMax(x: number, axes: number[], keepDims: boolean): number {
    const id = this.mean(x, axes, keepDims);
    this.nodes[id]!.kind = 'reducemax';
    this.nodes[id]!.name = `reducemax${id}`;
    return id;
  }

  output(x: number): this {
    this.outputs.push(x);
    return this;
  }

  // ---- emission ----------------------------------------------------------------

  /** The float32 model (every node's tensor is named after the node). */
  float(o: { allOutputs?: boolean } = {}): Uint8Array {
    return emit(this, null, 'float32', o.allOutputs ?? false);
  }

  /** The int8 model, with activation scales calibrated on `calibration` seeded float inputs. */
  quantized(variant: Exclude<Variant, 'float32'> = 'int8', o: { allOutputs?: boolean; calibration?: number } = {}): Uint8Array {
    return emit(this, this.calibrate(o.calibration ?? 4), variant, o.allOutputs ?? false);
  }

  model(variant: Variant, o: { allOutputs?: boolean } = {}): Uint8Array {
    return variant === 'float32' ? this.float(o) : this.quantized(variant, o);
  }

  private quantCache: Map<number, { scale: number; zeroPoint: number }> | null = null;

  /** Per-node int8 scale/zero point from float ranges, honouring TFLite's shared-quantization rules. */
  calibrate(samples: number): Map<number, { scale: number; zeroPoint: number }> {
    if (this.quantCache) return this.quantCache;
    const interp = Interpreter.fromBuffer(this.float({ allOutputs: true }));
    const rand = mulberry32(0xc0ffee);
    const [lo, hi] = this.inputRange;
    const min = new Float64Array(this.nodes.length).fill(0);
    const max = new Float64Array(this.nodes.length).fill(0);
    const x = new Float32Array(this.inputShape.reduce((a, b) => a * b, 1));
    for (let s = 0; s < samples; s++) {
      for (let i = 0; i < x.length; i++) x[i] = lo + (hi - lo) * rand();
      interp.setInput(0, x);
      interp.invoke();
      for (const n of this.nodes) {
        const d = interp.tensor(n.name).data as Float32Array;
        for (let i = 0; i < d.length; i++) {
          if (d[i]! < min[n.id]!) min[n.id] = d[i]!;
          if (d[i]! > max[n.id]!) max[n.id] = d[i]!;
        }
      }
    }
    if (lo < min[0]!) min[0] = lo;
    if (hi > max[0]!) max[0] = hi;
    // Union-find over nodes that must share quantization.
    const parent = this.nodes.map((n) => n.id);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
    for (const n of this.nodes) {
      if (SHARES_INPUT_QUANT.has(n.kind)) for (const i of n.inputs) parent[find(i)] = find(n.id);
    }
    const gmin = new Map<number, number>();
    const gmax = new Map<number, number>();
    for (const n of this.nodes) {
      const r = find(n.id);
      gmin.set(r, Math.min(gmin.get(r) ?? 0, min[n.id]!));
      gmax.set(r, Math.max(gmax.get(r) ?? 0, max[n.id]!));
    }
    const q = new Map<number, { scale: number; zeroPoint: number }>();
    for (const n of this.nodes) {
      const fixed = fixedQuant[n.kind];
      if (fixed) {
        q.set(n.id, fixed);
        continue;
      }
      const r = find(n.id);
      let a = gmin.get(r)!;
      let b = gmax.get(r)!;
      if (b - a < 1e-3) b = a + 1e-3;
      // A little headroom, as a moving-average range would have.
      a *= 1.03;
      b *= 1.03;
      const scale = Math.fround((b - a) / 255);
      const zp = Math.max(-128, Math.min(127, Math.round(-128 - a / scale)));
      q.set(n.id, { scale, zeroPoint: zp });
    }
    this.quantCache = q;
    return q;
  }
}

function symmetricScales(w: Float32Array, channels: number, channelOf: (i: number) => number): number[] {
  const m = new Array<number>(channels).fill(0);
  for (let i = 0; i < w.length; i++) m[channelOf(i)] = Math.max(m[channelOf(i)]!, Math.abs(w[i]!));
  return m.map((v) => Math.fround(Math.max(v, 1e-8) / 127));
}

function quantizeWeights(w: Float32Array, scales: number[], channelOf: (i: number) => number): Int8Array {
  return Int8Array.from(w, (v, i) => Math.max(-127, Math.min(127, Math.round(v / scales[channelOf(i)]!))));
}

function emit(net: Net, quant: Map<number, { scale: number; zeroPoint: number }> | null, variant: Variant, allOutputs: boolean): Uint8Array {
  const b = new ModelBuilder();
  const int8 = quant !== null;
  const tensorOf = new Map<number, number>();
  const qspec = (id: number): QuantizationSpec | undefined => {
    const p = quant?.get(id);
    return p ? { scale: p.scale, zeroPoint: p.zeroPoint } : undefined;
  };
  const act = (n: { name: string; shape: number[]; id: number }): number => {
    const spec = { name: n.name, shape: n.shape, type: int8 ? ('INT8' as const) : ('FLOAT32' as const) };
    const q = qspec(n.id);
    return b.addTensor(q ? { ...spec, quantization: q } : spec);
  };
  const ints = (name: string, values: number[], shape: number[]): number =>
    b.addTensor({ name, shape, type: 'INT32', data: Int32Array.from(values) });
  for (const n of net.nodes) {
    if (n.kind === 'input') {
      const inQ = quant?.get(0);
      if (variant === 'float-io' || variant === 'uint8-io') {
        const outer = variant === 'float-io'
          ? b.addInput({ name: 'input', shape: n.shape, type: 'FLOAT32' })
          : b.addInput({ name: 'input', shape: n.shape, type: 'UINT8', quantization: { scale: inQ!.scale, zeroPoint: inQ!.zeroPoint + 128 } });
        const t = act(n);
        b.addOperator('QUANTIZE', [outer], [t]);
        tensorOf.set(n.id, t);
      } else {
        const t = act(n);
        b.setInputs([t]);
        tensorOf.set(n.id, t);
      }
      continue;
    }
    const ins = n.inputs.map((i) => tensorOf.get(i)!);
    const y = act(n);
    tensorOf.set(n.id, y);
    const x0 = n.inputs[0]!;
    switch (n.kind) {
      case 'conv':
      case 'dw':
      case 'tconv':
      case 'fc': {
        const ws = n.weightShape!;
        const channels = n.kind === 'dw' ? ws[3]! : ws[0]!;
        const per = ws.reduce((a, v) => a * v, 1) / channels;
        const channelOf = n.kind === 'dw' ? (i: number) => i % channels : (i: number) => Math.floor(i / per);
        let wt: number;
        let bt: number;
        if (int8) {
          const perChannel = n.kind !== 'fc';
          const scales = perChannel ? symmetricScales(n.weights!, channels, channelOf) : symmetricScales(n.weights!, 1, () => 0);
          const cOf = perChannel ? channelOf : () => 0;
          const qw = quantizeWeights(n.weights!, scales, cOf);
          wt = b.addTensor({
            name: `${n.name}/weights`, shape: ws, type: 'INT8', data: qw,
            quantization: { scale: scales, zeroPoint: scales.map(() => 0), quantizedDimension: n.kind === 'dw' ? 3 : 0 },
          });
          const sIn = quant.get(x0)!.scale;
          const biasScales = Array.from({ length: channels }, (_, c) => Math.fround(sIn) * scales[perChannel ? c : 0]!);
          bt = b.addTensor({
            name: `${n.name}/bias`, shape: [channels], type: 'INT32',
            data: Int32Array.from(n.bias!, (v, c) => Math.round(v / biasScales[c]!)),
            quantization: { scale: biasScales, zeroPoint: biasScales.map(() => 0), quantizedDimension: 0 },
          });
        } else {
          wt = b.addTensor({ name: `${n.name}/weights`, shape: ws, type: 'FLOAT32', data: n.weights! });
          bt = b.addTensor({ name: `${n.name}/bias`, shape: [channels], type: 'FLOAT32', data: n.bias! });
        }
        if (n.kind === 'tconv') {
          const shapeT = ints(`${n.name}/output_shape`, n.shape, [4]);
          b.addOperator('TRANSPOSE_CONV', [shapeT, wt, ins[0]!, bt], [y], { padding: n.padding!, strideH: n.stride!, strideW: n.stride!, fusedActivation: n.act });
        } else if (n.kind === 'conv') {
          b.addOperator('CONV_2D', [ins[0]!, wt, bt], [y], { padding: n.padding!, strideH: n.stride!, strideW: n.stride!, fusedActivation: n.act });
        } else if (n.kind === 'dw') {
          b.addOperator('DEPTHWISE_CONV_2D', [ins[0]!, wt, bt], [y], {
            padding: n.padding!, strideH: n.stride!, strideW: n.stride!, fusedActivation: n.act, depthMultiplier: ws[3]! / net.shape(x0)[3]!,
          });
        } else {
          b.addOperator('FULLY_CONNECTED', [ins[0]!, wt, bt], [y], { fusedActivation: n.act });
        }
        break;
      }
      case 'maxpool':
      case 'avgpool':
        b.addOperator(n.kind === 'maxpool' ? 'MAX_POOL_2D' : 'AVERAGE_POOL_2D', ins, [y], {
          padding: n.padding!, strideH: n.stride!, strideW: n.stride!, filterHeight: n.k!, filterWidth: n.k!,
        });
        break;
      case 'mean':
      case 'reducemax':
        b.addOperator(n.kind === 'mean' ? 'MEAN' : 'REDUCE_MAX', [ins[0]!, ints(`${n.name}/axes`, n.ints!, [n.ints!.length])], [y], { keepDims: n.keepDims! });
        break;
      case 'leakyrelu':
        b.addOperator('LEAKY_RELU', ins, [y], { alpha: n.alpha! });
        break;
      case 'prelu': {
        const w = n.weights!;
        let at: number;
        if (int8) {
          // Asymmetric per-tensor int8 slopes, the range widened to hold 0 as converters do.
          const lo = Math.min(0, ...w);
          const hi = Math.max(0, ...w);
          const scale = Math.fround((hi - lo) / 255);
          const zeroPoint = Math.round(-128 - lo / scale);
          const data = Int8Array.from(w, (v) => Math.max(-128, Math.min(127, Math.round(v / scale) + zeroPoint)));
          at = b.addTensor({ name: `${n.name}/alpha`, shape: n.weightShape!, type: 'INT8', data, quantization: { scale, zeroPoint } });
        } else {
          at = b.addTensor({ name: `${n.name}/alpha`, shape: n.weightShape!, type: 'FLOAT32', data: w });
        }
        b.addOperator('PRELU', [ins[0]!, at], [y]);
        break;
      }
      case 'reshape':
        b.addOperator('RESHAPE', [ins[0]!, ints(`${n.name}/shape`, n.ints!, [n.ints!.length])], [y], { newShape: n.ints! });
        break;
      case 'squeeze':
        b.addOperator('SQUEEZE', ins, [y], { squeezeDims: n.ints! });
        break;
      case 'add':
      case 'sub':
      case 'mul':
        b.addOperator(n.kind === 'add' ? 'ADD' : n.kind === 'sub' ? 'SUB' : 'MUL', ins, [y], { fusedActivation: n.act });
        break;
      case 'maximum':
      case 'minimum':
        b.addOperator(n.kind === 'maximum' ? 'MAXIMUM' : 'MINIMUM', ins, [y]);
        break;
      case 'concat':
        b.addOperator('CONCATENATION', ins, [y], { axis: n.axis! });
        break;
      case 'pad':
        b.addOperator('PAD', [ins[0]!, ints(`${n.name}/paddings`, n.ints!, [n.ints!.length / 2, 2])], [y]);
        break;
      case 'resize': {
        const { method, alignCorners, halfPixelCenters } = n.resize!;
        b.addOperator(method === 'bilinear' ? 'RESIZE_BILINEAR' : 'RESIZE_NEAREST_NEIGHBOR',
          [ins[0]!, ints(`${n.name}/size`, n.ints!, [2])], [y], { alignCorners, halfPixelCenters });
        break;
      }
      case 'mirrorpad':
        b.addOperator('MIRROR_PAD', [ins[0]!, ints(`${n.name}/paddings`, n.ints!, [n.ints!.length / 2, 2])], [y], { mode: n.mirror! });
        break;
      case 'slice': {
        const sl = n.slice!;
        const rank = sl.begin.length;
        if (sl.strides.length === 0) {
          b.addOperator('SLICE', [ins[0]!, ints(`${n.name}/begin`, sl.begin, [rank]), ints(`${n.name}/size`, sl.end, [rank])], [y]);
          break;
        }
        b.addOperator('STRIDED_SLICE', [
          ins[0]!, ints(`${n.name}/begin`, sl.begin, [rank]), ints(`${n.name}/end`, sl.end, [rank]), ints(`${n.name}/strides`, sl.strides, [rank]),
        ], [y], { beginMask: sl.beginMask, endMask: sl.endMask, shrinkAxisMask: sl.shrinkAxisMask });
        break;
      }
      case 'sqdiff':
        b.addOperator('SQUARED_DIFFERENCE', ins, [y]);
        break;
      case 'softmax':
        b.addOperator('SOFTMAX', ins, [y], { beta: 1 });
        break;
      case 'logistic':
      case 'tanh':
      case 'hardswish':
      case 'relu':
      case 'relu6':
      case 'rsqrt':
        b.addOperator(OPTIONLESS_OPS[n.kind], ins, [y]);
        break;
      default:
        throw new Error(`unhandled node ${n.kind}`);
    }
  }
  const outs = net.outputs.map((id, k) => {
    const t = tensorOf.get(id)!;
    const q = quant?.get(id);
    if (variant === 'float-io') {
      const o = b.addTensor({ name: `output${k}`, shape: net.shape(id), type: 'FLOAT32' });
      b.addOperator('DEQUANTIZE', [t], [o]);
      return o;
    }
    if (variant === 'uint8-io') {
      const o = b.addTensor({ name: `output${k}`, shape: net.shape(id), type: 'UINT8', quantization: { scale: q!.scale, zeroPoint: q!.zeroPoint + 128 } });
      b.addOperator('QUANTIZE', [t], [o]);
      return o;
    }
    return t;
  });
  if (allOutputs) {
    const all = new Set(outs);
    for (const n of net.nodes) if (n.kind !== 'input') all.add(tensorOf.get(n.id)!);
    b.setOutputs([...outs, ...[...all].filter((t) => !outs.includes(t))]);
  } else {
    b.setOutputs(outs);
  }
  return b.toBytes();
}

// ---- the model zoo the tests and the benchmark use ------------------------------

/** conv3×3×32 relu → conv3×3×64 relu → maxpool 2 → reshape → fc128 relu → fc10 → softmax, on 28×28×1. */
export function mnistCnn(seed = 1): Net {
  const n = new Net('mnist-cnn', [1, 28, 28, 1], seed);
  let x = n.conv(n.input, 32, 3, { padding: 'VALID', act: 'RELU' });
  x = n.conv(x, 64, 3, { padding: 'VALID', act: 'RELU' });
  x = n.pool('maxpool', x, 2);
  const s = n.shape(x);
  x = n.reshape(x, [1, s[1]! * s[2]! * s[3]!]);
  x = n.fc(x, 128, 'RELU');
  x = n.fc(x, 10);
  return n.output(n.unary('softmax', x));
}

/**
 * MobileNet v1 with width multiplier `alpha`: conv3×3 stride 2, then 13
 * depthwise-separable blocks (dw3×3 + pw1×1, RELU6, stride 2 where v1 has it),
 * global average (MEAN over H,W or AVERAGE_POOL_2D), FC, SOFTMAX.
 */
export function mobilenetV1(o: { size: number; alpha?: number; classes?: number; seed?: number; pool?: 'mean' | 'avgpool' }): Net {
  const alpha = o.alpha ?? 0.25;
  const n = new Net(`mobilenet-v1-${alpha}-${o.size}`, [1, o.size, o.size, 3], o.seed ?? 2, [-1, 1]);
  const ch = (c: number): number => Math.max(8, Math.round(c * alpha));
  let x = n.conv(n.input, ch(32), 3, { stride: 2, act: 'RELU6' });
  const blocks: Array<[number, number]> = [
    [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2], [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
  ];
  for (const [c, s] of blocks) {
    x = n.dw(x, 3, { stride: s, act: 'RELU6' });
    x = n.conv(x, ch(c), 1, { act: 'RELU6' });
  }
  const [, h, w] = n.shape(x) as [number, number, number];
  if ((o.pool ?? 'mean') === 'mean') {
    x = n.mean(x, [1, 2], false);
  } else {
    x = n.pool('avgpool', x, h, 1, 'VALID');
    x = n.reshape(x, [1, n.shape(x)[3]!]);
  }
  void w;
  x = n.fc(x, o.classes ?? 10);
  return n.output(n.unary('softmax', x));
}

/** conv → [conv → conv] + skip (ADD, fused RELU) → conv stride 2 → ADD with a broadcast bias-like branch. */
export function residualNet(seed = 3): Net {
  const n = new Net('residual', [1, 12, 12, 4], seed, [-1, 1]);
  const a = n.conv(n.input, 16, 3, { act: 'RELU' });
  let r = n.conv(a, 16, 3, { act: 'RELU' });
  r = n.conv(r, 16, 3, { act: 'NONE' });
  let x = n.binary('add', a, r, 'RELU');
  x = n.conv(x, 24, 3, { stride: 2, act: 'NONE' });
  const y = n.dw(x, 3, { act: 'RELU6' });
  x = n.binary('add', x, y, 'NONE');
  x = n.mean(x, [1, 2], true);
  x = n.reshape(x, [1, 24]);
  return n.output(n.fc(x, 5));
}

/** Two branches (1×1 and 3×3 conv, and a max-pooled path) concatenated on channels. */
export function concatNet(seed = 4): Net {
  const n = new Net('concat', [1, 10, 10, 3], seed);
  const a = n.conv(n.input, 8, 1, { act: 'RELU' });
  const b = n.conv(n.input, 12, 3, { act: 'RELU6' });
  const c = n.pool('maxpool', n.conv(n.input, 4, 3, { act: 'NONE' }), 3, 1, 'SAME');
  let x = n.concat([a, b, c], 3);
  x = n.conv(x, 16, 3, { stride: 2, act: 'RELU' });
  x = n.pool('avgpool', x, 2, 2, 'SAME');
  const s = n.shape(x);
  x = n.reshape(x, [1, s[1]! * s[2]! * s[3]!]);
  return n.output(n.unary('softmax', n.fc(x, 10)));
}

/** PAD then VALID convs (how converters write explicit padding), a depthwise with multiplier 2 and a squeeze. */
export function padNet(seed = 5): Net {
  const n = new Net('pad', [1, 9, 9, 2], seed, [-1, 1]);
  let x = n.pad(n.input, [[0, 0], [1, 2], [2, 1], [0, 0]]);
  x = n.conv(x, 8, 3, { padding: 'VALID', stride: 2, act: 'RELU6' });
  x = n.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  x = n.dw(x, 3, { padding: 'VALID', mult: 2, act: 'RELU' });
  x = n.mean(x, [1, 2], true);
  x = n.squeeze(x, [1, 2]);
  return n.output(n.fc(x, 6, 'NONE'));
}

/** Every model the parity tests cover, by name. */
export function parityZoo(): Net[] {
  return [
    mnistCnn(),
    mobilenetV1({ size: 32 }),
    mobilenetV1({ size: 96, pool: 'avgpool', seed: 6 }),
    residualNet(),
    concatNet(),
    padNet(),
  ];
}

/** Uniformly random codes (int8/uint8) or reals in `range` (float32), seeded. */
export function randomInput(dtype: 'int8' | 'uint8' | 'float32', size: number, rand: () => number, range: [number, number] = [0, 1]): Int8Array | Uint8Array | Float32Array {
  if (dtype === 'int8') return Int8Array.from({ length: size }, () => Math.floor(rand() * 256) - 128);
  if (dtype === 'uint8') return Uint8Array.from({ length: size }, () => Math.floor(rand() * 256));
  return Float32Array.from({ length: size }, () => range[0] + (range[1] - range[0]) * rand());
}
