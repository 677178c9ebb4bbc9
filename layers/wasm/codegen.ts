// Code-generation helpers shared by the training kernels: float32 lanes
// that are either one f32 or one f32x4 (so one generator emits the vector
// body and its scalar tail), counted loops, and how a channel range is
// split among the functions emitted for fixed widths.
import {
  type Expr, type ValType, block, br, brIf, get, i32, load, loop, op, set, store, tee,
} from '../../src/interpreter/wasm/encoder.js';

export interface F32Lanes {
  type: ValType;
  /** Bytes per register: 4 (f32) or 16 (f32x4). */
  bytes: number;
  load(addr: Expr, offset: number): Expr;
  store(addr: Expr, value: Expr, offset: number): Expr;
  add(a: Expr, b: Expr): Expr;
  mul(a: Expr, b: Expr): Expr;
  /** One float from memory in every lane. */
  splat(addr: Expr, offset: number): Expr;
}

export function f32Lanes(scalar: boolean): F32Lanes {
  return {
    type: scalar ? 'f32' : 'v128',
    bytes: scalar ? 4 : 16,
    load: (addr, offset) => load(scalar ? 'f32.load' : 'v128.load', addr, offset),
    store: (addr, value, offset) => store(scalar ? 'f32.store' : 'v128.store', addr, value, offset),
    add: (a, b) => op(scalar ? 'f32.add' : 'f32x4.add', a, b),
    mul: (a, b) => op(scalar ? 'f32.mul' : 'f32x4.mul', a, b),
    splat: (addr, offset) => load(scalar ? 'f32.load' : 'v128.load32_splat', addr, offset),
  };
}

export const add = (a: Expr, b: Expr): Expr => op('i32.add', a, b);
export const mul = (a: Expr, b: Expr): Expr => op('i32.mul', a, b);

/** `for (counter = count; counter > 0; counter--) body`, skipping the body when count ≤ 0. */
export function repeat(counter: number, count: Expr, body: Expr[]): Expr {
  return block(
    brIf(0, op('i32.le_s', tee(counter, count), i32(0))),
    loop(...body, brIf(0, tee(counter, op('i32.sub', get(counter), i32(1))))),
  );
}

/** `for (v = from; v < to; v += step) body` (skipped when from ≥ to). */
export function forRange(v: number, from: Expr, to: Expr, step: Expr, body: Expr[]): Expr {
  return block(
    set(v, from),
    loop(brIf(1, op('i32.ge_s', get(v), to)), ...body, set(v, add(get(v), step)), br(0)),
  );
}

/**
 * Splits [0, n) among functions emitted for fixed widths (largest first):
 * [width, from, to] ranges whose lengths are multiples of their width.
 */
export function splitByWidths<T extends number>(n: number, widths: readonly T[]): Array<[T, number, number]> {
  const out: Array<[T, number, number]> = [];
  let from = 0;
  for (const w of widths) {
    const to = from + Math.floor((n - from) / w) * w;
    if (to > from) out.push([w, from, to]);
    from = to;
  }
  return out;
}
