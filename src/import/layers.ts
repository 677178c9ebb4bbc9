// How each tfjs-layers / Keras layer class becomes IR nodes: a table from
// class name to a converter, so adding a layer is adding one row.
import { UserError } from '../errors.js';
import type { GraphBuilder } from '../ir/builder.js';
import type { Pair, Padding } from '../ir/types.js';

/** What a converter may do: add nodes and say which saved weight fills which node parameter. */
export interface ConvertContext {
  b: GraphBuilder;
  /**
   * Fills parameter `role` of IR node `node` with the saved weight `<layer>/<weight>`;
   * `swapLastAxes` transposes its last two axes on the way (Conv2DTranspose's [kh, kw, out, in]).
   */
  bind(node: string, role: string, layer: string, weight: string, swapLastAxes?: boolean): void;
  /** Fills parameter `role` of IR node `node` with a constant (e.g. gamma = 1 for a BN without scale). */
  constant(node: string, role: string, value: number): void;
  /** Shape of the saved weight `<layer>/<weight>`, if the manifest has it. */
  savedShape(layer: string, weight: string): readonly number[] | undefined;
  /** The model.json's keras_version ('tfjs-layers 4.22.0', '3.3.3', …): some names mean different formulas across versions. */
  kerasVersion?: string;
}

export interface LayerCall {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** IR node names of the layer's inputs. */
  inputs: string[];
}

type Converter = (ctx: ConvertContext, l: LayerCall) => string;

function fail(l: LayerCall, why: string): never {
  throw new UserError(`layer '${l.name}' (${l.className}) cannot be imported: ${why}`);
}

function num(l: LayerCall, key: string, fallback?: number): number {
  const v = l.config[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    fail(l, `its config has no '${key}'`);
  }
  if (typeof v !== 'number') fail(l, `'${key}' is ${JSON.stringify(v)}, not a number`);
  return v;
}

function pairOf(l: LayerCall, key: string, fallback?: Pair): Pair {
  const v = l.config[key];
  if ((v === undefined || v === null) && fallback) return fallback;
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  if (Array.isArray(v) && v.length === 1 && typeof v[0] === 'number') return [v[0], v[0]];
  return fail(l, `'${key}' is ${JSON.stringify(v)}, not one or two numbers`);
}

function padding(l: LayerCall): Padding {
  const p = l.config.padding ?? 'valid';
  if (p !== 'same' && p !== 'valid') fail(l, `padding '${String(p)}' is not 'same' or 'valid'`);
  return p;
}

function channelsLast(l: LayerCall): void {
  const f = l.config.data_format;
  if (f !== undefined && f !== null && f !== 'channels_last') fail(l, `data_format '${String(f)}' is not channels_last`);
}

function bool(l: LayerCall, key: string, fallback: boolean): boolean {
  const v = l.config[key];
  return typeof v === 'boolean' ? v : fallback;
}

/** Appends the node for a layer's `activation` (none for linear). */
function activation(ctx: ConvertContext, l: LayerCall, x: string, act: unknown, node = `${l.name}_${String(act)}`): string {
  if (act === undefined || act === null || act === 'linear') return x;
  if (act === 'relu') return ctx.b.relu(node, x);
  if (act === 'relu6') return ctx.b.relu6(node, x);
  if (act === 'softmax') return ctx.b.softmax(node, x);
  const extra = typeof act === 'string' ? EXTRA_ACTIVATIONS[act] : undefined;
  if (extra) return extra(ctx, l, node, x);
  return fail(l, `activation '${String(act)}' is not one of linear, relu, relu6, softmax, ${Object.keys(EXTRA_ACTIVATIONS).join(', ')}`);
}

/** Keras 3 changed hard_sigmoid from clip(0.2·x + 0.5, 0, 1) (Keras 2, tfjs-layers) to relu6(x + 3)/6. */
function isKeras3(ctx: ConvertContext): boolean {
  return /^3\./.test(ctx.kerasVersion ?? '');
}

type ActivationConverter = (ctx: ConvertContext, l: LayerCall, node: string, x: string) => string;

