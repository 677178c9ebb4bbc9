// Runs .tflite models in Google's official runtime, LiteRT.js (@litertjs/core),
// inside plain Node 20 (load() explains each step of the loader shim). `qat parity` and the tests use it to get reference outputs:
//
//   const lrt = await loadLiteRt();             // once per process
//   const [y] = await lrt.run(bytes, [x]);      // compile, run, free
//   const m = await lrt.compile(bytes);         // or: compile once, run many
//   m.inputs[0].dtype; await m.run([x]); m.delete();
//
// @litertjs/core is a devDependency: an installed `qat` may lack it, so
// callers that can do without it use tryLoadLiteRt(), which says why it is
// unavailable instead of throwing.
//
// LiteRT reports many failures (a kernel's Prepare rejecting its tensors) only
// as `ERROR:` log lines and then returns zeros; this harness turns any such
// line into a thrown LiteRtError.

import fs from 'node:fs';
import { createRequire, Module as NodeModule } from 'node:module';
import path from 'node:path';

export type LiteRtArray = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array;
export type LiteRtDType = 'float32' | 'int32' | 'uint8' | 'int8' | 'int16' | 'int64' | 'bool' | 'float16' | 'other';

export interface LiteRtTensorInfo {
  /** The SignatureDef alias (tensor name when the model has no signature). */
  name: string;
  index: number;
  dtype: LiteRtDType;
  shape: number[];
  bytes: number;
}

export interface LiteRtCompiledModel {
  readonly inputs: readonly LiteRtTensorInfo[];
  readonly outputs: readonly LiteRtTensorInfo[];
  /** Inputs in subgraph order; returns copies of the outputs in subgraph order. */
  run(inputs: readonly LiteRtArray[]): Promise<LiteRtArray[]>;
  /** Frees the compiled model and its copy of the model bytes. Idempotent. */
  delete(): void;
}

export interface LiteRtRunner {
  compile(model: Uint8Array): Promise<LiteRtCompiledModel>;
  /** compile + run + delete. */
  run(model: Uint8Array, inputs: readonly LiteRtArray[]): Promise<LiteRtArray[]>;
  /** Input/output details without running. */
  details(model: Uint8Array): Promise<{ inputs: LiteRtTensorInfo[]; outputs: LiteRtTensorInfo[] }>;
}

/** A failure LiteRT reported, with the log lines it printed meanwhile. */
export class LiteRtError extends Error {
  constructor(message: string, readonly log: readonly string[]) {
    super(message);
    this.name = 'LiteRtError';
  }
}

// ---- the slice of the wasm module's embind API we use ----------------------

interface Deletable {
  delete(): void;
}
interface EmVector<T> extends Deletable {
  size(): number;
  get(i: number): T;
}
interface EnumValue {
  value: number;
}
interface Layout extends Deletable {
  dimensions(): EmVector<number>;
}
interface RankedTensorType extends Deletable {
  elementType(): EnumValue;
  layout(): Layout;
  bytes(): number;
}
interface Signature extends Deletable {
  inputNames(): EmVector<string>;
  outputNames(): EmVector<string>;
}
interface WasmModel extends Deletable {
  getNumSignatures(): number;
  getSignature(i: number): Signature;
  getInputTensorType(sig: number, i: number): RankedTensorType;
  getOutputTensorType(sig: number, i: number): RankedTensorType;
}
interface TensorBuffer extends Deletable {
  lock(mode: EnumValue): number;
  unlock(): void;
  tensorType(): RankedTensorType;
  packedSize(): number;
}
interface CompiledModel extends Deletable {
  run(sig: number, inputs: TensorBuffer[]): TensorBuffer[] | Promise<TensorBuffer[]>;
}
interface LiteRtWasm {
  HEAPU8: Uint8Array;
  _malloc(n: number): number;
  _free(p: number): void;
  loadModel(env: unknown, ptr: number, size: number): WasmModel;
  compileModel(env: unknown, model: WasmModel, options: object): CompiledModel | Promise<CompiledModel>;
  LiteRtTensorBuffer: {
    createManaged(env: unknown, type: EnumValue, tensorType: RankedTensorType, size: number): TensorBuffer;
  };
  LiteRtTensorBufferType: { HOST_MEMORY: EnumValue };
  LiteRtTensorBufferLockMode: { READ: EnumValue; WRITE: EnumValue };
}
interface CoreModule {
  loadLiteRt(path: string): Promise<{
    liteRtWasm: LiteRtWasm;
    getDefaultEnvironment(): { liteRtEnvironment: unknown };
  }>;
  getGlobalLiteRtPromise(): Promise<unknown> | undefined;
}

