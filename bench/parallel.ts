// Data-parallel training throughput (train/parallel) on wasm: img/s of one
// process against 2 replicas (main thread + 1 worker), for the reference CNN
// and a small MobileNet, through the same train graph / optimizer / store
// the CLI uses. The arms alternate in rounds so a busy machine slows them
// alike; the ratio is computed per round and its median printed. The process
// CPU time each arm got (all threads) is printed too: on a shared machine
// the second replica only helps when a core is free, and img per CPU-second
// shows what the parallel step costs in work, whatever the load.
//
// The last arm is this machine's ceiling for any data-parallel step: N
// separate processes (bench/qat_rate.js, batch B/N each) stepping at the
// same time with nothing exchanged. Where the cores share memory bandwidth
// and cache, each runs slower than it does alone, and no gradient exchange
// can beat their sum.
//
//   npm run bench:parallel -- [--rounds R] [--steps S] [--batch B] [--models mnist-cnn,mobilenet-v2,mobilenet-v1] [--replicas N] [--transports shared,transfer]
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../datasets/types.js';
import { selectBackend } from '../src/backend.js';
import { analyze } from '../src/ir/analyze.js';
import type { Graph } from '../src/ir/types.js';
import { buildTrainGraph, type TrainGraph } from '../train/graph/build.js';
import { createOptimizer, optimizerConfig, type Optimizer } from '../train/optimizers.js';
import { VariableStore } from '../train/state.js';
import { createStepper } from '../train/step.js';
import { createParallelStepper, TRANSPORTS, type ParallelStepper, type ParallelTimings } from '../train/parallel/index.js';
import { buildModel } from '../train/zoo/index.js';
import { intFlag, namesFlag, stringOptions } from './args.js';
import type { RateResult } from './qat_rate.js';

interface BenchModel {
  label: string;
  ir: Graph;
  /** bench/qat_rate.js's arguments for the same model. */
  rateArgs: string[];
}

const MODELS: Record<string, () => BenchModel> = {
  'mnist-cnn': () => ({
    label: 'mnist-cnn 28×28×1', ir: buildModel('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10 }), rateArgs: ['--model', 'mnist-cnn', '--size', '28'],
  }),
  'mobilenet-v1': () => ({
    label: 'mobilenet-v1 α0.25 32×32×1', ir: buildModel('mobilenet-v1', { inputShape: [32, 32, 1], numClasses: 10, alpha: 0.25 }),
    rateArgs: ['--model', 'mobilenet-v1', '--alpha', '0.25', '--size', '32'],
  }),
  'mobilenet-v2': () => ({
    label: 'mobilenet-v2 α0.35 32×32×1', ir: buildModel('mobilenet-v2', { inputShape: [32, 32, 1], numClasses: 10, alpha: 0.35 }),
    rateArgs: ['--model', 'mobilenet-v2', '--alpha', '0.35', '--size', '32'],
  }),
};

function options() {
  const { values } = parseArgs({
    options: stringOptions({ rounds: '3', steps: '4', batch: '64', models: 'mnist-cnn,mobilenet-v2', replicas: '2', transports: 'shared,transfer' }),
  });
  return {
    rounds: intFlag(values.rounds, 'rounds'), steps: intFlag(values.steps, 'steps'), batch: intFlag(values.batch, 'batch'),
    models: namesFlag(values.models, 'models', Object.keys(MODELS)), replicas: intFlag(values.replicas, 'replicas', 2),
    transports: namesFlag(values.transports, 'transports', TRANSPORTS),
  };
}

function syntheticBatch(ir: Graph, n: number, seed: number): Batch {
  const a = analyze(ir);
  const [h, w, c] = a.shapes.get(a.inputs[0])! as [number, number, number];
  const x = new Float32Array(n * h * w * c);
  let s = seed >>> 0;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 4294967296;
  }
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { x, y, n, shape: [n, h, w, c] };
}

interface Arm {
  name: string;
  run(b: Batch, k: number): Promise<void>;
  parallel: ParallelStepper | null;
  /** Arms timed elsewhere give their img/s themselves (and no CPU figure). */
  rate?: () => Promise<number>;
}

const RATE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'qat_rate.js');

/** Summed img/s of `n` processes stepping `args` at the same time. */
async function concurrentRate(args: string[], n: number): Promise<number> {
  const runs = Array.from({ length: n }, () => new Promise<number>((done, fail) => {
    execFile(process.execPath, [RATE_SCRIPT, ...args], (e, stdout) => {
      if (e) fail(e);
      else done((JSON.parse(stdout.trim().split('\n').at(-1)!) as RateResult).imagesPerSecond);
    });
  }));
  return (await Promise.all(runs)).reduce((a, b) => a + b, 0);
}

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const ms = (v: number, steps: number): string => `${(v / steps).toFixed(1)}`;