/** Activation names beyond relu/relu6/softmax, each kept to its framework's own formula. */
const EXTRA_ACTIVATIONS: Record<string, ActivationConverter> = {
  sigmoid: (ctx, _l, node, x) => ctx.b.sigmoid(node, x),
  tanh: (ctx, _l, node, x) => ctx.b.tanh(node, x),
  swish: (ctx, _l, node, x) => ctx.b.swish(node, x),
  silu: (ctx, _l, node, x) => ctx.b.swish(node, x),
  hard_swish: (ctx, _l, node, x) => ctx.b.hardSwish(node, x),
  hard_silu: (ctx, _l, node, x) => ctx.b.hardSwish(node, x),
  hard_sigmoid: (ctx, l, node, x) => (isKeras3(ctx) ? ctx.b.hardSigmoid(node, x)
    : fail(l, `its hard_sigmoid is ${ctx.kerasVersion?.startsWith('tfjs') ? "tfjs-layers'" : "Keras 2's"} clip(0.2·x + 0.5, 0, 1), which has no quantized lowering; only Keras 3's relu6(x + 3)/6 (MobileNet v3's) is supported`)),
};

const leakyRelu: Converter = (ctx, l) => ctx.b.leakyRelu(l.name, l.inputs[0]!, num(l, 'negative_slope', num(l, 'alpha', 0.3)));

// Keras' PReLU slope has the input's shape with the shared axes set to 1;
// only one slope per channel (shared_axes covering height and width) maps
// onto TFLite's per-channel PRELU.
const prelu: Converter = (ctx, l) => {
  const x = l.inputs[0]!;
  const want = [...ctx.b.shape(x).map(() => 1).slice(1), ctx.b.shape(x).at(-1)!];
  const saved = ctx.savedShape(l.name, 'alpha');
  if (saved && (saved.length !== want.length || saved.some((d, i) => d !== want[i]))) {
    fail(l, `its slope has shape [${saved.join(', ')}]; only one slope per channel ([${want.join(', ')}], shared_axes over every axis but the channels) is supported`);
  }
  const n = ctx.b.prelu(l.name, x);
  ctx.bind(n, 'alpha', l.name, 'alpha');
  return n;
}

const conv2d: Converter = (ctx, l) => {
  channelsLast(l);
  if (num(l, 'groups', 1) !== 1) fail(l, 'grouped convolution is not supported');
  const useBias = bool(l, 'use_bias', true);
  const n = ctx.b.conv2d(l.name, l.inputs[0]!, {
    filters: num(l, 'filters'), kernelSize: pairOf(l, 'kernel_size'), strides: pairOf(l, 'strides', [1, 1]),
    padding: padding(l), dilations: pairOf(l, 'dilation_rate', [1, 1]), useBias,
  });
  ctx.bind(n, 'kernel', l.name, 'kernel');
  if (useBias) ctx.bind(n, 'bias', l.name, 'bias');
  return activation(ctx, l, n, l.config.activation);
};

// tfjs-layers leaves depth_multiplier out of a saved SeparableConv2D's
// config, so when absent it is read off the saved depthwise kernel.
function depthMultiplier(ctx: ConvertContext, l: LayerCall): number {
  const saved = ctx.savedShape(l.name, 'depthwise_kernel');
  return num(l, 'depth_multiplier', saved?.length === 4 ? saved[3] : 1);
}

const depthwise: Converter = (ctx, l) => {
  channelsLast(l);
  const useBias = bool(l, 'use_bias', true);
  const n = ctx.b.depthwiseConv2d(l.name, l.inputs[0]!, {
    kernelSize: pairOf(l, 'kernel_size'), strides: pairOf(l, 'strides', [1, 1]), padding: padding(l),
    dilations: pairOf(l, 'dilation_rate', [1, 1]), depthMultiplier: depthMultiplier(ctx, l), useBias,
  });
  ctx.bind(n, 'kernel', l.name, 'depthwise_kernel');
  if (useBias) ctx.bind(n, 'bias', l.name, 'bias');
  return activation(ctx, l, n, l.config.activation);
};

// A separable convolution is a depthwise convolution (strides, dilation and
// padding apply there) followed by a 1×1 convolution that holds the bias.
const separable: Converter = (ctx, l) => {
  channelsLast(l);
  const useBias = bool(l, 'use_bias', true);
  const dw = ctx.b.depthwiseConv2d(`${l.name}_depthwise`, l.inputs[0]!, {
    kernelSize: pairOf(l, 'kernel_size'), strides: pairOf(l, 'strides', [1, 1]), padding: padding(l),
    dilations: pairOf(l, 'dilation_rate', [1, 1]), depthMultiplier: depthMultiplier(ctx, l), useBias: false,
  });
  ctx.bind(dw, 'kernel', l.name, 'depthwise_kernel');
  const pw = ctx.b.conv2d(l.name, dw, { filters: num(l, 'filters'), kernelSize: 1, strides: 1, padding: 'valid', useBias });
  ctx.bind(pw, 'kernel', l.name, 'pointwise_kernel');
  if (useBias) ctx.bind(pw, 'bias', l.name, 'bias');
  return activation(ctx, l, pw, l.config.activation);
};

