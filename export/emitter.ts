// The lowering's working state: a ModelBuilder plus the map from IR node
// names to the TFLite tensors that hold their values, and small helpers for
// constants and activations. Every lowering (float, dynamic, int8) writes
// through one Emitter, so naming and op bookkeeping live in one place.

import { ModelBuilder, writeModel, type BuilderOptions, type OpName, type QuantizationSpec, type TfliteModel } from '../src/tflite/index.js';
import type { TensorTypeName } from '../src/tflite/enums.js';
import type { QuantParams } from '../quantize/math.js';

/** A TFLite tensor holding an IR value. */
export interface TensorRef {
  index: number;
  /** TFLite shape (with the batch dimension of 1). */
  shape: number[];
  type: TensorTypeName;
  /** Per-tensor quantization of int8/uint8 activations; null for float. */
  quant: QuantParams | null;
}

export class Emitter {
  readonly builder = new ModelBuilder();
  private readonly values = new Map<string, TensorRef>();
  private readonly names = new Set<string>();
  private readonly opCounts = new Map<string, number>();

  /** The tensor holding IR value `name`; it must have been lowered already. */
  value(name: string): TensorRef {
    const v = this.values.get(name);
    if (!v) throw new Error(`export: IR value '${name}' has not been lowered yet`);
    return v;
  }

  hasValue(name: string): boolean {
    return this.values.has(name);
  }

  /** Records that IR value `name` lives in `ref` (fused and pass-through nodes share tensors). */
  bind(name: string, ref: TensorRef): TensorRef {
    this.values.set(name, ref);
    return ref;
  }

  /** A tensor name not used yet: `base`, else `base_1`, `base_2`, … */
  uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** A run-time tensor (activation). */
  activation(name: string, shape: readonly number[], type: TensorTypeName, quant: QuantParams | null = null): TensorRef {
    const spec = { name: this.uniqueName(name), shape: [...shape], type };
    const index = this.builder.addTensor(quant ? { ...spec, quantization: { scale: quant.scale, zeroPoint: quant.zeroPoint } } : spec);
    return { index, shape: [...shape], type, quant };
  }

  /** Constants written as INT4 (for the summary's note). */
  int4Constants = 0;

  /** A constant tensor. */
  constant(
    name: string, shape: readonly number[], type: TensorTypeName,
    data: Float32Array | Int8Array | Uint8Array | Int32Array, quantization?: QuantizationSpec,
  ): number {
    const spec = { name: this.uniqueName(name), shape: [...shape], type, data };
    if (type === 'INT4') this.int4Constants++;
    return this.builder.addTensor(quantization ? { ...spec, quantization } : spec);
  }

  int32Constant(name: string, values: readonly number[], shape: readonly number[] = [values.length]): number {
    return this.constant(name, shape, 'INT32', Int32Array.from(values));
  }

  op<K extends OpName>(op: K, inputs: readonly number[], outputs: readonly number[], options: BuilderOptions<K> = {}): void {
    this.builder.addOperator(op, inputs, outputs, options);
    this.opCounts.set(op, (this.opCounts.get(op) ?? 0) + 1);
  }

  opSummary(): Array<{ op: string; count: number }> {
    return [...this.opCounts].map(([op, count]) => ({ op, count }));
  }

  /**
   * Builds the model with graph inputs/outputs and SignatureDef aliases
   * (the IR's names, which may differ from the edge tensors' names).
   */
  finish(
    inputs: Array<{ alias: string; index: number }>, outputs: Array<{ alias: string; index: number }>, description: string,
  ): { model: TfliteModel; bytes: Uint8Array } {
    this.builder.setInputs(inputs.map((i) => i.index));
    this.builder.setOutputs(outputs.map((o) => o.index));
    const model = this.builder.build({ description });
    const sig = model.signatureDefs[0]!;
    sig.inputs = inputs.map((i) => ({ name: i.alias, tensorIndex: i.index }));
    sig.outputs = outputs.map((o) => ({ name: o.alias, tensorIndex: o.index }));
    return { model, bytes: writeModel(model) };
  }
}

/** TFLite shape of an IR per-example shape: batch 1 in front. */
export function batched(shape: readonly number[]): number[] {
  return [1, ...shape];
}
