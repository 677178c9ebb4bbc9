// A zoo model's training step on the project's own training path
// (train/graph + train/step, Adam), float or QAT, for the benchmarks.
import { rewriteForQat } from '../quantize/rewrite.js';
import { resolveQatConfig } from '../quantize/config.js';
import { buildTrainGraph } from '../train/graph/build.js';
import { createOptimizer, optimizerConfig } from '../train/optimizers.js';
import { VariableStore } from '../train/state.js';
import { createStepper, type Stepper } from '../train/step.js';
import { buildModel } from '../train/zoo/index.js';

export interface ZooCase {
  model: string;
  inputShape: [number, number, number];
  alpha?: number;
  qat: boolean;
}

export function zooStepper(c: ZooCase): { stepper: Stepper; dispose: () => void } {
  const float = buildModel(c.model, { inputShape: c.inputShape, numClasses: 10, ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) });
  const graph = c.qat ? rewriteForQat(float).graph : float;
  const store = VariableStore.forGraph(graph, 1);
  const trainGraph = buildTrainGraph(graph, store, c.qat ? { qat: { config: resolveQatConfig({}), startStep: 0 } } : {});
  const stepper = createStepper(trainGraph, store, createOptimizer(optimizerConfig('adam'), store));
  return { stepper, dispose: () => store.dispose() };
}
