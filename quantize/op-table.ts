// The per-op quantization table: for every IR op, what it becomes under
// quantization. Data, like patterns.ts — the rewrite, the QAT and integer
// eval graphs, the int8 exporter and the interpreter's planner read these
// rows instead of keeping their own lists. Adding an IR op is adding a row
// here (the Record type makes a missing row a compile error).
//
// No tfjs here: the interpreter imports this file too.
import type { FusedActivation, Graph, OpName } from '../src/ir/types.js';
import type { Arithmetic } from '../src/interpreter/kernels/xnnpack.js';

/** The int8 ops whose output quantization TFLite fixes, whatever the data. */
export type FixedQuantOp = 'SOFTMAX' | 'LOGISTIC' | 'TANH';

/**
 * Fixed int8 output quantization (TFLite's op spec): softmax and logistic
 * land in [0, 1) with scale 1/256, zero point −128; tanh in [−1, 1) with
 * scale 1/128, zero point 0.
 */
export const FIXED_OUTPUT_QUANT: Readonly<Record<FixedQuantOp, { scale: number; zeroPoint: number }>> = {
  SOFTMAX: { scale: 1 / 256, zeroPoint: -128 },
  LOGISTIC: { scale: 1 / 256, zeroPoint: -128 },
  TANH: { scale: 1 / 128, zeroPoint: 0 },
};

/**
 * Keras' and MobileNet v3's hard sigmoid relu6(x + 3)/6 as TensorFlow's
 * converter lowers it: ADD `offset` with a fused RELU6, whose int8 output
 * holds its whole fixed range `innerRange`, then MUL by `factor`. The
 * lowering and the QAT op both read these.
 */
export const HARD_SIGMOID_LOWERING = { offset: 3, innerRange: [0, 6] as const, factor: 1 / 6 };

/** The real range [min, max] of an 8-bit fixed quantization: what a fixed-range fakeQuant holds. */
export function fixedOutputRange(op: FixedQuantOp): [number, number] {
  const { scale, zeroPoint } = FIXED_OUTPUT_QUANT[op];
  return [(-128 - zeroPoint) * scale, (127 - zeroPoint) * scale];
}

/**
 * How an op's quantized output range is decided.
 *  - observed: a fakeQuant after it with an observed (or learned) range;
 *  - keepsInput: its output is on its input's grid (TFLite gives it equal
 *    input and output quantization), no fakeQuant of its own;
 *  - roundsOnInputGrid: an averaging pool — also on its input's grid, but
 *    the int8 kernel rounds the average, so a fakeQuant sharing the input's
 *    range follows it;
 *  - sharedWithInputs: its inputs and its output share one range (concat);
 *  - fixed: a fakeQuant with the fixed range of that TFLite op;
 *  - modelInput: the input's fakeQuant (observed, or fixed by mean/std);
 *  - none: not quantized on its own (fused into a neighbour, or the
 *    quantizer itself).
 */
export type OutputRule =
  | { kind: 'observed' } | { kind: 'keepsInput' } | { kind: 'roundsOnInputGrid' } | { kind: 'sharedWithInputs' }
  | { kind: 'fixed'; op: FixedQuantOp } | { kind: 'modelInput' } | { kind: 'none' };

/** The int8 TFLite builtins of the ops below (what lower-int8/lower-common emit). */
export type Builtin =
  | 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED' | 'ADD' | 'CONCATENATION' | 'MAX_POOL_2D' | 'AVERAGE_POOL_2D'
  | 'MEAN' | 'RESHAPE' | 'PAD' | 'SOFTMAX' | 'RELU' | 'RELU6' | 'QUANTIZE'
  | 'LOGISTIC' | 'TANH' | 'HARD_SWISH' | 'LEAKY_RELU' | 'PRELU' | 'MUL'
  | 'STRIDED_SLICE' | 'MIRROR_PAD' | 'RESIZE_NEAREST_NEIGHBOR' | 'RESIZE_BILINEAR' | 'TRANSPOSE_CONV'
  | 'SUB' | 'MAXIMUM' | 'MINIMUM' | 'REDUCE_MAX';

export interface OpQuantRow {
  output: OutputRule;
  /** The QAT IR op a float op becomes (add: only with a fused activation; a plain sum stays add). */
  qatTwin?: OpName;
  /** An op of the QAT IR: only the rewrite produces it. */
  qat?: true;
  /** The TFLite builtin its int8 lowering emits (none: not lowered on its own). */
  builtin?: Builtin;
  /** It takes a following relu/relu6 into its fused-activation option. */
  fusesActivation?: true;
  /** A weighted layer that takes a following batchNorm into its kernel and bias. */
  foldsBatchNorm?: true;
  /** As a following activation it fuses into its producer with this name. */
  fusesAs?: FusedActivation;
}

