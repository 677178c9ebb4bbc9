// The graph IR: a typed node list. Every later stage (train/eval graph
// builders, the fake-quant rewrite, the TFLite exporter, parity reports)
// walks this list, so node names are the stable identity of a layer: they
// become variable names, exported tensor names and report rows.

export type Pair = [number, number];
export type Padding = 'same' | 'valid';
// torch: PyTorch's layer default, kernel and bias U(−1/√fanIn, 1/√fanIn).
export type KernelInit = 'he' | 'glorot' | 'zeros' | 'torch';

/** Per-example shape: NHWC without the batch dimension ([h, w, c] or [features]). */
export type Shape = readonly number[];

/** Attributes of each op; the key is the op name. Add an op by adding a row here and a spec in ops/. */
export interface OpAttrs {
  input: { shape: number[] };
  conv2d: { filters: number; kernelSize: Pair; strides: Pair; padding: Padding; dilations: Pair; useBias: boolean; kernelInit?: KernelInit };
  depthwiseConv2d: { kernelSize: Pair; strides: Pair; padding: Padding; dilations: Pair; depthMultiplier: number; useBias: boolean; kernelInit?: KernelInit };
  dense: { units: number; useBias: boolean; kernelInit?: KernelInit };
  batchNorm: { epsilon: number; momentum: number };
  relu: Record<string, never>;
  relu6: Record<string, never>;
  add: Record<string, never>;
  /** Concatenation along the last (channel) axis. */
  concat: { axis: -1 };
  maxPool: { poolSize: Pair; strides: Pair; padding: Padding };
  avgPool: { poolSize: Pair; strides: Pair; padding: Padding };
  /** Mean over height and width: [h, w, c] → [c]. */
  globalAvgPool: Record<string, never>;
  flatten: Record<string, never>;
  /** Target per-example shape; one entry may be -1. */
  reshape: { shape: number[] };
  /** Zero padding of the spatial axes: [[top, bottom], [left, right]]. */
  pad: { paddings: [Pair, Pair] };
  dropout: { rate: number };
  softmax: Record<string, never>;
  /** 1/(1 + e^−x) (TFLite LOGISTIC). */
  sigmoid: Record<string, never>;
  tanh: Record<string, never>;
  /** x·relu6(x + 3)/6 (TFLite HARD_SWISH). */
  hardSwish: Record<string, never>;
  /** relu6(x + 3)/6: Keras' and MobileNet v3's hard sigmoid (not tfjs-layers' clip(0.2·x + 0.5, 0, 1)). */
  hardSigmoid: Record<string, never>;
  /** x·sigmoid(x) (swish, SiLU). */
  swish: Record<string, never>;
  /** x for x ≥ 0, alpha·x below. */
  leakyRelu: { alpha: number };
  /** x for x ≥ 0, alpha_c·x below: one trained slope per channel (last axis). */
  prelu: Record<string, never>;
  // --- The QAT IR (quantize/rewrite.ts produces these; see /tmp/qat-contract.md) ---
  /** conv2d with BN folded in, weights fake-quantized, relu/relu6 fused. */
  qconv2d: OpAttrs['conv2d'] & QuantizedLayerAttrs;
  qdepthwiseConv2d: OpAttrs['depthwiseConv2d'] & QuantizedLayerAttrs;
  qdense: OpAttrs['dense'] & QuantizedLayerAttrs;
  /** Residual add with a fused activation; its output is quantized by the following fakeQuant. */
  qadd: { activation: FusedActivation };
  /** Simulated quantization of one tensor: the output of layer `quantizes`. */
  fakeQuant: FakeQuantAttrs;
  /** Instance normalization: per example and channel, over height and width of [h, w, c]; gamma/beta per channel. */
  instanceNorm: NormAttrs;
  /** Layer normalization over per-example `axes` (sorted); gamma/beta span those axes, as in Keras. */
  layerNorm: NormAttrs & { axes: number[] };
  /**
   * QAT twin of both norms: the int8 decomposition of quantize/norm-decomposition.ts,
   * a range per intermediate. `axes` are normalized over, gamma/beta span `paramAxes`.
   */
  qnorm: NormAttrs & { axes: number[]; paramAxes: number[]; bits: number };
  /** Cropping of the spatial axes: [[top, bottom], [left, right]] (Keras Cropping2D). */
  crop: { cropping: [Pair, Pair] };
  /** Padding of the spatial axes by mirroring: reflect skips the edge pixel, symmetric repeats it. */
  mirrorPad: { paddings: [Pair, Pair]; mode: 'reflect' | 'symmetric' };
  /** Upsampling by whole row and column factors, repeating pixels (Keras UpSampling2D, interpolation 'nearest'). */
  upsampleNearest: { size: Pair };
  /**
   * Upsampling by whole factors, interpolating (UpSampling2D 'bilinear').
   * halfPixelCenters picks the sample points: Keras (TF 2) samples output
   * pixel i at (i + ½)/f − ½, tfjs-layers at i/f.
   */
  upsampleBilinear: { size: Pair; halfPixelCenters: boolean };
  /**
   * Transposed convolution (Keras Conv2DTranspose): kernel [kh, kw, cin, cout]
   * as conv2d's; output 'same' in·stride, 'valid' in·stride + max(k − stride, 0).
   */
  conv2dTranspose: { filters: number; kernelSize: Pair; strides: Pair; padding: Padding; useBias: boolean; kernelInit?: KernelInit };
  /** conv2dTranspose with BN folded, weights fake-quantized, relu/relu6 fused. */
  qconv2dTranspose: OpAttrs['conv2dTranspose'] & QuantizedLayerAttrs;
  // --- Elementwise ops of two tensors: NumPy broadcasting over equal-rank shapes (the squeeze-excite gate [1, 1, c] × [h, w, c]) ---
  mul: Record<string, never>;
  /** First input minus the second. */
  sub: Record<string, never>;
  maximum: Record<string, never>;
  minimum: Record<string, never>;
  /** Multiplication by a constant: Keras Average's 1/n after the sum, as TensorFlow's converter emits it (MUL). */
  mulConstant: { factor: number };
  /** Max over height and width: [h, w, c] → [c]. */
  globalMaxPool: Record<string, never>;
  /** mul and sub with a fused relu/relu6, as qadd (the rewrite produces them). */
  qmul: { activation: FusedActivation };
  qsub: { activation: FusedActivation };
}

