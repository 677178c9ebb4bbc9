// Where one training step's time goes: per phase (forward, backward,
// optimiser) and per tfjs kernel via tf.profile. On wasm every kernel runs
// synchronously, so the kernel times tf.profile reports are wall times.
import * as tf from '@tensorflow/tfjs';
import { loss, ReferenceCnn, variablesOf } from './reference_cnn.js';
import { Batch } from './train_step.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeMs(fn: () => void, repeats = 3): number {
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median wall time of the forward pass alone and of forward + backward. */
export async function printPhaseTimes(model: ReferenceCnn, data: Batch): Promise<void> {
  const forward = timeMs(() => tf.tidy(() => { loss(model, data.images, data.labels).dataSync(); }));
  const both = timeMs(() => {
    const { value, grads } = tf.variableGrads(() => loss(model, data.images, data.labels), variablesOf(model));
    value.dataSync();
    tf.dispose([value, grads]);
  });
  console.log(`  phases (median of 3): forward ${forward.toFixed(0)} ms, backward ${(both - forward).toFixed(0)} ms, forward+backward ${both.toFixed(0)} ms`);
}

interface Row { ms: number; calls: number }

function add(table: Map<string, Row>, key: string, ms: number): void {
  const r = table.get(key) ?? { ms: 0, calls: 0 };
  r.ms += ms;
  r.calls += 1;
  table.set(key, r);
}

function printTable(title: string, table: Map<string, Row>, total: number, limit: number): void {
  console.log(`  ${title}`);
  const rows = [...table.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, limit);
  for (const [key, r] of rows) {
    const share = total > 0 ? (100 * r.ms) / total : 0;
    console.log(`    ${r.ms.toFixed(1).padStart(8)} ms ${share.toFixed(1).padStart(5)}%  ×${String(r.calls).padEnd(3)} ${key}`);
  }
}

/** Kernel-level breakdown of fn (one training step). */
export async function printKernelProfile(fn: () => void): Promise<void> {
  const t0 = performance.now();
  const info = await tf.profile(fn);
  const wall = performance.now() - t0;
  const byName = new Map<string, Row>();
  const byShape = new Map<string, Row>();
  const wrappers = new Map<string, Row>();
  const backend = tf.getBackend();
  let total = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    // Ops without a registered kernel (tf.customGrad's 'forward', composite
    // ops) wrap kernels that are listed on their own: count them once.
    if (tf.getKernel(k.name, backend) === undefined) {
      add(wrappers, k.name, ms);
      continue;
    }
    total += ms;
    add(byName, k.name, ms);
    const shapes = k.inputShapes.map(s => `[${(s ?? []).join(',')}]`).join(' ');
    add(byShape, `${k.name} ${shapes} → [${(k.outputShapes[0] ?? []).join(',')}]`, ms);
  }
  console.log(`  one step under tf.profile: ${wall.toFixed(0)} ms wall, ${total.toFixed(0)} ms in ${info.kernels.length} kernels`);
  printTable('by kernel:', byName, total, 25);
  printTable('wrappers (their kernels are counted above):', wrappers, total, 5);
  printTable('by kernel and shape (top 25):', byShape, total, 25);
}