const observed: OutputRule = { kind: 'observed' };
const keepsInput: OutputRule = { kind: 'keepsInput' };
const averaging: OutputRule = { kind: 'roundsOnInputGrid' };
const none: OutputRule = { kind: 'none' };

export const OP_TABLE: Readonly<Record<OpName, OpQuantRow>> = {
  input: { output: { kind: 'modelInput' } },
  conv2d: { output: observed, foldsBatchNorm: true, qatTwin: 'qconv2d', builtin: 'CONV_2D', fusesActivation: true },
  depthwiseConv2d: { output: observed, foldsBatchNorm: true, qatTwin: 'qdepthwiseConv2d', builtin: 'DEPTHWISE_CONV_2D', fusesActivation: true },
  dense: { output: observed, foldsBatchNorm: true, qatTwin: 'qdense', builtin: 'FULLY_CONNECTED', fusesActivation: true },
  batchNorm: { output: none },
  relu: { output: none, builtin: 'RELU', fusesAs: 'relu' },
  relu6: { output: none, builtin: 'RELU6', fusesAs: 'relu6' },
  add: { output: observed, qatTwin: 'qadd', builtin: 'ADD', fusesActivation: true },
  concat: { output: { kind: 'sharedWithInputs' }, builtin: 'CONCATENATION' },
  maxPool: { output: keepsInput, builtin: 'MAX_POOL_2D' },
  avgPool: { output: averaging, builtin: 'AVERAGE_POOL_2D' },
  globalAvgPool: { output: averaging, builtin: 'MEAN' },
  flatten: { output: keepsInput, builtin: 'RESHAPE' },
  reshape: { output: keepsInput, builtin: 'RESHAPE' },
  pad: { output: keepsInput, builtin: 'PAD' },
  dropout: { output: keepsInput },
  softmax: { output: { kind: 'fixed', op: 'SOFTMAX' }, builtin: 'SOFTMAX' },
  qconv2d: { output: observed, qat: true, builtin: 'CONV_2D' },
  qdepthwiseConv2d: { output: observed, qat: true, builtin: 'DEPTHWISE_CONV_2D' },
  qdense: { output: observed, qat: true, builtin: 'FULLY_CONNECTED' },
  qadd: { output: observed, qat: true, builtin: 'ADD' },
  fakeQuant: { output: none, qat: true, builtin: 'QUANTIZE' },
  sigmoid: { output: { kind: 'fixed', op: 'LOGISTIC' }, builtin: 'LOGISTIC' },
  tanh: { output: { kind: 'fixed', op: 'TANH' }, builtin: 'TANH' },
  hardSwish: { output: observed, builtin: 'HARD_SWISH' },
  // TensorFlow's converter emits ADD(x, 3) with a fused RELU6, then MUL by 1/6; the row names the op that writes the output.
  hardSigmoid: { output: observed, builtin: 'MUL' },
  // LOGISTIC (its output on the fixed 1/256 grid), then MUL by x.
  swish: { output: observed, builtin: 'MUL' },
  leakyRelu: { output: observed, builtin: 'LEAKY_RELU' },
  prelu: { output: observed, builtin: 'PRELU' },
  // Lowered to several int8 ops (quantize/norm-decomposition.ts), each intermediate with a range the twin owns.
  instanceNorm: { output: observed, qatTwin: 'qnorm' },
  layerNorm: { output: observed, qatTwin: 'qnorm' },
  qnorm: { output: observed, qat: true },
  // Data movement: TFLite's int8 STRIDED_SLICE, MIRROR_PAD and RESIZE_NEAREST_NEIGHBOR keep the input's scale and zero point.
  crop: { output: keepsInput, builtin: 'STRIDED_SLICE' },
  mirrorPad: { output: keepsInput, builtin: 'MIRROR_PAD' },
  upsampleNearest: { output: keepsInput, builtin: 'RESIZE_NEAREST_NEIGHBOR' },
  // RESIZE_BILINEAR keeps the input's quantization too, but its int8 kernel rounds the interpolated value to that grid.
  upsampleBilinear: { output: averaging, builtin: 'RESIZE_BILINEAR' },
  conv2dTranspose: { output: observed, foldsBatchNorm: true, qatTwin: 'qconv2dTranspose', builtin: 'TRANSPOSE_CONV', fusesActivation: true },
  qconv2dTranspose: { output: observed, qat: true, builtin: 'TRANSPOSE_CONV' },
  mul: { output: observed, qatTwin: 'qmul', builtin: 'MUL', fusesActivation: true },
  sub: { output: observed, qatTwin: 'qsub', builtin: 'SUB', fusesActivation: true },
  // TFLite's op spec: MAXIMUM/MINIMUM inputs and output all have one scale
  // and zero point (the kernel picks codes), so they share a range as concat.
  maximum: { output: { kind: 'sharedWithInputs' }, builtin: 'MAXIMUM' },
  minimum: { output: { kind: 'sharedWithInputs' }, builtin: 'MINIMUM' },
  mulConstant: { output: observed, builtin: 'MUL' },
  // REDUCE_MAX passes the largest code through: the output is on the input's grid.
  globalMaxPool: { output: keepsInput, builtin: 'REDUCE_MAX' },
  qmul: { output: observed, qat: true, builtin: 'MUL' },
  qsub: { output: observed, qat: true, builtin: 'SUB' },
};

