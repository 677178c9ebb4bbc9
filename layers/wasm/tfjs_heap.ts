// The project's training kernels run inside the tfjs wasm backend's own
// heap: the kernel module imports the backend's WebAssembly.Memory, so a
// tensor's bytes are read and written where tfjs keeps them (its
// dataIdMap's memoryOffset) and nothing is copied between memories. When
// tfjs grows its heap the kernels see the larger memory too (it is one
// Memory object); only JS views of it go stale, so views are made per call.
//
// Everything here reaches into tfjs-backend-wasm internals that are not
// part of its typed API (the Emscripten module's `asm.memory`), so it
// checks their shape at runtime and reports "unavailable" rather than throw:
// callers then keep the tfjs-op formulation.
import * as tf from '@tensorflow/tfjs';
import { encodeModule } from '../../src/interpreter/wasm/encoder.js';
import { outerFunctions } from './outer_kernels.js';
import { tapFunctions } from './tap_kernels.js';
import { channelFunctions } from './channel_kernels.js';
import { rowFunctions } from './row_kernels.js';

interface WasmMemory { buffer: ArrayBuffer }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => WasmMemory;
}

/** What the kernels use of tfjs-backend-wasm's BackendWasm. */
export interface TfjsWasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
  wasm: { _malloc(bytes: number): number; _free(ptr: number): void; asm?: { memory?: unknown } };
}

/** One instance of the kernel module bound to one backend's heap. */
export interface HeapKernels {
  backend: TfjsWasmBackend;
  memory: WasmMemory;
  exports: Record<string, unknown>;
}

const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;
const instances = new WeakMap<object, HeapKernels | null>();

function kernelModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasmApi ? new wasmApi.Module(encodeModule([...tapFunctions(), ...outerFunctions(), ...channelFunctions(), ...rowFunctions()])) : null;
    } catch {
      compiled = null; // no WebAssembly SIMD here
    }
  }
  return compiled;
}

function isWasmBackend(b: unknown): b is TfjsWasmBackend {
  const c = b as Partial<TfjsWasmBackend> | null;
  return !!c && typeof c.makeOutput === 'function' && !!c.dataIdMap && !!c.wasm
    && typeof c.wasm._malloc === 'function' && typeof c.wasm._free === 'function';
}

/** The kernels bound to the active backend's heap, or null when the backend is not tfjs wasm (or lacks what they need). */
export function heapKernels(): HeapKernels | null {
  if (tf.getBackend() !== 'wasm') return null;
  return kernelsFor(tf.backend());
}

/** Whether the active backend runs the project's SIMD training kernels. */
export function simdKernelsAvailable(): boolean {
  return heapKernels() !== null;
}

/** The kernels bound to `backend`'s heap (cached per backend instance). */
export function kernelsFor(backend: object): HeapKernels | null {
  const cached = instances.get(backend);
  if (cached !== undefined) return cached;
  let made: HeapKernels | null = null;
  const module = kernelModule();
  if (module && wasmApi && isWasmBackend(backend)) {
    const memory = backend.wasm.asm?.memory;
    if (memory instanceof wasmApi.Memory) {
      try {
        const exports = new wasmApi.Instance(module, { env: { memory } }).exports;
        made = { backend, memory, exports };
      } catch {
        made = null;
      }
    }
  }
  instances.set(backend, made);
  return made;
}

/** The body of a kernel: inputs by name, attributes, the kernels bound to the backend's heap; returns the output(s). */
export type HeapKernelBody = (k: HeapKernels, inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap) => tf.TensorInfo | tf.TensorInfo[];

/** Registers `name` as a tfjs kernel of the wasm backend (once per process), so tf.profile and tfjs's memory accounting see it. */
export function registerHeapKernel(name: string, body: HeapKernelBody): void {
  if (tf.getKernel(name, 'wasm')) return;
  tf.registerKernel({
    kernelName: name, backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const k = kernelsFor(backend);
      if (!k) throw new Error('the SIMD training kernels need the tfjs wasm backend');
      return body(k, inputs as Record<string, tf.TensorInfo>, attrs ?? {});
    },
  });
}

/** A zeroed float32 output tensor on the heap and its address. */
export function zeroedOutput(k: HeapKernels, shape: number[]): { info: tf.TensorInfo; at: number } {
  const info = k.backend.makeOutput(shape, 'float32');
  const at = addressOf(k, info);
  heapF32(k, at, shape.reduce((a, b) => a * b, 1)).fill(0);
  return { info, at };
}

/** Byte address of a tensor's data in the heap. */
export function addressOf(k: HeapKernels, t: tf.TensorInfo): number {
  const d = k.backend.dataIdMap.get(t.dataId);
  if (!d) throw new Error('tensor is not on the wasm backend');
  return d.memoryOffset;
}

/** Runs fn with `bytes` of scratch heap memory (freed afterwards, also on error). */
export function withScratch<T>(k: HeapKernels, bytes: number, fn: (address: number) => T): T {
  const at = k.backend.wasm._malloc(bytes);
  try {
    return fn(at);
  } finally {
    k.backend.wasm._free(at);
  }
}

/** A float32 view of the heap, made now (views of a grown memory are detached). */
export function heapF32(k: HeapKernels, address: number, length: number): Float32Array {
  return new Float32Array(k.memory.buffer, address >>> 0, length);
}

export function heapI32(k: HeapKernels, address: number, length: number): Int32Array {
  return new Int32Array(k.memory.buffer, address >>> 0, length);
}

/**
 * A float32 tensor's values where they live, without a copy, when it is on
 * the tfjs wasm backend; null elsewhere (callers then use dataSync). tfjs's
 * own readSync slices the heap into a fresh ArrayBuffer, which on these
 * machines costs ~20 ms for 5 MB in page faults, against 0.15 ms to copy
 * from a view. The view is valid until the next op (which may grow the heap).
 */
export function heapValues(t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const k = heapKernels();
  if (!k) return null;
  const d = k.backend.dataIdMap.get(t.dataId);
  return d ? heapF32(k, d.memoryOffset, t.size) : null;
}

/**
 * A new float32 tensor on the wasm heap whose values `fill` writes in place
 * (the view is made after the allocation, which may grow the heap).
 */
export function heapTensor(shape: number[], fill: (values: Float32Array) => void): tf.Tensor {
  const k = heapKernels();
  if (!k) throw new Error('heapTensor needs the tfjs wasm backend');
  const info = k.backend.makeOutput(shape, 'float32');
  try {
    fill(heapF32(k, addressOf(k, info), shape.reduce((a, b) => a * b, 1)));
  } catch (e) {
    k.backend.disposeData(info.dataId, true);
    throw e;
  }
  return tf.engine().makeTensorFromTensorInfo(info);
}
