// float32 WebAssembly SIMD kernels for depthwise convolution in training,
// written against the interpreter's encoder (src/interpreter/wasm/encoder.ts).
//
// A depthwise conv (multiplier 1, NHWC) is a sum over its kernel taps. For
// one tap the output pixels whose input pixel lies inside the image form a
// rectangle, and over that rectangle the input pixel moves by a constant
// stride, so each tap is a branch-free 2-D loop over contiguous channel
// vectors. Three computations share this shape:
//   forward          y[o]  += w[t] · x[i(o, t)]
//   input gradient  dx[i(o, t)] += w[t] · dy[o]        (any stride: a scatter)
//   filter gradient dw[t]  += Σ_o x[i(o, t)] · dy[o]
// "axpy" is the first two (dest += w · src), "dot" the third. Training uses
// the two gradients; the forward stays on tfjs's XNNPACK kernel, which is
// already fast (23 ms for all 17 of a mobilenet-v2 α0.35 32×32 batch-64
// step, against 221 ms its two gradients took as tfjs convs). The caller
// passes a tap table (per tap: byte offsets of the rectangle's first
// element in both tensors, its rows and columns, the tap's offset into the
// filter-shaped array) and one channel range; the kernel loops
// batch → channel block → tap → rows → columns, so one image stays in cache
// across all its taps. Channel blocks are 16, 4 or 1 floats wide (three
// functions per kind); the caller splits the channels among them.
//
// All addresses are byte addresses in the imported memory, which is the
// tfjs wasm backend's own heap (tfjs_heap.ts): no data is copied in or out.

import { type Expr, FunctionBuilder, get, i32, load, set } from '../../src/interpreter/wasm/encoder.js';
import { add, f32Lanes, forRange, mul, repeat } from './codegen.js';

/** Floats per channel block of each emitted function; the last is the scalar tail. */
export const BLOCK_WIDTHS = [16, 4, 1] as const;
export type BlockWidth = typeof BLOCK_WIDTHS[number];

/** int32 entries per tap in the tap table. */
export const TAP_FIELDS = 5;

export type TapKind = 'axpy' | 'dot';

/**
 * Params of every function: (d, dBatch, dRow, dCol, s, sBatch, sRow, sCol,
 * batches, table, taps, w, c0, c1). For 'axpy' d is the destination and s
 * the source; for 'dot' d and s are the two factors (x and dy) and w the
 * accumulators. Strides are bytes; [c0, c1) is a byte range of channels.
 * Table entries per tap: dOff, sOff, rows, cols, wOff.
 */
export type TapFunction = (
  d: number, dBatch: number, dRow: number, dCol: number, s: number, sBatch: number, sRow: number, sCol: number,
  batches: number, table: number, taps: number, w: number, c0: number, c1: number,
) => void;

export const tapFunctionName = (kind: TapKind, width: BlockWidth): string => `${kind}_${width}`;

function tapFunction(kind: TapKind, width: BlockWidth): FunctionBuilder {
  const params = ['d', 'dBatch', 'dRow', 'dCol', 's', 'sBatch', 'sRow', 'sCol', 'batches', 'table', 'taps', 'w', 'c0', 'c1'];
  const f = FunctionBuilder.i32(tapFunctionName(kind, width), params);
  const [d, dBatch, dRow, dCol, s, sBatch, sRow, sCol, batches, table, taps, w, c0, c1] = f.paramLocals();
  const [b, c, t, entry, rows, cols, dImage, sImage, dr, sr, dp, sp, wp] = f.locals('i32', 13);
  const L = f32Lanes(width === 1);
  const reg = f.locals(L.type, (4 * width) / L.bytes);
  const lanes = reg.map((_, v) => v * L.bytes);
  const field = (k: number): Expr => load('i32.load', get(entry), 4 * k);

  // One output pixel of the tap's rectangle.
  const pixel: Expr[] = kind === 'axpy'
    ? lanes.map((o, v) => L.store(get(dp), L.add(L.load(get(dp), o), L.mul(get(reg[v]!), L.load(get(sp), o))), o))
    : lanes.map((o, v) => set(reg[v]!, L.add(get(reg[v]!), L.mul(L.load(get(dp), o), L.load(get(sp), o)))));
  // axpy keeps the tap's weights in registers; dot keeps its accumulators there.
  const loadRegs = lanes.map((o, v) => set(reg[v]!, L.load(get(wp), o)));
  const storeRegs = kind === 'dot' ? lanes.map((o, v) => L.store(get(wp), get(reg[v]!), o)) : [];

  const tapBody: Expr[] = [
    set(entry, add(get(table), mul(get(t), i32(4 * TAP_FIELDS)))),
    set(wp, add(add(get(w), field(4)), get(c))),
    set(dr, add(add(get(dImage), field(0)), get(c))),
    set(sr, add(add(get(sImage), field(1)), get(c))),
    ...loadRegs,
    repeat(rows, field(2), [
      set(dp, get(dr)),
      set(sp, get(sr)),
      repeat(cols, field(3), [
        ...pixel,
        set(dp, add(get(dp), get(dCol))),
        set(sp, add(get(sp), get(sCol))),
      ]),
      set(dr, add(get(dr), get(dRow))),
      set(sr, add(get(sr), get(sRow))),
    ]),
    ...storeRegs,
  ];
  f.emit(
    set(dImage, get(d)),
    set(sImage, get(s)),
    repeat(b, get(batches), [
      // c counts bytes from c0 to c1 in steps of the block width.
      forRange(c, get(c0), get(c1), i32(width * 4), [forRange(t, i32(0), get(taps), i32(1), tapBody)]),
      set(dImage, add(get(dImage), get(dBatch))),
      set(sImage, add(get(sImage), get(sBatch))),
    ]),
  );
  return f;
}

/** axpy_16/4/1 and dot_16/4/1. */
export function tapFunctions(): FunctionBuilder[] {
  return (['axpy', 'dot'] as TapKind[]).flatMap((kind) => BLOCK_WIDTHS.map((width) => tapFunction(kind, width)));
}
