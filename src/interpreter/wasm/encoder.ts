// A tiny WebAssembly binary encoder: just what the interpreter's SIMD
// kernels need. Function bodies are written as folded expressions (the
// shape of .wat's `(i32.add (local.get 0) (i32.const 1))`), so the kernel
// sources in kernels_wasm.ts read like a text-format module while the bytes
// are produced here, by code in this repo, at load time.
//
// Opcode numbers are those of the WebAssembly core spec (MVP + bulk memory)
// and the fixed-width SIMD proposal as merged in Wasm 2.0 (prefix 0xFD,
// LEB128 sub-opcode). No relaxed SIMD: Node 20 runs plain SIMD without flags.

export type ValType = 'i32' | 'f32' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, f32: 0x7d, v128: 0x7b };

/** Appends bytes to an output buffer; the building block of every expression. */
export type Expr = (out: number[]) => void;

export function uleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`uleb: ${n}`);
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new Error(`sleb: ${n}`);
  n |= 0;
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

// ---- opcodes ------------------------------------------------------------------

/** Plain (one-byte) opcodes that take their operands from the stack. */
const PLAIN = {
  'i32.eqz': 0x45, 'i32.eq': 0x46, 'i32.ne': 0x47, 'i32.lt_s': 0x48, 'i32.lt_u': 0x49, 'i32.gt_s': 0x4a,
  'i32.gt_u': 0x4b, 'i32.le_s': 0x4c, 'i32.ge_s': 0x4e, 'i32.ge_u': 0x4f,
  'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.mul': 0x6c, 'i32.and': 0x71, 'i32.or': 0x72,
  'i32.shl': 0x74, 'i32.shr_s': 0x75, 'i32.shr_u': 0x76,
  'f32.add': 0x92, 'f32.mul': 0x94, 'f32.convert_i32_s': 0xb2, select: 0x1b,
  'f32.eq': 0x5b, 'f32.gt': 0x5e, 'f32.le': 0x5f, 'f32.ge': 0x60, 'f32.abs': 0x8b, 'f32.nearest': 0x90, 'f32.sub': 0x93, 'f32.div': 0x95, 'f32.sqrt': 0x91, 'f32.min': 0x96, 'f32.max': 0x97,
} as const;

/** SIMD opcodes without immediates (sub-opcode after the 0xFD prefix). */
const SIMD = {
  'i8x16.splat': 0x0f, 'i16x8.splat': 0x10, 'i32x4.splat': 0x11, 'f32x4.splat': 0x13,
  'i8x16.narrow_i16x8_s': 0x65, 'f32x4.nearest': 0x6a, 'i16x8.narrow_i32x4_s': 0x85,
  'i16x8.extend_low_i8x16_s': 0x87, 'i16x8.extend_high_i8x16_s': 0x88, 'i16x8.mul': 0x95,
  'i32x4.extend_low_i16x8_s': 0xa7, 'i32x4.extend_high_i16x8_s': 0xa8,
  'i32x4.add': 0xae, 'i32x4.sub': 0xb1, 'i32x4.mul': 0xb5, 'i32x4.min_s': 0xb6, 'i32x4.max_s': 0xb8,
  'i32x4.dot_i16x8_s': 0xba, 'i32x4.extmul_low_i16x8_s': 0xbc, 'i32x4.extmul_high_i16x8_s': 0xbd,
  'f32x4.add': 0xe4, 'f32x4.mul': 0xe6, 'f32x4.min': 0xe8, 'f32x4.max': 0xe9,
  'i8x16.min_s': 0x76, 'i8x16.max_s': 0x78, 'f32x4.pmin': 0xea, 'f32x4.pmax': 0xeb,
  'i32x4.trunc_sat_f32x4_s': 0xf8, 'f32x4.convert_i32x4_s': 0xfa,
  'f32x4.eq': 0x41, 'f32x4.gt': 0x44, 'f32x4.le': 0x45, 'f32x4.ge': 0x46, 'v128.and': 0x4e, 'f32x4.sub': 0xe5, 'f32x4.div': 0xe7, 'f32x4.sqrt': 0xe3, 'f32x4.abs': 0xe0,
} as const;

