// MAX_POOL_2D on the wasm kernels, int8 (16 channels per step) and float32
// (4 per step). Per output pixel the in-bounds part of the window is visited
// (padding taps are never read, as in the reference kernel), starting from
// the dtype's lowest value, then clamped to the fused activation range.
// float32 uses pmax/pmin, which are exactly JS's `b > a ? b : a` and the
// reference clamp's comparisons, so NaN and signed zeros come out as the
// plain-JS kernel's do. Scratch: staged input | output.

import type { WindowGeometry } from '../kernels/types.js';
import type { WasmArena } from './arena.js';
import { FunctionBuilder, block, br, brIf, get, i32, load, loop, op, set, store, tee, type Expr } from './encoder.js';
import { scratchRegions } from './image.js';

export type PoolDtype = 'i8' | 'f32';

const add32 = (a: Expr, b: Expr): Expr => op('i32.add', a, b);
const mul32 = (a: Expr, b: Expr): Expr => op('i32.mul', a, b);

/**
 * max_pool_{i8,f32}(img, inH, inW, pixelBytes, outH, outW, strideH, strideW,
 * padTop, padLeft, fh, fw, out, bounds): bounds holds three vectors — the
 * initial value, the activation minimum and maximum, splatted. Reads and
 * writes run up to 15 bytes past a pixel's channels (arena slack).
 */
export function maxPoolKernel(dtype: PoolDtype): FunctionBuilder {
  const names = ['img', 'inH', 'inW', 'pixelBytes', 'outH', 'outW', 'strideH', 'strideW', 'padTop', 'padLeft', 'fh', 'fw', 'out', 'bounds'];
  const f = FunctionBuilder.i32(`max_pool_${dtype}`, names);
  const [img, inH, inW, pixelBytes, outH, outW, strideH, strideW, padTop, padLeft, fh, fw, out, bounds] = f.paramLocals() as number[];
  const [oy, ox, y0, x0, fy0, fy1, fx0, fx1, fy, fx, c0, rowStart, p, o] = f.locals('i32', 14) as number[];
  const [acc, init, lo, hi] = f.locals('v128', 4) as number[];
  const max = dtype === 'i8' ? 'i8x16.max_s' : 'f32x4.pmax';
  const min = dtype === 'i8' ? 'i8x16.min_s' : 'f32x4.pmin';
  const maxS = (a: Expr, b: Expr): Expr => op('select', a, b, op('i32.gt_s', a, b));
  const minS = (a: Expr, b: Expr): Expr => op('select', a, b, op('i32.lt_s', a, b));
  // pmax(acc, v) = acc < v ? v : acc, the JS `if (v > acc) acc = v`.
  const tapLoop = block(loop(
    brIf(1, op('i32.ge_s', get(fx!), get(fx1!))),
    set(acc!, op(max, get(acc!), load('v128.load', get(p!)))),
    set(p!, add32(get(p!), get(pixelBytes!))),
    set(fx!, add32(get(fx!), i32(1))),
    br(0),
  ));
  const rowLoop = block(loop(
    brIf(1, op('i32.ge_s', get(fy!), get(fy1!))),
    set(p!, add32(add32(get(rowStart!), mul32(add32(mul32(add32(get(y0!), get(fy!)), get(inW!)), add32(get(x0!), get(fx0!))), get(pixelBytes!))), get(c0!))),
    set(fx!, get(fx0!)),
    tapLoop,
    set(fy!, add32(get(fy!), i32(1))),
    br(0),
  ));
  f.emit(
    set(init!, load('v128.load', get(bounds!))),
    set(lo!, load('v128.load', get(bounds!), 16)),
    set(hi!, load('v128.load', get(bounds!), 32)),
    set(rowStart!, get(img!)),
    set(o!, get(out!)),
    set(oy!, i32(0)),
    loop(
      set(y0!, op('i32.sub', mul32(get(oy!), get(strideH!)), get(padTop!))),
      set(fy0!, maxS(i32(0), op('i32.sub', i32(0), get(y0!)))),
      set(fy1!, minS(get(fh!), op('i32.sub', get(inH!), get(y0!)))),
      set(ox!, i32(0)),
      loop(
        set(x0!, op('i32.sub', mul32(get(ox!), get(strideW!)), get(padLeft!))),
        set(fx0!, maxS(i32(0), op('i32.sub', i32(0), get(x0!)))),
        set(fx1!, minS(get(fw!), op('i32.sub', get(inW!), get(x0!)))),
        set(c0!, i32(0)),
        loop(
          set(acc!, get(init!)),
          set(fy!, get(fy0!)),
          rowLoop,
          // The reference clamp: v < lo ? lo : v > hi ? hi : v.
          store('v128.store', add32(get(o!), get(c0!)), op(min, op(max, get(acc!), get(lo!)), get(hi!))),
          brIf(0, op('i32.lt_s', tee(c0!, add32(get(c0!), i32(16))), get(pixelBytes!))),
        ),
        set(o!, add32(get(o!), get(pixelBytes!))),
        brIf(0, op('i32.lt_s', tee(ox!, add32(get(ox!), i32(1))), get(outW!))),
      ),
      brIf(0, op('i32.lt_s', tee(oy!, add32(get(oy!), i32(1))), get(outH!))),
    ),
  );
  return f;
}

