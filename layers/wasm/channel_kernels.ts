// float32 WebAssembly SIMD kernels for the per-channel reductions that
// every BN layer and every quantized activation runs in training. tfjs-wasm
// reduces over [batch, h, w] of an NHWC tensor only after transposing the
// channels to the inside (a full copy, then a reduction). (The activation
// fake quant, elementwise, is a row kernel: row_kernels.ts.)
//
// Reductions: out[c] += Σ_rows x[row, c] (or Σ (x − mean[c])², or
// Σ x·y; or out[c] = max(out[c], max_rows |x|)) over one
// block of rows, channels 16, 4 or 1 wide per function. The caller passes
// blocks of a few hundred rows, so each block sums in registers and the
// float32 error grows with the block length plus the block count, not with
// every row of the batch.
//
// Min and max of a whole tensor in one pass, for the activation ranges
// every quantized activation observes on every step.
import {
  type Expr, FunctionBuilder, get, i32, op, set, v128zero,
} from '../../src/interpreter/wasm/encoder.js';
import { add, f32Lanes, forRange, repeat } from './codegen.js';
import { BLOCK_WIDTHS, type BlockWidth } from './tap_kernels.js';

export type ChannelReduction = 'sum' | 'sqdev' | 'dot' | 'absmax';

/**
 * (x, rowStride, rows, c0, c1, other, out): x points at channel 0 of the
 * block's first row; rowStride and [c0, c1) are bytes; `other` is the
 * per-channel mean for 'sqdev', the second factor (laid out as x) for
 * 'dot', unread for 'sum'; out accumulates.
 */
export type ChannelFunction = (x: number, rowStride: number, rows: number, c0: number, c1: number, mean: number, out: number) => void;

export const channelFunctionName = (kind: ChannelReduction, width: BlockWidth): string => `channel_${kind}_${width}`;

const zeroF32: Expr = op('f32.convert_i32_s', i32(0));

function channelFunction(kind: ChannelReduction, width: BlockWidth): FunctionBuilder {
  const f = FunctionBuilder.i32(channelFunctionName(kind, width), ['x', 'rowStride', 'rows', 'c0', 'c1', 'mean', 'out']);
  const [x, rowStride, rows, c0, c1, mean, out] = f.paramLocals();
  const [c, r, p, q] = f.locals('i32', 4);
  const L = f32Lanes(width === 1);
  const lanes = Array.from({ length: (4 * width) / L.bytes }, (_, v) => v * L.bytes);
  const acc = f.locals(L.type, lanes.length);
  const mu = kind === 'sqdev' ? f.locals(L.type, lanes.length) : [];
  const sub = (a: Expr, b: Expr): Expr => op(width === 1 ? 'f32.sub' : 'f32x4.sub', a, b);
  const term = (v: number, o: number): Expr => {
    const value = L.load(get(p), o);
    if (kind === 'sum') return value;
    if (kind === 'absmax') return op(width === 1 ? 'f32.abs' : 'f32x4.abs', value);
    if (kind === 'dot') return L.mul(value, L.load(get(q), o));
    const d = sub(value, get(mu[v]!));
    return L.mul(d, d);
  };
  // |x| ≥ 0, so 0 starts the max as it starts the sums.
  const combine = (a: Expr, b: Expr): Expr => (kind === 'absmax' ? op(width === 1 ? 'f32.max' : 'f32x4.max', a, b) : L.add(a, b));
  f.emit(forRange(c, get(c0), get(c1), i32(4 * width), [
    ...acc.map((a) => set(a, width === 1 ? zeroF32 : v128zero)),
    ...mu.map((m, v) => set(m, L.load(add(get(mean), get(c)), lanes[v]!))),
    set(p, add(get(x), get(c))),
    set(q, add(get(mean), get(c))),
    repeat(r, get(rows), [
      ...lanes.map((o, v) => set(acc[v]!, combine(get(acc[v]!), term(v, o)))),
      set(p, add(get(p), get(rowStride))),
      ...(kind === 'dot' ? [set(q, add(get(q), get(rowStride)))] : []),
    ]),
    ...lanes.map((o, v) => L.store(add(get(out), get(c)), combine(L.load(add(get(out), get(c)), o), get(acc[v]!)), o)),
  ]));
  return f;
}

/** (x, to, out): lane-wise min and max of the float32x4 vectors at [x, to), written to out and out + 16; needs to > x. */
export type MinMaxFunction = (x: number, to: number, out: number) => void;
export const MIN_MAX_FUNCTION = 'min_max_4';

function minMaxFunction(): FunctionBuilder {
  const f = FunctionBuilder.i32(MIN_MAX_FUNCTION, ['x', 'to', 'out']);
  const [x, to, out] = f.paramLocals();
  const [p] = f.locals('i32', 1);
  const [lo, hi, v] = f.locals('v128', 3);
  const L = f32Lanes(false);
  f.emit(
    set(lo, L.load(get(x), 0)), set(hi, get(lo)),
    forRange(p, add(get(x), i32(16)), get(to), i32(16), [
      set(v, L.load(get(p), 0)),
      // pmin/pmax: one instruction each, where min/max's NaN and −0 rules cost several.
      set(lo, op('f32x4.pmin', get(v), get(lo))),
      set(hi, op('f32x4.pmax', get(v), get(hi))),
    ]),
    L.store(get(out), get(lo), 0),
    L.store(get(out), get(hi), 16),
  );
  return f;
}

/** channel_sum/sqdev/dot/absmax_16/4/1, min_max_4. */
export function channelFunctions(): FunctionBuilder[] {
  return [
    ...(['sum', 'sqdev', 'dot', 'absmax'] as ChannelReduction[]).flatMap((kind) => BLOCK_WIDTHS.map((width) => channelFunction(kind, width))),
    minMaxFunction(),
  ];
}
