// Public surface of train/: model zoo, graph builders, state, training loop, checkpoints.
export { ZOO, ZOO_NAMES, buildModel, type ZooEntry, type ZooOptions } from './zoo/index.js';
export {
  buildTrainGraph, buildEvalGraph, buildCalibrationGraph, applyStatUpdates, applyRangeUpdates,
  type TrainGraph, type EvalGraph, type CalibrationGraph, type TrainStepOutput, type StatUpdate, type RangeUpdate, type QatTrainOptions,
} from './graph/build.js';
export { KERNELS, type Kernel, type KernelContext, type QatRuntime } from './graph/kernels.js';
export { calibrate, CALIBRATE_DEFAULT_BATCHES, type CalibrateOptions, type CalibrateResult } from './calibrate.js';
export { VariableStore, checkNamesMatch, modelVariableNames, MODEL_KINDS, STEP_NAME, type VariableKind, type StoreEntry } from './state.js';
export { initialValues } from './init.js';
export { createOptimizer, optimizerConfig, OPTIMIZER_NAMES, type Optimizer, type OptimizerConfig, type OptimizerName } from './optimizers.js';
export { learningRate, SCHEDULE_NAMES, type ScheduleName } from './schedule.js';
export { crossEntropy, correctCount } from './loss.js';
export { createStepper, type Stepper, type StepResult } from './step.js';
export { evaluate, graphInputShape, type EvalResult, type EvaluateOptions } from './evaluate.js';
export { train, TRAIN_DEFAULTS, DEFAULT_LR, type TrainOptions, type TrainResult } from './loop.js';
export { saveCheckpoint, loadCheckpoint, restoreStore, checkpointDir, CHECKPOINT_FORMAT, type Checkpoint, type CheckpointTensor, type RestoreOptions } from './checkpoint.js';
export { loadRun, type LoadedRun } from './run.js';
export { RUN_CONFIG_FORMAT, type RunConfig, type RunQuantization } from './config.js';
export { readMetrics, metricsPath, type RunMetrics, type EpochMetrics } from './metrics.js';
export { consoleProgress, silentProgress, type ProgressSink, type StepInfo } from './progress.js';
export { writeFileAtomic } from './atomic.js';
