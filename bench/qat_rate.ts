// Training images/s of one zoo model on qat's own step, printed as one JSON
// line. bench/vs_torch.ts runs it as a child process so that a model too
// big for the wasm heap (which aborts the whole wasm module) costs one
// child, not the benchmark, and every measurement starts with a fresh heap.
//
//   node dist/bench/qat_rate.js --model mobilenet-v2 --alpha 0.35 --size 32 --channels 1 --batch 64 [--qat] [--steps 5]
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../src/backend.js';
import { syntheticImages } from './synthetic.js';
import { zooStepper } from './zoo_stepper.js';

export interface RateResult {
  imagesPerSecond: number;
  msPerStep: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'mnist-cnn' },
      alpha: { type: 'string' },
      size: { type: 'string', default: '28' },
      channels: { type: 'string', default: '1' },
      batch: { type: 'string', default: '64' },
      steps: { type: 'string', default: '5' },
      qat: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'wasm' },
    },
  });
  const size = Number(values.size);
  const shape: [number, number, number] = [size, size, Number(values.channels)];
  const batchSize = Number(values.batch);
  const steps = Number(values.steps);
  await selectBackend(values.backend as BackendName);
  const { stepper, dispose } = zooStepper({
    model: values.model, inputShape: shape, qat: values.qat, ...(values.alpha !== undefined ? { alpha: Number(values.alpha) } : {}),
  });
  const batch = syntheticImages(batchSize, shape, 7);
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
  const result: RateResult = { imagesPerSecond: (batchSize * 1000) / msPerStep, msPerStep };
  console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
