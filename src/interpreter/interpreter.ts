// The bundled interpreter: reads and validates a .tflite, plans every op
// once (kernel prepare: multipliers, folded bias, tables, scratch), lays all
// tensors out in one arena of typed arrays and then runs invoke() without
// allocating. Every op's output stays in the arena, so any intermediate can be
// read (and dumped) after a run.

import { UserError } from '../errors.js';
import { readUserFile } from '../io/files.js';
import { builtinOperatorName } from '../tflite/enums.js';
import type { TfliteModel, TfliteOperator, TfliteSubGraph } from '../tflite/model.js';
import { isOpName, type OperatorOptions, type OpName } from '../tflite/options.js';
import { readModel } from '../tflite/read.js';
import { unpackInt4 } from '../tflite/int4.js';
import { validateModel } from '../tflite/validate.js';
import { INT4_ROUNDING, type WeightedBuiltin } from '../../quantize/op-table.js';
import type { PreparedLayer } from '../../quantize/prepare.js';
import { type Arithmetic, dequantize as dequantizeKernel, halfToFloat, prepareDequantize } from './kernels/index.js';
import { type DType, type TensorData, DTYPE_BYTES, arrayDType, dtypeOf, viewOf } from './dtypes.js';
import { type TensorDetails, inputMismatch, withMeanStd } from './details.js';
import { type OpContext, type Step, type TensorInfo, PLANNERS, checkVersion, supportedOpList } from './plan/index.js';

/** Default cap on tensor memory plus kernel scratch: 1 GiB. */
export const DEFAULT_MAX_ARENA_BYTES = 2 ** 30;
/** Default cap on multiply-adds (or element visits) per invoke: about 1.7e10, minutes of work. */
export const DEFAULT_MAX_WORK = 2 ** 34;

export interface InterpreterOptions {
  maxArenaBytes?: number;
  maxWork?: number;
  /**
   * Whose int8 arithmetic to reproduce: 'xnnpack' (default) matches LiteRT and
   * TFLite with its default XNNPACK delegate on x86/WebAssembly; 'reference'
   * matches TFLite's builtin reference kernels (gemmlowp double rounding).
   */
  arithmetic?: Exclude<Arithmetic, 'single-rounding'>;
}

export interface OperatorInfo {
  index: number;
  /** Builtin op name, e.g. 'CONV_2D' (or the custom code of a custom op). */
  op: string;
  version: number;
  inputs: number[];
  outputs: number[];
  options: OperatorOptions;
}

export interface TensorView extends TensorDetails {
  /** A live view into the arena: overwritten by the next invoke(). */
  data: TensorData;
}

export interface OpTiming {
  index: number;
  op: string;
  ms: number;
}

const ALIGN = 16;

