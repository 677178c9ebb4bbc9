// Where each variable lives in one flat float32 buffer: the form weights
// travel to the workers in and gradients come back in (one buffer per
// message instead of one per variable, and a SharedArrayBuffer needs it).
import * as tf from '@tensorflow/tfjs';
import { heapValues } from '../../layers/wasm/tfjs_heap.js';

export interface Slot {
  name: string;
  shape: number[];
  /** First element of this variable in the flat buffer. */
  offset: number;
  size: number;
}

export interface Layout {
  slots: Slot[];
  /** Elements in the whole buffer. */
  total: number;
}

export function layoutOf(entries: ReadonlyArray<{ name: string; shape: readonly number[] }>): Layout {
  let offset = 0;
  const slots = entries.map(({ name, shape }) => {
    const size = shape.reduce((p, d) => p * d, 1);
    const slot = { name, shape: [...shape], offset, size };
    offset += size;
    return slot;
  });
  return { slots, total: offset };
}

/** Copies each named tensor's values into its slot of `out`. */
export function packTensors(layout: Layout, tensorOf: (name: string) => tf.Tensor, out: Float32Array): void {
  for (const s of layout.slots) {
    const t = tensorOf(s.name);
    if (t.size !== s.size) throw new Error(`layout: '${s.name}' has ${t.size} elements, its slot ${s.size}`);
    out.set(valuesOf(t), s.offset);
  }
}

/** A float32 tensor's values for reading at once: a view of the wasm heap where possible, else a copy. */
export function valuesOf(t: tf.Tensor): Float32Array {
  return heapValues(t) ?? (t.dataSync() as Float32Array);
}

/** The slot's elements as a view into `buf` (no copy). */
export function slotView(buf: Float32Array, s: Slot): Float32Array {
  return buf.subarray(s.offset, s.offset + s.size);
}
