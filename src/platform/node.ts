// Everything the shared library code (quantizeModel, QatModel, train) needs
// from Node: run directories, model files on disk, worker threads. Shared code
// reaches Node only through this module; a browser build swaps it for
// ./browser.js (the "browser" field of package.json), where each of these
// says in one sentence that it needs Node.
export { existsSync, mkdirSync } from 'node:fs';
export { resolve } from 'node:path';
export { importLayersModel } from '../import/from-file.js';
export { loadCheckpoint, restoreStore, saveCheckpoint } from '../run/checkpoint.js';
export { readMetrics, writeMetrics } from '../run/metrics.js';
export { recoverRunDir } from '../run/commit.js';
export { checkpointDir } from '../run/layout.js';
export { saveModelRun } from '../run/model-run.js';
export { createParallelStepper } from '../../train/parallel/index.js';
/** Cores the replicas of --workers auto can use. */
export { availableParallelism as workerCores } from 'node:os';
