// float32 WebAssembly SIMD kernel for the filter gradient of a 1×1 conv:
// dW[ci, co] = Σ_p x[p, ci] · dy[p, co] over the pixels p of the batch, with
// x [P, Cin] and dy [P, Cout] as tfjs stores them (NHWC rows). As a matMul
// it is xᵀ · dy, which on tfjs wasm costs a full transpose of x and
// XNNPACK's packing of dy as the "weights" on every call; here each pixel
// adds an outer product into a register tile of MR input channels × NR
// output channels (x values splatted, dy rows loaded as vectors), reading
// both tensors in place.
//
// Rows are taken `chunk` at a time so one chunk of x and dy stays in cache
// while every tile passes over it; tiles accumulate into dW in memory.
// Functions outer_<MR>x<NR> cover the channel ranges given to them, MR ∈
// {4, 1}, NR ∈ {8, 4, 1}; the caller splits Cin and Cout among them.

import { type Expr, FunctionBuilder, get, i32, op, set } from '../../src/interpreter/wasm/encoder.js';
import { add, f32Lanes, forRange, mul, repeat } from './codegen.js';

export const ROW_TILES = [4, 1] as const;
export const COL_TILES = [8, 4, 1] as const;
export type RowTile = typeof ROW_TILES[number];
export type ColTile = typeof COL_TILES[number];

/**
 * (x, xStride, dy, dyStride, rows, chunk, out, outStride, ci0, ci1, co0, co1):
 * strides in bytes, channel ranges in channels (multiples of the tile).
 */
export type OuterFunction = (
  x: number, xStride: number, dy: number, dyStride: number, rows: number, chunk: number,
  out: number, outStride: number, ci0: number, ci1: number, co0: number, co1: number,
) => void;

export const outerFunctionName = (mr: RowTile, nr: ColTile): string => `outer_${mr}x${nr}`;

function outerFunction(mr: RowTile, nr: ColTile): FunctionBuilder {
  const params = ['x', 'xStride', 'dy', 'dyStride', 'rows', 'chunk', 'out', 'outStride', 'ci0', 'ci1', 'co0', 'co1'];
  const f = new FunctionBuilder(outerFunctionName(mr, nr), params.map(() => 'i32' as const));
  const [x, xStride, dy, dyStride, rows, chunk, out, outStride, ci0, ci1, co0, co1] = params.map((_, i) => i) as number[];
  const p0 = f.local('i32');
  const n = f.local('i32');
  const ci = f.local('i32');
  const co = f.local('i32');
  const k = f.local('i32');
  const xp = f.local('i32');
  const dp = f.local('i32');
  const op_ = f.local('i32');
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
    ...xs.map((r, i) => set(r, L.splat(get(xp), 4 * i))),
    ...dv.map((r, j) => set(r, L.load(get(dp), L.bytes * j))),
    ...tileAccess((i, j) => set(accAt(i, j), L.add(get(accAt(i, j)), L.mul(get(xs[i]!), get(dv[j]!))))),
    set(xp, add(get(xp), get(xStride))),
    set(dp, add(get(dp), get(dyStride))),
  ];

  const tile: Expr[] = [
    // out + ci·outStride + co·4: the tile's first accumulator.
    set(op_, add(get(out), add(mul(get(ci), get(outStride)), mul(get(co), i32(4))))),
    ...tileAccess((i, j, o) => set(accAt(i, j), L.load(rowOf(i), o))),
    set(xp, add(add(get(x), mul(get(p0), get(xStride))), mul(get(ci), i32(4)))),
    set(dp, add(add(get(dy), mul(get(p0), get(dyStride))), mul(get(co), i32(4)))),
    repeat(k, get(n), pixel),
    ...tileAccess((i, j, o) => L.store(rowOf(i), get(accAt(i, j)), o)),
  ];

  f.emit(forRange(p0, i32(0), get(rows), get(chunk), [
    set(n, op('i32.sub', get(rows), get(p0))),
    set(n, op('select', get(chunk), get(n), op('i32.lt_s', get(chunk), get(n)))),
    forRange(ci, get(ci0), get(ci1), i32(mr), [
      forRange(co, get(co0), get(co1), i32(nr), tile),
    ]),
  ]));
  return f;
}

export function outerFunctions(): FunctionBuilder[] {
  return ROW_TILES.flatMap((mr) => COL_TILES.map((nr) => outerFunction(mr, nr)));
}
