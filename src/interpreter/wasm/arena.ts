// One WebAssembly memory + kernel instance per interpreter, and the choice
// between the wasm and the plain-JS kernels.
//
// Memory layout (byte addresses, everything 16-byte aligned):
//   [0, 16)                       unused (address 0 is never handed out)
//   [16, persistentEnd)           per-op constants, bump-allocated at prepare
//                                 time and never freed: packed GEMM weights
//                                 [⌈n/8⌉][⌈k/8⌉][4][8][2] int8, folded bias int32,
//                                 fp32 scales, depthwise weights/tap offsets
//   [scratchBase, +scratchBytes)  one scratch area shared by all ops (they run
//                                 one at a time): staged input, padded image,
//                                 im2col rows, outputs. Its size is the largest
//                                 any op asked for, plus slack for the 16-byte
//                                 over-reads/writes the kernels allow themselves.
// Every op's prepare grows the memory to fit; invoke never allocates. Since a
// later prepare can move scratchBase (and growing detaches old views), ops read
// `scratchBase` and the views at invoke time, and cache derived subarrays by
// `epoch`, which changes whenever the layout does.

import { kernelModuleBytes, MAX_MR, MAX_MR_F32, type KernelExports, type GemmI32, type GemmQ8 } from './kernels.js';
import type { GemmF32 } from './kernels-float.js';

/** Which implementation the weighted int8 kernels use. */
export type KernelEngine = 'wasm' | 'js';

const PAGE = 65536;
const SLACK = 64;

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (d: { initial: number }) => WasmMemory;
}
interface WasmMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | null | undefined;

/** The kernel module, compiled once per process; null where WebAssembly SIMD is unavailable. */
function kernelModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = wasmApi ? new wasmApi.Module(kernelModuleBytes()) : null;
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

let engineOverride: KernelEngine | null = null;

/**
 * Selects the kernels used by interpreters created from now on: 'wasm'
 * (default where supported) or 'js'; null goes back to the default, which the
 * environment variable QAT_INTERP_ENGINE=js|wasm can also set.
 */
export function setKernelEngine(engine: KernelEngine | null): void {
  engineOverride = engine;
}

export function kernelEngine(): KernelEngine {
  const env = typeof process !== 'undefined' ? process.env.QAT_INTERP_ENGINE : undefined;
  const wanted = engineOverride ?? (env === 'js' ? 'js' : 'wasm');
  return wanted === 'wasm' && kernelModule() ? 'wasm' : 'js';
}

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

export class WasmArena {
  readonly kernels: KernelExports;
  private readonly memory: WasmMemory;
  private persistentEnd = 16;
  private scratchBytes = 0;
  /** Changes whenever scratchBase or the memory's buffer changes. */
  epoch = 0;
  i8!: Int8Array;
  u8!: Uint8Array;
  i32!: Int32Array;
  f32!: Float32Array;

  constructor() {
    const module = kernelModule();
    if (!module || !wasmApi) throw new Error('WebAssembly SIMD is not available');
    this.memory = new wasmApi.Memory({ initial: 1 });
    const e = new wasmApi.Instance(module, { env: { memory: this.memory } }).exports;
    const fn = <T>(name: string): T => e[name] as T;
    this.kernels = {
      gemmQ8: Array.from({ length: MAX_MR + 1 }, (_, mr) => (mr === 0 ? null : fn<GemmQ8>(`gemm_q8_${mr}`))) as GemmQ8[],
      gemmI32: Array.from({ length: MAX_MR + 1 }, (_, mr) => (mr === 0 ? null : fn<GemmI32>(`gemm_i32_${mr}`))) as GemmI32[],
      dwQ8: fn('dw_q8'),
      dwI32: fn('dw_i32'),
      dw9Q8: fn('dw9_q8'),
      dw9I32: fn('dw9_i32'),
      im2col: fn('im2col'),
      padImage: fn('pad_image'),
      spreadImage: fn('spread_image'),
      gemmF32: Array.from({ length: MAX_MR_F32 + 1 }, (_, mr) => (mr === 0 ? null : fn<GemmF32>(`gemm_f32_${mr}`))) as GemmF32[],
      dwF32: fn('dw_f32'),
      maxPoolI8: fn('max_pool_i8'),
      maxPoolF32: fn('max_pool_f32'),
      gemvQ8: fn('gemv_q8'),
      gemvI32: fn('gemv_i32'),
    };
    this.refreshViews();
  }

  /** Start of the shared scratch area (valid until the next prepare). */
  get scratchBase(): number {
    return this.persistentEnd;
  }

  /** Reserves `bytes` of persistent memory and returns its address. */
  alloc(bytes: number): number {
    const at = this.persistentEnd;
    this.persistentEnd = align16(at + bytes);
    this.fit();
    return at;
  }

  /** Makes the shared scratch area at least `bytes` long. */
  needScratch(bytes: number): void {
    this.scratchBytes = Math.max(this.scratchBytes, align16(bytes));
    this.fit();
  }

  private fit(): void {
    const need = this.persistentEnd + this.scratchBytes + SLACK;
    const have = this.memory.buffer.byteLength;
    if (need > have) this.memory.grow(Math.ceil((need - have) / PAGE));
    this.refreshViews();
  }

  private refreshViews(): void {
    const b = this.memory.buffer;
    this.i8 = new Int8Array(b);
    this.u8 = new Uint8Array(b);
    this.i32 = new Int32Array(b);
    this.f32 = new Float32Array(b);
    this.epoch++;
  }
}

// Keyed by the interpreter's tensor arena: every op of one interpreter sees the
// same ArrayBuffer behind its tensor views, so they share one wasm memory.
const arenas = new WeakMap<object, WasmArena>();

/** The wasm arena of the interpreter owning `tensorArena`, or null when the JS kernels are selected. */
export function wasmArenaFor(tensorArena: ArrayBufferLike): WasmArena | null {
  if (kernelEngine() !== 'wasm') return null;
  let a = arenas.get(tensorArena);
  if (!a) {
    a = new WasmArena();
    arenas.set(tensorArena, a);
  }
  return a;
}
