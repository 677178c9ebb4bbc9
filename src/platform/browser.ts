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

export const existsSync: typeof NodePlatform.existsSync = needsNode('reading a file');
export const mkdirSync: typeof NodePlatform.mkdirSync = needsNode('creating a directory');
export const resolve: typeof NodePlatform.resolve = needsNode('a run directory');
export const importLayersModel: typeof NodePlatform.importLayersModel = needsNode('reading a model.json path');
export const loadCheckpoint: typeof NodePlatform.loadCheckpoint = needsNode('loading a run directory');
export const restoreStore: typeof NodePlatform.restoreStore = needsNode('restoring a checkpoint');
export const saveCheckpoint: typeof NodePlatform.saveCheckpoint = needsNode('saving a checkpoint');
export const readMetrics: typeof NodePlatform.readMetrics = needsNode('reading metrics.json');
export const writeMetrics: typeof NodePlatform.writeMetrics = needsNode('writing metrics.json');
export const recoverRunDir: typeof NodePlatform.recoverRunDir = needsNode('a run directory');
export const checkpointDir: typeof NodePlatform.checkpointDir = needsNode('a run directory');
export const saveModelRun: typeof NodePlatform.saveModelRun = needsNode('saving a QatModel to a directory');
export const createParallelStepper: typeof NodePlatform.createParallelStepper = needsNode('training with workers > 1');