function gib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export class Interpreter {
  private readonly graph: TfliteSubGraph;
  private readonly infos: Array<TensorInfo | null>;
  private readonly views: Array<TensorData | null>;
  private readonly steps: Step[] = [];
  private readonly byName = new Map<string, number>();
  private readonly layers: PreparedLayer[] = [];
  /** Bytes of the tensor arena. */
  readonly arenaBytes: number;
  /** Bytes of kernel scratch (im2col buffers, tables) allocated at plan time. */
  scratchBytes = 0;
  /** Multiply-adds (or element visits) one invoke performs, as planned. */
  workPerInvoke = 0;
  readonly arithmetic: Arithmetic;

  /** Reads, validates and plans a model file. */
  static fromFile(path: string, options: InterpreterOptions = {}): Interpreter {
    return Interpreter.fromBuffer(readUserFile(path, 'the model'), options);
  }

  /** Reads, validates and plans a model held in memory (the bytes are not kept). */
  static fromBuffer(bytes: Uint8Array, options: InterpreterOptions = {}): Interpreter {
    const model = readModel(bytes);
    checkRanks(model);
    validateModel(model);
    return new Interpreter(model, options);
  }

  /** Plans an already-read model (it is validated again). */
  constructor(readonly model: TfliteModel, options: InterpreterOptions = {}) {
    checkRanks(model);
    validateModel(model);
    const maxArena = options.maxArenaBytes ?? DEFAULT_MAX_ARENA_BYTES;
    const maxWork = options.maxWork ?? DEFAULT_MAX_WORK;
    this.arithmetic = options.arithmetic ?? 'xnnpack';
    const g = model.subgraphs[0]!;
    this.graph = g;
    const used = this.usedTensors();
    this.infos = g.tensors.map((t, i) => (used.has(i) ? this.tensorInfo(i) : null));
    g.tensors.forEach((t, i) => {
      if (this.infos[i] && !this.byName.has(t.name)) this.byName.set(t.name, i);
    });
    this.checkDataflow();

    // Lay out the arena; the sum is checked before anything is allocated.
    const offsets: number[] = [];
    let total = 0;
    this.infos.forEach((info, i) => {
      if (!info) return;
      offsets[i] = total;
      total += Math.ceil(info.bytes / ALIGN) * ALIGN;
    });
    if (total > maxArena) {
      throw new UserError(`The model needs ${gib(total)} of tensor memory, more than the interpreter's ${gib(maxArena)} limit.`);
    }
    this.arenaBytes = total;
    const arena = new ArrayBuffer(total);
    this.views = this.infos.map((info, i) => {
      if (!info) return null;
      const v = viewOf(info.dtype, arena, offsets[i]!, info.size);
      if (info.constant) {
        const src = model.buffers[g.tensors[i]!.buffer]!;
        if (info.packedInt4) unpackInt4(src, info.size, v as Int8Array);
        else new Uint8Array(arena, offsets[i]!, info.bytes).set(src);
      }
      return v;
    });

    g.operators.forEach((op, oi) => {
      const ctx = this.opContext(op, oi, (bytes, what) => {
        if (!(bytes >= 0) || this.arenaBytes + this.scratchBytes + bytes > maxArena) {
          throw new UserError(
            `The model needs more than the interpreter's ${gib(maxArena)} memory limit: ${this.opLabel(op, oi)} asks for ${gib(bytes)} for ${what} on top of ${gib(this.arenaBytes + this.scratchBytes)}.`,
          );
        }
        this.scratchBytes += bytes;
      }, (n) => {
        this.workPerInvoke += n;
        if (!(this.workPerInvoke <= maxWork)) {
          throw new UserError(
            `The model needs more than ${maxWork.toExponential(2)} multiply-adds per run (reached at ${this.opLabel(op, oi)}), beyond the interpreter's limit.`,
          );
        }
      });
      checkVersion(ctx);
      const step = PLANNERS[ctx.op](ctx);
      // A DEQUANTIZE of a constant (int8 or float16 weights stored small) is
      // evaluated once here, as TFLite does in Prepare, so the ops reading it
      // see a constant filter and can prepare their weights.
      if (ctx.op === 'DEQUANTIZE' && ctx.inputs.every((t) => t?.constant)) {
        step();
        for (const t of ctx.outputs) t.constant = true;
        this.steps.push(() => {});
      } else {
        this.steps.push(step);
      }
    });
  }

  // ---- public API ------------------------------------------------------------

  inputDetails(): TensorDetails[] {
    return this.graph.inputs.map((i) => withMeanStd(this.details(i)));
  }

  outputDetails(): TensorDetails[] {
    return this.graph.outputs.map((i) => withMeanStd(this.details(i)));
  }

  /**
   * Copies `data` into input `i`: a typed array of the input's dtype and
   * element count, or its raw little-endian bytes (a Uint8Array/Buffer of
   * exactly `bytes` length). Anything else is a UserError saying what was
   * expected and how to quantize real values.
   */
  setInput(i: number, data: ArrayBufferView): void {
    const idx = this.graph.inputs[i];
    if (idx === undefined || !Number.isInteger(i)) {
      throw new UserError(`The model has ${this.graph.inputs.length} input${this.graph.inputs.length === 1 ? '' : 's'}; there is no input ${i}.`);
    }
    const info = this.infos[idx]!;
    const view = this.views[idx]!;
    const kind = arrayDType(data);
    const raw = data instanceof Uint8Array || kind === 'bytes';
    const matchesType = kind === info.dtype || (info.dtype === 'float16' && kind === 'uint16') || (info.dtype === 'bool' && kind === 'uint8');
    if ((matchesType || raw) && data.byteLength === info.bytes) {
      new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return;
    }
    throw new UserError(`${inputMismatch(i, withMeanStd(this.details(idx)), data)}.`);
  }

  /** Runs every op once, in file order, over the arena. */
  invoke(): void {
    for (const step of this.steps) step();
  }

  /** invoke() with a wall-clock time per op (for `bench` and performance work). */
  invokeProfiled(): OpTiming[] {
    const ops = this.graph.operators;
    return this.steps.map((step, k) => {
      const t0 = performance.now();
      step();
      return { index: k, op: this.opName(ops[k]!), ms: performance.now() - t0 };
    });
  }

  /** A live view of output `i` (overwritten by the next invoke). */
  output(i: number): TensorData {
    const idx = this.graph.outputs[i];
    if (idx === undefined) throw new UserError(`The model has ${this.graph.outputs.length} outputs; there is no output ${i}.`);
    return this.views[idx]!;
  }

  /** Any tensor the graph uses, by name or index, with a live view of its data. */
  tensor(nameOrIndex: string | number): TensorView {
    const idx = typeof nameOrIndex === 'number' ? nameOrIndex : this.byName.get(nameOrIndex);
    if (idx === undefined) throw new UserError(`The model has no tensor named ${JSON.stringify(nameOrIndex)}.`);
    const view = this.views[idx];
    if (!view) {
      const n = this.graph.tensors.length;
      throw new UserError(idx >= 0 && idx < n && Number.isInteger(idx)
        ? `Tensor ${idx} is not used by the model's graph, so it holds no data.`
        : `The model has ${n} tensors; there is no tensor ${idx}.`);
    }
    return { ...this.details(idx), data: view };
  }

  /** Indices of every tensor the graph uses (inputs, constants, op outputs), in index order. */
  tensorIndices(): number[] {
    const out: number[] = [];
    this.infos.forEach((t, i) => {
      if (t) out.push(i);
    });
    return out;
  }

  /** Real values of a quantized tensor (per-channel aware); float tensors are copied; others converted. */
  dequantize(t: string | number | TensorView): Float32Array {
    const v = typeof t === 'object' ? t : this.tensor(t);
    return dequantizeTensor(v);
  }

  /**
   * The prepared record of every int8 CONV_2D, DEPTHWISE_CONV_2D and
   * FULLY_CONNECTED, in execution order, as quantize/prepare.ts defines it
   * (weights and bias are views of the model's constants).
   */
  preparedLayers(): readonly PreparedLayer[] {
    return this.layers;
  }

  operators(): OperatorInfo[] {
    return this.graph.operators.map((op, index) => ({
      index,
      op: this.opName(op),
      version: this.model.operatorCodes[op.opcodeIndex]!.version,
      inputs: [...op.inputs],
      outputs: [...op.outputs],
      options: op.options,
    }));
  }

  // ---- planning ------------------------------------------------------------

  private opName(op: TfliteOperator): string {
    const code = this.model.operatorCodes[op.opcodeIndex]!;
    if (op.options.op !== 'OTHER') return op.options.op;
    return code.customCode !== undefined ? `CUSTOM(${code.customCode})` : builtinOperatorName(code.builtinCode);
  }

  private opLabel(op: TfliteOperator, index: number): string {
    return `operator ${index} (${this.opName(op)})`;
  }

  private usedTensors(): Set<number> {
    const g = this.graph;
    const used = new Set<number>([...g.inputs, ...g.outputs]);
    for (const op of g.operators) {
      for (const i of [...op.inputs, ...op.outputs]) if (i >= 0) used.add(i);
    }
    return used;
  }

  private tensorInfo(i: number): TensorInfo {
    const t = this.graph.tensors[i]!;
    const label = `tensor ${i} ${JSON.stringify(t.name)}`;
    const buffer = this.model.buffers[t.buffer]!;
    const constant = t.buffer !== 0 && buffer.length > 0;
    // INT4 weights are unpacked to int8 once; the kernels never see nibbles.
    if (t.type === 'INT4' && !constant) {
      throw new UserError(`The interpreter cannot hold ${label}: INT4 is supported for constant weights only.`);
    }
    const dtype = t.type === 'INT4' ? 'int8' : dtypeOf(t.type);
    if (!dtype) throw new UserError(`The interpreter cannot hold ${label}: its type ${t.type} is not supported.`);
    const size = t.shape.reduce((a, b) => a * b, 1); // validateModel bounded each dim and the product
    const q = t.quantization;
    return {
      index: i,
      name: t.name,
      dtype,
      shape: [...t.shape],
      size,
      bytes: size * DTYPE_BYTES[dtype],
      quant: q && q.scale.length > 0 ? { scale: q.scale, zeroPoint: q.zeroPoint, quantizedDimension: q.quantizedDimension } : null,
      constant,
      ...(t.type === 'INT4' ? { packedInt4: true } : {}),
    };
  }

  /** Every tensor an op reads exists by then; nothing writes a constant, an input, or a tensor twice. */
  private checkDataflow(): void {
    const g = this.graph;
    const ready = new Set<number>(g.inputs);
    const label = (i: number): string => `tensor ${i} ${JSON.stringify(g.tensors[i]!.name)}`;
    this.infos.forEach((t, i) => {
      if (t?.constant) ready.add(i);
    });
    g.operators.forEach((op, oi) => {
      const what = this.opLabel(op, oi);
      for (const i of op.inputs) {
        if (i >= 0 && !ready.has(i)) {
          throw new UserError(`The model is invalid: ${what} reads ${label(i)} before anything writes it (it is not a model input, not a constant, and no earlier operator produces it).`);
        }
      }
      for (const i of op.outputs) {
        if (ready.has(i)) {
          const why = this.infos[i]?.constant ? 'a constant' : g.inputs.includes(i) ? 'a model input' : 'already written by an earlier operator';
          throw new UserError(`The model is invalid: ${what} writes ${label(i)}, which is ${why}.`);
        }
        ready.add(i);
      }
    });
    g.outputs.forEach((i, k) => {
      if (!ready.has(i)) throw new UserError(`The model is invalid: output ${k} (${label(i)}) is never written by any operator.`);
    });
  }

  private opContext(
    op: TfliteOperator, index: number, reserve: (bytes: number, what: string) => void, work: (n: number) => void,
  ): OpContext {
    const code = this.model.operatorCodes[op.opcodeIndex]!;
    const name = this.opName(op);
    const label = `operator ${index} (${name})`;
    if (op.options.op === 'OTHER' || !isOpName(name)) {
      const what = code.customCode !== undefined ? `the custom op ${JSON.stringify(code.customCode)}` : `${name}`;
      throw new UserError(`The interpreter cannot run ${label}: ${what} is not supported; it runs ${supportedOpList()}.`);
    }
    const inputs = op.inputs.map((i) => (i < 0 ? null : this.infos[i]!));
    return {
      index,
      arithmetic: opArithmetic(name, inputs, this.arithmetic),
      op: name as OpName,
      version: code.version,
      options: op.options,
      label,
      inputs,
      outputs: op.outputs.map((i) => this.infos[i]!),
      data: (t) => this.views[t.index]!,
      reserve,
      work,
      recordLayer: (layer) => this.layers.push(layer),
    };
  }

  private details(idx: number): TensorDetails {
    const t = this.infos[idx]!;
    const q = t.quant;
    const d: TensorDetails = {
      name: t.name, index: idx, dtype: t.dtype, shape: [...t.shape], bytes: t.bytes, scale: null, zeroPoint: null, constant: t.constant,
    };
    if (t.packedInt4) d.storedAs = 'int4';
    if (q && q.scale.length === 1) {
      d.scale = q.scale[0]!;
      d.zeroPoint = q.zeroPoint.length > 0 ? q.zeroPoint[0]! : 0;
    } else if (q && q.scale.length > 1) {
      d.scales = Array.from(q.scale);
      d.zeroPoints = Array.from(q.zeroPoint);
      d.quantizedDimension = q.quantizedDimension;
    }
    return d;
  }
}

