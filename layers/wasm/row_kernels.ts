// float32 WebAssembly SIMD kernels for the elementwise work of a training
// step that tfjs-wasm runs as chains of separate ops, each a full pass over
// an activation-sized tensor: training batch norm's forward (4 passes) and
// backward (6), relu6's and the fake quants' gradients (5), and the optimizers' updates (Adam's
// 12 ops per variable, which over MobileNet's ~160 variables cost more than
// the rest of a small model's step in per-op overhead). Each kernel here is one pass over
// [rows, channels] (NHWC with the pixels as rows), reading per-channel
// vectors where the formula has them, and does the same float32 operations
// in the same order as the tfjs ops it replaces.

import {
  type Expr, FunctionBuilder, type ValType, get, i32, op, set,
} from '../../src/interpreter/wasm/encoder.js';
import { add, f32Lanes, forRange, type F32Lanes, repeat } from './codegen.js';

/** What one kernel reads and writes per element, and its f32 scalar parameters. */
interface RowKernelSpec {
  name: string;
  /** Arrays of the tensor's shape. */
  elements: number;
  /** Arrays of one float per channel. */
  vectors: number;
  outputs: number;
  scalars: number;
  /** Output values from the loaded lanes (elements, vectors) and the splatted scalars. */
  body(L: F32Lanes, e: Expr[], v: Expr[], s: Expr[], vector: boolean): Expr[];
}

/**
 * (rows, rowBytes, c0, c1, elements…, vectors…, outputs…, scalars…):
 * element and output arrays point at row 0, channel 0; [c0, c1) is a byte
 * range of each row's channels.
 */
export type RowFunction = (rows: number, rowBytes: number, c0: number, c1: number, ...arrays: number[]) => void;

export const rowFunctionName = (name: string, vector: boolean): string => `${name}_${vector ? 4 : 1}`;

const sub = (vector: boolean, a: Expr, b: Expr): Expr => op(vector ? 'f32x4.sub' : 'f32.sub', a, b);

const div = (vector: boolean, a: Expr, b: Expr): Expr => op(vector ? 'f32x4.div' : 'f32.div', a, b);
const sqrt = (vector: boolean, a: Expr): Expr => op(vector ? 'f32x4.sqrt' : 'f32.sqrt', a);
const clip = (vector: boolean, x: Expr, lo: Expr, hi: Expr): Expr => op(vector ? 'f32x4.min' : 'f32.min', op(vector ? 'f32x4.max' : 'f32.max', x, lo), hi);

/** nearest(x / s) · s: x on the grid of multiples of s, ties to even. */
const roundToStep = (vector: boolean, L: F32Lanes, x: Expr, s: Expr): Expr => L.mul(op(vector ? 'f32x4.nearest' : 'f32.nearest', div(vector, x, s)), s);

/** dy where lo ≤ x ≤ hi, else 0 (NaN included): a clip's straight-through gradient. */
function passInside(vector: boolean, dy: Expr, x: Expr, lo: Expr, hi: Expr): Expr {
  const inside = op(vector ? 'v128.and' : 'i32.and', op(vector ? 'f32x4.ge' : 'f32.ge', x, lo), op(vector ? 'f32x4.le' : 'f32.le', x, hi));
  return vector ? op('v128.and', dy, inside) : op('select', dy, op('f32.convert_i32_s', i32(0)), inside);
}

const BN_FORWARD: RowKernelSpec = {
  // normed = (x − mean) · inv; y = clip(normed · γ + β, lo, hi): ±∞ for a plain batch norm (the same
  // values), [0, 6] or [0, ∞] for relu6 or relu after it
  name: 'bn_forward', elements: 1, vectors: 4, outputs: 2, scalars: 2,
  body: (L, [x], [mean, inv, gamma, beta], [lo, hi], vector) => {
    const normed = L.mul(sub(vector, x!, mean!), inv!);
    return [normed, clip(vector, L.add(L.mul(normed, gamma!), beta!), lo!, hi!)];
  },
};

const BN_BACKWARD: RowKernelSpec = {
  // dx = ((dy · N − Σdy) − x̂ · Σ(dy·x̂)) · k, k = γ · inv / N per channel
  name: 'bn_backward', elements: 2, vectors: 3, outputs: 1, scalars: 1,
  body: (L, [dy, xhat], [sumDy, sumDyXhat, k], [count], vector) => [
    L.mul(sub(vector, sub(vector, L.mul(dy!, count!), sumDy!), L.mul(xhat!, sumDyXhat!)), k!),
  ],
};

const RANGE_GRAD: RowKernelSpec = {
  // dx = dy where lo ≤ x ≤ hi, else 0: the straight-through gradient of a clip (relu6's is lo = the
  // smallest positive float, hi = 6, tfjs's convention at the kinks). Recomputed from x, so the
  // forward writes no mask.
  name: 'range_grad', elements: 2, vectors: 0, outputs: 1, scalars: 2,
  body: (_L, [dy, x], _v, [lo, hi], vector) => [passInside(vector, dy!, x!, lo!, hi!)],
};