const dense: Converter = (ctx, l) => {
  const useBias = bool(l, 'use_bias', true);
  const n = ctx.b.dense(l.name, l.inputs[0]!, num(l, 'units'), { useBias });
  ctx.bind(n, 'kernel', l.name, 'kernel');
  if (useBias) ctx.bind(n, 'bias', l.name, 'bias');
  return activation(ctx, l, n, l.config.activation);
};

const batchNorm: Converter = (ctx, l) => {
  const axis = l.config.axis;
  const last = axis === -1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === -1);
  const rank = 1 + ctx.b.shape(l.inputs[0]!).length;
  const lastByIndex = axis === rank - 1 || (Array.isArray(axis) && axis.length === 1 && axis[0] === rank - 1);
  if (axis !== undefined && !last && !lastByIndex) fail(l, `it normalizes axis ${JSON.stringify(axis)}; only the last (channel) axis is supported`);
  const n = ctx.b.batchNorm(l.name, l.inputs[0]!, { epsilon: num(l, 'epsilon', 1e-3), momentum: num(l, 'momentum', 0.99) });
  if (bool(l, 'scale', true)) ctx.bind(n, 'gamma', l.name, 'gamma');
  else ctx.constant(n, 'gamma', 1);
  if (bool(l, 'center', true)) ctx.bind(n, 'beta', l.name, 'beta');
  else ctx.constant(n, 'beta', 0);
  ctx.bind(n, 'movingMean', l.name, 'moving_mean');
  ctx.bind(n, 'movingVariance', l.name, 'moving_variance');
  return n;
};

const relu: Converter = (ctx, l) => {
  const max = l.config.max_value;
  const slope = l.config.negative_slope ?? l.config.alpha ?? 0;
  const threshold = l.config.threshold ?? 0;
  if (threshold !== 0) fail(l, 'a thresholded ReLU is not supported');
  if (slope !== 0 && (max === undefined || max === null) && typeof slope === 'number') return ctx.b.leakyRelu(l.name, l.inputs[0]!, slope);
  if (slope !== 0) fail(l, 'a leaky ReLU with a max_value is not supported');
  if (max === undefined || max === null) return ctx.b.relu(l.name, l.inputs[0]!);
  if (max === 6) return ctx.b.relu6(l.name, l.inputs[0]!);
  return fail(l, `max_value ${String(max)} is not 6`);
};

const pool = (kind: 'maxPool' | 'avgPool'): Converter => (ctx, l) => {
  channelsLast(l);
  const poolSize = pairOf(l, 'pool_size', [2, 2]);
  return ctx.b[kind](l.name, l.inputs[0]!, { poolSize, strides: pairOf(l, 'strides', poolSize), padding: padding(l) });
};

const zeroPadding: Converter = (ctx, l) => {
  channelsLast(l);
  const p = l.config.padding ?? 1;
  let pads: [Pair, Pair] | null = null;
  if (typeof p === 'number') pads = [[p, p], [p, p]];
  else if (Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number')) pads = [[p[0], p[0]], [p[1], p[1]]];
  else if (Array.isArray(p) && p.length === 2 && p.every((x) => Array.isArray(x) && x.length === 2 && x.every((y) => typeof y === 'number'))) {
    pads = p as [Pair, Pair];
  }
  if (!pads) fail(l, `padding ${JSON.stringify(p)} is not understood`);
  return ctx.b.pad(l.name, l.inputs[0]!, pads);
};

/** Keras' three spellings of per-side spatial amounts: n, [h, w] (symmetric) or [[top, bottom], [left, right]]. */
function spatialPairs(l: LayerCall, key: string, fallback: number): [Pair, Pair] {
  const p = l.config[key] ?? fallback;
  if (typeof p === 'number') return [[p, p], [p, p]];
  if (Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'number')) return [[p[0], p[0]], [p[1], p[1]]];
  if (Array.isArray(p) && p.length === 2 && p.every((x) => Array.isArray(x) && x.length === 2 && x.every((y) => typeof y === 'number'))) {
    return p as [Pair, Pair];
  }
  return fail(l, `${key} ${JSON.stringify(p)} is not understood`);
}

