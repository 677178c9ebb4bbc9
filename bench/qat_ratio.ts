// QAT step time vs float step time on the project's own training path
// (train/graph + train/step), same model, same batch, same backend.
//
//   npm run bench:qat -- [--steps N] [--batch B] [--backend wasm|node|cpu] [--models mnist-cnn,mobilenet-v1]
//
// The QAT step includes everything a real QAT step does after the quant
// delay: BN folding with the σ_mov/σ_B correction, per-channel weight fake
// quant, EMA range observation and activation fake quant. Target: ≤ 1.3×.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../src/backend.js';
import type { Graph } from '../src/ir/types.js';
import type { Batch } from '../datasets/types.js';
import { syntheticImages } from './synthetic.js';
import { rewriteForQat } from '../quantize/rewrite.js';
import { resolveQatConfig } from '../quantize/config.js';
import { buildTrainGraph } from '../train/graph/build.js';
import { createOptimizer, optimizerConfig } from '../train/optimizers.js';
import { VariableStore } from '../train/state.js';
import { createStepper } from '../train/step.js';
import { buildModel } from '../train/zoo/index.js';
import { intFlag, namesFlag, stringOptions } from './args.js';

interface ModelCase {
  name: string;
  inputShape: [number, number, number];
  alpha?: number;
}

const CASES: Record<string, ModelCase> = {
  'mnist-cnn': { name: 'mnist-cnn', inputShape: [28, 28, 1] },
  'mobilenet-v1': { name: 'mobilenet-v1', inputShape: [32, 32, 1], alpha: 0.5 },
  'mobilenet-v2': { name: 'mobilenet-v2', inputShape: [32, 32, 1], alpha: 0.5 },
  'resnet-tiny': { name: 'resnet-tiny', inputShape: [28, 28, 1] },
  lenet5: { name: 'lenet5', inputShape: [28, 28, 1] },
};

/** Median ms per step after `warmup` steps. */
function timeSteps(graph: Graph, qat: boolean, batch: Batch, steps: number, warmup: number): number {
  const store = VariableStore.forGraph(graph, 1);
  try {
    const trainGraph = buildTrainGraph(graph, store, qat ? { qat: { config: resolveQatConfig({}), startStep: 0 } } : {});
    const stepper = createStepper(trainGraph, store, createOptimizer(optimizerConfig('adam'), store));
    for (let i = 0; i < warmup; i++) stepper.run(batch, 1e-3, i);
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      stepper.run(batch, 1e-3, i); // reads the loss: the step has finished
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  } finally {
    store.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: stringOptions({ steps: '8', warmup: '2', batch: '64', backend: 'wasm', models: 'mnist-cnn,mobilenet-v1' }),
  });
  const steps = intFlag(values.steps, 'steps');
  const warmup = intFlag(values.warmup, 'warmup', 0);
  const batchSize = intFlag(values.batch, 'batch');
  const backend = await selectBackend(values.backend as BackendName);
  console.log(`backend ${backend}, batch ${batchSize}, median of ${steps} steps after ${warmup} warm-up steps`);
  for (const name of namesFlag(values.models, 'models', Object.keys(CASES))) {
    const c = CASES[name]!;
    const float = buildModel(c.name, { inputShape: c.inputShape, numClasses: 10, ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) });
    const qat = rewriteForQat(float).graph;
    const batch = syntheticImages(batchSize, c.inputShape, 7);
    // Interleave float and QAT runs so load from other processes hits both alike.
    const f1 = timeSteps(float, false, batch, steps, warmup);
    const q1 = timeSteps(qat, true, batch, steps, warmup);
    const f2 = timeSteps(float, false, batch, steps, warmup);
    const q2 = timeSteps(qat, true, batch, steps, warmup);
    const f = Math.min(f1, f2);
    const q = Math.min(q1, q2);
    const label = `${c.name}${c.alpha !== undefined ? ` α=${c.alpha}` : ''} ${c.inputShape.join('×')}`;
    console.log(`${label}: float ${f.toFixed(0)} ms/step, QAT ${q.toFixed(0)} ms/step, ratio ${(q / f).toFixed(2)}× (runs: float ${f1.toFixed(0)}/${f2.toFixed(0)}, QAT ${q1.toFixed(0)}/${q2.toFixed(0)}); ${tf.memory().numTensors} tensors live`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