const FAKE_QUANT: RowKernelSpec = {
  // y = round(clip(x, lo, hi) / s) · s, the same operations in the same order as the tfjs-op form
  name: 'fake_quant', elements: 1, vectors: 0, outputs: 1, scalars: 3,
  body: (L, [x], _v, [lo, hi, scale], vector) => [roundToStep(vector, L, clip(vector, x!, lo!, hi!), scale!)],
};

const ADAM_UPDATE: RowKernelSpec = {
  // m' = m·β₁ + g·(1−β₁); v' = v·β₂ + g²·(1−β₂); w' = w − m'/(√v' + ε)·lr
  name: 'adam_update', elements: 4, vectors: 0, outputs: 3, scalars: 6,
  body: (L, [w, g, m, v], _v, [beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, lr], vector) => {
    const m1 = L.add(L.mul(m!, beta1!), L.mul(g!, oneMinusBeta1!));
    const v1 = L.add(L.mul(v!, beta2!), L.mul(L.mul(g!, g!), oneMinusBeta2!));
    return [sub(vector, w!, L.mul(div(vector, m1, L.add(sqrt(vector, v1), epsilon!)), lr!)), m1, v1];
  },
};

const SGD_UPDATE: RowKernelSpec = {
  // u' = u·momentum + g; w' = w − u'·lr
  name: 'sgd_update', elements: 3, vectors: 0, outputs: 2, scalars: 2,
  body: (L, [w, g, u], _v, [momentum, lr], vector) => {
    const u1 = L.add(L.mul(u!, momentum!), g!);
    return [sub(vector, w!, L.mul(u1, lr!)), u1];
  },
};

const SGD_NESTEROV_UPDATE: RowKernelSpec = {
  // u' = u·momentum + g; w' = w − (g + u'·momentum)·lr
  name: 'sgd_nesterov_update', elements: 3, vectors: 0, outputs: 2, scalars: 2,
  body: (L, [w, g, u], _v, [momentum, lr], vector) => {
    const u1 = L.add(L.mul(u!, momentum!), g!);
    return [sub(vector, w!, L.mul(L.add(g!, L.mul(u1, momentum!)), lr!)), u1];
  },
};

const CHANNEL_SCALE: RowKernelSpec = {
  // y = x · f[c]: a kernel folded with its BN, and the fold's gradient
  name: 'channel_scale', elements: 1, vectors: 1, outputs: 1, scalars: 0,
  body: (L, [x], [f]) => [L.mul(x!, f!)],
};

const CHANNEL_QUANTIZE: RowKernelSpec = {
  // y = nearest(x / s[c]) · s[c] + 0: rounds ties to even, and the + 0 turns −0 into 0 as tf.round's
  // cpu kernel leaves it
  name: 'channel_quantize', elements: 1, vectors: 1, outputs: 1, scalars: 0,
  body: (L, [x], [s], _s, vector) => {
    const zero = vector ? op('f32x4.splat', op('f32.convert_i32_s', i32(0))) : op('f32.convert_i32_s', i32(0));
    return [L.add(roundToStep(vector, L, x!, s!), zero)];
  },
};

const BN_FAKE_QUANT: RowKernelSpec = {
  // y = normed · γ + β as bn_forward computes it, then fake_quant of y: a training batch norm and the
  // fake quant after it, without writing y
  name: 'bn_fake_quant', elements: 1, vectors: 2, outputs: 1, scalars: 3,
  body: (L, [normed], [gamma, beta], [lo, hi, scale], vector) => [
    roundToStep(vector, L, clip(vector, L.add(L.mul(normed!, gamma!), beta!), lo!, hi!), scale!),
  ],
};

const BN_RANGE_GRAD: RowKernelSpec = {
  // range_grad of y = normed · γ + β, recomputed: dy where lo ≤ y ≤ hi, else 0
  name: 'bn_range_grad', elements: 2, vectors: 2, outputs: 1, scalars: 2,
  body: (L, [dq, normed], [gamma, beta], [lo, hi], vector) => [passInside(vector, dq!, L.add(L.mul(normed!, gamma!), beta!), lo!, hi!)],
};

export const ROW_KERNELS = {
  bnForward: BN_FORWARD, bnBackward: BN_BACKWARD, rangeGrad: RANGE_GRAD, fakeQuant: FAKE_QUANT,
  adamUpdate: ADAM_UPDATE, sgdUpdate: SGD_UPDATE, sgdNesterovUpdate: SGD_NESTEROV_UPDATE,
  channelScale: CHANNEL_SCALE, channelQuantize: CHANNEL_QUANTIZE,
  bnFakeQuant: BN_FAKE_QUANT, bnRangeGrad: BN_RANGE_GRAD,
} as const;