// litert::ElementType (litert_model_types.h): not TFLite's TensorType numbering.
const ELEMENT_TYPES: Readonly<Record<number, LiteRtDType>> = {
  1: 'float32', 2: 'int32', 3: 'uint8', 4: 'int64', 6: 'bool', 7: 'int16', 9: 'int8', 10: 'float16',
};

function arrayFor(dtype: LiteRtDType, bytes: Uint8Array): LiteRtArray {
  const b = bytes.buffer;
  switch (dtype) {
    case 'float32': return new Float32Array(b, bytes.byteOffset, bytes.byteLength / 4);
    case 'int32': return new Int32Array(b, bytes.byteOffset, bytes.byteLength / 4);
    case 'int16': return new Int16Array(b, bytes.byteOffset, bytes.byteLength / 2);
    case 'int8': return new Int8Array(b, bytes.byteOffset, bytes.byteLength);
    case 'uint8':
    case 'bool': return bytes;
    default: throw new Error(`LiteRT output dtype ${dtype} is not supported by this harness`);
  }
}

function dtypeOf(a: LiteRtArray): LiteRtDType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  return 'uint8';
}

function vectorToArray<T>(v: EmVector<T>): T[] {
  const out: T[] = [];
  for (let i = 0; i < v.size(); i++) out.push(v.get(i));
  v.delete();
  return out;
}

function infoOf(name: string, index: number, t: RankedTensorType): LiteRtTensorInfo {
  const layout = t.layout();
  const info: LiteRtTensorInfo = {
    name,
    index,
    dtype: ELEMENT_TYPES[t.elementType().value] ?? 'other',
    shape: vectorToArray(layout.dimensions()),
    bytes: t.bytes(),
  };
  layout.delete();
  t.delete();
  return info;
}

// ---- loading ----------------------------------------------------------------

/** Every line LiteRT prints goes here; `capture` collects them per operation. */
let capture: string[] | null = null;
const onLine = (line: string): void => {
  capture?.push(line);
};

let loading: Promise<LiteRtRunner> | undefined;

/** A variable, not a literal: TypeScript must not need the (optional) package to compile this file. */
const LITERT_PACKAGE: string = '@litertjs/core';

/** Loads LiteRT once per process; later calls share that runtime. */
export function loadLiteRt(): Promise<LiteRtRunner> {
  loading ??= load();
  return loading;
}

async function load(): Promise<LiteRtRunner> {
  const require = createRequire(import.meta.url);
  const entry = require.resolve(LITERT_PACKAGE);
  const glue = path.join(path.dirname(entry), '..', 'wasm', 'litert_wasm_compat_internal.js');
  const core = (await import(LITERT_PACKAGE)) as CoreModule;
  if (core.getGlobalLiteRtPromise()) {
    throw new Error('LiteRT was already loaded outside src/litert, so its error log cannot be captured');
  }
  const g = globalThis as Record<string, unknown>;
  // The package loads its emscripten glue like a web worker would. These
  // globals are removed again afterwards: other emscripten modules in the
  // process (tfjs-backend-wasm) take `importScripts` as "I am in a worker".
  const hadSelf = 'self' in g;
  g.self ??= globalThis;
  g.importScripts = (file: string): void => {
    const m = new NodeModule(file);
    m.filename = file;
    (m as unknown as { _compile(src: string, file: string): void })._compile(fs.readFileSync(file, 'utf8'), file);
    g.ModuleFactory = m.exports;
  };
  g.Module = { print: onLine, printErr: onLine };
  // Node has no navigator.gpu; the environment says so through console.warn.
  const warn = console.warn;
  console.warn = (...args: unknown[]): void => {
    if (!String(args[0]).startsWith('Failed to create default WebGPU device')) warn(...args);
  };
  let liteRt: Awaited<ReturnType<CoreModule['loadLiteRt']>>;
  try {
    liteRt = await core.loadLiteRt(glue);
  } finally {
    console.warn = warn;
    delete g.importScripts;
    delete g.ModuleFactory;
    delete g.Module;
    if (!hadSelf) delete g.self;
  }
  return new Runner(liteRt.liteRtWasm, liteRt.getDefaultEnvironment().liteRtEnvironment);
}

class Runner implements LiteRtRunner {
  // LiteRT's log is global, so operations take turns to attribute lines.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly wasm: LiteRtWasm, private readonly env: unknown) {}

