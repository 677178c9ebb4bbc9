// How two runtimes' outputs for one input are compared: by top class
// (classify), by top class per pixel (segment), or value by value on the
// output's integer grid (image). Eval-graph outputs are real values; the
// interpreter's and LiteRT's are integer codes (or floats for a float model).
import type { DatasetTask } from '../../datasets/types.js';
import type { TensorDetails } from '../interpreter/index.js';
import { argmax } from './stats.js';

export interface OutputComparison {
  /** The eval graph's real outputs on the model's output grid (codes; unchanged for a float output). */
  codes(real: ArrayLike<number>): ArrayLike<number>;
  /** A runtime's output as real values. */
  real(output: ArrayLike<number>): ArrayLike<number>;
  /** How many of one example's units (the image, its pixels, or its values) agree. */
  agreeing(a: ArrayLike<number>, b: ArrayLike<number>): number;
  /** Units per example of `values` output values. */
  units(values: number): number;
}

export function outputComparison(task: DatasetTask, classes: number, out: TensorDetails): OutputComparison {
  const quantized = (out.dtype === 'int8' || out.dtype === 'uint8') && out.scale !== null && out.zeroPoint !== null;
  const scale = out.scale ?? 1, zp = out.zeroPoint ?? 0;
  const codes = (real: ArrayLike<number>): ArrayLike<number> => {
    if (!quantized) return real;
    const q = new Int32Array(real.length);
    for (let i = 0; i < real.length; i++) q[i] = Math.round(real[i]! / scale) + zp;
    return q;
  };
  const real = (output: ArrayLike<number>): ArrayLike<number> => {
    if (!quantized) return output;
    const r = new Float32Array(output.length);
    for (let i = 0; i < output.length; i++) r[i] = (output[i]! - zp) * scale;
    return r;
  };
  if (task === 'classify') {
    return { codes, real, units: () => 1, agreeing: (a, b) => (argmax(a) === argmax(b) ? 1 : 0) };
  }
  if (task === 'segment') {
    return {
      codes, real, units: (values) => values / classes,
      agreeing(a, b) {
        let same = 0;
        for (let p = 0; p < a.length; p += classes) if (argmax(a, p, classes) === argmax(b, p, classes)) same++;
        return same;
      },
    };
  }
  return {
    codes, real, units: (values) => values,
    agreeing(a, b) {
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
      return same;
    },
  };
}
