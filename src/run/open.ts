// Opening a finished (or interrupted) run: checkpoint → store restored 1:1
// into the run's IR, for evaluation (the eval graph) or for anything that
// only reads its parameters (export).
import type { Graph } from '../ir/types.js';
import { buildEvalGraph, type EvalGraph } from '../../train/graph/build.js';
import type { VariableStore } from '../../train/state.js';
import { loadCheckpoint, restoreStore } from './checkpoint.js';
import type { RunConfig } from './config.js';

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

/** Calls `use` with the run's IR and its restored variables, and disposes them afterwards. */
export function withRunVariables<T>(runDir: string, use: (ir: Graph, store: VariableStore, config: RunConfig) => T): T {
  const ckpt = loadCheckpoint(runDir);
  const store = restoreStore(ckpt);
  try {
    return use(ckpt.ir, store, ckpt.config);
  } finally {
    store.dispose();
  }
}