/** Loads: [prefix?, opcode]; every one takes a memarg (align, offset). */
const LOADS = {
  'i32.load': [0x28], 'i32.load8_s': [0x2c], 'f32.load': [0x2a],
  'v128.load': [0xfd, 0x00], 'v128.load8x8_s': [0xfd, 0x01], 'v128.load32_splat': [0xfd, 0x09],
  'v128.load64_zero': [0xfd, 0x5d],
} as const;

const STORES = {
  'i32.store': [0x36], 'i32.store8': [0x3a], 'f32.store': [0x38], 'v128.store': [0xfd, 0x0b],
} as const;

const STORE_LANES = {
  'v128.store8_lane': 0x58, 'v128.store16_lane': 0x59, 'v128.store32_lane': 0x5a, 'v128.store64_lane': 0x5b,
} as const;

export type PlainOp = keyof typeof PLAIN;
export type SimdOp = keyof typeof SIMD;
export type LoadOp = keyof typeof LOADS;
export type StoreOp = keyof typeof STORES;
export type StoreLaneOp = keyof typeof STORE_LANES;

// ---- expressions ----------------------------------------------------------------

const seq = (parts: readonly Expr[]): Expr => (out) => {
  for (const p of parts) p(out);
};

/** A numeric or SIMD instruction applied to its folded operands. */
export function op(name: PlainOp | SimdOp, ...args: Expr[]): Expr {
  return (out) => {
    for (const a of args) a(out);
    if (name in PLAIN) {
      out.push(PLAIN[name as PlainOp]);
    } else {
      out.push(0xfd);
      uleb(SIMD[name as SimdOp], out);
    }
  };
}

export const i32 = (n: number): Expr => (out) => {
  out.push(0x41);
  sleb(n, out);
};

export const get = (local: number): Expr => (out) => {
  out.push(0x20);
  uleb(local, out);
};

export const set = (local: number, value: Expr): Expr => (out) => {
  value(out);
  out.push(0x21);
  uleb(local, out);
};

export const tee = (local: number, value: Expr): Expr => (out) => {
  value(out);
  out.push(0x22);
  uleb(local, out);
};

/** Memory accesses; `offset` is the static byte offset of the memarg (alignment hint 0: always valid). */
export const load = (name: LoadOp, addr: Expr, offset = 0): Expr => (out) => {
  addr(out);
  out.push(...LOADS[name], 0);
  uleb(offset, out);
};

export const store = (name: StoreOp, addr: Expr, value: Expr, offset = 0): Expr => (out) => {
  addr(out);
  value(out);
  out.push(...STORES[name], 0);
  uleb(offset, out);
};

export const storeLane = (name: StoreLaneOp, addr: Expr, value: Expr, lane: number, offset = 0): Expr => (out) => {
  addr(out);
  value(out);
  out.push(0xfd);
  uleb(STORE_LANES[name], out);
  out.push(0);
  uleb(offset, out);
  out.push(lane);
};

/** i8x16.shuffle with 16 byte-lane indices (0–15 from a, 16–31 from b). */
export const shuffle = (a: Expr, b: Expr, lanes: readonly number[]): Expr => (out) => {
  if (lanes.length !== 16 || lanes.some((l) => l < 0 || l > 31)) throw new Error('shuffle needs 16 lane indices in 0..31');
  a(out);
  b(out);
  out.push(0xfd, 0x0d, ...lanes);
};

/** Shuffle expressed in 32-bit lanes (0–3 from a, 4–7 from b). */
export const shuffle32 = (a: Expr, b: Expr, lanes: readonly [number, number, number, number]): Expr =>
  shuffle(a, b, lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));

export const v128zero: Expr = (out) => {
  out.push(0xfd, 0x0c, ...new Array<number>(16).fill(0));
};

// ---- control ----------------------------------------------------------------------

const EMPTY_BLOCK = 0x40;

export const block = (...body: Expr[]): Expr => (out) => {
  out.push(0x02, EMPTY_BLOCK);
  seq(body)(out);
  out.push(0x0b);
};

