// Builtin options of the ops the project writes and executes: a typed
// interface per options table, which table each op carries, and how each one
// is read from / written to the flatbuffer. Defaults are the schema's.

import type { Builder } from 'flatbuffers';
import {
  ACTIVATION_NAMES, PADDING_NAMES, WEIGHTS_FORMAT_NAMES, MIRROR_PAD_MODE_NAMES, type MirrorPadMode, BuiltinOptionsType, TensorType,
  tensorTypeName, type Activation, type Padding, type WeightsFormat, type TensorTypeName,
  type BuiltinOptionsTypeName,
} from './enums.js';
import {
  Conv2DOptionsField as C, DepthwiseConv2DOptionsField as D, Pool2DOptionsField as P,
  FullyConnectedOptionsField as F, SoftmaxOptionsField, ConcatenationOptionsField,
  AddOptionsField, SubOptionsField, MulOptionsField, ReshapeOptionsField,
  ReducerOptionsField, SqueezeOptionsField, LeakyReluOptionsField, TransposeConvOptionsField as T, ResizeBilinearOptionsField,
  ResizeNearestNeighborOptionsField, StridedSliceOptionsField as S, MirrorPadOptionsField,
} from './schema.js';
import { malformed, type TableView } from './flatbuf.js';

export interface Conv2DOptions {
  padding: Padding;
  strideW: number;
  strideH: number;
  fusedActivation: Activation;
  dilationWFactor: number;
  dilationHFactor: number;
  /** Only for int16 activations (op version 8); absent means "not set". */
  quantizedBiasType?: TensorTypeName;
}

export interface DepthwiseConv2DOptions {
  padding: Padding;
  strideW: number;
  strideH: number;
  /** Redundant with the weight shape; modern kernels ignore it. */
  depthMultiplier: number;
  fusedActivation: Activation;
  dilationWFactor: number;
  dilationHFactor: number;
}

export interface Pool2DOptions {
  padding: Padding;
  strideW: number;
  strideH: number;
  filterWidth: number;
  filterHeight: number;
  fusedActivation: Activation;
}

export interface FullyConnectedOptions {
  fusedActivation: Activation;
  weightsFormat: WeightsFormat;
  keepNumDims: boolean;
  asymmetricQuantizeInputs: boolean;
  quantizedBiasType?: TensorTypeName;
}

export interface SoftmaxOptions {
  beta: number;
}

export interface ConcatenationOptions {
  axis: number;
  fusedActivation: Activation;
}

export interface AddOptions {
  fusedActivation: Activation;
  /** Only meaningful for int16; schema default true. */
  potScaleInt16: boolean;
}

export type SubOptions = AddOptions;

export interface MulOptions {
  fusedActivation: Activation;
}

export interface ReshapeOptions {
  /** Absent when the op takes its shape from its second input only. */
  newShape?: number[];
}

export interface ReducerOptions {
  keepDims: boolean;
}

export interface SqueezeOptions {
  squeezeDims: number[];
}

export interface LeakyReluOptions {
  /** Slope for negative inputs (schema default 0). */
  alpha: number;
}

export interface TransposeConvOptions {
  padding: Padding;
  strideW: number;
  strideH: number;
  /** Fused activations exist on TRANSPOSE_CONV since op version 4. */
  fusedActivation: Activation;
  quantizedBiasType?: TensorTypeName;
}

/** RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: how output pixels map onto input pixels. */
export interface ResizeOptions {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** Bit d of a mask refers to dimension d of begin/end/strides. */
export interface StridedSliceOptions {
  beginMask: number;
  endMask: number;
  ellipsisMask: number;
  newAxisMask: number;
  shrinkAxisMask: number;
  /** When set, end is an offset from begin (end = begin + end). */
  offset: boolean;
}

export interface MirrorPadOptions {
  mode: MirrorPadMode;
}

/** Options of ops whose table is empty (or that have none at all). */
export type NoOptions = Record<never, never>;

/** Which options each supported op carries. */
export interface OpOptionsMap {
  ADD: AddOptions;
  AVERAGE_POOL_2D: Pool2DOptions;
  CONCATENATION: ConcatenationOptions;
  CONV_2D: Conv2DOptions;
  DEPTHWISE_CONV_2D: DepthwiseConv2DOptions;
  DEQUANTIZE: NoOptions;
  FULLY_CONNECTED: FullyConnectedOptions;
  HARD_SWISH: NoOptions;
  LEAKY_RELU: LeakyReluOptions;
  LOGISTIC: NoOptions;
  MAX_POOL_2D: Pool2DOptions;
  MAXIMUM: NoOptions;
  MEAN: ReducerOptions;
  MINIMUM: NoOptions;
  MUL: MulOptions;
  PAD: NoOptions;
  PRELU: NoOptions;
  QUANTIZE: NoOptions;
  REDUCE_MAX: ReducerOptions;
  RELU: NoOptions;
  RELU6: NoOptions;
  RESHAPE: ReshapeOptions;
  SOFTMAX: SoftmaxOptions;
  SQUEEZE: SqueezeOptions;
  SUB: SubOptions;
  TANH: NoOptions;
  TRANSPOSE_CONV: TransposeConvOptions;
  RESIZE_BILINEAR: ResizeOptions;
  RESIZE_NEAREST_NEIGHBOR: ResizeOptions;
  STRIDED_SLICE: StridedSliceOptions;
  SLICE: NoOptions;
  MIRROR_PAD: MirrorPadOptions;
  SQUARED_DIFFERENCE: NoOptions;
  RSQRT: NoOptions;
}
export type OpName = keyof OpOptionsMap;

/** An op this project does not model (read for display, never written). */
export interface OtherOpOptions {
  op: 'OTHER';
  /** The BuiltinOperator name, e.g. 'GATHER', or 'CUSTOM'. */
  name: string;
  builtinCode: number;
  /** BuiltinOptions union code the file carried (0 = none). */
  optionsType: number;
}

/** An operator's options, discriminated by the op's name. */
export type OperatorOptions = { [K in OpName]: { op: K } & OpOptionsMap[K] }[OpName] | OtherOpOptions;

/** The BuiltinOptions table each op carries in files we write. */
export const OP_OPTIONS_TABLE: Readonly<Record<OpName, BuiltinOptionsTypeName>> = {
  ADD: 'AddOptions',
  AVERAGE_POOL_2D: 'Pool2DOptions',
  CONCATENATION: 'ConcatenationOptions',
  CONV_2D: 'Conv2DOptions',
  DEPTHWISE_CONV_2D: 'DepthwiseConv2DOptions',
  DEQUANTIZE: 'DequantizeOptions',
  FULLY_CONNECTED: 'FullyConnectedOptions',
  HARD_SWISH: 'HardSwishOptions',
  LEAKY_RELU: 'LeakyReluOptions',
  LOGISTIC: 'NONE',
  MAX_POOL_2D: 'Pool2DOptions',
  MAXIMUM: 'MaximumMinimumOptions',
  MEAN: 'ReducerOptions',
  MINIMUM: 'MaximumMinimumOptions',
  MUL: 'MulOptions',
  PAD: 'PadOptions',
  PRELU: 'NONE',
  QUANTIZE: 'QuantizeOptions',
  REDUCE_MAX: 'ReducerOptions',
  RELU: 'NONE',
  RELU6: 'NONE',
  RESHAPE: 'ReshapeOptions',
  SOFTMAX: 'SoftmaxOptions',
  SQUEEZE: 'SqueezeOptions',
  SUB: 'SubOptions',
  TANH: 'NONE',
  TRANSPOSE_CONV: 'TransposeConvOptions',
  RESIZE_BILINEAR: 'ResizeBilinearOptions',
  RESIZE_NEAREST_NEIGHBOR: 'ResizeNearestNeighborOptions',
  STRIDED_SLICE: 'StridedSliceOptions',
  SLICE: 'SliceOptions',
  MIRROR_PAD: 'MirrorPadOptions',
  SQUARED_DIFFERENCE: 'SquaredDifferenceOptions',
  RSQRT: 'NONE',
};

export const OP_NAMES = Object.keys(OP_OPTIONS_TABLE) as OpName[];

export function isOpName(name: string): name is OpName {
  return Object.prototype.hasOwnProperty.call(OP_OPTIONS_TABLE, name);
}

// ---- reading ---------------------------------------------------------------

function enumName<T extends string>(names: readonly T[], code: number, field: string, what: string): T {
  const name = names[code];
  if (name === undefined) throw malformed(`${what} has unknown ${field} code ${code}`);
  return name;
}

function biasType(t: TableView, id: number, what: string): TensorTypeName | undefined {
  const code = t.int8(id);
  if (code === 0) return undefined;
  const name = tensorTypeName(code);
  if (name === undefined) throw malformed(`${what} has unknown quantized_bias_type code ${code}`);
  return name;
}

/**
 * Options of a supported op from its table. `t` is null when the file left the
 * table out; the schema's defaults apply then, as they do for missing fields.
 */
export function readOptions(op: OpName, t: TableView | null, what: string): OperatorOptions {
  const i8 = (id: number, dflt = 0): number => (t ? t.int8(id, dflt) : dflt);
  const i32 = (id: number, dflt = 0): number => (t ? t.int32(id, dflt) : dflt);
  const bool = (id: number, dflt = false): boolean => (t ? t.bool(id, dflt) : dflt);
  const act = (id: number): Activation => enumName(ACTIVATION_NAMES, i8(id), 'fused activation', what);
  const pad = (id: number): Padding => enumName(PADDING_NAMES, i8(id), 'padding', what);
  switch (op) {
    case 'CONV_2D': {
      const o: { op: 'CONV_2D' } & Conv2DOptions = {
        op, padding: pad(C.padding), strideW: i32(C.strideW), strideH: i32(C.strideH),
        fusedActivation: act(C.fusedActivation),
        dilationWFactor: i32(C.dilationWFactor, 1), dilationHFactor: i32(C.dilationHFactor, 1),
      };
      const bt = t ? biasType(t, C.quantizedBiasType, what) : undefined;
      if (bt) o.quantizedBiasType = bt;
      return o;
    }
    case 'DEPTHWISE_CONV_2D':
      return {
        op, padding: pad(D.padding), strideW: i32(D.strideW), strideH: i32(D.strideH),
        depthMultiplier: i32(D.depthMultiplier), fusedActivation: act(D.fusedActivation),
        dilationWFactor: i32(D.dilationWFactor, 1), dilationHFactor: i32(D.dilationHFactor, 1),
      };
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D':
      return {
        op, padding: pad(P.padding), strideW: i32(P.strideW), strideH: i32(P.strideH),
        filterWidth: i32(P.filterWidth), filterHeight: i32(P.filterHeight),
        fusedActivation: act(P.fusedActivation),
      };
    case 'FULLY_CONNECTED': {
      const o: { op: 'FULLY_CONNECTED' } & FullyConnectedOptions = {
        op, fusedActivation: act(F.fusedActivation),
        weightsFormat: enumName(WEIGHTS_FORMAT_NAMES, i8(F.weightsFormat), 'weights format', what),
        keepNumDims: bool(F.keepNumDims), asymmetricQuantizeInputs: bool(F.asymmetricQuantizeInputs),
      };
      const bt = t ? biasType(t, F.quantizedBiasType, what) : undefined;
      if (bt) o.quantizedBiasType = bt;
      return o;
    }
    case 'SOFTMAX':
      return { op, beta: t ? t.float32(SoftmaxOptionsField.beta) : 0 };
    case 'CONCATENATION':
      return {
        op, axis: i32(ConcatenationOptionsField.axis),
        fusedActivation: act(ConcatenationOptionsField.fusedActivation),
      };
    case 'ADD':
      return { op, fusedActivation: act(AddOptionsField.fusedActivation), potScaleInt16: bool(AddOptionsField.potScaleInt16, true) };
    case 'SUB':
      return { op, fusedActivation: act(SubOptionsField.fusedActivation), potScaleInt16: bool(SubOptionsField.potScaleInt16, true) };
    case 'MUL':
      return { op, fusedActivation: act(MulOptionsField.fusedActivation) };
    case 'RESHAPE': {
      const newShape = t ? t.int32s(ReshapeOptionsField.newShape, `the new_shape of ${what}`) : null;
      return newShape ? { op, newShape } : { op };
    }
    case 'MEAN':
    case 'REDUCE_MAX':
      return { op, keepDims: bool(ReducerOptionsField.keepDims) };
    case 'LEAKY_RELU':
      return { op, alpha: t ? t.float32(LeakyReluOptionsField.alpha) : 0 };
    case 'SQUEEZE':
      return { op, squeezeDims: (t ? t.int32s(SqueezeOptionsField.squeezeDims, `the squeeze_dims of ${what}`) : null) ?? [] };
    case 'TRANSPOSE_CONV': {
      const o: { op: 'TRANSPOSE_CONV' } & TransposeConvOptions = {
        op, padding: pad(T.padding), strideW: i32(T.strideW), strideH: i32(T.strideH), fusedActivation: act(T.fusedActivation),
      };
      const bt = t ? biasType(t, T.quantizedBiasType, what) : undefined;
      if (bt) o.quantizedBiasType = bt;
      return o;
    }
    case 'RESIZE_BILINEAR':
      return {
        op, alignCorners: bool(ResizeBilinearOptionsField.alignCorners),
        halfPixelCenters: bool(ResizeBilinearOptionsField.halfPixelCenters),
      };
    case 'RESIZE_NEAREST_NEIGHBOR':
      return {
        op, alignCorners: bool(ResizeNearestNeighborOptionsField.alignCorners),
        halfPixelCenters: bool(ResizeNearestNeighborOptionsField.halfPixelCenters),
      };
    case 'STRIDED_SLICE':
      return {
        op, beginMask: i32(S.beginMask), endMask: i32(S.endMask), ellipsisMask: i32(S.ellipsisMask),
        newAxisMask: i32(S.newAxisMask), shrinkAxisMask: i32(S.shrinkAxisMask), offset: bool(S.offset),
      };
    case 'MIRROR_PAD':
      return { op, mode: enumName(MIRROR_PAD_MODE_NAMES, i8(MirrorPadOptionsField.mode), 'mirror pad mode', what) };
    case 'SLICE':
    case 'SQUARED_DIFFERENCE':
    case 'RSQRT':
    case 'DEQUANTIZE':
    case 'HARD_SWISH':
    case 'LOGISTIC':
    case 'MAXIMUM':
    case 'MINIMUM':
    case 'PAD':
    case 'PRELU':
    case 'QUANTIZE':
    case 'RELU':
    case 'RELU6':
    case 'TANH':
      // TS cannot distribute one object over the union of these literal ops.
      return { op } as OperatorOptions;
  }
}

// ---- writing ---------------------------------------------------------------

function code<T extends string>(names: readonly T[], name: T): number {
  const c = names.indexOf(name);
  if (c < 0) throw new Error(`unknown enum value ${name}`);
  return c;
}

/** Writes the options table of `o` (if its op has one); returns [union type, offset]. */
export function writeOptions(b: Builder, o: OperatorOptions): [number, number] {
  if (o.op === 'OTHER') {
    if (o.optionsType !== 0) throw new Error(`cannot write the options of op ${o.name}, which this project does not model`);
    return [0, 0];
  }
  const table = OP_OPTIONS_TABLE[o.op];
  const type = BuiltinOptionsType[table];
  if (table === 'NONE') return [0, 0];
  const act = (id: number, a: Activation): void => b.addFieldInt8(id, code(ACTIVATION_NAMES, a), 0);
  const pad = (id: number, p: Padding): void => b.addFieldInt8(id, code(PADDING_NAMES, p), 0);
  type Window = { padding: Padding; strideW: number; strideH: number };
  type Dilation = { dilationWFactor: number; dilationHFactor: number };
  // The windowed ops' tables share these fields (at their own ids); field order is byte order.
  const window = (f: { [K in keyof Window]: number }, w: Window): void => {
    pad(f.padding, w.padding);
    b.addFieldInt32(f.strideW, w.strideW, 0);
    b.addFieldInt32(f.strideH, w.strideH, 0);
  };
  const dilation = (f: { [K in keyof Dilation]: number }, d: Dilation): void => {
    b.addFieldInt32(f.dilationWFactor, d.dilationWFactor, 1);
    b.addFieldInt32(f.dilationHFactor, d.dilationHFactor, 1);
  };
  let dims = 0;
  if (o.op === 'RESHAPE' && o.newShape) dims = int32Vector(b, o.newShape);
  if (o.op === 'SQUEEZE') dims = int32Vector(b, o.squeezeDims);
  switch (o.op) {
    case 'CONV_2D':
      b.startObject(C.count);
      window(C, o);
      act(C.fusedActivation, o.fusedActivation);
      dilation(C, o);
      if (o.quantizedBiasType) b.addFieldInt8(C.quantizedBiasType, TensorType[o.quantizedBiasType], 0);
      break;
    case 'DEPTHWISE_CONV_2D':
      b.startObject(D.count);
      window(D, o);
      b.addFieldInt32(D.depthMultiplier, o.depthMultiplier, 0);
      act(D.fusedActivation, o.fusedActivation);
      dilation(D, o);
      break;
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D':
      b.startObject(P.count);
      window(P, o);
      b.addFieldInt32(P.filterWidth, o.filterWidth, 0);
      b.addFieldInt32(P.filterHeight, o.filterHeight, 0);
      act(P.fusedActivation, o.fusedActivation);
      break;
    case 'FULLY_CONNECTED':
      b.startObject(F.count);
      act(F.fusedActivation, o.fusedActivation);
      b.addFieldInt8(F.weightsFormat, code(WEIGHTS_FORMAT_NAMES, o.weightsFormat), 0);
      b.addFieldInt8(F.keepNumDims, +o.keepNumDims, 0);
      b.addFieldInt8(F.asymmetricQuantizeInputs, +o.asymmetricQuantizeInputs, 0);
      if (o.quantizedBiasType) b.addFieldInt8(F.quantizedBiasType, TensorType[o.quantizedBiasType], 0);
      break;
    case 'SOFTMAX':
      b.startObject(SoftmaxOptionsField.count);
      b.addFieldFloat32(SoftmaxOptionsField.beta, o.beta, 0);
      break;
    case 'CONCATENATION':
      b.startObject(ConcatenationOptionsField.count);
      b.addFieldInt32(ConcatenationOptionsField.axis, o.axis, 0);
      act(ConcatenationOptionsField.fusedActivation, o.fusedActivation);
      break;
    case 'ADD':
    case 'SUB':
      // AddOptions and SubOptions share one layout.
      b.startObject(AddOptionsField.count);
      act(AddOptionsField.fusedActivation, o.fusedActivation);
      b.addFieldInt8(AddOptionsField.potScaleInt16, +o.potScaleInt16, 1);
      break;
    case 'MUL':
      b.startObject(MulOptionsField.count);
      act(MulOptionsField.fusedActivation, o.fusedActivation);
      break;
    case 'RESHAPE':
      b.startObject(ReshapeOptionsField.count);
      if (dims) b.addFieldOffset(ReshapeOptionsField.newShape, dims, 0);
      break;
    case 'MEAN':
    case 'REDUCE_MAX':
      b.startObject(ReducerOptionsField.count);
      b.addFieldInt8(ReducerOptionsField.keepDims, +o.keepDims, 0);
      break;
    case 'SQUEEZE':
      b.startObject(SqueezeOptionsField.count);
      b.addFieldOffset(SqueezeOptionsField.squeezeDims, dims, 0);
      break;
    case 'LEAKY_RELU':
      b.startObject(LeakyReluOptionsField.count);
      b.addFieldFloat32(LeakyReluOptionsField.alpha, o.alpha, 0);
      break;
    case 'TRANSPOSE_CONV':
      b.startObject(T.count);
      window(T, o);
      act(T.fusedActivation, o.fusedActivation);
      if (o.quantizedBiasType) b.addFieldInt8(T.quantizedBiasType, TensorType[o.quantizedBiasType], 0);
      break;
    case 'RESIZE_BILINEAR':
      b.startObject(ResizeBilinearOptionsField.count);
      b.addFieldInt8(ResizeBilinearOptionsField.alignCorners, +o.alignCorners, 0);
      b.addFieldInt8(ResizeBilinearOptionsField.halfPixelCenters, +o.halfPixelCenters, 0);
      break;
    case 'RESIZE_NEAREST_NEIGHBOR':
      b.startObject(ResizeNearestNeighborOptionsField.count);
      b.addFieldInt8(ResizeNearestNeighborOptionsField.alignCorners, +o.alignCorners, 0);
      b.addFieldInt8(ResizeNearestNeighborOptionsField.halfPixelCenters, +o.halfPixelCenters, 0);
      break;
    case 'STRIDED_SLICE':
      b.startObject(S.count);
      b.addFieldInt32(S.beginMask, o.beginMask, 0);
      b.addFieldInt32(S.endMask, o.endMask, 0);
      b.addFieldInt32(S.ellipsisMask, o.ellipsisMask, 0);
      b.addFieldInt32(S.newAxisMask, o.newAxisMask, 0);
      b.addFieldInt32(S.shrinkAxisMask, o.shrinkAxisMask, 0);
      b.addFieldInt8(S.offset, +o.offset, 0);
      break;
    case 'MIRROR_PAD':
      b.startObject(MirrorPadOptionsField.count);
      b.addFieldInt8(MirrorPadOptionsField.mode, code(MIRROR_PAD_MODE_NAMES, o.mode), 0);
      break;
    default:
      // Empty tables: DequantizeOptions, QuantizeOptions, PadOptions, HardSwishOptions, MaximumMinimumOptions,
      // SliceOptions, SquaredDifferenceOptions.
      b.startObject(0);
  }
  return [type, b.endObject()];
}

export function int32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i]!);
  return b.endVector();
}

