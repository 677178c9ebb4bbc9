// Training images/s of one zoo model on qat's own step, printed as one JSON
// line. bench/vs_torch.ts runs it as a child process so that a model too
// big for the wasm heap (which aborts the whole wasm module) costs one
// child, not the benchmark, and every measurement starts with a fresh heap.
//
//   node dist/bench/qat_rate.js --model mobilenet-v2 --alpha 0.35 --size 32 --channels 1 --batch 64 [--qat] [--steps 5] [--workers 2]
//
// --workers N > 1 steps N data-parallel replicas (train/parallel), as
// `qat train --workers N` does.
import { parseArgs } from 'node:util';
import { createParallelStepper } from '../train/parallel/index.js';
import { ZOO_STEP_OPTIONS, zooStepFromArgs } from './zoo_stepper.js';

export interface RateResult {
  imagesPerSecond: number;
  msPerStep: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ...ZOO_STEP_OPTIONS, workers: { type: 'string', default: '1' } } });
  const { stepper, dispose, parts, batch, steps } = await zooStepFromArgs(values);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new Error('--workers must be a positive integer');
  const parallel = workers > 1
    ? await createParallelStepper({ graph: parts.trainGraph, store: parts.store, optimizer: parts.optimizer, replicas: workers, ...(parts.qat ? { qat: parts.qat } : {}) })
    : null;
  const step = async (seed: number): Promise<void> => {
    if (parallel) await parallel.run(batch, 1e-3, seed);
    else stepper.run(batch, 1e-3, seed);
  };
  const times: number[] = [];
  try {
    await step(0); // warm-up: first-use kernel setup
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await step(i + 1);
      times.push(performance.now() - t0);
    }
  } finally {
    await parallel?.close();
    dispose();
  }
  times.sort((a, b) => a - b);
  const msPerStep = times[Math.floor(times.length / 2)]!;
  const result: RateResult = { imagesPerSecond: (batch.n * 1000) / msPerStep, msPerStep };
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
