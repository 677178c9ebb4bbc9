// Where each part of a run lives on disk. Every reader and writer of a run
// directory takes its paths from here, so the layout is written down once:
//
//   <run>/checkpoint/weights.bin   every stored variable, back to back
//   <run>/checkpoint/ir.json       the graph IR the weights belong to
//   <run>/checkpoint/config.json   how the run was made (RunConfig)
//   <run>/checkpoint/metrics.json  the run's metrics as of this checkpoint (saved by training)
//   <run>/checkpoint/index.json    sizes and CRC-32s of the files above; written last
//   <run>/metrics.json             one row per finished epoch (RunMetrics)
//   <run>/report.html              `qat report`'s default output
//   <run>/.checkpoint.next/        a checkpoint being written; never read
//   <run>/.checkpoint.prev/        the previous checkpoint while a new one replaces it
//
// A save writes the whole new checkpoint into .checkpoint.next, then moves
// checkpoint → .checkpoint.prev and .checkpoint.next → checkpoint (two
// renames) and deletes .checkpoint.prev: at every instant one complete
// checkpoint exists under one of the two names (see commit.ts).
import { join } from 'node:path';

/** File names inside `<run>/checkpoint`. */
export const CHECKPOINT_FILES = { weights: 'weights.bin', ir: 'ir.json', config: 'config.json', index: 'index.json' } as const;

/** The checkpoint's copy of the run's metrics (kept out of CHECKPOINT_FILES: runs saved before it lack it). */
export const CHECKPOINT_METRICS_FILE = 'metrics.json';

const CHECKPOINT_DIR = 'checkpoint';

/** `<run>/.checkpoint.next`: where a save writes the new checkpoint before it becomes current. */
export function checkpointStagingDir(runDir: string): string {
  return join(runDir, '.checkpoint.next');
}

/** `<run>/.checkpoint.prev`: the replaced checkpoint, between the two renames of a save. */
export function checkpointPreviousDir(runDir: string): string {
  return join(runDir, '.checkpoint.prev');
}

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
