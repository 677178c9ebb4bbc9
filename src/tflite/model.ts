// A plain-TypeScript picture of a .tflite file: what the exporter fills in and
// what the interpreter and `inspect` read. Field names follow schema.fbs in
// camelCase; enums are their schema names.

import type { TensorTypeName } from './enums.js';
import type { OperatorOptions } from './options.js';

export interface TfliteQuantization {
  /** real = scale · (q − zeroPoint); one entry per tensor, or one per channel. */
  scale: number[];
  zeroPoint: number[];
  /** The axis per-channel entries run along (ignored for a single entry). */
  quantizedDimension: number;
  /** Float range the converter observed; informational only. */
  min?: number[];
  max?: number[];
}

export interface TfliteTensor {
  name: string;
  shape: number[];
  type: TensorTypeName;
  /** Index into TfliteModel.buffers; 0 (the empty buffer) for activations. */
  buffer: number;
  quantization?: TfliteQuantization;
  isVariable: boolean;
  /** The shape with −1 for dimensions unknown at conversion time. */
  shapeSignature?: number[];
}

export interface TfliteOperator {
  opcodeIndex: number;
  /** Tensor indices; −1 marks an optional input that is left out. */
  inputs: number[];
  outputs: number[];
  options: OperatorOptions;
  intermediates?: number[];
  /** Raw custom_options (custom ops only). */
  customOptions?: Uint8Array;
}

export interface TfliteSubGraph {
  name: string;
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  /** In execution order. */
  operators: TfliteOperator[];
}

export interface TfliteOperatorCode {
  /** BuiltinOperator code, already resolved from builtin_code / deprecated_builtin_code. */
  builtinCode: number;
  version: number;
  customCode?: string;
}

export interface TfliteMetadata {
  name: string;
  buffer: number;
}

export interface TfliteTensorMap {
  /** The alias runtimes show for the tensor. */
  name: string;
  tensorIndex: number;
}

export interface TfliteSignatureDef {
  signatureKey: string;
  subgraphIndex: number;
  inputs: TfliteTensorMap[];
  outputs: TfliteTensorMap[];
}

export interface TfliteModel {
  /** Schema version; always 3 for files this project reads or writes. */
  version: number;
  description: string;
  operatorCodes: TfliteOperatorCode[];
  /** Subgraph 0 is the main graph. */
  subgraphs: TfliteSubGraph[];
  /**
   * Constant data. Buffer 0 is the empty sentinel activations point to. After
   * readModel these are views into the bytes that were read (no copy), so they
   * may sit at any byteOffset; copy before making wider typed-array views.
   */
  buffers: Uint8Array[];
  metadata: TfliteMetadata[];
  signatureDefs: TfliteSignatureDef[];
}

export { readModel } from './read.js';
export { writeModel } from './write.js';
