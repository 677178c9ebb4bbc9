// Parses .tflite bytes into a TfliteModel. Structural problems (not a
// flatbuffer, offsets outside the file, unknown enum codes, features we cannot
// represent) become one UserError sentence; range checks between indices are
// validateModel's job.

import { UserError } from '../errors.js';
import {
  BuiltinOptionsType, FILE_IDENTIFIER, SCHEMA_VERSION, builtinOperatorName, tensorTypeName,
  ModelField, OperatorCodeField, SubGraphField, TensorField, QuantizationField, BufferField,
  OperatorField, MetadataField, TensorMapField, SignatureDefField,
} from './schema.js';
import { FlatReader, TableView, malformed } from './flatbuf.js';
import { OP_OPTIONS_TABLE, isOpName, readOptions, type OperatorOptions } from './options.js';
import type {
  TfliteModel, TfliteOperatorCode, TfliteSubGraph, TfliteTensor, TfliteQuantization,
  TfliteOperator, TfliteMetadata, TfliteSignatureDef, TfliteTensorMap,
} from './model.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export function readModel(bytes: Uint8Array): TfliteModel {
  if (!(bytes instanceof Uint8Array)) throw new UserError('A TFLite model must be given as bytes (a Uint8Array).');
  if (bytes.length < 8) {
    throw new UserError(`This is not a TFLite model: it is only ${bytes.length} bytes long.`);
  }
  const id = String.fromCharCode(bytes[4]!, bytes[5]!, bytes[6]!, bytes[7]!);
  if (id !== FILE_IDENTIFIER) {
    throw new UserError(`This is not a TFLite model: its file identifier is ${JSON.stringify(id)}, not "${FILE_IDENTIFIER}".`);
  }
  try {
    return readRoot(new FlatReader(bytes));
  } catch (e) {
    if (e instanceof UserError) throw e;
    // Anything else means a check above missed a hostile layout; still the
    // file's fault, so the user gets a sentence rather than a stack.
    throw malformed(`it could not be parsed (${e instanceof Error ? e.message : String(e)})`);
  }
}

function readRoot(r: FlatReader): TfliteModel {
  const m = r.root('the model table');
  const version = m.uint32(ModelField.version);
  if (version !== SCHEMA_VERSION) {
    throw new UserError(`This TFLite model uses schema version ${version}; only version ${SCHEMA_VERSION} is supported.`);
  }
  const operatorCodes = (m.tables(ModelField.operatorCodes, (i) => `operator code ${i}`) ?? []).map(readOperatorCode);
  const buffers = (m.tables(ModelField.buffers, (i) => `buffer ${i}`) ?? []).map(readBuffer);
  const subgraphs = (m.tables(ModelField.subgraphs, (i) => `subgraph ${i}`) ?? []).map((t, i) =>
    readSubGraph(t, i, operatorCodes),
  );
  return {
    version,
    description: m.string(ModelField.description, 'the model description') ?? '',
    operatorCodes,
    subgraphs,
    buffers,
    metadata: (m.tables(ModelField.metadata, (i) => `metadata entry ${i}`) ?? []).map(readMetadata),
    signatureDefs: (m.tables(ModelField.signatureDefs, (i) => `signature ${i}`) ?? []).map(readSignatureDef),
  };
}

function readOperatorCode(t: TableView): TfliteOperatorCode {
  // Files from before schema 3a carry only the int8 field; later ones carry
  // the placeholder 127 there for codes that do not fit. The larger wins.
  const deprecated = t.int8(OperatorCodeField.deprecatedBuiltinCode);
  const builtin = t.int32(OperatorCodeField.builtinCode);
  const oc: TfliteOperatorCode = {
    builtinCode: Math.max(deprecated, builtin),
    version: t.int32(OperatorCodeField.version, 1),
  };
  const custom = t.string(OperatorCodeField.customCode, `the custom code of ${t.what}`);
  if (custom !== null) oc.customCode = custom;
  return oc;
}

function readBuffer(t: TableView): Uint8Array {
  if (t.uint64(BufferField.offset) > 1n) {
    throw new UserError(
      `This TFLite model keeps ${t.what}'s data outside the flatbuffer (the >2 GB model layout), which is not supported.`,
    );
  }
  return t.bytes(BufferField.data, `the data of ${t.what}`) ?? new Uint8Array(0);
}

function readSubGraph(t: TableView, index: number, codes: TfliteOperatorCode[]): TfliteSubGraph {
  const where = `subgraph ${index}`;
  return {
    name: t.string(SubGraphField.name, `the name of ${where}`) ?? '',
    tensors: (t.tables(SubGraphField.tensors, (i) => `tensor ${i} of ${where}`) ?? []).map(readTensor),
    inputs: t.int32s(SubGraphField.inputs, `the inputs of ${where}`) ?? [],
    outputs: t.int32s(SubGraphField.outputs, `the outputs of ${where}`) ?? [],
    operators: (t.tables(SubGraphField.operators, (i) => `operator ${i} of ${where}`) ?? []).map((o) =>
      readOperator(o, codes),
    ),
  };
}

