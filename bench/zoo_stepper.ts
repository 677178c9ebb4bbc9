// A zoo model's training step on the project's own training path
// (train/graph + train/step, Adam), float or QAT, for the benchmarks.
import { selectBackend, type BackendName } from '../src/backend.js';
import type { Batch } from '../datasets/types.js';
import { rewriteForQat } from '../quantize/rewrite.js';
import { resolveQatConfig } from '../quantize/config.js';
import { buildTrainGraph, type QatTrainOptions, type TrainGraph } from '../train/graph/build.js';
import { createOptimizer, optimizerConfig, type Optimizer } from '../train/optimizers.js';
import { VariableStore } from '../train/state.js';
import { createStepper, type Stepper } from '../train/step.js';
import { buildModel } from '../train/zoo/index.js';
import { syntheticImages } from './synthetic.js';

export interface ZooCase {
  model: string;
  inputShape: [number, number, number];
  alpha?: number;
  qat: boolean;
}

/** What a step is made of, for benchmarks that build another stepper over the same model (e.g. data-parallel replicas). */
export interface ZooStepParts {
  trainGraph: TrainGraph;
  store: VariableStore;
  optimizer: Optimizer;
  qat?: QatTrainOptions;
}

export function zooStepper(c: ZooCase): { stepper: Stepper; dispose: () => void; parts: ZooStepParts } {
  const float = buildModel(c.model, { inputShape: c.inputShape, numClasses: 10, ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) });
  const graph = c.qat ? rewriteForQat(float).graph : float;
  const store = VariableStore.forGraph(graph, 1);
  const qat: QatTrainOptions | undefined = c.qat ? { config: resolveQatConfig({}), startStep: 0 } : undefined;
  const trainGraph = buildTrainGraph(graph, store, qat ? { qat } : {});
  const optimizer = createOptimizer(optimizerConfig('adam'), store);
  const stepper = createStepper(trainGraph, store, optimizer);
  return { stepper, dispose: () => store.dispose(), parts: { trainGraph, store, optimizer, ...(qat ? { qat } : {}) } };
}

/** Command-line options naming a zoo model's step (for node:util parseArgs). */
export const ZOO_STEP_OPTIONS = {
  model: { type: 'string', default: 'mobilenet-v2' },
  alpha: { type: 'string' },
  size: { type: 'string', default: '32' },
  channels: { type: 'string', default: '1' },
  batch: { type: 'string', default: '64' },
  steps: { type: 'string', default: '5' },
  qat: { type: 'boolean', default: false },
  backend: { type: 'string', default: 'wasm' },
} as const;

export interface ZooStepArgs {
  model: string; alpha?: string; size: string; channels: string; batch: string; steps: string; qat: boolean; backend: string;
}

/** Selects the backend and builds the stepper and a synthetic batch the options describe. */
export async function zooStepFromArgs(a: ZooStepArgs): Promise<{ stepper: Stepper; dispose: () => void; parts: ZooStepParts; batch: Batch; steps: number; label: string }> {
  const size = Number(a.size);
  const shape: [number, number, number] = [size, size, Number(a.channels)];
  const batchSize = Number(a.batch);
  const steps = Number(a.steps);
  if (![size, shape[2], batchSize, steps].every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error('--size, --channels, --batch and --steps must be positive integers');
  }
  await selectBackend(a.backend as BackendName);
  const { stepper, dispose, parts } = zooStepper({ model: a.model, inputShape: shape, qat: a.qat, ...(a.alpha !== undefined ? { alpha: Number(a.alpha) } : {}) });
  const label = `${a.model}${a.alpha !== undefined ? ` α${a.alpha}` : ''} ${shape.join('×')} batch ${batchSize} ${a.qat ? 'QAT' : 'float'}`;
  return { stepper, dispose, parts, batch: syntheticImages(batchSize, shape, 7), steps, label };
}
