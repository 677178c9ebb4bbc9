// Training images/s of one zoo model on qat's own step, printed as one JSON
// line. bench/vs_torch.ts runs it as a child process so that a model too
// big for the wasm heap (which aborts the whole wasm module) costs one
// child, not the benchmark, and every measurement starts with a fresh heap.
//
//   node dist/bench/qat_rate.js --model mobilenet-v2 --alpha 0.35 --size 32 --channels 1 --batch 64 [--qat] [--steps 5]
import { parseArgs } from 'node:util';
import { ZOO_STEP_OPTIONS, zooStepFromArgs } from './zoo_stepper.js';

export interface RateResult {
  imagesPerSecond: number;
  msPerStep: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: ZOO_STEP_OPTIONS });
  const { stepper, dispose, batch, steps } = await zooStepFromArgs(values);
  stepper.run(batch, 1e-3, 0); // warm-up: first-use kernel setup
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    stepper.run(batch, 1e-3, i + 1);
    times.push(performance.now() - t0);
  }
  dispose();
  times.sort((a, b) => a - b);
  const msPerStep = times[Math.floor(times.length / 2)]!;
  const result: RateResult = { imagesPerSecond: (batch.n * 1000) / msPerStep, msPerStep };
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