function readTensor(t: TableView): TfliteTensor {
  const typeCode = t.int8(TensorField.type);
  const type = tensorTypeName(typeCode);
  if (type === undefined) throw malformed(`${t.what} has unknown type code ${typeCode}`);
  const name = t.string(TensorField.name, `the name of ${t.what}`) ?? '';
  const label = `${t.what} (${JSON.stringify(name)})`;
  if (t.has(TensorField.sparsity)) {
    throw new UserError(`This TFLite model stores ${label} in sparse form, which is not supported.`);
  }
  const tensor: TfliteTensor = {
    name,
    shape: t.int32s(TensorField.shape, `the shape of ${label}`) ?? [],
    type,
    buffer: t.uint32(TensorField.buffer),
    isVariable: t.bool(TensorField.isVariable),
  };
  const q = t.table(TensorField.quantization, `the quantization of ${label}`);
  const quantization = q ? readQuantization(q, label) : undefined;
  if (quantization) tensor.quantization = quantization;
  const signature = t.int32s(TensorField.shapeSignature, `the shape signature of ${label}`);
  if (signature) tensor.shapeSignature = signature;
  return tensor;
}

/** Undefined when the table carries nothing (converters emit empty ones for float tensors). */
function readQuantization(q: TableView, label: string): TfliteQuantization | undefined {
  if (q.uint8(QuantizationField.detailsType) !== 0) {
    throw new UserError(`This TFLite model quantizes ${label} with custom quantization details, which are not supported.`);
  }
  const min = q.float32s(QuantizationField.min, `the min of ${label}`);
  const max = q.float32s(QuantizationField.max, `the max of ${label}`);
  const scale = q.float32s(QuantizationField.scale, `the scales of ${label}`) ?? [];
  const zp = q.int64s(QuantizationField.zeroPoint, `the zero points of ${label}`) ?? [];
  if (!min?.length && !max?.length && scale.length === 0 && zp.length === 0) return undefined;
  const zeroPoint = zp.map((z) => {
    if (z > MAX_SAFE || z < -MAX_SAFE) throw malformed(`${label} has an impossible zero point ${z}`);
    return Number(z);
  });
  const out: TfliteQuantization = {
    scale,
    zeroPoint,
    quantizedDimension: q.int32(QuantizationField.quantizedDimension),
  };
  if (min?.length) out.min = min;
  if (max?.length) out.max = max;
  return out;
}

function readOperator(t: TableView, codes: TfliteOperatorCode[]): TfliteOperator {
  const opcodeIndex = t.uint32(OperatorField.opcodeIndex);
  const code = codes[opcodeIndex];
  if (code === undefined) {
    throw malformed(`${t.what} uses operator code ${opcodeIndex}, but the model lists only ${codes.length}`);
  }
  if (t.uint64(OperatorField.largeCustomOptionsOffset) > 1n) {
    throw new UserError(`This TFLite model keeps the options of ${t.what} outside the flatbuffer, which is not supported.`);
  }
  const name = builtinOperatorName(code.builtinCode);
  const label = `${t.what} (${name})`;
  const optionsType = t.uint8(OperatorField.builtinOptionsType);
  let options: OperatorOptions;
  if (isOpName(name)) {
    const expected = BuiltinOptionsType[OP_OPTIONS_TABLE[name]];
    // Empty-table ops are sometimes written without their (empty) table.
    if (optionsType !== expected && optionsType !== 0) {
      throw malformed(`${label} carries builtin options of type ${optionsType} where type ${expected} belongs`);
    }
    const table = optionsType === 0 ? null : t.table(OperatorField.builtinOptions, `the options of ${label}`);
    options = readOptions(name, table, label);
  } else {
    options = { op: 'OTHER', name, builtinCode: code.builtinCode, optionsType };
  }
  const op: TfliteOperator = {
    opcodeIndex,
    inputs: t.int32s(OperatorField.inputs, `the inputs of ${label}`) ?? [],
    outputs: t.int32s(OperatorField.outputs, `the outputs of ${label}`) ?? [],
    options,
  };
  const intermediates = t.int32s(OperatorField.intermediates, `the intermediates of ${label}`);
  if (intermediates?.length) op.intermediates = intermediates;
  const custom = t.bytes(OperatorField.customOptions, `the custom options of ${label}`);
  if (custom) op.customOptions = custom;
  return op;
}

function readMetadata(t: TableView): TfliteMetadata {
  return {
    name: t.string(MetadataField.name, `the name of ${t.what}`) ?? '',
    buffer: t.uint32(MetadataField.buffer),
  };
}

function readTensorMap(t: TableView): TfliteTensorMap {
  return {
    name: t.string(TensorMapField.name, `the name of ${t.what}`) ?? '',
    tensorIndex: t.uint32(TensorMapField.tensorIndex),
  };
}

function readSignatureDef(t: TableView): TfliteSignatureDef {
  return {
    signatureKey: t.string(SignatureDefField.signatureKey, `the key of ${t.what}`) ?? '',
    subgraphIndex: t.uint32(SignatureDefField.subgraphIndex),
    inputs: (t.tables(SignatureDefField.inputs, (i) => `input ${i} of ${t.what}`) ?? []).map(readTensorMap),
    outputs: (t.tables(SignatureDefField.outputs, (i) => `output ${i} of ${t.what}`) ?? []).map(readTensorMap),
  };
}
