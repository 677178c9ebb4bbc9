// How one batch is cut between replicas: contiguous runs of examples, sizes
// differing by at most one, so shard k holds examples [offset, offset + n).
import type { Batch } from '../../datasets/types.js';

export interface Shard {
  offset: number;
  n: number;
}

/** Non-empty shards of a batch of `n` examples over at most `parts` replicas; earlier shards take the remainder. */
export function shardBatch(n: number, parts: number): Shard[] {
  const used = Math.max(1, Math.min(parts, n));
  const base = Math.floor(n / used);
  const extra = n % used;
  const shards: Shard[] = [];
  let offset = 0;
  for (let k = 0; k < used; k++) {
    const size = base + (k < extra ? 1 : 0);
    shards.push({ offset, n: size });
    offset += size;
  }
  return shards;
}

/** The examples of one shard as a batch of its own (views, no copy). */
export function sliceBatch(batch: Batch, s: Shard): Batch {
  const [, h, w, c] = batch.shape;
  const size = h * w * c;
  const pixels = h * w;
  return {
    x: batch.x.subarray(s.offset * size, (s.offset + s.n) * size),
    y: batch.y.subarray(s.offset, s.offset + s.n),
    n: s.n,
    shape: [s.n, h, w, c],
    ...(batch.masks ? { masks: batch.masks.subarray(s.offset * pixels, (s.offset + s.n) * pixels) } : {}),
    ...(batch.targets ? { targets: batch.targets.subarray(s.offset * size, (s.offset + s.n) * size) } : {}),
  };
}
