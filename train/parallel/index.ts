// Data-parallel training over worker threads (see stepper.ts).
export { createParallelStepper, type ParallelStepper, type ParallelStepperOptions, type ParallelTimings } from './stepper.js';
export { resolveWorkers, type WorkersSpec } from './workers.js';
export { TRANSPORTS, type Transport } from './protocol.js';
export { combineMoments, mergeStats, statRoles, type ShardMoments } from './merge.js';
export { shardBatch, sliceBatch, type Shard } from './shards.js';
