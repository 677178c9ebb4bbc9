// Public surface of train/: model zoo, graph builders, state, training loop, calibration.
// The run directory it writes (checkpoint, config, metrics) is src/run's.
export { ZOO, ZOO_NAMES, buildModel, type ZooEntry, type ZooOptions } from './zoo/index.js';
export {
  buildTrainGraph, buildEvalGraph, buildCalibrationGraph, applyStatUpdates, applyRangeUpdates,
  type TrainGraph, type EvalGraph, type CalibrationGraph, type TrainStepOutput, type StatUpdate, type RangeUpdate, type QatTrainOptions,
} from './graph/build.js';
export { TFJS_OPS, type TfjsOp, type KernelContext, type QatRuntime } from './graph/tfjs-ops.js';
export { calibrate, CALIBRATE_DEFAULT_BATCHES, type CalibrateOptions, type CalibrateResult } from './calibrate.js';
export { VariableStore, checkNamesMatch, modelVariableNames, MODEL_KINDS, STEP_NAME, type VariableKind, type StoreEntry } from './state.js';
export { initialValues } from './init.js';
export { createOptimizer, optimizerConfig, OPTIMIZER_NAMES, type Optimizer, type OptimizerConfig, type OptimizerName } from './optimizers.js';
export { learningRate, SCHEDULE_NAMES, type ScheduleName } from './schedule.js';
export { crossEntropy, correctCount } from './loss.js';
export { createStepper, type Stepper, type StepResult } from './step.js';
export { evaluate, graphInputShape, type EvalResult, type EvaluateOptions } from './evaluate.js';
export { train, TRAIN_DEFAULTS, DEFAULT_LR, type TrainOptions, type TrainResult } from './loop.js';
export { consoleProgress, silentProgress, type ProgressSink, type StepInfo } from './progress.js';
