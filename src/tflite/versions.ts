// Operator versions and the model's min_runtime_version, following the rules
// of TFLite's tools/versioning (op_version.cc, runtime_version.cc) for the ops
// this project writes. Runtimes refuse an op whose version they do not know,
// and older ones refuse a model whose min_runtime_version is too new.

import type { TensorTypeName } from './enums.js';
import type { OpName, OperatorOptions } from './options.js';

export interface OpSignature {
  /** Types of the op's inputs (absent optional inputs left out or null). */
  inputs: readonly (TensorTypeName | null)[];
  outputs: readonly TensorTypeName[];
  options: OperatorOptions;
  /** Whether the weights (input 1) carry per-channel scales. */
  perChannel?: boolean;
  /** Input shapes, where the version depends on them (MAXIMUM/MINIMUM broadcasting). */
  shapes?: readonly (readonly number[])[];
}

export function opVersion(op: OpName, sig: OpSignature): number {
  const [in0, in1] = sig.inputs;
  const out0 = sig.outputs[0];
  const int8 = in0 === 'INT8';
  const int8Op = in0 === 'INT8' && in1 === 'INT8' && out0 === 'INT8';
  const hybrid = in0 === 'FLOAT32' && in1 === 'INT8' && out0 === 'FLOAT32';
  const int4Weights = in0 === 'INT8' && in1 === 'INT4' && out0 === 'INT8';
  const o = sig.options;
  switch (op) {
    case 'CONV_2D':
      if (int8Op) return 3;
      if (int4Weights) return 7;
      if (hybrid) return sig.perChannel ? 5 : 2;
      return 1;
    case 'DEPTHWISE_CONV_2D':
      if (hybrid) return sig.perChannel ? 6 : 4;
      if (int8Op) return 3;
      if (int4Weights) return 7;
      if (o.op === 'DEPTHWISE_CONV_2D' && (o.dilationWFactor !== 1 || o.dilationHFactor !== 1)) return 2;
      return 1;
    case 'FULLY_CONNECTED': {
      if (hybrid && sig.perChannel) return 12;
      const present = sig.inputs.filter((t) => t !== null).length;
      if (present === 2) return 6;
      if (o.op === 'FULLY_CONNECTED' && o.keepNumDims) return 5;
      if (int8Op) return 4;
      if (int4Weights) return 10;
      if (hybrid) return o.op === 'FULLY_CONNECTED' && o.asymmetricQuantizeInputs ? 9 : 3;
      if (o.op === 'FULLY_CONNECTED' && o.weightsFormat !== 'DEFAULT') return 2;
      return 1;
    }
    case 'DEQUANTIZE':
      if (in0 === 'INT16' || in0 === 'FLOAT16') return 3;
      if (int8) return sig.perChannel ? 5 : 2;
      return 1;
    case 'QUANTIZE':
      if (out0 === 'INT16') return 2;
      return 1;
    case 'RELU':
      return int8 || in0 === 'UINT8' ? 2 : 1;
    case 'ADD':
    case 'SUB':
    case 'MUL':
    case 'AVERAGE_POOL_2D':
    case 'MAX_POOL_2D':
    case 'CONCATENATION':
    case 'SOFTMAX':
    case 'MEAN':
    case 'RELU6':
    case 'PAD':
    case 'LOGISTIC':
    case 'TANH':
      // MUL v3 (rescale ≥ 1) needs the scales; callers that can hit it pass a version.
      return int8 ? 2 : 1;
    case 'MAXIMUM':
    case 'MINIMUM': {
      // Version 3 is a broadcast over more than 4 dimensions.
      const [s0, s1] = sig.shapes ?? [];
      const broadcast = s0 !== undefined && s1 !== undefined && (s0.length !== s1.length || s0.some((d, i) => d !== s1[i]));
      if (broadcast && Math.max(s0.length, s1.length) > 4) return 3;
      return int8 ? 2 : 1;
    }
    case 'REDUCE_MAX':
      return int8 ? 2 : 1;
    case 'RESHAPE':
    case 'SQUEEZE':
    case 'HARD_SWISH':
    case 'PRELU':
    case 'LEAKY_RELU': // LEAKY_RELU and PRELU keep version 1 for int8 (LEAKY_RELU 2 is int16).
    case 'MIRROR_PAD':
      return 1;
    case 'TRANSPOSE_CONV': {
      // A present bias (input 3) is version 3, or 4 with a fused activation.
      if (sig.inputs.length >= 4 && sig.inputs[3] !== null) {
        return o.op === 'TRANSPOSE_CONV' && o.fusedActivation !== 'NONE' ? 4 : 3;
      }
      return in1 === 'INT8' ? 2 : 1;
    }
    case 'RESIZE_BILINEAR':
      if (o.op === 'RESIZE_BILINEAR' && o.halfPixelCenters) return 3;
      return int8 ? 2 : 1;
    case 'RESIZE_NEAREST_NEIGHBOR':
      if (o.op === 'RESIZE_NEAREST_NEIGHBOR' && (o.halfPixelCenters || o.alignCorners)) return 3;
      return int8 ? 2 : 1;
    case 'STRIDED_SLICE':
    case 'SLICE':
    case 'SQUARED_DIFFERENCE':
    case 'RSQRT':
      return int8 ? 2 : 1;
  }
}