export const loop = (...body: Expr[]): Expr => (out) => {
  out.push(0x03, EMPTY_BLOCK);
  seq(body)(out);
  out.push(0x0b);
};

export const if_ = (cond: Expr, then: readonly Expr[], otherwise: readonly Expr[] = []): Expr => (out) => {
  cond(out);
  out.push(0x04, EMPTY_BLOCK);
  seq(then)(out);
  if (otherwise.length > 0) {
    out.push(0x05);
    seq(otherwise)(out);
  }
  out.push(0x0b);
};

/** br_if to the `depth`-th enclosing label (0 = innermost). */
export const brIf = (depth: number, cond: Expr): Expr => (out) => {
  cond(out);
  out.push(0x0d);
  uleb(depth, out);
};

export const br = (depth: number): Expr => (out) => {
  out.push(0x0c);
  uleb(depth, out);
};

/** memory.fill(dst, byte, n) and memory.copy(dst, src, n) from the bulk-memory instructions. */
export const memoryFill = (dst: Expr, value: Expr, n: Expr): Expr => (out) => {
  dst(out);
  value(out);
  n(out);
  out.push(0xfc, 0x0b, 0x00);
};

export const memoryCopy = (dst: Expr, src: Expr, n: Expr): Expr => (out) => {
  dst(out);
  src(out);
  n(out);
  out.push(0xfc, 0x0a, 0x00, 0x00);
};

// ---- functions and modules -------------------------------------------------------

/** One exported function: parameters are locals 0..n−1; `local()` adds more. */
export class FunctionBuilder {
  private readonly extra: ValType[] = [];
  private readonly body: Expr[] = [];

  constructor(readonly name: string, readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  local(type: ValType): number {
    this.extra.push(type);
    return this.params.length + this.extra.length - 1;
  }

  /** A function whose parameters are all i32, one per name, in order. */
  static i32(name: string, paramNames: readonly string[]): FunctionBuilder {
    return new FunctionBuilder(name, paramNames.map(() => 'i32' as const));
  }

  /** The parameters' local indices, 0..n−1, for destructuring by name. */
  paramLocals(): number[] {
    return this.params.map((_, i) => i);
  }

  locals(type: ValType, n: number): number[] {
    return Array.from({ length: n }, () => this.local(type));
  }

  emit(...stmts: Expr[]): this {
    this.body.push(...stmts);
    return this;
  }

  encode(): number[] {
    const out: number[] = [];
    // Locals as (count, type) runs.
    const runs: Array<[number, ValType]> = [];
    for (const t of this.extra) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    uleb(runs.length, out);
    for (const [n, t] of runs) {
      uleb(n, out);
      out.push(VALTYPE[t]);
    }
    seq(this.body)(out);
    out.push(0x0b);
    return out;
  }
}

function section(id: number, payload: number[], out: number[]): void {
  out.push(id);
  uleb(payload.length, out);
  for (const b of payload) out.push(b);
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

/** A module importing `env.memory` and exporting every function by name. */
export function encodeModule(functions: readonly FunctionBuilder[]): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(functions.length, types);
  for (const f of functions) {
    types.push(0x60);
    uleb(f.params.length, types);
    for (const p of f.params) types.push(VALTYPE[p]);
    uleb(f.results.length, types);
    for (const r of f.results) types.push(VALTYPE[r]);
  }
  section(1, types, out);
  const imports: number[] = [1];
  name('env', imports);
  name('memory', imports);
  imports.push(0x02, 0x00, 0x01); // memory, limits without maximum, minimum 1 page
  section(2, imports, out);
  const funcs: number[] = [];
  uleb(functions.length, funcs);
  functions.forEach((_, i) => uleb(i, funcs));
  section(3, funcs, out);
  const exports: number[] = [];
  uleb(functions.length, exports);
  functions.forEach((f, i) => {
    name(f.name, exports);
    exports.push(0x00);
    uleb(i, exports);
  });
  section(7, exports, out);
  const code: number[] = [];
  uleb(functions.length, code);
  for (const f of functions) {
    const body = f.encode();
    uleb(body.length, code);
    for (const b of body) code.push(b);
  }
  section(10, code, out);
  return new Uint8Array(out);
}
