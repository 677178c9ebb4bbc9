// The browser's stand-in for ./node.js: the same names, each refusing in one
// sentence, so training, quantizeModel and the exporter run in a page while
// run directories, model.json paths and worker threads stay Node's.
import { UserError } from '../errors.js';
import type * as NodePlatform from './node.js';

function needsNode(what: string): () => never {
  return () => {
    throw new UserError(`${what} needs Node; in a browser, keep the model and data in memory (no outDir, from, save/load paths or workers)`);
  };
}

type Platform = typeof NodePlatform;
const runDirectory = needsNode('a run directory (outDir, from, QatModel.save and load)');

export const existsSync: Platform['existsSync'] = runDirectory, mkdirSync: Platform['mkdirSync'] = runDirectory, resolve: Platform['resolve'] = runDirectory;
export const loadCheckpoint: Platform['loadCheckpoint'] = runDirectory, restoreStore: Platform['restoreStore'] = runDirectory;
export const saveCheckpoint: Platform['saveCheckpoint'] = runDirectory, saveModelRun: Platform['saveModelRun'] = runDirectory;
export const readMetrics: Platform['readMetrics'] = runDirectory, writeMetrics: Platform['writeMetrics'] = runDirectory;
export const recoverRunDir: Platform['recoverRunDir'] = runDirectory, checkpointDir: Platform['checkpointDir'] = runDirectory;
export const importLayersModel: Platform['importLayersModel'] = needsNode('reading a model.json path');
export const createParallelStepper: Platform['createParallelStepper'] = needsNode('training with workers > 1');
// A page has no worker threads to train in: --workers auto stays in one process.
export const workerCores: Platform['workerCores'] = () => 1;
