// Opening a finished (or interrupted) run for evaluation: checkpoint →
// store restored 1:1 into the eval graph.
import type { Graph } from '../src/ir/types.js';
import { loadCheckpoint, restoreStore } from './checkpoint.js';
import type { RunConfig } from './config.js';
import { buildEvalGraph, type EvalGraph } from './graph/build.js';
import type { VariableStore } from './state.js';

export interface LoadedRun {
  ir: Graph;
  config: RunConfig;
  store: VariableStore;
  graph: EvalGraph;
  dispose(): void;
}

export function loadRun(runDir: string): LoadedRun {
  const ckpt = loadCheckpoint(runDir);
  const store = restoreStore(ckpt);
  return { ir: ckpt.ir, config: ckpt.config, store, graph: buildEvalGraph(ckpt.ir, store), dispose: () => store.dispose() };
}
