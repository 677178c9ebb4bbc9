// A run directory: the one place that knows its layout and reads and writes
// its parts (checkpoint with IR and config, metrics, report path).
export { checkpointDir, checkpointStagingDir, checkpointPreviousDir, CHECKPOINT_METRICS_FILE, checkpointIndexPath, runConfigPath, metricsPath, reportPath, CHECKPOINT_FILES } from './layout.js';
export {
  saveCheckpoint, loadCheckpoint, restoreStore, CHECKPOINT_FORMAT, CHECKPOINT_VERSION,
  type Checkpoint, type CheckpointEntry, type CheckpointTensor, type RestoreOptions,
} from './checkpoint.js';
export { RUN_CONFIG_FORMAT, RUN_CONFIG_VERSION, parseRunConfig, runTask, type RunConfig, type RunQuantization } from './config.js';
export { parseMetrics, readMetrics, writeMetrics, type RunMetrics, type EpochMetrics } from './metrics.js';
export { commitCheckpoint, recoverRunDir, readableCheckpointDir, firstSaveInterrupted } from './commit.js';
export { loadRun, withRunVariables, type LoadedRun } from './open.js';
export { exportRun, type RunExport } from './export.js';
export { readRunRecord, type RunRecord } from './record.js';
export { saveModelRun, type ModelRunInfo } from './model-run.js';