/** The first TFLite release that runs each (op, version) we may write. */
const RUNTIME_VERSION: Readonly<Partial<Record<OpName, readonly string[]>>> = {
  // index = op version − 1
  ADD: ['1.5.0', '1.14.0'],
  AVERAGE_POOL_2D: ['1.5.0', '1.14.0'],
  CONCATENATION: ['1.5.0', '1.14.0'],
  CONV_2D: ['1.5.0', '1.14.0', '1.14.0', '2.3.0', '2.4.0', '2.9.0', '2.11.0'],
  DEPTHWISE_CONV_2D: ['1.5.0', '1.12.0', '1.14.0', '2.2.0', '2.3.0', '2.3.0', '2.11.0'],
  DEQUANTIZE: ['1.13.1', '1.14.0', '1.15.0', '2.2.0', '2.7.0'],
  FULLY_CONNECTED: ['1.5.0', '1.10.0', '1.14.0', '1.14.0', '2.0.0', '2.1.0', '2.3.0', '2.3.0', '2.3.0', '2.11.0'],
  HARD_SWISH: ['1.15.0'],
  LEAKY_RELU: ['1.13.1'],
  LOGISTIC: ['1.14.0', '1.14.0'],
  MAX_POOL_2D: ['1.5.0', '1.14.0'],
  MAXIMUM: ['1.14.0', '1.14.0', '2.3.0'],
  MEAN: ['1.6.0', '1.14.0'],
  MINIMUM: ['1.14.0', '1.14.0', '2.3.0'],
  MUL: ['1.5.0', '1.14.0', '1.15.0'],
  PAD: ['1.5.0', '1.14.0'],
  PRELU: ['1.8.0'],
  QUANTIZE: ['1.14.0', '1.15.0'],
  REDUCE_MAX: ['1.11.0', '1.14.0'],
  RELU: ['1.5.0', '2.1.0'],
  RELU6: ['1.5.0', '1.14.0'],
  RESHAPE: ['1.5.0'],
  SOFTMAX: ['1.5.0', '1.14.0'],
  SQUEEZE: ['1.6.0'],
  SUB: ['1.6.0', '1.14.0'],
  TANH: ['1.14.0', '1.14.0'],
  TRANSPOSE_CONV: ['1.9.0', '2.2.0', '2.3.0', '2.13.0'],
  RESIZE_BILINEAR: ['1.7.0', '1.14.0', '2.2.0'],
  RESIZE_NEAREST_NEIGHBOR: ['1.13.1', '1.14.0', '2.5.0'],
  STRIDED_SLICE: ['1.6.0', '1.14.0'],
  SLICE: ['1.14.0', '1.14.0'],
  MIRROR_PAD: ['1.13.1'],
  SQUARED_DIFFERENCE: ['1.13.1', '2.5.0'],
  RSQRT: ['1.10.0', '2.5.0'],
};

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The newest runtime any of the (op, version) pairs needs; pairs we do not know are skipped, as TFLite does. */
export function minRuntimeVersion(ops: Iterable<{ op: OpName; version: number }>): string {
  let best = '1.5.0';
  for (const { op, version } of ops) {
    const v = RUNTIME_VERSION[op]?.[version - 1];
    if (v && compareVersions(v, best) > 0) best = v;
  }
  return best;
}

/** The metadata buffer TFLite reserves for min_runtime_version: 16 bytes, NUL-padded. */
export function runtimeVersionBytes(version: string): Uint8Array {
  const bytes = new Uint8Array(16);
  const text = new TextEncoder().encode(version);
  if (text.length >= 16) throw new Error(`runtime version string ${version} does not fit 16 bytes`);
  bytes.set(text);
  return bytes;
}
