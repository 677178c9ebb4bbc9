// NumPy-style broadcasting for the binary elementwise kernels. The plan is
// computed once at prepare: for every run of the innermost output dimension,
// where each operand starts and whether it steps (1) or repeats (0).

export interface BroadcastPlan {
  outputShape: number[];
  /** Elements in the innermost output dimension (one inner run). */
  inner: number;
  innerStride1: 0 | 1;
  innerStride2: 0 | 1;
  /** Start offset of each inner run in operand 1 / operand 2. */
  base1: Int32Array;
  base2: Int32Array;
  /** Both operands have the output's shape: a flat loop suffices. */
  same: boolean;
}

export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
    const db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`shapes [${a.join(',')}] and [${b.join(',')}] cannot be broadcast together`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

function stridesFor(shape: readonly number[], rank: number): number[] {
  // Strides of `shape` aligned right against `rank` dims; 0 where the dim broadcasts.
  const padded = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const strides = new Array<number>(rank).fill(0);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = padded[i] === 1 ? 0 : s;
    s *= padded[i];
  }
  return strides;
}

export function planBroadcast(a: readonly number[], b: readonly number[]): BroadcastPlan {
  const outputShape = broadcastShapes(a, b);
  const rank = outputShape.length;
  const size = outputShape.reduce((x, y) => x * y, 1);
  const same = a.length === b.length && a.every((d, i) => d === b[i]);
  if (rank === 0 || same) {
    return { outputShape, inner: size, innerStride1: 1, innerStride2: 1, base1: new Int32Array([0]), base2: new Int32Array([0]), same: true };
  }
  const sa = stridesFor(a, rank);
  const sb = stridesFor(b, rank);
  const inner = outputShape[rank - 1];
  const runs = inner === 0 ? 0 : size / inner;
  const base1 = new Int32Array(runs);
  const base2 = new Int32Array(runs);
  const idx = new Array<number>(rank).fill(0);
  for (let r = 0; r < runs; r++) {
    let o1 = 0;
    let o2 = 0;
    for (let d = 0; d < rank - 1; d++) {
      o1 += idx[d] * sa[d];
      o2 += idx[d] * sb[d];
    }
    base1[r] = o1;
    base2[r] = o2;
    for (let d = rank - 2; d >= 0; d--) {
      if (++idx[d] < outputShape[d]) break;
      idx[d] = 0;
    }
  }
  return {
    outputShape, inner, same: false,
    innerStride1: sa[rank - 1] === 0 ? 0 : 1, innerStride2: sb[rank - 1] === 0 ? 0 : 1, base1, base2,
  };
}

/**
 * out[k] = value(i1, i2) over the broadcast output in row-major order, with
 * i1 / i2 the operands' element indices. A call per element: for the rarer
 * ops (PRELU, MAXIMUM, MINIMUM, int8 MUL); ADD, SUB and float MUL keep their inlined loops.
 */
export function broadcastEach<T extends Int8Array | Float32Array>(plan: BroadcastPlan, out: T, value: (i1: number, i2: number) => number): void {
  const { base1, base2, inner, innerStride1: st1, innerStride2: st2 } = plan;
  let o = 0;
  for (let r = 0; r < base1.length; r++) {
    const b1 = base1[r]!;
    const b2 = base2[r]!;
    for (let i = 0; i < inner; i++) out[o++] = value(b1 + i * st1, b2 + i * st2);
  }
}
