// Cost of the FakeQuant op against ReLU, forward + backward, on an activation
// the size of a mid-network conv output (64×24×24×64). The budget is
// a whole QAT step ≤ 1.3× the float step; this isolates the op's share.
//   npx tsc -p . && node dist/bench/fake-quant.js [--backend wasm|cpu] [--runs N]
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice } from '../src/backend.js';
import { fakeQuant, type FakeQuantOptions } from '../quantize/fake-quant.js';
import { rangeVariables, storeGetter, trainQuantize, type QuantizerConfig } from '../quantize/ranges.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

interface Sample {
  wall: number;
  /** CPU time of this process (user + system): robust to other processes sharing the cores. */
  cpu: number;
}

/** Wall and CPU time of one run of f (which returns the tensors to read back), in ms. */
function once(f: () => tf.Tensor[]): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  tf.tidy(() => f().forEach((t) => t.dataSync()));
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

interface Timing {
  wallMin: number;
  wallMedian: number;
  cpuMin: number;
  cpuMedian: number;
}

/**
 * Runs every case once per round, interleaved, so load from other processes
 * hits all cases alike; reports each case's minimum and median.
 */
function timeAll(runs: number, cases: Array<[string, () => tf.Tensor[]]>): Timing[] {
  const samples = cases.map(() => [] as Sample[]);
  for (let round = 0; round < runs + 2; round++) {
    cases.forEach(([, f], i) => {
      const s = once(f);
      if (round >= 2) samples[i].push(s); // two warm-up rounds
    });
  }
  return samples.map((ss) => {
    const wall = ss.map((s) => s.wall);
    const cpu = ss.map((s) => s.cpu);
    return { wallMin: Math.min(...wall), wallMedian: median(wall), cpuMin: Math.min(...cpu), cpuMedian: median(cpu) };
  });
}

async function main(): Promise<void> {
  const backend = await selectBackend(arg('backend', 'wasm') as BackendChoice);
  const runs = Number(arg('runs', '10'));
  const shape: [number, number, number, number] = [64, 24, 24, 64];
  const x = tf.randomNormal(shape);
  const dy = tf.randomNormal(shape);
  const min = tf.scalar(-1.5);
  const max = tf.scalar(2.0);
  const minC = tf.fill([64], -1.5);
  const maxC = tf.fill([64], 2.0);

  const fq = (lo: tf.Tensor, hi: tf.Tensor, opts: FakeQuantOptions) => () => {
    const { value, grads } = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => fakeQuant(a, b, c, opts))([x, lo, hi], dy);
    return [value, ...grads];
  };
  const ema: QuantizerConfig = { bits: 8, narrowRange: false, range: 'ema' };
  const emaVars = rangeVariables(storeGetter(new Map()), 'bench/act', ema);
  const cases: Array<[string, () => tf.Tensor[]]> = [
    ['relu fwd+bwd', () => [tf.relu(x), tf.grad((a: tf.Tensor) => tf.relu(a))(x, dy)]],
    ['fakeQuant per-tensor, TF range gradient', fq(min, max, {})],
    ['fakeQuant per-tensor, no range gradient (EMA)', fq(min, max, { rangeGradient: 'none' })],
    ['fakeQuant per-tensor, LSQ', fq(min, max, { rangeGradient: 'lsq' })],
    ['fakeQuant per-channel axis 3, TF range gradient', fq(minC, maxC, { axis: 3 })],
    ['trainQuantize EMA (observe + fakeQuant, dx only)', () => {
      const { value, grad } = tf.valueAndGrad((a: tf.Tensor) => trainQuantize(a, emaVars, ema, 10))(x, dy);
      return [value, grad];
    }],
    ['fakeQuant forward only (eval graph)', () => [fakeQuant(x, min, max)]],
    ['fakeQuant per-channel axis 3, forward only', () => [fakeQuant(x, minC, maxC, { axis: 3 })]],
  ];
  const times = timeAll(runs, cases);
  console.log(`backend ${backend}, tensor [${shape}], ${runs} interleaved runs (ms: wall min/median, process CPU min/median)`);
  const relu = times[0];
  cases.forEach(([name], i) => {
    const t = times[i];
    const ms = [t.wallMin, t.wallMedian, t.cpuMin, t.cpuMedian].map((v) => v.toFixed(1)).join(' / ');
    const ratio = `min ${(t.cpuMin / relu.cpuMin).toFixed(2)}, median ${(t.cpuMedian / relu.cpuMedian).toFixed(2)}`;
    console.log(`${name}: ${ms} — CPU-time ratio to relu: ${ratio}`);
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
