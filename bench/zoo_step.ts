// Where a zoo model's training step spends its time, on the project's own
// training path (train/graph + train/step): median ms per step of each
// gradient formulation (steps alternate between them so machine load hits
// all alike), then a per-kernel profile of one step of each.
//
//   node dist/bench/zoo_step.js [--model mobilenet-v2] [--alpha 0.35] [--size 32] [--channels 1]
//        [--batch 64] [--steps 5] [--qat] [--profile] [--backend wasm] [--formulations fast,simd]
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { ZOO_STEP_OPTIONS, zooStepFromArgs } from './zoo_stepper.js';
import { GRAD_FORMULATIONS, setGradFormulation, type GradFormulation } from '../layers/ops.js';
import { printKernelProfile } from './profile.js';
import { namesFlag } from './args.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...ZOO_STEP_OPTIONS,
      profile: { type: 'boolean', default: false },
      formulations: { type: 'string', default: 'simd' },
    },
  });
  const { stepper, dispose, batch, steps, label } = await zooStepFromArgs(values);
  const names = namesFlag(values.formulations, 'formulations', GRAD_FORMULATIONS);
  const times = new Map<GradFormulation, number[]>(names.map(n => [n, []]));
  for (const n of names) { // warm-up: first-use kernel setup
    setGradFormulation(n);
    stepper.run(batch, 1e-3, 0);
  }
  for (let i = 0; i < steps; i++) {
    for (const n of names) {
      setGradFormulation(n);
      const t0 = performance.now();
      stepper.run(batch, 1e-3, i + 1);
      times.get(n)!.push(performance.now() - t0);
    }
  }
  console.log(`${label} on ${tf.getBackend()}, median of ${steps} alternating steps:`);
  for (const n of names) {
    const t = [...times.get(n)!].sort((a, b) => a - b);
    const ms = t[Math.floor(t.length / 2)]!;
    console.log(`  ${n.padEnd(9)} ${ms.toFixed(0).padStart(6)} ms/step  ${(batch.n * 1000 / ms).toFixed(1).padStart(6)} img/s  (all: ${times.get(n)!.map(x => x.toFixed(0)).join(' ')})`);
  }
  if (values.profile) {
    for (const n of names) {
      setGradFormulation(n);
      console.log(`\nkernel profile, formulation '${n}':`);
      await printKernelProfile(() => { stepper.run(batch, 1e-3, steps + 1); });
    }
  }
  dispose();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
