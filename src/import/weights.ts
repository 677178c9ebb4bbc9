// Reads the weight shards of a tfjs-layers model: each manifest group is a
// list of files concatenated into one buffer holding its weights in order.
import { UserError } from '../errors.js';
import type { WeightEntryJson } from './format.js';

export interface WeightValue {
  shape: number[];
  values: Float32Array;
}

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Decodes one buffer holding `entries` back to back (a manifest group's
 * concatenated shards, or the weight data of an in-memory model) into `out`.
 */
export function decodeWeights(bytes: Uint8Array, entries: WeightEntryJson[], what: string, source: string, out = new Map<string, WeightValue>()): Map<string, WeightValue> {
  const need = entries.reduce((n, w) => n + 4 * count(w.shape), 0);
  if (bytes.length < need) {
    throw new UserError(`${what} hold ${bytes.length} bytes but ${source} describes ${need} bytes of weights; the shards are truncated or do not belong to this model`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  for (const w of entries) {
    if (w.dtype !== 'float32' || w.quantization !== undefined) {
      throw new UserError(`weight '${w.name}' is stored as ${w.quantization ? 'quantized ' : ''}${w.dtype}; only float32 weights can be imported`);
    }
    const n = count(w.shape);
    // Copy out: the buffer may not be 4-byte aligned.
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = view.getFloat32(offset + 4 * i, true);
    offset += 4 * n;
    out.set(w.name, { shape: w.shape, values });
  }
  return out;
}
