// QAT step time vs float step time on the project's own training path
// (train/graph + train/step), same model, same batch, same backend.
//
//   npm run bench:qat -- [--steps N] [--batch B] [--backend wasm|node|cpu] [--models mnist-cnn,mobilenet-v2,mobilenet-v1]
//
// The QAT step includes everything a real QAT step does after the quant
// delay: BN folding with the σ_mov/σ_B correction, per-channel weight fake
// quant, EMA range observation and activation fake quant. Target: ≤ 1.2×.
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../src/backend.js';
import type { Graph } from '../src/ir/types.js';
import { syntheticImages } from './synthetic.js';
import { rewriteForQat } from '../quantize/rewrite.js';
import { resolveQatConfig } from '../quantize/config.js';
import { buildTrainGraph } from '../train/graph/build.js';
import { createOptimizer, optimizerConfig } from '../train/optimizers.js';
import { VariableStore } from '../train/state.js';
import { createStepper, type Stepper } from '../train/step.js';
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
  'mobilenet-v2': { name: 'mobilenet-v2', inputShape: [32, 32, 1], alpha: 0.35 },
  'resnet-tiny': { name: 'resnet-tiny', inputShape: [28, 28, 1] },
  lenet5: { name: 'lenet5', inputShape: [28, 28, 1] },
};

interface Arm { stepper: Stepper; store: VariableStore; times: number[] }

function arm(graph: Graph, qat: boolean): Arm {
  const store = VariableStore.forGraph(graph, 1);
  const trainGraph = buildTrainGraph(graph, store, qat ? { qat: { config: resolveQatConfig({}), startStep: 0 } } : {});
  return { stepper: createStepper(trainGraph, store, createOptimizer(optimizerConfig('adam'), store)), store, times: [] };
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: stringOptions({ steps: '12', warmup: '2', batch: '64', backend: 'wasm', models: 'mnist-cnn,mobilenet-v2' }),
  });
  const steps = intFlag(values.steps, 'steps');
  const warmup = intFlag(values.warmup, 'warmup', 0);
  const batchSize = intFlag(values.batch, 'batch');
  const backend = await selectBackend(values.backend as BackendName);
  console.log(`backend ${backend}, batch ${batchSize}; after ${warmup} warm-up steps each, float and QAT steps alternate ${steps} times; medians`);
  for (const name of namesFlag(values.models, 'models', Object.keys(CASES))) {
    const c = CASES[name]!;
    const float = buildModel(c.name, { inputShape: c.inputShape, numClasses: 10, ...(c.alpha !== undefined ? { alpha: c.alpha } : {}) });
    const batch = syntheticImages(batchSize, c.inputShape, 7);
    const arms = [arm(float, false), arm(rewriteForQat(float).graph, true)] as const;
    try {
      for (const a of arms) for (let i = 0; i < warmup; i++) a.stepper.run(batch, 1e-3, i);
      // One step of each in turn, so load from other processes hits both alike; each pair gives a ratio.
      for (let i = 0; i < steps; i++) {
        for (const a of arms) {
          const t0 = performance.now();
          a.stepper.run(batch, 1e-3, warmup + i); // reads the loss: the step has finished
          a.times.push(performance.now() - t0);
        }
      }
      const [f, q] = arms.map((a) => median(a.times)) as [number, number];
      const ratio = median(arms[1].times.map((t, i) => t / arms[0].times[i]!));
      const label = `${c.name}${c.alpha !== undefined ? ` α=${c.alpha}` : ''} ${c.inputShape.join('×')}`;
      console.log(`${label}: float ${f.toFixed(0)} ms/step, QAT ${q.toFixed(0)} ms/step, QAT/float ${ratio.toFixed(2)}× (median of ${steps} step pairs)`);
    } finally {
      for (const a of arms) a.store.dispose();
    }
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
