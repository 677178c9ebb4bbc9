// The element types the interpreter can hold in its arena, how they map to
// TFLite's TensorType names and to JS typed arrays.

import type { TensorTypeName } from '../tflite/enums.js';

export type DType = 'float32' | 'int8' | 'uint8' | 'int16' | 'int32' | 'int64' | 'float16' | 'bool';

export type TensorData = Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array;

const FROM_TFLITE: Partial<Record<TensorTypeName, DType>> = {
  FLOAT32: 'float32', INT8: 'int8', UINT8: 'uint8', INT16: 'int16', INT32: 'int32', INT64: 'int64', FLOAT16: 'float16', BOOL: 'bool',
};

export function dtypeOf(type: TensorTypeName): DType | undefined {
  return FROM_TFLITE[type];
}

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float32: 4, int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, float16: 2, bool: 1,
};

/** A typed-array view of `length` elements of `dtype` at `byteOffset` (which must be aligned). */
export function viewOf(dtype: DType, buffer: ArrayBuffer, byteOffset: number, length: number): TensorData {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer, byteOffset, length);
    case 'int8': return new Int8Array(buffer, byteOffset, length);
    case 'uint8':
    case 'bool': return new Uint8Array(buffer, byteOffset, length);
    case 'int16': return new Int16Array(buffer, byteOffset, length);
    // float16 is kept as raw half-precision bits.
    case 'float16': return new Uint16Array(buffer, byteOffset, length);
    case 'int32': return new Int32Array(buffer, byteOffset, length);
    case 'int64': return new BigInt64Array(buffer, byteOffset, length);
  }
}

/** The dtype a typed array holds, as far as its constructor tells. */
export function arrayDType(a: ArrayBufferView): string {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigInt64Array) return 'int64';
  return 'bytes';
}

export function isQuantizedDType(d: DType): boolean {
  return d === 'int8' || d === 'uint8' || d === 'int16';
}
