// The project's TFLite flatbuffer layer: schema subset, model read/write,
// validation and a builder. The exporter writes through it, the interpreter
// and `inspect` read through it.

export * from './schema.js';
export * from './options.js';
export * from './model.js';
export { validateModel, elementCount, tensorLabel, MAX_TENSOR_ELEMENTS } from './validate.js';
export { opVersion, minRuntimeVersion, runtimeVersionBytes, type OpSignature } from './versions.js';
export { ModelBuilder, type TensorSpec, type QuantizationSpec, type BuilderOptions, type BuildSettings } from './build.js';
export { int4Bytes, packInt4, unpackInt4 } from './int4.js';
export { storesInt4 } from '../../quantize/op-table.js';
