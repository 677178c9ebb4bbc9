// A small builder for writing TFLite models in code: add tensors (constants
// carry their data), operators by op name with typed options, and graph
// inputs/outputs; build() adds the operator codes with their versions, a
// `serving_default` signature and the `min_runtime_version` metadata.

import { tensorBufferBytes, BuiltinOperator, type TensorTypeName } from './enums.js';
import { defaultOptions, type OpName, type OpOptionsMap, type OperatorOptions } from './options.js';
import { opVersion, minRuntimeVersion, runtimeVersionBytes } from './versions.js';
import { writeModel } from './write.js';
import type { TfliteModel, TfliteOperator, TfliteOperatorCode, TfliteQuantization, TfliteTensor } from './model.js';

export interface QuantizationSpec {
  /** One value per tensor, or one per channel along quantizedDimension. */
  scale: number | readonly number[];
  zeroPoint: number | readonly number[];
  quantizedDimension?: number;
  min?: readonly number[];
  max?: readonly number[];
}

type ConstantData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | BigInt64Array;

export interface TensorSpec {
  name: string;
  shape: readonly number[];
  type: TensorTypeName;
  quantization?: QuantizationSpec;
  /** Constant contents, row-major; its byte length must match shape × type. */
  data?: ConstantData;
  shapeSignature?: readonly number[];
}

/** Options as the builder takes them: anything left out gets its default. */
export type BuilderOptions<K extends OpName> = Partial<OpOptionsMap[K]>;

export interface BuildSettings {
  /** Defaults to 'serving_default'. */
  signatureKey?: string;
  /** Defaults to the newest runtime any op's version needs. */
  minRuntimeVersion?: string;
  description?: string;
}

interface PendingOp {
  op: OpName;
  inputs: number[];
  outputs: number[];
  options: OperatorOptions;
  version?: number;
}

export class ModelBuilder {
  private readonly tensors: TfliteTensor[] = [];
  private readonly buffers: Uint8Array[] = [new Uint8Array(0)];
  private readonly ops: PendingOp[] = [];
  private inputs: number[] = [];
  private outputs: number[] = [];

  constructor(private readonly subgraphName = 'main') {}

  /** Adds a tensor and returns its index. */
  addTensor(spec: TensorSpec): number {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const tensor: TfliteTensor = {
      name: spec.name,
      shape: [...spec.shape],
      type: spec.type,
      buffer: 0,
      isVariable: false,
    };
    if (spec.data) {
      const bytes = new Uint8Array(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength).slice();
      const expected = tensorBufferBytes(spec.type, count);
      if (expected !== null && bytes.length !== expected) {
        throw new Error(`constant ${spec.name} is ${spec.type} [${spec.shape.join(',')}] but ${bytes.length} bytes were given`);
      }
      tensor.buffer = this.buffers.length;
      this.buffers.push(bytes);
    }
    if (spec.quantization) tensor.quantization = toQuantization(spec.quantization);
    if (spec.shapeSignature) tensor.shapeSignature = [...spec.shapeSignature];
    this.tensors.push(tensor);
    return this.tensors.length - 1;
  }

  /** Adds a tensor that is also the next graph input. */
  addInput(spec: Omit<TensorSpec, 'data'>): number {
    const i = this.addTensor(spec);
    this.inputs.push(i);
    return i;
  }

  /** Adds a tensor that is also the next graph output. */
  addOutput(spec: Omit<TensorSpec, 'data'>): number {
    const i = this.addTensor(spec);
    this.outputs.push(i);
    return i;
  }

  setInputs(indices: readonly number[]): void {
    this.inputs = [...indices];
  }

  setOutputs(indices: readonly number[]): void {
    this.outputs = [...indices];
  }

  tensor(index: number): TfliteTensor {
    const t = this.tensors[index];
    if (!t) throw new Error(`no tensor ${index}`);
    return t;
  }

