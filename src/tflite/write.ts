// Serializes a TfliteModel to .tflite bytes with the flatbuffers Builder.
// The Builder fills its buffer back to front, so the objects created first
// (the constant buffers) end up at the end of the file, as converters do.

import { Builder } from 'flatbuffers';
import {
  FILE_IDENTIFIER, PLACEHOLDER_FOR_GREATER_OP_CODES, SCHEMA_VERSION, TensorType, builtinOperatorName,
  ModelField, OperatorCodeField, SubGraphField, TensorField, QuantizationField, BufferField,
  OperatorField, MetadataField, TensorMapField, SignatureDefField,
} from './schema.js';
import { int32Vector, writeOptions } from './options.js';
import type {
  TfliteModel, TfliteOperatorCode, TfliteSubGraph, TfliteTensor, TfliteQuantization,
  TfliteOperator, TfliteSignatureDef,
} from './model.js';

/** Constant data starts on a 16-byte boundary (schema: force_align 16), so it can be mapped in place. */
const BUFFER_ALIGN = 16;

export function writeModel(model: TfliteModel): Uint8Array {
  const b = new Builder(1024 + model.buffers.reduce((n, x) => n + x.length + BUFFER_ALIGN, 0));
  const buffers = tableVector(b, model.buffers.map((data) => writeBuffer(b, data)));
  const codes = tableVector(b, model.operatorCodes.map((c) => writeOperatorCode(b, c)));
  const subgraphs = tableVector(b, model.subgraphs.map((g) => writeSubGraph(b, g, model.operatorCodes)));
  const metadata = tableVector(
    b,
    model.metadata.map((m) => {
      const name = b.createString(m.name);
      b.startObject(MetadataField.count);
      b.addFieldOffset(MetadataField.name, name, 0);
      b.addFieldInt32(MetadataField.buffer, m.buffer, 0);
      return b.endObject();
    }),
  );
  const signatures = tableVector(b, model.signatureDefs.map((s) => writeSignatureDef(b, s)));
  const description = model.description ? b.createString(model.description) : 0;

  b.startObject(ModelField.count);
  b.addFieldInt32(ModelField.version, model.version ?? SCHEMA_VERSION, 0);
  b.addFieldOffset(ModelField.operatorCodes, codes, 0);
  b.addFieldOffset(ModelField.subgraphs, subgraphs, 0);
  if (description) b.addFieldOffset(ModelField.description, description, 0);
  b.addFieldOffset(ModelField.buffers, buffers, 0);
  if (model.metadata.length) b.addFieldOffset(ModelField.metadata, metadata, 0);
  if (model.signatureDefs.length) b.addFieldOffset(ModelField.signatureDefs, signatures, 0);
  b.finish(b.endObject(), FILE_IDENTIFIER);
  // asUint8Array is a view into the builder's oversized backing store; copy
  // so the caller holds exactly the file.
  return b.asUint8Array().slice();
}

function tableVector(b: Builder, offsets: number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]!);
  return b.endVector();
}

function writeBuffer(b: Builder, data: Uint8Array): number {
  let vec = 0;
  if (data.length > 0) {
    // Pad so the bytes end (and, with the length word before them, start) on
    // the boundary; the finished file's size is then a multiple of it too.
    b.prep(BUFFER_ALIGN, data.length);
    vec = b.createByteVector(data);
  }
  b.startObject(BufferField.count);
  if (vec) b.addFieldOffset(BufferField.data, vec, 0);
  return b.endObject();
}