/** The rounding one op runs with: LiteRT's, which depends on how its weights are stored (quantize/op-table.ts). */
function opArithmetic(op: string, inputs: ReadonlyArray<TensorInfo | null>, mode: Arithmetic): Arithmetic {
  const w = inputs[1];
  if (mode !== 'xnnpack' || !w?.packedInt4 || !Object.hasOwn(INT4_ROUNDING, op)) return mode;
  // Weight rows: [out, …] for CONV_2D and FULLY_CONNECTED; their length is the input depth.
  return INT4_ROUNDING[op as WeightedBuiltin](w.size / (w.shape[0] ?? 1));
}

/** TFLite kernels handle at most 6 dimensions; a file claiming more is refused before any shape is trusted. */
export const MAX_RANK = 6;

function checkRanks(model: TfliteModel): void {
  model.subgraphs.forEach((g, gi) => g.tensors.forEach((t, i) => {
    if (t.shape.length > MAX_RANK) {
      const where = gi === 0 ? '' : ` of subgraph ${gi}`;
      throw new UserError(`The model is invalid: tensor ${i}${where} has ${t.shape.length} dimensions; at most ${MAX_RANK} are supported.`);
    }
  }));
}

/** Real values of a tensor view: (q − zp)·scale for quantized data, a float32 copy otherwise. */
export function dequantizeTensor(v: TensorView): Float32Array {
  const out = new Float32Array(v.data.length);
  const d = v.data;
  if (v.dtype === 'float16') {
    for (let i = 0; i < d.length; i++) out[i] = halfToFloat((d as Uint16Array)[i]!);
    return out;
  }
  if (d instanceof BigInt64Array) {
    for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
    return out;
  }
  const quantized = v.dtype !== 'float32' && (v.scale !== null || v.scales !== undefined);
  if (!quantized) {
    out.set(d as ArrayLike<number>);
    return out;
  }
  const q = v.scales
    ? { scale: v.scales, zeroPoint: v.zeroPoints ?? [], quantizedDimension: v.quantizedDimension ?? 0 }
    : { scale: [v.scale!], zeroPoint: [v.zeroPoint!], quantizedDimension: 0 };
  dequantizeKernel(prepareDequantize(v.shape, q), d as Int8Array | Uint8Array | Int16Array | Int32Array, out);
  return out;
}

export type { DType, TensorData };
