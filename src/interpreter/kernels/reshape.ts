// RESHAPE and SQUEEZE move no data in TFLite: the output aliases the input
// bytes under a new shape (and keeps its quantization). Here they are a copy
// so the interpreter may keep separate buffers; shape resolution follows
// reshape.cc (one −1 inferred) and squeeze.cc (drop listed or all size-1 dims).

import { shapeSize } from './types.js';

export function reshapeOutputShape(inputShape: readonly number[], newShape: readonly number[]): number[] {
  const total = shapeSize(inputShape);
  let unknown = -1;
  let known = 1;
  newShape.forEach((d, i) => {
    if (d === -1) {
      if (unknown >= 0) throw new Error('RESHAPE shape has more than one −1');
      unknown = i;
    } else {
      if (!Number.isInteger(d) || d < 0) throw new Error(`RESHAPE shape has an invalid dimension ${d}`);
      known *= d;
    }
  });
  const out = [...newShape];
  if (unknown >= 0) {
    if (known === 0 || total % known !== 0) throw new Error(`RESHAPE cannot infer −1 for ${total} values into [${newShape.join(',')}]`);
    out[unknown] = total / known;
  }
  if (shapeSize(out) !== total) {
    throw new Error(`RESHAPE of [${inputShape.join(',')}] (${total} values) to [${newShape.join(',')}] changes the element count`);
  }
  return out;
}

export function squeezeOutputShape(inputShape: readonly number[], squeezeDims: readonly number[]): number[] {
  const rank = inputShape.length;
  if (squeezeDims.length === 0) return inputShape.filter((d) => d !== 1);
  const drop = new Set<number>();
  for (const d0 of squeezeDims) {
    const d = d0 < 0 ? d0 + rank : d0;
    if (!(d >= 0 && d < rank)) throw new Error(`SQUEEZE dim ${d0} is out of range for rank ${rank}`);
    if (inputShape[d] !== 1) throw new Error(`SQUEEZE dim ${d0} has size ${inputShape[d]}, not 1`);
    drop.add(d);
  }
  return inputShape.filter((_, i) => !drop.has(i));
}

type Copyable = Int8Array | Uint8Array | Int32Array | Float32Array;

/** The data of RESHAPE/SQUEEZE: an element-for-element copy (no-op when aliased). */
export function copyTensor<T extends Copyable>(input: T, output: T): void {
  if (input !== output) output.set(input.subarray(0, output.length));
}