const cropping: Converter = (ctx, l) => {
  channelsLast(l);
  return ctx.b.crop(l.name, l.inputs[0]!, spatialPairs(l, 'cropping', 0));
};

// tfjs-layers resizes without half-pixel centers, Keras (TF 2) with them:
// the same layer and config interpolate at different points.
const upSampling: Converter = (ctx, l) => {
  channelsLast(l);
  const interpolation = l.config.interpolation ?? 'nearest';
  if (interpolation !== 'nearest' && interpolation !== 'bilinear') fail(l, `interpolation '${String(interpolation)}' is not 'nearest' or 'bilinear'`);
  // tfjs-layers stamps keras_version 'tfjs-layers …'; a model Keras wrote carries Keras' own version.
  const keras = ctx.kerasVersion !== undefined && !ctx.kerasVersion.startsWith('tfjs');
  return ctx.b.upsample(l.name, l.inputs[0]!, pairOf(l, 'size', [2, 2]), { interpolation, halfPixelCenters: keras });
};

// Keras keeps the kernel as [kh, kw, filters, in]; the IR as conv2d's [kh, kw, in, filters].
const conv2dTranspose: Converter = (ctx, l) => {
  channelsLast(l);
  const dilation = pairOf(l, 'dilation_rate', [1, 1]);
  if (dilation[0] !== 1 || dilation[1] !== 1) fail(l, 'a dilated transposed convolution has no TFLite op');
  if (l.config.output_padding !== undefined && l.config.output_padding !== null) fail(l, 'output_padding is not supported');
  const useBias = bool(l, 'use_bias', true);
  const n = ctx.b.conv2dTranspose(l.name, l.inputs[0]!, {
    filters: num(l, 'filters'), kernelSize: pairOf(l, 'kernel_size'), strides: pairOf(l, 'strides', [1, 1]), padding: padding(l), useBias,
  });
  ctx.bind(n, 'kernel', l.name, 'kernel', true);
  if (useBias) ctx.bind(n, 'bias', l.name, 'bias');
  return activation(ctx, l, n, l.config.activation);
};

const concat: Converter = (ctx, l) => {
  const axis = num(l, 'axis', -1);
  const rank = 1 + ctx.b.shape(l.inputs[0]!).length;
  if (axis !== -1 && axis !== rank - 1) fail(l, `it concatenates on axis ${axis}; only the last (channel) axis is supported`);
  return ctx.b.concat(l.name, l.inputs);
};

/** A layer's `axis` (int or list, counting the batch, negative from the end) as per-example axes. */
function perExampleAxes(ctx: ConvertContext, l: LayerCall, fallback: number[]): number[] {
  const v = l.config.axis ?? fallback;
  const list = typeof v === 'number' ? [v] : v;
  const rank = 1 + ctx.b.shape(l.inputs[0]!).length;
  if (!Array.isArray(list) || list.length === 0 || !list.every((a) => typeof a === 'number' && Number.isInteger(a) && a >= -rank && a < rank)) {
    fail(l, `axis ${JSON.stringify(v)} is not an axis (or list of axes) of its rank-${rank} input`);
  }
  const axes = (list as number[]).map((a) => (a < 0 ? a + rank : a));
  if (axes.includes(0)) fail(l, 'it normalizes over the batch axis');
  return axes.map((a) => a - 1);
}

function bindGammaBeta(ctx: ConvertContext, l: LayerCall, n: string): string {
  if (bool(l, 'scale', true)) ctx.bind(n, 'gamma', l.name, 'gamma');
  if (bool(l, 'center', true)) ctx.bind(n, 'beta', l.name, 'beta');
  return n;
}

const layerNorm: Converter = (ctx, l) => bindGammaBeta(ctx, l, ctx.b.layerNorm(l.name, l.inputs[0]!, {
  axes: perExampleAxes(ctx, l, [-1]), epsilon: num(l, 'epsilon', 1e-3), center: bool(l, 'center', true), scale: bool(l, 'scale', true),
}));

// Keras 3's GroupNormalization with one channel per group (groups −1 or the
// channel count), and TensorFlow Addons' InstanceNormalization, are instance
// normalization of an [h, w, c] tensor.
const instanceNorm: Converter = (ctx, l) => {
  const shape = ctx.b.shape(l.inputs[0]!);
  const channels = shape[shape.length - 1]!;
  const axes = perExampleAxes(ctx, l, [-1]);
  if (shape.length !== 3 || axes.length !== 1 || axes[0] !== 2) fail(l, 'only an [h, w, c] input normalized per channel (axis −1) is supported');
  const groups = num(l, 'groups', l.className === 'GroupNormalization' ? 32 : -1);
  if (groups !== -1 && groups !== channels) fail(l, `groups ${groups} is neither −1 nor the channel count ${channels}: only instance normalization is supported`);
  return bindGammaBeta(ctx, l, ctx.b.instanceNorm(l.name, l.inputs[0]!, {
    epsilon: num(l, 'epsilon', 1e-3), center: bool(l, 'center', true), scale: bool(l, 'scale', true),
  }));
};