/** y = γ·(x − mean)/√(var + ε) + β; center: with β, scale: with γ. */
export interface NormAttrs {
  epsilon: number;
  center: boolean;
  scale: boolean;
}

export type FusedActivation = 'none' | 'relu' | 'relu6';

export interface QuantizedLayerAttrs {
  activation: FusedActivation;
  /** The folded batchNorm's attributes, or null when none followed the layer. */
  batchNorm: { epsilon: number; momentum: number } | null;
  /** Weight quantization, or null for a layer left float (--skip). */
  weightQuant: { bits: number; perChannel: boolean } | null;
}

export interface FakeQuantAttrs {
  bits: number;
  narrowRange: boolean;
  role: 'input' | 'activation' | 'softmax';
  /** Name of the layer whose output this quantizes (the input node's name for the model input). */
  quantizes: string;
  /** A constant range (softmax, or input mean/std); such a node has no min/max variables. */
  fixedRange?: [number, number];
}

export type OpName = keyof OpAttrs;

/** Role → variable name, e.g. { kernel: 'conv1/kernel' }. Names are global keys of the variable store. */
export type ParamRefs = Record<string, string>;

export type NodeOf<K extends OpName> = {
  name: string;
  op: K;
  inputs: string[];
  attrs: OpAttrs[K];
  params: ParamRefs;
};

/** A node of any op, discriminated on `op`. */
export type IRNode = { [K in OpName]: NodeOf<K> }[OpName];

export interface Graph {
  /** Model name, e.g. 'mnist-cnn'. */
  name: string;
  nodes: IRNode[];
  /** Names of the output nodes; training uses outputs[0] as logits. */
  outputs: string[];
}

/** How a parameter starts life. He/Glorot use the fans recorded here. */
export type InitSpec =
  | { type: 'heNormal'; fanIn: number }
  | { type: 'glorotUniform'; fanIn: number; fanOut: number }
  | { type: 'zeros' }
  | { type: 'ones' }
  | { type: 'fanInUniform'; fanIn: number };

/**
 * What a variable is for. `weight` is trained by the optimizer; `stat` is
 * state the model needs at eval time but no gradient touches (BN moving
 * statistics); `range` is a quantization range (fakeQuant min/max), observed
 * by EMA or learned, and the only kind several nodes may share (concat).
 */
export type ParamKind = 'weight' | 'stat' | 'range';

export interface ParamSpec {
  /** Role inside the node, e.g. 'kernel', 'movingMean'. */
  role: string;
  shape: number[];
  kind: ParamKind;
  init: InitSpec;
}

/** One variable the graph needs, with its global store name. */
export interface VariableSpec extends ParamSpec {
  name: string;
  node: string;
}
