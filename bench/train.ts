// Training throughput of the reference CNN (bench/reference_cnn.ts) on the
// layers/ops primitives, float32, synthetic data (throughput does not depend
// on pixel values).
//
//   npm run bench:train -- [--steps N] [--batch B] [--backends wasm,node,cpu] [--profile] [--formulation fast|baseline]
//
// Default backends: wasm, plus node when @tensorflow/tfjs-node loads. cpu
// trains at well under 1 img/s, so it runs only when asked, for 1 step.
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { BackendName, selectBackend } from '../src/backend.js';
import { createReferenceCnn, variablesOf } from './reference_cnn.js';
import { GRAD_FORMULATIONS, GradFormulation, setGradFormulation } from '../layers/ops.js';
import { syntheticBatch, trainStep } from './train_step.js';
import { printKernelProfile, printPhaseTimes } from './profile.js';
import { intFlag, namesFlag } from './args.js';

interface Options {
  steps: number;
  batch: number;
  backends: BackendName[];
  explicitBackends: boolean;
  profile: boolean;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '10' },
      batch: { type: 'string', default: '64' },
      backends: { type: 'string' },
      profile: { type: 'boolean', default: false },
      formulation: { type: 'string', default: 'fast' },
    },
  });
  const formulation = values.formulation as GradFormulation;
  if (!GRAD_FORMULATIONS.includes(formulation)) throw new Error(`--formulation must be one of ${GRAD_FORMULATIONS.join(', ')}, got '${values.formulation}'`);
  setGradFormulation(formulation);
  const steps = intFlag(values.steps, 'steps');
  const batch = intFlag(values.batch, 'batch');
  const names = namesFlag<BackendName>(values.backends ?? 'wasm,node', 'backends', ['wasm', 'node', 'cpu']);
  return { steps, batch, backends: names, explicitBackends: values.backends !== undefined, profile: values.profile };
}

async function benchBackend(name: BackendName, opts: Options): Promise<void> {
  try {
    await selectBackend(name);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (opts.explicitBackends) console.log(`${name}: unavailable (${why})`);
    else console.log(`${name}: skipped (${why.split(';')[0]})`);
    return;
  }
  const steps = name === 'cpu' ? Math.min(opts.steps, 1) : opts.steps;
  const model = createReferenceCnn();
  const optimizer = tf.train.adam(1e-3);
  const data = syntheticBatch(opts.batch, 7);
  const first = trainStep(model, optimizer, data); // warm-up: kernel setup, optimizer slots
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  let last = first;
  for (let i = 0; i < steps; i++) last = trainStep(model, optimizer, data);
  const seconds = (performance.now() - t0) / 1000;
  const perSecond = (opts.batch * steps) / seconds;
  console.log(
    `${name}: ${perSecond.toFixed(1)} img/s training (batch ${opts.batch}, ${steps} steps in ${seconds.toFixed(2)} s, ` +
    `${(1000 * seconds / steps).toFixed(0)} ms/step; loss ${first.toFixed(3)} → ${last.toFixed(3)})`,
  );

  if (opts.profile) {
    await printPhaseTimes(model, data);
    await printKernelProfile(() => { trainStep(model, optimizer, data); });
  }
  const leaked = tf.memory().numTensors - before;
  if (leaked !== 0) console.log(`${name}: WARNING ${leaked} tensors leaked across steps`);
  tf.dispose([data.images, data.labels, ...variablesOf(model)]);
  optimizer.dispose();
}

async function main(): Promise<void> {
  const opts = options();
  for (const name of opts.backends) await benchBackend(name, opts);
}

main().catch(e => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
