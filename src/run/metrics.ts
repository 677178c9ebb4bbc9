// <run>/metrics.json: one row per finished epoch plus run-level facts.
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
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
  /** Segmentation runs: test mean IoU. */
  testMiou?: number;
  /** Image-to-image runs: test PSNR in dB. */
  testPsnr?: number;
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

/** Parses a metrics file; a truncated or foreign file is a UserError naming `source`, so no history is dropped unnoticed. */
export function parseMetrics(text: string, source: string): RunMetrics {
  let m: Partial<RunMetrics>;
  try {
    m = JSON.parse(text) as Partial<RunMetrics>;
  } catch {
    throw new UserError(`${source} is not a qat metrics file: it is truncated or damaged (not valid JSON); restore it from a copy, or resume the run with --from to rewrite it from its checkpoint's copy`);
  }
  if (typeof m !== 'object' || m === null || m.format !== 'qat-metrics' || !Array.isArray(m.epochs)) {
    throw new UserError(`${source} is not a qat metrics file`);
  }
  return m as RunMetrics;
}

/** A run's metrics.json, or null when the run has none; a damaged file is a UserError. */
export function readMetrics(runDir: string): RunMetrics | null {
  const p = metricsPath(runDir);
  if (!existsSync(p)) return null;
  return parseMetrics(readFileSync(p, 'utf8'), p);
}

export function writeMetrics(runDir: string, m: RunMetrics): void {
  writeFileAtomic(metricsPath(runDir), `${JSON.stringify(m, null, 1)}\n`);
}
