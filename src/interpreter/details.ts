// What a user needs to know about a tensor to feed or read it, and the
// sentence `setInput` says when the data does not fit.

import { meanStd } from '../../quantize/math.js';
import type { DType } from './dtypes.js';
import { arrayDType } from './dtypes.js';

export interface TensorDetails {
  name: string;
  /** Tensor index in subgraph 0. */
  index: number;
  dtype: DType;
  shape: number[];
  bytes: number;
  /** Per-tensor quantization; null for float tensors (and per-channel ones: see `scales`). */
  scale: number | null;
  zeroPoint: number | null;
  /** Per-channel quantization (constant weights), with the axis it runs along. */
  scales?: number[];
  zeroPoints?: number[];
  quantizedDimension?: number;
  /** For per-tensor quantized tensors: real = (q − mean) / std, i.e. mean = zero point, std = 1/scale. */
  mean?: number;
  std?: number;
  constant: boolean;
  /** How the file stores a constant the interpreter holds as `dtype` (INT4 weights are unpacked to int8). */
  storedAs?: 'int4';
}

/** Short form of a number for sentences: 0.00392157 rather than 0.003921568859368563. */
export function num(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

export function withMeanStd(d: TensorDetails): TensorDetails {
  if (d.scale === null || d.zeroPoint === null || d.dtype === 'float32') return d;
  const { mean, std } = meanStd({ scale: d.scale, zeroPoint: d.zeroPoint });
  return { ...d, mean, std };
}

/** "int8 [1,28,28,1] = 784 bytes, scale 0.00392157, zero point -128 (real = (q − -128)/255)" */
export function describeTensor(d: TensorDetails): string {
  let s = `${d.dtype} ${shapeText(d.shape)} = ${d.bytes} bytes`;
  if (d.scale !== null && d.zeroPoint !== null) {
    s += `, scale ${num(d.scale)}, zero point ${d.zeroPoint}`;
    if (d.mean !== undefined && d.std !== undefined) s += `, mean ${num(d.mean)}, std ${num(d.std)} (real = (q − mean)/std)`;
  } else if (d.scales) {
    s += `, ${d.scales.length} per-channel scales along dimension ${d.quantizedDimension ?? 0}`;
  }
  return s;
}

/** How to turn real values into this tensor's codes, for error sentences and `run`. */
export function quantizeHint(d: TensorDetails): string {
  if (d.scale === null || d.zeroPoint === null) return '';
  return `quantize it with q = round(x/scale) + zero_point (scale ${num(d.scale)}, zero_point ${d.zeroPoint})`;
}

/**
 * The sentence for data that does not fit input `i`, e.g.
 * "input 0 is int8 [1,28,28,1] = 784 bytes; got 3136 bytes — this looks like
 * float32 data; quantize it with q = round(x/scale) + zero_point (scale 0.00392157, zero_point -128)".
 */
export function inputMismatch(i: number, d: TensorDetails, data: ArrayBufferView): string {
  const head = `input ${i} is ${d.dtype} ${shapeText(d.shape)} = ${d.bytes} bytes`;
  const kind = arrayDType(data);
  const raw = kind === 'uint8' || kind === 'bytes';
  const got = raw ? `got ${data.byteLength} bytes` : `got ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} array of ${data.byteLength} bytes`;
  const quantized = d.scale !== null && d.dtype !== 'float32';
  const elements = d.bytes / Math.max(1, bytesOf(d.dtype));
  let why = '';
  if (quantized && (kind === 'float32' || kind === 'float64' || (raw && data.byteLength === elements * 4))) {
    why = ` — this looks like ${kind === 'float64' ? 'float64' : 'float32'} data; ${quantizeHint(d)}`;
  } else if (d.dtype === 'float32' && (kind === 'int8' || (raw && data.byteLength === elements))) {
    why = ' — this looks like 8-bit data; this input takes float32 values';
  } else if (data.byteLength !== d.bytes) {
    const n = elements > 0 ? data.byteLength / bytesOf(d.dtype) : 0;
    if (Number.isInteger(n) && n > 0) why = ` (${n} ${d.dtype} values where ${elements} are needed)`;
  } else {
    why = ` — pass a ${d.dtype} typed array or the raw bytes as a Uint8Array`;
  }
  return `${head}; ${got}${why}`;
}

function bytesOf(d: DType): number {
  return d === 'float32' || d === 'int32' ? 4 : d === 'int64' ? 8 : d === 'int16' || d === 'float16' ? 2 : 1;
}
