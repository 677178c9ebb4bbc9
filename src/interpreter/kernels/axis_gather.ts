// Ops that pick, for every output coordinate, one input coordinate per axis
// independently (MIRROR_PAD, STRIDED_SLICE, SLICE): out[i0,…,in] =
// in[map0[i0],…,mapn[in]]. They move values unchanged, so any element type works.

export type Movable = Int8Array | Uint8Array | Int32Array | Float32Array;

/** Input strides (in elements) of a row-major shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let k = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = k;
    k *= shape[d]!;
  }
  return s;
}

export interface AxisGather {
  /** Per output axis: the input index each output index reads. */
  maps: Int32Array[];
  /** Input strides along the same axes. */
  strides: number[];
  outputShape: number[];
}

export function gatherAxes<T extends Movable>(g: AxisGather, input: T, output: T): void {
  const { maps, strides } = g;
  const rank = maps.length;
  if (rank === 0) {
    output[0] = input[0]!;
    return;
  }
  let o = 0;
  // Depth-first over the output, carrying each level's input offset.
  const walk = (d: number, base: number): void => {
    const m = maps[d]!;
    const s = strides[d]!;
    if (d === rank - 1) {
      for (let i = 0; i < m.length; i++) output[o++] = input[base + m[i]! * s]!;
      return;
    }
    for (let i = 0; i < m.length; i++) walk(d + 1, base + m[i]! * s);
  };
  walk(0, 0);
}