function rowFunction(spec: RowKernelSpec, vector: boolean): FunctionBuilder {
  const arrays = spec.elements + spec.vectors + spec.outputs;
  const params: ValType[] = [...Array<ValType>(4 + arrays).fill('i32'), ...Array<ValType>(spec.scalars).fill('f32')];
  const f = new FunctionBuilder(rowFunctionName(spec.name, vector), params);
  const [rows, rowBytes, c0, c1] = [0, 1, 2, 3];
  const elementArgs = Array.from({ length: spec.elements }, (_, i) => 4 + i);
  const vectorArgs = Array.from({ length: spec.vectors }, (_, i) => 4 + spec.elements + i);
  const outputArgs = Array.from({ length: spec.outputs }, (_, i) => 4 + spec.elements + spec.vectors + i);
  const scalarArgs = Array.from({ length: spec.scalars }, (_, i) => 4 + arrays + i);
  const L = f32Lanes(!vector);
  const [r, c, base, at] = f.locals('i32', 4);
  const scalars = scalarArgs.map((p) => {
    const local = f.local(L.type);
    return { local, init: set(local, vector ? op('f32x4.splat', get(p)) : get(p)) };
  });
  const values = spec.body(
    L,
    elementArgs.map((p) => L.load(add(get(p), get(at)), 0)),
    vectorArgs.map((p) => L.load(add(get(p), get(c)), 0)),
    scalars.map((s) => get(s.local)),
    vector,
  );
  f.emit(
    ...scalars.map((s) => s.init),
    set(base, i32(0)),
    repeat(r, get(rows), [
      forRange(c, get(c0), get(c1), i32(L.bytes), [
        set(at, add(get(base), get(c))),
        ...values.map((v, k) => L.store(add(get(outputArgs[k]!), get(at)), v, 0)),
      ]),
      set(base, add(get(base), get(rowBytes))),
    ]),
  );
  return f;
}

/**
 * (rows, rowBytes, c0, c1, x, mean, inv, gamma, beta, normed, range): bn_forward's normed, written,
 * and the lane-wise min and max of its y = normed · γ + β, not written: stored at range and
 * range + bytes (one f32, or four lanes), to be folded with what range held before (+∞ / −∞ to start).
 */
export type NormalizeRangeFunction = (rows: number, rowBytes: number, c0: number, c1: number, ...arrays: number[]) => void;
export const normalizeRangeFunctionName = (vector: boolean): string => `bn_normalize_range_${vector ? 4 : 1}`;

function normalizeRangeFunction(vector: boolean): FunctionBuilder {
  const f = FunctionBuilder.i32(normalizeRangeFunctionName(vector), ['rows', 'rowBytes', 'c0', 'c1', 'x', 'mean', 'inv', 'gamma', 'beta', 'normed', 'range']);
  const [rows, rowBytes, c0, c1, x, mean, inv, gamma, beta, normedOut, range] = f.paramLocals();
  const L = f32Lanes(!vector);
  const [r, c, base, at] = f.locals('i32', 4);
  const [normed, lo, hi] = f.locals(L.type, 3);
  const vec = (p: number): Expr => L.load(add(get(p), get(c)), 0);
  // pmin/pmax in the order min_max_4 uses them, so the range equals the whole-tensor one bit for bit.
  const [minOp, maxOp] = vector ? ['f32x4.pmin', 'f32x4.pmax'] as const : ['f32.min', 'f32.max'] as const;
  f.emit(
    set(lo, L.load(get(range), 0)), set(hi, L.load(get(range), L.bytes)),
    set(base, i32(0)),
    repeat(r, get(rows), [
      forRange(c, get(c0), get(c1), i32(L.bytes), [
        set(at, add(get(base), get(c))),
        set(normed, L.mul(sub(vector, L.load(add(get(x), get(at)), 0), vec(mean)), vec(inv))),
        L.store(add(get(normedOut), get(at)), get(normed), 0),
        set(lo, op(minOp, L.add(L.mul(get(normed), vec(gamma)), vec(beta)), get(lo))),
        set(hi, op(maxOp, L.add(L.mul(get(normed), vec(gamma)), vec(beta)), get(hi))),
      ]),
      set(base, add(get(base), get(rowBytes))),
    ]),
    L.store(get(range), get(lo), 0), L.store(get(range), get(hi), L.bytes),
  );
  return f;
}

/** Every row kernel, vector (4 channels a step) and scalar, and bn_normalize_range. */
export function rowFunctions(): FunctionBuilder[] {
  return [
    ...Object.values(ROW_KERNELS).flatMap((spec) => [rowFunction(spec, true), rowFunction(spec, false)]),
    normalizeRangeFunction(true), normalizeRangeFunction(false),
  ];
}
