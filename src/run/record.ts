// What a report shows of a run: its metrics (required) and its config
// (optional, so a run whose checkpoint is missing or damaged still reports).
import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.js';
import { parseRunConfig, type RunConfig } from './config.js';
import { runConfigPath } from './layout.js';
import { readMetrics, type RunMetrics } from './metrics.js';

export interface RunRecord {
  metrics: RunMetrics;
  /** Null when the run has metrics but no readable checkpoint config. */
  config: RunConfig | null;
}

/** metrics.json (required) and checkpoint/config.json (optional) of a run directory. */
export function readRunRecord(runDir: string): RunRecord {
  if (!existsSync(runDir)) throw new UserError(`${runDir} does not exist`);
  const metrics = readMetrics(runDir);
  if (!metrics) throw new UserError(`${runDir} has no metrics.json; name a run directory written by qat train`);
  const file = runConfigPath(runDir);
  let config: RunConfig | null = null;
  if (existsSync(file)) {
    try {
      config = parseRunConfig(readFileSync(file, 'utf8'), file);
    } catch {
      config = null;
    }
  }
  return { metrics, config };
}
