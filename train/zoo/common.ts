// Shared pieces of the zoo builders: options, width scaling, and the stride
// rule that keeps 28×28 and 32×32 inputs from collapsing to 1×1.
import type { GraphBuilder } from '../../src/ir/builder.js';

export interface ZooOptions {
  /** Model input [height, width, channels]. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Width multiplier for the models that take one (MobileNets, resnet-tiny). */
  alpha?: number;
  /** How a decoder doubles its resolution (unet-tiny; default transpose). */
  upsample?: UpsampleMode;
  /** Dropout rate of the models that have a dropout layer (mnist-cnn); 0 builds none. Default: the model's own. */
  dropout?: number;
  /** How weights and biases start (default keras: see ZooInit). */
  init?: ZooInit;
}

/**
 * keras: He-normal kernels (Glorot-uniform logits), zero biases. torch:
 * PyTorch's layer defaults, kernels and biases U(−1/√fanIn, 1/√fanIn).
 */
export const ZOO_INITS = ['keras', 'torch'] as const;
export type ZooInit = (typeof ZOO_INITS)[number];

export const UPSAMPLE_MODES = ['transpose', 'nearest', 'bilinear'] as const;
export type UpsampleMode = (typeof UPSAMPLE_MODES)[number];

/** Channel counts rounded to a multiple of `divisor`, never dropping below 90% (MobileNet v2's rule). */
export function makeDivisible(v: number, divisor = 8): number {
  const r = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return r < 0.9 * v ? r + divisor : r;
}

/**
 * A stride-2 stage only halves maps that are at least 8 pixels wide; below
 * that it keeps stride 1, so small inputs end at 4×4–7×7 instead of 1×1.
 */
export function stageStride(b: GraphBuilder, x: string): 1 | 2 {
  const [h, w] = b.shape(x);
  return Math.min(h, w) >= 8 ? 2 : 1;
}

/** The stem conv only strides on ImageNet-sized inputs (≥ 64 pixels). */
export function stemStride(inputShape: [number, number, number]): 1 | 2 {
  return Math.min(inputShape[0], inputShape[1]) >= 64 ? 2 : 1;
}

export type Activation = 'relu' | 'relu6' | 'none';

/** conv (no bias) → `<name>_bn` → `<name>_relu`. */
export function convBnAct(
  b: GraphBuilder, name: string, x: string,
  o: { filters: number; kernelSize: number; strides?: number; act: Activation },
): string {
  let y = b.conv2d(name, x, { filters: o.filters, kernelSize: o.kernelSize, strides: o.strides ?? 1, padding: 'same', useBias: false });
  y = b.batchNorm(`${name}_bn`, y);
  return activation(b, `${name}_relu`, y, o.act);
}

/** depthwise conv (no bias) → `<name>_bn` → `<name>_relu`. */
export function dwBnAct(b: GraphBuilder, name: string, x: string, o: { strides: number; act: Activation }): string {
  let y = b.depthwiseConv2d(name, x, { kernelSize: 3, strides: o.strides, padding: 'same', useBias: false });
  y = b.batchNorm(`${name}_bn`, y);
  return activation(b, `${name}_relu`, y, o.act);
}

export function activation(b: GraphBuilder, name: string, x: string, act: Activation): string {
  if (act === 'relu') return b.relu(name, x);
  if (act === 'relu6') return b.relu6(name, x);
  return x;
}

/** Global average pool → dropout → dense logits. */
export function classifier(b: GraphBuilder, x: string, numClasses: number, dropout: number): string {
  let y = b.globalAvgPool('pool', x);
  if (dropout > 0) y = b.dropout('dropout', y, dropout);
  return b.dense('logits', y, numClasses, { kernelInit: 'glorot' });
}