/** IR ops whose row satisfies `test`, in table order. */
export function opsWhere(test: (row: OpQuantRow) => boolean): OpName[] {
  return (Object.keys(OP_TABLE) as OpName[]).filter((op) => test(OP_TABLE[op]));
}

/**
 * Ops whose int8 output keeps their input's scale and zero point, so the
 * range a consumer sees is found by walking back through them.
 */
export const KEEPS_INPUT_RANGE: ReadonlySet<OpName> = new Set(opsWhere((r) => r.output.kind === 'keepsInput' || r.output.kind === 'roundsOnInputGrid'));

export function keepsInputRange(op: OpName): boolean {
  return KEEPS_INPUT_RANGE.has(op);
}

/** The ops only the rewrite produces. */
export const QAT_OPS: ReadonlySet<OpName> = new Set(opsWhere((r) => r.qat === true));

/** Whether a graph is a QAT IR (it holds any op only the rewrite produces). */
export function isQuantizedGraph(graph: Graph): boolean {
  return graph.nodes.some((n) => QAT_OPS.has(n.op));
}

/** The fixed int8 output quantization of an IR op, or null when its range is trained or inherited. */
export function fixedOutputOf(op: OpName): FixedQuantOp | null {
  const o = OP_TABLE[op].output;
  return o.kind === 'fixed' ? o.op : null;
}

/** TFLite's fused-activation option for each IR activation. */
export const TFLITE_FUSED_ACTIVATION: Readonly<Record<FusedActivation, 'NONE' | 'RELU' | 'RELU6'>> = { none: 'NONE', relu: 'RELU', relu6: 'RELU6' };

/** The ops that fuse a following activation, and the activations that fuse. */
export const FUSES_ACTIVATION: readonly OpName[] = opsWhere((r) => r.fusesActivation === true);
export const FUSABLE_ACTIVATIONS: readonly OpName[] = opsWhere((r) => r.fusesAs !== undefined);
/** The weighted layers (conv, depthwise, dense): they fold a following batchNorm. */
export const FOLDS_BATCH_NORM: readonly OpName[] = opsWhere((r) => r.foldsBatchNorm === true);

/** The weighted builtins, whose weights may be stored INT4. */
export type WeightedBuiltin = 'CONV_2D' | 'DEPTHWISE_CONV_2D' | 'FULLY_CONNECTED' | 'TRANSPOSE_CONV';

/** Weights of this bit width or narrower are stored as INT4: the size the bit width promises. */
export function storesInt4(weightBits: number): boolean {
  return weightBits <= 4;
}

/**
 * What LiteRT runs for an op whose weights are stored INT4, measured against
 * @litertjs/core with scales that make .5 ties common. Its XNNPACK delegate
 * takes FULLY_CONNECTED only when the input depth is even (two nibbles per
 * byte in every weight row); everything else runs on TFLite's builtin
 * kernels, whose GEMM (CONV_2D, FULLY_CONNECTED) rounds the fixed-point
 * product once, half up, while DEPTHWISE_CONV_2D rounds twice, gemmlowp
 * style. The interpreter and the integer eval graph both follow this rule.
 */
export const INT4_ROUNDING: Readonly<Record<WeightedBuiltin, (inputDepth: number) => Arithmetic>> = {
  CONV_2D: () => 'single-rounding',
  DEPTHWISE_CONV_2D: () => 'reference',
  FULLY_CONNECTED: (depth) => (depth % 2 === 0 ? 'xnnpack' : 'single-rounding'),
  // Never asked: transposed-conv weights are stored INT8 at every bit width (storesInt4For), so XNNPACK runs them.
  TRANSPOSE_CONV: () => 'xnnpack',
};

/** Whether a weighted op's weights of this bit width are stored INT4 (not TRANSPOSE_CONV's: LiteRT's INT4 support stops at the ops above). */
export function storesInt4For(builtin: WeightedBuiltin, weightBits: number): boolean {
  return builtin !== 'TRANSPOSE_CONV' && storesInt4(weightBits);
}
