// Running error statistics of one quantized layer, in LSBs (units of the
// tensor's scale), over every element of every compared input.

export interface LayerParity {
  /** The layer the fake-quant node quantizes = the name of the tensor in the .tflite. */
  name: string;
  /** The eval-graph node compared (`<name>/fq`). */
  node: string;
  /** IR op of the layer that produced the value (e.g. qconv2d, qadd, softmax). */
  op: string;
  dtype: string;
  scale: number;
  zeroPoint: number;
  /** Elements compared (per input × inputs). */
  elements: number;
  maxLsb: number;
  meanLsb: number;
  /** Fraction of elements with exactly the same integer code, in [0, 1]. */
  exact: number;
  /** Fraction of elements at most 1 LSB apart, in [0, 1]. */
  within1: number;
}

export class LayerStats {
  private n = 0;
  private sum = 0;
  private max = 0;
  private same = 0;
  private near = 0;

  constructor(
    readonly name: string,
    readonly node: string,
    readonly op: string,
    readonly dtype: string,
    readonly scale: number,
    readonly zeroPoint: number,
  ) {}

  /**
   * Compares the eval graph's fake-quant outputs (real values on the grid)
   * with the interpreter's integer codes of the same tensor: the real values
   * become codes with the tensor's scale and zero point. Values that are off
   * the grid show up as fractional LSBs.
   */
  add(evalValues: Float32Array, codes: ArrayLike<number>): void {
    if (evalValues.length !== codes.length) {
      throw new Error(`layer ${this.name}: the eval graph has ${evalValues.length} values but the model's tensor has ${codes.length}`);
    }
    const inv = 1 / this.scale;
    for (let i = 0; i < codes.length; i++) {
      const want = evalValues[i]! * inv + this.zeroPoint;
      const d = Math.abs(Math.round(want) - codes[i]!);
      this.sum += d;
      if (d > this.max) this.max = d;
      if (d === 0) this.same++;
      if (d <= 1) this.near++;
    }
    this.n += codes.length;
  }

  result(): LayerParity {
    return {
      name: this.name, node: this.node, op: this.op, dtype: this.dtype, scale: this.scale, zeroPoint: this.zeroPoint,
      elements: this.n,
      maxLsb: this.max,
      meanLsb: this.n ? this.sum / this.n : 0,
      exact: this.n ? this.same / this.n : 1,
      within1: this.n ? this.near / this.n : 1,
    };
  }
}

/** Worst first: largest max error, then largest mean, then fewest exact. */
export function worstFirst(a: LayerParity, b: LayerParity): number {
  return b.maxLsb - a.maxLsb || b.meanLsb - a.meanLsb || a.exact - b.exact || a.name.localeCompare(b.name);
}

/** Index of the largest value; the first one on ties (the same rule for every runtime compared). */
export function argmax(v: ArrayLike<number>, start = 0, length = v.length - start): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let i = 0; i < length; i++) {
    const x = v[start + i]!;
    if (x > bestValue) {
      bestValue = x;
      best = i;
    }
  }
  return best;
}