export type MaxPoolFn = (img: number, inH: number, inW: number, pixelBytes: number, outH: number, outW: number,
  strideH: number, strideW: number, padTop: number, padLeft: number, fh: number, fw: number, out: number, bounds: number) => void;

export interface WasmMaxPoolOp {
  arena: WasmArena;
  dtype: PoolDtype;
  g: WindowGeometry;
  pixelBytes: number;
  bounds: number;
  inputBytes: number;
  outputBytes: number;
  offsets: { stage: number; out: number };
  /** Byte views of the op's input and output tensors, made on the first run. */
  views: { input: ArrayBufferView | null; src: Uint8Array; dst: Uint8Array } | null;
}

export function prepareWasmMaxPool(arena: WasmArena, dtype: PoolDtype, g: WindowGeometry, channels: number, actMin: number, actMax: number): WasmMaxPoolOp {
  const esize = dtype === 'i8' ? 1 : 4;
  const pixelBytes = channels * esize;
  const bounds = arena.alloc(48);
  const values = [dtype === 'i8' ? -128 : -Infinity, actMin, actMax];
  values.forEach((v, i) => {
    if (dtype === 'i8') arena.i8.fill(v, bounds + 16 * i, bounds + 16 * i + 16);
    else arena.f32.fill(v, (bounds >>> 2) + 4 * i, (bounds >>> 2) + 4 * i + 4);
  });
  const inputBytes = g.inH * g.inW * pixelBytes;
  const outputBytes = g.outH * g.outW * pixelBytes;
  const { offsets, total } = scratchRegions([inputBytes, outputBytes]);
  arena.needScratch(total);
  return { arena, dtype, g, pixelBytes, bounds, inputBytes, outputBytes, offsets: { stage: offsets[0]!, out: offsets[1]! }, views: null };
}

/** One batch at a time through the same two scratch regions. */
export function runWasmMaxPool(p: WasmMaxPoolOp, input: Int8Array | Float32Array, output: Int8Array | Float32Array): void {
  const { arena, g } = p;
  const base = arena.scratchBase;
  const stage = base + p.offsets.stage;
  const out = base + p.offsets.out;
  const u8 = arena.u8;
  if (p.views?.input !== input) {
    p.views = {
      input,
      src: new Uint8Array(input.buffer, input.byteOffset, input.byteLength),
      dst: new Uint8Array(output.buffer, output.byteOffset, output.byteLength),
    };
  }
  const { src, dst } = p.views;
  if (p.outputBytes === 0) return;
  const fn = p.dtype === 'i8' ? arena.kernels.maxPoolI8 : arena.kernels.maxPoolF32;
  for (let b = 0; b < g.batches; b++) {
    u8.set(src.subarray(b * p.inputBytes, (b + 1) * p.inputBytes), stage);
    fn(stage, g.inH, g.inW, p.pixelBytes, g.outH, g.outW, g.strideH, g.strideW, g.padTop, g.padLeft, g.filterH, g.filterW, out, p.bounds);
    dst.set(u8.subarray(out, out + p.outputBytes), b * p.outputBytes);
  }
}