  /**
   * Appends an operator (ops run in the order added). `version` defaults to
   * what TFLite's versioning rules give for the tensors' types.
   */
  addOperator<K extends OpName>(
    op: K,
    inputs: readonly number[],
    outputs: readonly number[],
    options: BuilderOptions<K> = {},
    version?: number,
  ): number {
    for (const i of [...inputs, ...outputs]) {
      if (i !== -1) this.tensor(i);
    }
    const full = { ...defaultOptions(op), ...options, op } as OperatorOptions;
    if (full.op === 'SOFTMAX') full.beta = Math.fround(full.beta);
    const pending: PendingOp = { op, inputs: [...inputs], outputs: [...outputs], options: full };
    if (version !== undefined) pending.version = version;
    this.ops.push(pending);
    return this.ops.length - 1;
  }

  build(settings: BuildSettings = {}): TfliteModel {
    const operatorCodes: TfliteOperatorCode[] = [];
    const codeIndex = new Map<string, number>();
    const versions: { op: OpName; version: number }[] = [];
    const operators: TfliteOperator[] = this.ops.map((p) => {
      const version = p.version ?? this.defaultVersion(p);
      const key = `${p.op}/${version}`;
      let idx = codeIndex.get(key);
      if (idx === undefined) {
        idx = operatorCodes.length;
        codeIndex.set(key, idx);
        operatorCodes.push({ builtinCode: BuiltinOperator[p.op], version });
        versions.push({ op: p.op, version });
      }
      return { opcodeIndex: idx, inputs: p.inputs, outputs: p.outputs, options: p.options };
    });
    const buffers = [...this.buffers];
    const runtime = settings.minRuntimeVersion ?? minRuntimeVersion(versions);
    buffers.push(runtimeVersionBytes(runtime));
    const mapOf = (i: number): { name: string; tensorIndex: number } => ({ name: this.tensors[i]!.name, tensorIndex: i });
    return {
      version: 3,
      description: settings.description ?? 'qat',
      operatorCodes,
      subgraphs: [
        {
          name: this.subgraphName,
          tensors: this.tensors.map((t) => structuredClone(t)),
          inputs: [...this.inputs],
          outputs: [...this.outputs],
          operators,
        },
      ],
      buffers,
      metadata: [{ name: 'min_runtime_version', buffer: buffers.length - 1 }],
      signatureDefs: [
        {
          signatureKey: settings.signatureKey ?? 'serving_default',
          subgraphIndex: 0,
          inputs: this.inputs.map(mapOf),
          outputs: this.outputs.map(mapOf),
        },
      ],
    };
  }

  /** build() then serialize. */
  toBytes(settings: BuildSettings = {}): Uint8Array {
    return writeModel(this.build(settings));
  }

  private defaultVersion(p: PendingOp): number {
    const type = (i: number): TensorTypeName | null => (i === -1 ? null : this.tensors[i]!.type);
    const weights = p.inputs[1] !== undefined && p.inputs[1] !== -1 ? this.tensors[p.inputs[1]] : undefined;
    return opVersion(p.op, {
      inputs: p.inputs.map(type),
      outputs: p.outputs.map((i) => this.tensors[i]!.type),
      options: p.options,
      perChannel: (weights?.quantization?.scale.length ?? 0) > 1,
      shapes: p.inputs.map((i) => (i === -1 ? [] : this.tensors[i]!.shape)),
    });
  }
}

function toQuantization(q: QuantizationSpec): TfliteQuantization {
  const list = (v: number | readonly number[]): number[] => (typeof v === 'number' ? [v] : [...v]);
  // The file stores these as float32; round now so the built model is
  // exactly what a reader of the file will see.
  const f32 = (v: readonly number[]): number[] => v.map(Math.fround);
  const out: TfliteQuantization = {
    scale: f32(list(q.scale)),
    zeroPoint: list(q.zeroPoint),
    quantizedDimension: q.quantizedDimension ?? 0,
  };
  if (q.min) out.min = f32(q.min);
  if (q.max) out.max = f32(q.max);
  return out;
}