function writeOperatorCode(b: Builder, c: TfliteOperatorCode): number {
  const custom = c.customCode !== undefined ? b.createString(c.customCode) : 0;
  b.startObject(OperatorCodeField.count);
  // Readers take max(deprecated, builtin): old ones only know the int8 field.
  b.addFieldInt8(OperatorCodeField.deprecatedBuiltinCode, Math.min(c.builtinCode, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  if (custom) b.addFieldOffset(OperatorCodeField.customCode, custom, 0);
  b.addFieldInt32(OperatorCodeField.version, c.version, 1);
  b.addFieldInt32(OperatorCodeField.builtinCode, c.builtinCode, 0);
  return b.endObject();
}

function writeSubGraph(b: Builder, g: TfliteSubGraph, codes: TfliteOperatorCode[]): number {
  const tensors = tableVector(b, g.tensors.map((t) => writeTensor(b, t)));
  const inputs = int32Vector(b, g.inputs);
  const outputs = int32Vector(b, g.outputs);
  const operators = tableVector(b, g.operators.map((o, i) => writeOperator(b, o, i, codes)));
  const name = g.name ? b.createString(g.name) : 0;
  b.startObject(SubGraphField.count);
  b.addFieldOffset(SubGraphField.tensors, tensors, 0);
  b.addFieldOffset(SubGraphField.inputs, inputs, 0);
  b.addFieldOffset(SubGraphField.outputs, outputs, 0);
  b.addFieldOffset(SubGraphField.operators, operators, 0);
  if (name) b.addFieldOffset(SubGraphField.name, name, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: TfliteTensor): number {
  const shape = int32Vector(b, t.shape);
  const name = b.createString(t.name);
  // Converters give every tensor a quantization table, empty for float ones.
  const quant = writeQuantization(b, t.quantization);
  const signature = t.shapeSignature ? int32Vector(b, t.shapeSignature) : 0;
  b.startObject(TensorField.count);
  b.addFieldOffset(TensorField.shape, shape, 0);
  b.addFieldInt8(TensorField.type, TensorType[t.type], 0);
  b.addFieldInt32(TensorField.buffer, t.buffer, 0);
  b.addFieldOffset(TensorField.name, name, 0);
  b.addFieldOffset(TensorField.quantization, quant, 0);
  b.addFieldInt8(TensorField.isVariable, +t.isVariable, 0);
  if (signature) b.addFieldOffset(TensorField.shapeSignature, signature, 0);
  return b.endObject();
}

function float32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
  return b.endVector();
}

function writeQuantization(b: Builder, q: TfliteQuantization | undefined): number {
  if (!q) {
    b.startObject(QuantizationField.count);
    return b.endObject();
  }
  const min = q.min?.length ? float32Vector(b, q.min) : 0;
  const max = q.max?.length ? float32Vector(b, q.max) : 0;
  const scale = float32Vector(b, q.scale);
  b.startVector(8, q.zeroPoint.length, 8);
  for (let i = q.zeroPoint.length - 1; i >= 0; i--) b.addInt64(BigInt(q.zeroPoint[i]!));
  const zeroPoint = b.endVector();
  b.startObject(QuantizationField.count);
  if (min) b.addFieldOffset(QuantizationField.min, min, 0);
  if (max) b.addFieldOffset(QuantizationField.max, max, 0);
  b.addFieldOffset(QuantizationField.scale, scale, 0);
  b.addFieldOffset(QuantizationField.zeroPoint, zeroPoint, 0);
  b.addFieldInt32(QuantizationField.quantizedDimension, q.quantizedDimension, 0);
  return b.endObject();
}

function writeOperator(b: Builder, o: TfliteOperator, index: number, codes: TfliteOperatorCode[]): number {
  const code = codes[o.opcodeIndex];
  if (!code) throw new Error(`operator ${index} uses operator code ${o.opcodeIndex}, but the model lists only ${codes.length}`);
  const name = builtinOperatorName(code.builtinCode);
  const optionsName = o.options.op === 'OTHER' ? o.options.name : o.options.op;
  if (optionsName !== name) throw new Error(`operator ${index} is ${name} but carries options of ${optionsName}`);
  const inputs = int32Vector(b, o.inputs);
  const outputs = int32Vector(b, o.outputs);
  const intermediates = o.intermediates?.length ? int32Vector(b, o.intermediates) : 0;
  const custom = o.customOptions ? b.createByteVector(o.customOptions) : 0;
  const [optionsType, options] = writeOptions(b, o.options);
  b.startObject(OperatorField.count);
  b.addFieldInt32(OperatorField.opcodeIndex, o.opcodeIndex, 0);
  b.addFieldOffset(OperatorField.inputs, inputs, 0);
  b.addFieldOffset(OperatorField.outputs, outputs, 0);
  if (options) {
    b.addFieldInt8(OperatorField.builtinOptionsType, optionsType, 0);
    b.addFieldOffset(OperatorField.builtinOptions, options, 0);
  }
  if (custom) b.addFieldOffset(OperatorField.customOptions, custom, 0);
  if (intermediates) b.addFieldOffset(OperatorField.intermediates, intermediates, 0);
  return b.endObject();
}

function writeSignatureDef(b: Builder, s: TfliteSignatureDef): number {
  const maps = (list: TfliteSignatureDef['inputs']): number =>
    tableVector(
      b,
      list.map((m) => {
        const name = b.createString(m.name);
        b.startObject(TensorMapField.count);
        b.addFieldOffset(TensorMapField.name, name, 0);
        b.addFieldInt32(TensorMapField.tensorIndex, m.tensorIndex, 0);
        return b.endObject();
      }),
    );
  const inputs = maps(s.inputs);
  const outputs = maps(s.outputs);
  const key = b.createString(s.signatureKey);
  b.startObject(SignatureDefField.count);
  b.addFieldOffset(SignatureDefField.inputs, inputs, 0);
  b.addFieldOffset(SignatureDefField.outputs, outputs, 0);
  b.addFieldOffset(SignatureDefField.signatureKey, key, 0);
  b.addFieldInt32(SignatureDefField.subgraphIndex, s.subgraphIndex, 0);
  return b.endObject();
}
