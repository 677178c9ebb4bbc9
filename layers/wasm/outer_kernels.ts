// float32 WebAssembly SIMD kernel for conv filter gradients:
// dW[t, ci, co] = Σ_o x[i(o, t), ci] · dy[o, co] over the output pixels o
// whose input pixel i(o, t) for tap t lies in the image (a rectangle, see
// tap_kernels.ts), with x and dy as tfjs stores them (NHWC). For a 1×1
// stride-1 conv it is xᵀ · dy, which on tfjs wasm costs a full transpose of
// x and XNNPACK's packing of dy as the "weights" on every call; other convs
// went through transposes of both tensors and a conv. Here each pixel adds
// an outer product into a register tile of MR input channels × NR output
// channels (x values splatted, dy rows loaded as vectors), reading both
// tensors in place.
//
// One call covers one rectangle (rows × cols pixels, with byte strides for
// both tensors) for every tile in the channel ranges given; tiles
// accumulate into dW in memory, so the caller keeps each rectangle small
// enough to stay in cache while every tile passes over it. Functions
// outer_<MR>x<NR>, MR ∈ {4, 1}, NR ∈ {8, 4, 1}; the caller splits Cin and
// Cout among them.

import { type Expr, FunctionBuilder, get, i32, set } from '../../src/interpreter/wasm/encoder.js';
import { add, f32Lanes, forRange, mul, repeat } from './codegen.js';

export const ROW_TILES = [4, 1] as const;
export const COL_TILES = [8, 4, 1] as const;
export type RowTile = typeof ROW_TILES[number];
export type ColTile = typeof COL_TILES[number];

/**
 * (x, xRow, xCol, dy, dyRow, dyCol, rows, cols, out, outStride, ci0, ci1, co0, co1):
 * x and dy point at the rectangle's first pixel (channel 0); strides in
 * bytes; channel ranges in channels (multiples of the tile).
 */
export type OuterFunction = (
  x: number, xRow: number, xCol: number, dy: number, dyRow: number, dyCol: number, rows: number, cols: number,
  out: number, outStride: number, ci0: number, ci1: number, co0: number, co1: number,
) => void;

export const outerFunctionName = (mr: RowTile, nr: ColTile): string => `outer_${mr}x${nr}`;

function outerFunction(mr: RowTile, nr: ColTile): FunctionBuilder {
  const params = ['x', 'xRow', 'xCol', 'dy', 'dyRow', 'dyCol', 'rows', 'cols', 'out', 'outStride', 'ci0', 'ci1', 'co0', 'co1'];
  const f = FunctionBuilder.i32(outerFunctionName(mr, nr), params);
  const [x, xRow, xCol, dy, dyRow, dyCol, rows, cols, out, outStride, ci0, ci1, co0, co1] = f.paramLocals();
  const [ci, co, r, k, xr, dr, xp, dp, op_] = f.locals('i32', 9);
  const L = f32Lanes(nr === 1);
  const nv = (4 * nr) / L.bytes;
  const acc = Array.from({ length: mr }, () => f.locals(L.type, nv));
  const xs = f.locals(L.type, mr);
  const dv = f.locals(L.type, nv);
  const accAt = (i: number, j: number): number => acc[i]![j]!;

  const tileAccess = (fn: (i: number, j: number, offset: number) => Expr): Expr[] =>
    acc.flatMap((row, i) => row.map((_, j) => fn(i, j, L.bytes * j)));
  const rowOf = (i: number): Expr => add(get(op_), mul(i32(i), get(outStride)));

  const pixel: Expr[] = [
    ...xs.map((reg, i) => set(reg, L.splat(get(xp), 4 * i))),
    ...dv.map((reg, j) => set(reg, L.load(get(dp), L.bytes * j))),
    ...tileAccess((i, j) => set(accAt(i, j), L.add(get(accAt(i, j)), L.mul(get(xs[i]!), get(dv[j]!))))),
    set(xp, add(get(xp), get(xCol))),
    set(dp, add(get(dp), get(dyCol))),
  ];

  const tile: Expr[] = [
    // out + ci·outStride + co·4: the tile's first accumulator.
    set(op_, add(get(out), add(mul(get(ci), get(outStride)), mul(get(co), i32(4))))),
    ...tileAccess((i, j, o) => set(accAt(i, j), L.load(rowOf(i), o))),
    set(xr, add(get(x), mul(get(ci), i32(4)))),
    set(dr, add(get(dy), mul(get(co), i32(4)))),
    repeat(r, get(rows), [
      set(xp, get(xr)),
      set(dp, get(dr)),
      repeat(k, get(cols), pixel),
      set(xr, add(get(xr), get(xRow))),
      set(dr, add(get(dr), get(dyRow))),
    ]),
    ...tileAccess((i, j, o) => L.store(rowOf(i), get(accAt(i, j)), o)),
  ];

  f.emit(forRange(ci, get(ci0), get(ci1), i32(mr), [forRange(co, get(co0), get(co1), i32(nr), tile)]));
  return f;
}

export function outerFunctions(): FunctionBuilder[] {
  return ROW_TILES.flatMap((mr) => COL_TILES.map((nr) => outerFunction(mr, nr)));
}