  /** Runs `fn` alone, collecting log lines; any ERROR line fails it. */
  exclusive<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
    const next = this.queue.then(async () => {
      const lines: string[] = [];
      capture = lines;
      let result: T;
      try {
        result = await fn();
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        throw new LiteRtError(`LiteRT failed to ${what}: ${msg}${errorLines(lines)}`, lines);
      } finally {
        capture = null;
      }
      const errors = lines.filter(isErrorLine);
      if (errors.length) throw new LiteRtError(`LiteRT reported an error while trying to ${what}: ${errors.join(' | ')}`, lines);
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  compile(model: Uint8Array): Promise<LiteRtCompiledModel> {
    return this.exclusive('load and compile the model', async () => {
      const w = this.wasm;
      const ptr = w._malloc(model.byteLength);
      let loaded: WasmModel | undefined;
      try {
        w.HEAPU8.set(model, ptr);
        loaded = w.loadModel(this.env, ptr, model.byteLength);
        const compiled = await w.compileModel(this.env, loaded, {
          accelerator: 'wasm',
          cpuOptions: { numThreads: 1 },
          gpuOptions: {},
          webNNOptions: {},
        });
        return new Compiled(this, w, this.env, ptr, loaded, compiled);
      } catch (e) {
        loaded?.delete();
        w._free(ptr);
        throw e;
      }
    });
  }

  async run(model: Uint8Array, inputs: readonly LiteRtArray[]): Promise<LiteRtArray[]> {
    const m = await this.compile(model);
    try {
      return await m.run(inputs);
    } finally {
      m.delete();
    }
  }

  async details(model: Uint8Array): Promise<{ inputs: LiteRtTensorInfo[]; outputs: LiteRtTensorInfo[] }> {
    const m = await this.compile(model);
    try {
      return { inputs: [...m.inputs], outputs: [...m.outputs] };
    } finally {
      m.delete();
    }
  }
}

function isErrorLine(line: string): boolean {
  return /^\s*ERROR\b/.test(line);
}

function errorLines(lines: string[]): string {
  const errors = lines.filter(isErrorLine);
  return errors.length ? ` (${errors.join(' | ')})` : '';
}

class Compiled implements LiteRtCompiledModel {
  readonly inputs: LiteRtTensorInfo[];
  readonly outputs: LiteRtTensorInfo[];
  private deleted = false;

  constructor(
    private readonly runner: Runner,
    private readonly w: LiteRtWasm,
    private readonly env: unknown,
    private readonly ptr: number,
    private readonly model: WasmModel,
    private readonly compiled: CompiledModel,
  ) {
    if (model.getNumSignatures() < 1) throw new Error('the model has no signature');
    const sig = model.getSignature(0);
    this.inputs = vectorToArray(sig.inputNames()).map((n, i) => infoOf(n, i, model.getInputTensorType(0, i)));
    this.outputs = vectorToArray(sig.outputNames()).map((n, i) => infoOf(n, i, model.getOutputTensorType(0, i)));
    sig.delete();
  }

  run(inputs: readonly LiteRtArray[]): Promise<LiteRtArray[]> {
    if (this.deleted) return Promise.reject(new Error('this LiteRT model was deleted'));
    if (inputs.length !== this.inputs.length) {
      return Promise.reject(new Error(`the model takes ${this.inputs.length} inputs; ${inputs.length} were given`));
    }
    inputs.forEach((a, i) => {
      const want = this.inputs[i]!;
      if (dtypeOf(a) !== want.dtype || a.byteLength !== want.bytes) {
        throw new Error(
          `input ${i} (${want.name}) is ${want.dtype} [${want.shape.join(',')}] = ${want.bytes} bytes; ` +
            `got ${dtypeOf(a)} with ${a.byteLength} bytes`,
        );
      }
    });
    return this.runner.exclusive('run the model', async () => {
      const w = this.w;
      const buffers: TensorBuffer[] = [];
      let outputs: TensorBuffer[] = [];
      try {
        inputs.forEach((a, i) => {
          const type = this.model.getInputTensorType(0, i);
          const buf = w.LiteRtTensorBuffer.createManaged(this.env, w.LiteRtTensorBufferType.HOST_MEMORY, type, a.byteLength);
          type.delete();
          buffers.push(buf);
          const p = buf.lock(w.LiteRtTensorBufferLockMode.WRITE);
          // HEAPU8 is re-read after each call: the wasm memory may have grown.
          w.HEAPU8.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
          buf.unlock();
        });
        outputs = await this.compiled.run(0, buffers);
        return outputs.map((buf, i) => {
          const p = buf.lock(w.LiteRtTensorBufferLockMode.READ);
          const bytes = w.HEAPU8.slice(p, p + buf.packedSize());
          buf.unlock();
          return arrayFor(this.outputs[i]!.dtype, bytes);
        });
      } finally {
        for (const b of [...buffers, ...outputs]) b.delete();
      }
    });
  }

  delete(): void {
    if (this.deleted) return;
    this.deleted = true;
    this.compiled.delete();
    this.model.delete();
    this.w._free(this.ptr);
  }
}