/**
 * Options the builder fills in for fields a caller leaves out. Where the
 * schema default is unusable (stride 0, softmax beta 0) or surprising
 * (padding SAME), these pick the everyday value instead: VALID, 1, 1.
 */
export function defaultOptions<K extends OpName>(op: K): OpOptionsMap[K] {
  const d: { [P in OpName]: OpOptionsMap[P] } = {
    ADD: { fusedActivation: 'NONE', potScaleInt16: true },
    SUB: { fusedActivation: 'NONE', potScaleInt16: true },
    MUL: { fusedActivation: 'NONE' },
    AVERAGE_POOL_2D: { padding: 'VALID', strideW: 1, strideH: 1, filterWidth: 1, filterHeight: 1, fusedActivation: 'NONE' },
    MAX_POOL_2D: { padding: 'VALID', strideW: 1, strideH: 1, filterWidth: 1, filterHeight: 1, fusedActivation: 'NONE' },
    CONCATENATION: { axis: 0, fusedActivation: 'NONE' },
    CONV_2D: { padding: 'VALID', strideW: 1, strideH: 1, fusedActivation: 'NONE', dilationWFactor: 1, dilationHFactor: 1 },
    DEPTHWISE_CONV_2D: {
      padding: 'VALID', strideW: 1, strideH: 1, depthMultiplier: 1, fusedActivation: 'NONE',
      dilationWFactor: 1, dilationHFactor: 1,
    },
    FULLY_CONNECTED: { fusedActivation: 'NONE', weightsFormat: 'DEFAULT', keepNumDims: false, asymmetricQuantizeInputs: false },
    SOFTMAX: { beta: 1 },
    RESHAPE: {},
    MEAN: { keepDims: false },
    REDUCE_MAX: { keepDims: false },
    SQUEEZE: { squeezeDims: [] },
    // Keras' LeakyReLU default slope (the schema's default, 0, would make it a RELU).
    LEAKY_RELU: { alpha: 0.3 },
    DEQUANTIZE: {}, HARD_SWISH: {}, LOGISTIC: {}, PAD: {}, QUANTIZE: {}, RELU: {}, RELU6: {}, TANH: {},
    MAXIMUM: {}, MINIMUM: {}, PRELU: {},
    TRANSPOSE_CONV: { padding: 'VALID', strideW: 1, strideH: 1, fusedActivation: 'NONE' },
    RESIZE_BILINEAR: { alignCorners: false, halfPixelCenters: false },
    RESIZE_NEAREST_NEIGHBOR: { alignCorners: false, halfPixelCenters: false },
    STRIDED_SLICE: { beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0, offset: false },
    MIRROR_PAD: { mode: 'REFLECT' },
    SLICE: {}, SQUARED_DIFFERENCE: {}, RSQRT: {},
  };
  return d[op] as OpOptionsMap[K];
}
