// Turning per-shard results into the one update a single process would make
// on the whole batch. Gradients are means over each shard, so the batch mean
// is Σ nᵢ·gᵢ / N. BN batch statistics combine exactly from shard means and
// variances (parallel-variance formula, in float64). Observed ranges need no
// arithmetic: each replica's value is the EMA of its own min (max), and the
// EMA is increasing in the observation — also in float32 rounding — so the
// min of the shards' EMAs is the EMA of the min of their minima.
import type { AnalyzedGraph } from '../../src/ir/analyze.js';
import { bessel, type StatUpdate } from '../graph/context.js';

/** A moving statistic's role, and how many values per channel one example contributes. */
export interface StatRole {
  role: 'mean' | 'variance';
  /** The other member of the pair (mean ↔ variance). */
  partner: string;
  /** Values per channel per example: H·W for a conv output, 1 for dense features. */
  perExample: number;
}

/** Every BN moving statistic of the graph by store name (batchNorm nodes and fused layers with a folded BN). */
export function statRoles(a: AnalyzedGraph): Map<string, StatRole> {
  const roles = new Map<string, StatRole>();
  for (const node of a.order) {
    const mean = node.params?.movingMean;
    const variance = node.params?.movingVariance;
    if (mean === undefined || variance === undefined) continue;
    const shape = a.shapes.get(node.name) ?? [];
    const perExample = shape.slice(0, -1).reduce((p, d) => p * d, 1);
    roles.set(mean, { role: 'mean', partner: variance, perExample });
    roles.set(variance, { role: 'variance', partner: mean, perExample });
  }
  return roles;
}

export interface ShardMoments {
  /** Values per channel this shard averaged over. */
  count: number;
  mean: ArrayLike<number>;
  /** Bessel-corrected variance, as the train graph reports it. */
  unbiased: ArrayLike<number>;
}

/** Mean and Bessel-corrected variance of the union of the shards, per channel. */
export function combineMoments(shards: readonly ShardMoments[]): { mean: Float64Array; unbiased: Float64Array } {
  const channels = shards[0].mean.length;
  const total = shards.reduce((s, p) => s + p.count, 0);
  const mean = new Float64Array(channels);
  const unbiased = new Float64Array(channels);
  for (let k = 0; k < channels; k++) {
    let m = 0;
    for (const p of shards) m += p.count * p.mean[k];
    m /= total;
    let sq = 0;
    for (const p of shards) {
      const biased = p.unbiased[k] / bessel(p.count);
      const d = p.mean[k] - m;
      sq += p.count * (biased + d * d);
    }
    mean[k] = m;
    unbiased[k] = (sq / total) * bessel(total);
  }
  return { mean, unbiased };
}

/** One statistic as it crosses threads. */
export interface WireStat {
  name: string;
  value: Float32Array;
  momentum: number;
}

/** A statistic read out of the backend. */
export function toWire(u: StatUpdate): WireStat {
  return { name: u.name, value: Float32Array.from(u.value.dataSync()), momentum: u.momentum };
}

export interface WireRange {
  name: string;
  value: Float32Array;
  combine: 'min' | 'max';
}

/**
 * Whole-batch statistic values from each shard's (shard sizes in examples).
 * Every shard reports the same statistics (same graph, same step).
 */
export function mergeStats(shards: ReadonlyArray<{ n: number; stats: readonly WireStat[] }>, roles: ReadonlyMap<string, StatRole>): WireStat[] {
  if (shards.length === 1) return [...shards[0].stats];
  const byName = shards.map((s) => new Map(s.stats.map((u) => [u.name, u])));
  const merged: WireStat[] = [];
  for (const u of shards[0].stats) {
    const role = roles.get(u.name);
    if (!role) throw new Error(`cannot merge the statistic '${u.name}' across workers: it is not a BN moving mean or variance`);
    const parts = byName.map((m, i) => {
      const mean = m.get(role.role === 'mean' ? u.name : role.partner);
      const variance = m.get(role.role === 'mean' ? role.partner : u.name);
      if (!mean || !variance) throw new Error(`worker ${i} did not report both moving statistics of '${u.name}'`);
      return { count: shards[i].n * role.perExample, mean: mean.value, unbiased: variance.value };
    });
    const c = combineMoments(parts);
    merged.push({ name: u.name, value: Float32Array.from(role.role === 'mean' ? c.mean : c.unbiased), momentum: u.momentum });
  }
  return merged;
}

/**
 * Σ nᵢ·gᵢ / N elementwise over flat gradient buffers, accumulated in
 * float64: one pass over plain arrays instead of a handful of tfjs ops per
 * variable (MobileNets have ~80 small variables; per-op dispatch dominated).
 */
export function weightedMeanInto(out: Float32Array, parts: ReadonlyArray<{ n: number; grads: Float32Array }>): Float32Array {
  const total = parts.reduce((s, p) => s + p.n, 0);
  for (const p of parts) if (p.grads.length < out.length) throw new Error(`gradient buffer of ${p.grads.length} values, expected ${out.length}`);
  // Plain indexed loops over typed arrays (an iterator per element would cost more than the arithmetic).
  if (parts.length === 2) {
    const [a, b] = [parts[0].grads, parts[1].grads];
    const [na, nb] = [parts[0].n, parts[1].n];
    for (let i = 0; i < out.length; i++) out[i] = (na * a[i] + nb * b[i]) / total;
    return out;
  }
  const acc = new Float64Array(out.length);
  for (const p of parts) {
    const g = p.grads;
    const n = p.n;
    for (let i = 0; i < acc.length; i++) acc[i] += n * g[i];
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i] / total;
  return out;
}
