// The subset of the public TFLite schema (tensorflow/compiler/mlir/lite/schema/
// schema.fbs, file_identifier "TFL3") that this project reads and writes.
// Each table lists its fields by flatbuffer field id: the position of the
// field in the .fbs declaration, counting deprecated fields, and counting a
// union field twice (its hidden `_type` byte comes first). `count` is the
// number of ids the table declares, which sizes the builder's vtable.

export * from './enums.js';

export const FILE_IDENTIFIER = 'TFL3';
export const SCHEMA_VERSION = 3;

// table Model
export const ModelField = {
  version: 0, // uint
  operatorCodes: 1, // [OperatorCode]
  subgraphs: 2, // [SubGraph]
  description: 3, // string
  buffers: 4, // [Buffer]
  metadataBuffer: 5, // [int], deprecated in favour of metadata
  metadata: 6, // [Metadata]
  signatureDefs: 7, // [SignatureDef]
  count: 8,
} as const;

// table OperatorCode
export const OperatorCodeField = {
  deprecatedBuiltinCode: 0, // byte
  customCode: 1, // string
  version: 2, // int = 1
  builtinCode: 3, // BuiltinOperator (int32)
  count: 4,
} as const;

// table SubGraph
export const SubGraphField = {
  tensors: 0, // [Tensor]
  inputs: 1, // [int]
  outputs: 2, // [int]
  operators: 3, // [Operator]
  name: 4, // string
  count: 5,
} as const;

// table Tensor
export const TensorField = {
  shape: 0, // [int]
  type: 1, // TensorType (byte)
  buffer: 2, // uint
  name: 3, // string
  quantization: 4, // QuantizationParameters
  isVariable: 5, // bool = false
  sparsity: 6, // SparsityParameters (not supported: rejected on read)
  shapeSignature: 7, // [int]
  hasRank: 8, // bool = false
  variantTensors: 9, // [VariantSubType]
  count: 10,
} as const;

// table QuantizationParameters
export const QuantizationField = {
  min: 0, // [float]
  max: 1, // [float]
  scale: 2, // [float]
  zeroPoint: 3, // [long]
  detailsType: 4, // QuantizationDetails union type (ubyte)
  details: 5, // union value (CustomQuantization; rejected on read)
  quantizedDimension: 6, // int
  count: 7,
} as const;

// table Buffer
export const BufferField = {
  data: 0, // [ubyte] (force_align: 16)
  offset: 1, // ulong: >2 GB models keep data outside the flatbuffer
  size: 2, // ulong
  count: 3,
} as const;

// table Operator
export const OperatorField = {
  opcodeIndex: 0, // uint
  inputs: 1, // [int], -1 = optional input left out
  outputs: 2, // [int]
  builtinOptionsType: 3, // BuiltinOptions union type (ubyte)
  builtinOptions: 4, // union value
  customOptions: 5, // [ubyte]
  customOptionsFormat: 6, // byte
  mutatingVariableInputs: 7, // [bool]
  intermediates: 8, // [int]
  largeCustomOptionsOffset: 9, // ulong
  largeCustomOptionsSize: 10, // ulong
  builtinOptions2Type: 11, // BuiltinOptions2 union type
  builtinOptions2: 12,
  count: 13,
} as const;

// table Metadata
export const MetadataField = {
  name: 0, // string
  buffer: 1, // uint
  count: 2,
} as const;

// table TensorMap
export const TensorMapField = {
  name: 0, // string
  tensorIndex: 1, // uint
  count: 2,
} as const;

// table SignatureDef
export const SignatureDefField = {
  inputs: 0, // [TensorMap]
  outputs: 1, // [TensorMap]
  signatureKey: 2, // string
  deprecatedTag: 3, // string (deprecated; still occupies its id)
  subgraphIndex: 4, // uint
  count: 5,
} as const;

// Builtin options tables.
export const Conv2DOptionsField = {
  padding: 0, strideW: 1, strideH: 2, fusedActivation: 3,
  dilationWFactor: 4, dilationHFactor: 5, quantizedBiasType: 6, count: 7,
} as const;
export const DepthwiseConv2DOptionsField = {
  padding: 0, strideW: 1, strideH: 2, depthMultiplier: 3, fusedActivation: 4,
  dilationWFactor: 5, dilationHFactor: 6, count: 7,
} as const;
export const Pool2DOptionsField = {
  padding: 0, strideW: 1, strideH: 2, filterWidth: 3, filterHeight: 4, fusedActivation: 5, count: 6,
} as const;
export const FullyConnectedOptionsField = {
  fusedActivation: 0, weightsFormat: 1, keepNumDims: 2, asymmetricQuantizeInputs: 3,
  quantizedBiasType: 4, count: 5,
} as const;
export const SoftmaxOptionsField = { beta: 0, count: 1 } as const;
export const ConcatenationOptionsField = { axis: 0, fusedActivation: 1, count: 2 } as const;
export const AddOptionsField = { fusedActivation: 0, potScaleInt16: 1, count: 2 } as const;
export const SubOptionsField = { fusedActivation: 0, potScaleInt16: 1, count: 2 } as const;
export const MulOptionsField = { fusedActivation: 0, count: 1 } as const;
export const ReshapeOptionsField = { newShape: 0, count: 1 } as const;
export const ReducerOptionsField = { keepDims: 0, count: 1 } as const;
export const SqueezeOptionsField = { squeezeDims: 0, count: 1 } as const;
export const LeakyReluOptionsField = { alpha: 0, count: 1 } as const;
export const TransposeConvOptionsField = {
  padding: 0, strideW: 1, strideH: 2, fusedActivation: 3, quantizedBiasType: 4, count: 5,
} as const;
/** new_height/new_width (0, 1) are deprecated: the size comes from input 1. */
export const ResizeBilinearOptionsField = { alignCorners: 2, halfPixelCenters: 3, count: 4 } as const;
export const ResizeNearestNeighborOptionsField = { alignCorners: 0, halfPixelCenters: 1, count: 2 } as const;
export const StridedSliceOptionsField = {
  beginMask: 0, endMask: 1, ellipsisMask: 2, newAxisMask: 3, shrinkAxisMask: 4, offset: 5, count: 6,
} as const;
export const MirrorPadOptionsField = { mode: 0, count: 1 } as const;
