// Where each part of a run lives on disk. Every reader and writer of a run
// directory takes its paths from here, so the layout is written down once:
//
//   <run>/checkpoint/weights.bin   every stored variable, back to back
//   <run>/checkpoint/ir.json       the graph IR the weights belong to
//   <run>/checkpoint/config.json   how the run was made (RunConfig)
//   <run>/checkpoint/index.json    sizes and CRC-32s of the three above; written last
//   <run>/metrics.json             one row per finished epoch (RunMetrics)
//   <run>/report.html              `qat report`'s default output
import { join } from 'node:path';

/** File names inside `<run>/checkpoint`. */
export const CHECKPOINT_FILES = { weights: 'weights.bin', ir: 'ir.json', config: 'config.json', index: 'index.json' } as const;

const CHECKPOINT_DIR = 'checkpoint';

/** `<run>/checkpoint`. */
export function checkpointDir(runDir: string): string {
  return join(runDir, CHECKPOINT_DIR);
}

/** `<run>/checkpoint/index.json`: present once a checkpoint save has finished. */
export function checkpointIndexPath(runDir: string): string {
  return join(checkpointDir(runDir), CHECKPOINT_FILES.index);
}

/** `<run>/checkpoint/config.json`. */
export function runConfigPath(runDir: string): string {
  return join(checkpointDir(runDir), CHECKPOINT_FILES.config);
}

/** `<run>/metrics.json`. */
export function metricsPath(runDir: string): string {
  return join(runDir, 'metrics.json');
}

/** `<run>/report.html`: where `qat report` and the demo write a run's training report. */
export function reportPath(runDir: string): string {
  return join(runDir, 'report.html');
}
