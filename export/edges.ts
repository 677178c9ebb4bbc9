// The model's edges: what callers feed and read. Inside, an int8 model works
// on int8 tensors named after the IR (`input`, `logits`); a float32 or uint8
// edge adds a QUANTIZE/DEQUANTIZE and an outer tensor named
// `<name>_<type>`. The SignatureDef aliases stay the IR names either way.

import { meanStd, signedOffset, type QuantParams } from '../quantize/math.js';
import type { TensorTypeName } from '../src/tflite/enums.js';
import type { Emitter, TensorRef } from './emitter.js';
import type { IoQuantization, IoTensorSummary, IoType } from './types.js';

export interface Edge {
  alias: string;
  index: number;
  summary: IoTensorSummary;
}

const TFLITE_TYPE: Record<IoType, TensorTypeName> = { float32: 'FLOAT32', int8: 'INT8', uint8: 'UINT8' };

/** uint8 carries the int8 grid shifted by 128: same scale, zero point + 128. */
function edgeQuant(type: IoType, q: QuantParams | null): QuantParams | null {
  if (type === 'float32' || !q) return null;
  return type === 'uint8' ? { scale: q.scale, zeroPoint: q.zeroPoint + signedOffset(8) } : q;
}

function ioQuantization(q: QuantParams | null): IoQuantization | null {
  if (!q) return null;
  const scale = Math.fround(q.scale);
  const { mean, std } = meanStd({ scale, zeroPoint: q.zeroPoint });
  return { scale, zeroPoint: q.zeroPoint, mean, std };
}

function summary(alias: string, tensor: string, type: IoType, shape: number[], q: QuantParams | null): IoTensorSummary {
  return { name: alias, tensor, type, shape: [...shape], quantization: ioQuantization(q) };
}

/**
 * The model input for IR input `name`. `inner` is the tensor the graph
 * computes on (int8 with `quant`, or float32 when quant is null); returns it
 * bound to `name` and the edge the caller feeds.
 */
export function emitInput(e: Emitter, name: string, shape: number[], type: IoType, quant: QuantParams | null): { inner: TensorRef; edge: Edge } {
  const innerType: TensorTypeName = quant ? 'INT8' : 'FLOAT32';
  const needsEdgeOp = quant ? type !== 'int8' : type !== 'float32';
  if (!needsEdgeOp) {
    const inner = e.bind(name, e.activation(name, shape, innerType, quant));
    const tensorName = e.builder.tensor(inner.index).name;
    return { inner, edge: { alias: name, index: inner.index, summary: summary(name, tensorName, type, shape, edgeQuant(type, quant)) } };
  }
  if (!quant) throw new Error(`export: a float graph cannot take ${type} input`);
  const q = edgeQuant(type, quant);
  const outer = e.activation(`${name}_${type}`, shape, TFLITE_TYPE[type], q);
  const inner = e.bind(name, e.activation(name, shape, innerType, quant));
  e.op('QUANTIZE', [outer.index], [inner.index]);
  const tensorName = e.builder.tensor(outer.index).name;
  return { inner, edge: { alias: name, index: outer.index, summary: summary(name, tensorName, type, shape, q) } };
}

/** The model output for IR output `name`, whose value lives in `inner`. */
export function emitOutput(e: Emitter, name: string, inner: TensorRef, type: IoType): Edge {
  const quant = inner.type === 'INT8' ? inner.quant : null;
  const needsEdgeOp = quant ? type !== 'int8' : type !== 'float32';
  if (!needsEdgeOp) {
    const tensorName = e.builder.tensor(inner.index).name;
    return { alias: name, index: inner.index, summary: summary(name, tensorName, type, inner.shape, edgeQuant(type, quant)) };
  }
  if (!quant) throw new Error(`export: a float graph cannot give ${type} output`);
  const q = edgeQuant(type, quant);
  const outer = e.activation(`${name}_${type}`, inner.shape, TFLITE_TYPE[type], q);
  e.op(type === 'float32' ? 'DEQUANTIZE' : 'QUANTIZE', [inner.index], [outer.index]);
  const tensorName = e.builder.tensor(outer.index).name;
  return { alias: name, index: outer.index, summary: summary(name, tensorName, type, inner.shape, q) };
}
