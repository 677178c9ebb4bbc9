// <run>/metrics.json: one row per finished epoch plus run-level facts.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { metricsPath } from './layout.js';

export interface EpochMetrics {
  epoch: number;
  /** Global step at the end of the epoch. */
  step: number;
  lr: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** Training images processed in this epoch (by this process). */
  images: number;
  trainSeconds: number;
  evalSeconds: number;
  imagesPerSec: number;
}

export interface RunMetrics {
  format: 'qat-metrics';
  model: string;
  dataset: string;
  backend: string;
  seed: number;
  batchSize: number;
  optimizer: string;
  lr: number;
  schedule: string;
  epochs: EpochMetrics[];
  /** Wall time over all sessions of this run, evaluation included. */
  wallSeconds: number;
  finalTestAccuracy: number | null;
  complete: boolean;
}

/** Earlier sessions' metrics of a run, or null when absent or unreadable (they are informative only). */
export function readMetrics(runDir: string): RunMetrics | null {
  const p = metricsPath(runDir);
  if (!existsSync(p)) return null;
  try {
    const m = JSON.parse(readFileSync(p, 'utf8')) as RunMetrics;
    return m.format === 'qat-metrics' && Array.isArray(m.epochs) ? m : null;
  } catch {
    return null;
  }
}

export function writeMetrics(runDir: string, m: RunMetrics): void {
  writeFileAtomic(metricsPath(runDir), `${JSON.stringify(m, null, 1)}\n`);
}