function breakdown(t: ParallelTimings, workers: number): string {
  const n = t.steps;
  const w = t.workers;
  return `    per step (ms): main publish ${ms(t.publishMs, n)}, own shard ${ms(t.ownShardMs, n)}, wait ${ms(t.waitMs, n)}, `
    + `merge ${ms(t.mergeMs, n)}, optimizer+stats ${ms(t.applyMs, n)} | worker load ${ms(w.loadMs, n * workers)}, `
    + `compute ${ms(w.computeMs, n * workers)}, grads out ${ms(w.storeMs, n * workers)}`;
}

async function benchModel(m: BenchModel, o: ReturnType<typeof options>): Promise<void> {
  const store = VariableStore.forGraph(m.ir, 1);
  const graph: TrainGraph = buildTrainGraph(m.ir, store);
  const optimizer: Optimizer = createOptimizer(optimizerConfig('adam'), store);
  const batch = syntheticBatch(m.ir, o.batch, 7);
  const single = createStepper(graph, store, optimizer);
  const arms: Arm[] = [{ name: '1 process', parallel: null, run: async (b, k) => { single.run(b, 1e-4, k); } }];
  // What a shard costs on its own: a whole batch as steps of B/N, one process (smaller batches pay tfjs' per-op overhead more often).
  const shard = syntheticBatch(m.ir, Math.ceil(o.batch / o.replicas), 7);
  arms.push({ name: `1 process, batch ${shard.n}`, parallel: null, run: async (_b, k) => { for (let j = 0; j < o.replicas; j++) single.run(shard, 1e-4, k); } });
  for (const transport of o.transports) {
    const p = await createParallelStepper({ graph, store, optimizer, replicas: o.replicas, transport });
    arms.push({ name: `${o.replicas} replicas (${transport})`, parallel: p, run: async (b, k) => { await p.run(b, 1e-4, k); } });
  }
  const rateArgs = [...m.rateArgs, '--batch', String(shard.n), '--steps', String(2 * o.steps)];
  arms.push({ name: `${o.replicas} separate processes`, parallel: null, run: async () => {}, rate: () => concurrentRate(rateArgs, o.replicas) });
  try {
    for (const arm of arms) for (let k = 0; k < 2; k++) await arm.run(batch, k); // warm-up: kernels, slots
    for (const arm of arms) arm.parallel?.resetTimings();
    const rates = arms.map(() => [] as number[]);
    const cpu = arms.map(() => ({ seconds: 0, wall: 0 }));
    for (let r = 0; r < o.rounds; r++) {
      for (const [i, arm] of arms.entries()) {
        if (arm.rate) {
          rates[i].push(await arm.rate());
          continue;
        }
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        for (let k = 0; k < o.steps; k++) await arm.run(batch, k);
        const wall = (performance.now() - t0) / 1000;
        const c = process.cpuUsage(c0);
        cpu[i].seconds += (c.user + c.system) / 1e6;
        cpu[i].wall += wall;
        rates[i].push((o.batch * o.steps) / wall);
      }
    }
    const perCpu = cpu.map((c) => (o.batch * o.steps * o.rounds) / c.seconds);
    const base = rates[0];
    console.log(`${m.label}, batch ${o.batch}, ${o.rounds} rounds × ${o.steps} steps per arm:`);
    for (const [i, arm] of arms.entries()) {
      const ratio = i === 0 ? '' : `  ratio ${median(rates[i].map((v, r) => v / base[r])).toFixed(2)}× (per round: ${rates[i].map((v, r) => (v / base[r]).toFixed(2)).join(', ')})`;
      console.log(`  ${arm.name.padEnd(24)} ${median(rates[i]).toFixed(1).padStart(7)} img/s${ratio}`);
      if (arm.rate) {
        console.log(`    batch ${shard.n} each, stepping at the same time with nothing exchanged: the most any ${o.replicas} replicas can reach here`);
        continue;
      }
      console.log(`    got ${(cpu[i].seconds / cpu[i].wall).toFixed(2)} cores on average; ${perCpu[i].toFixed(1)} img per CPU-second`
        + (i === 0 ? '' : ` (${(perCpu[i] / perCpu[0]).toFixed(2)}× one process's)`));
      if (arm.parallel) console.log(breakdown(arm.parallel.timings(), o.replicas - 1));
    }
  } finally {
    for (const arm of arms) await arm.parallel?.close();
    store.dispose();
  }
}

async function main(): Promise<void> {
  const o = options();
  await selectBackend('wasm');
  console.log(`wasm backend, ${tf.memory().numTensors} tensors at start`);
  for (const name of o.models) await benchModel(MODELS[name](), o);
}

await main();