/**
 * Scale and offset of a Rescaling layer, which the importer folds into the
 * model input when it directly follows it (see importLayersModel).
 */
export function readRescaling(name: string, config: Record<string, unknown>): { scale: number; offset: number } {
  const l: LayerCall = { name, className: 'Rescaling', config, inputs: [] };
  const scale = num(l, 'scale');
  const offset = num(l, 'offset', 0);
  if (!Number.isFinite(scale) || scale === 0 || !Number.isFinite(offset)) fail(l, `scale ${scale} and offset ${offset} must be finite with a non-zero scale`);
  return { scale, offset };
}

const CONVERTERS: Record<string, Converter> = {
  // Reached only for a Rescaling that does not directly follow the input.
  Rescaling: (_ctx, l) => fail(l, 'only a Rescaling directly after the model input is supported (it is folded into the input quantization)'),
  Conv2D: conv2d,
  DepthwiseConv2D: depthwise,
  SeparableConv2D: separable,
  Dense: dense,
  BatchNormalization: batchNorm,
  Activation: (ctx, l) => {
    const act = l.config.activation;
    if (act === 'linear') return l.inputs[0]!;
    return activation(ctx, l, l.inputs[0]!, act, l.name);
  },
  ReLU: relu,
  Softmax: (ctx, l) => {
    const axis = num(l, 'axis', -1);
    if (axis !== -1 && axis !== ctx.b.shape(l.inputs[0]!).length) fail(l, `softmax over axis ${axis} is not supported (only the last axis)`);
    return ctx.b.softmax(l.name, l.inputs[0]!);
  },
  Add: (ctx, l) => ctx.b.add(l.name, l.inputs),
  Concatenate: concat,
  MaxPooling2D: pool('maxPool'),
  AveragePooling2D: pool('avgPool'),
  GlobalAveragePooling2D: (ctx, l) => {
    channelsLast(l);
    if (bool(l, 'keepdims', false)) fail(l, 'keepdims is not supported');
    return ctx.b.globalAvgPool(l.name, l.inputs[0]!);
  },
  Flatten: (ctx, l) => {
    channelsLast(l);
    return ctx.b.flatten(l.name, l.inputs[0]!);
  },
  Reshape: (ctx, l) => {
    const t = l.config.target_shape;
    if (!Array.isArray(t) || !t.every((x) => typeof x === 'number')) fail(l, `target_shape ${JSON.stringify(t)} is not a list of numbers`);
    return ctx.b.reshape(l.name, l.inputs[0]!, t as number[]);
  },
  ZeroPadding2D: zeroPadding,
  Dropout: (ctx, l) => ctx.b.dropout(l.name, l.inputs[0]!, num(l, 'rate')),
  LeakyReLU: leakyRelu,
  PReLU: prelu,
  LayerNormalization: layerNorm,
  GroupNormalization: instanceNorm,
  InstanceNormalization: instanceNorm,
  Cropping2D: cropping,
  UpSampling2D: upSampling,
  Conv2DTranspose: conv2dTranspose,
};

/** Layer classes the importer understands (InputLayer included). */
export const SUPPORTED_LAYERS: readonly string[] = ['InputLayer', ...Object.keys(CONVERTERS)];

const EXPECTED_INPUTS: Record<string, 'one' | 'many'> = { Add: 'many', Concatenate: 'many' };

/** Adds the nodes of one layer call; returns the IR node holding its output. */
export function convertLayer(ctx: ConvertContext, l: LayerCall): string {
  const convert = CONVERTERS[l.className];
  if (!convert) {
    throw new UserError(`layer '${l.name}' has class ${l.className}, which the importer does not support; supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
  }
  const many = EXPECTED_INPUTS[l.className] === 'many';
  if (many ? l.inputs.length < 2 : l.inputs.length !== 1) {
    fail(l, `it has ${l.inputs.length} inputs, expected ${many ? 'two or more' : 'one'}`);
  }
  return convert(ctx, l);
}
