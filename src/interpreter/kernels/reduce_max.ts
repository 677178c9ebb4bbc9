// REDUCE_MAX over any set of axes (global max pooling is axes [1,2] of
// NHWC). int8 reduces the codes and writes the largest code unchanged:
// measured on LiteRT, an output whose scale and zero point differ from the
// input's still receives the raw input code (TFLite's reduce.cc compares raw
// values and does not requantize), and with equal quantization the max of
// codes is the code of the max. No rounding happens.

export interface ReduceMaxParams {
  outputShape: number[];
  inputShape: number[];
  /** Output stride of each input dimension (0 on reduced axes). */
  outStrides: Int32Array;
  outputSize: number;
  /** Scratch: the odometer over input dimensions (kept here so eval does not allocate). */
  index: Int32Array;
}

/** Axes normalized to [0, rank) and deduplicated, as TFLite resolves negative axes. */
export function normalizeAxes(axes: readonly number[], rank: number): number[] {
  const out = new Set<number>();
  for (const a of axes) {
    const k = a < 0 ? a + rank : a;
    if (!Number.isInteger(k) || k < 0 || k >= rank) throw new Error(`axis ${a} is out of range for a rank-${rank} input`);
    out.add(k);
  }
  return [...out].sort((x, y) => x - y);
}

export function prepareReduceMax(inputShape: readonly number[], axes: readonly number[], keepDims: boolean): ReduceMaxParams {
  const rank = inputShape.length;
  const reduced = new Set(normalizeAxes(axes, rank));
  const outStrides = new Int32Array(rank);
  let s = 1;
  for (let d = rank - 1; d >= 0; d--) {
    outStrides[d] = reduced.has(d) ? 0 : s;
    if (!reduced.has(d)) s *= inputShape[d];
  }
  const outputShape: number[] = [];
  inputShape.forEach((n, d) => {
    if (!reduced.has(d)) outputShape.push(n);
    else if (keepDims) outputShape.push(1);
  });
  return { outputShape, inputShape: [...inputShape], outStrides, outputSize: s, index: new Int32Array(rank) };
}

/** Walks the input in order, keeping the output offset of the current element. */
export function reduceMax<T extends Int8Array | Float32Array>(p: ReduceMaxParams, input: T, output: T): void {
  output.fill(input instanceof Int8Array ? -128 : -Infinity);
  const rank = p.inputShape.length;
  if (input.length === 0) return;
  const idx = p.index;
  idx.fill(0);
  let o = 0;
  for (let i = 0; i < input.length; i++) {
    const v = input[i];
    if (v > output[o]) output[o] = v;
    // Odometer step over the input's dimensions, innermost first.
    for (let d = rank - 1; d >= 0; d--) {
      o += p.outStrides[d];
      if (++idx[d] < p.inputShape[d]) break;
      o -= p.outStrides[d] * p.inputShape[d];
      idx[d] = 0;
    }
  }
}
