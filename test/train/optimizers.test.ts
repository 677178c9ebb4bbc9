// The optimizers' one-pass wasm updates (layers/wasm/row_kernels.ts) against
// their tfjs-op form on the cpu backend, whose single ops round like IEEE
// float32: every weight and slot must be bit-identical after a few steps,
// for variable sizes that use the vector body and the scalar tail, with
// gradients that include zeros, tiny and large values.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { selectBackend } from '../../src/backend.js';
import { simdKernelsAvailable } from '../../layers/wasm/tfjs_heap.js';
import { createOptimizer, optimizerConfig, type OptimizerConfig } from '../../train/optimizers.js';
import { VariableStore } from '../../train/state.js';

const SHAPES: number[][] = [[3, 3, 2, 5], [7], [4]];
const STEPS = 3;

function values(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296 - 0.5;
    // Every 5th value a zero, every 7th tiny, every 11th large: Adam's √v + ε and the momentum terms at their edges.
    out[i] = i % 5 === 0 ? 0 : i % 7 === 0 ? u * 1e-30 : i % 11 === 0 ? u * 1e6 : u * scale;
  }
  return out;
}

/** Every variable of the store after STEPS updates, by name. */
async function train(backend: 'wasm' | 'cpu', config: OptimizerConfig): Promise<Map<string, Float32Array>> {
  await selectBackend(backend);
  const store = new VariableStore();
  try {
    SHAPES.forEach((shape, i) => store.add(`w${i}`, 'weight', tf.tensor(values(shape.reduce((a, b) => a * b, 1), 10 + i, 2), shape)));
    const optimizer = createOptimizer(config, store);
    for (let step = 0; step < STEPS; step++) {
      const grads = new Map(SHAPES.map((shape, i) => [`w${i}`, tf.tensor(values(shape.reduce((a, b) => a * b, 1), 100 * step + i, 0.1), shape)]));
      optimizer.apply(grads, 0.01 * (step + 1), step);
      tf.dispose([...grads.values()]);
    }
    return new Map(store.names().map((n) => [n, Float32Array.from(store.get(n).dataSync())]));
  } finally {
    store.dispose();
  }
}

function expectBitIdentical(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...a.keys()].sort()).to.deep.equal([...b.keys()].sort());
  for (const [name, x] of a) {
    const y = b.get(name)!;
    const differing = [...x].filter((v, i) => !Object.is(v, y[i])).length;
    expect(differing, `${name}: ${differing} of ${x.length} values differ`).to.equal(0);
  }
}

describe('optimizer updates: one wasm pass vs the tfjs ops on cpu', function () {
  this.timeout(60000);
  before(async function () {
    await selectBackend('wasm');
    if (!simdKernelsAvailable()) this.skip();
  });
  after(async () => {
    await selectBackend('wasm');
  });

  const sgd = (nesterov: boolean): OptimizerConfig => ({ name: 'sgd', momentum: 0.9, nesterov });
  for (const [label, config] of [['adam', optimizerConfig('adam')], ['sgd with momentum', sgd(false)], ['sgd with nesterov momentum', sgd(true)]] as const) {
    it(`${label}: weights and slots bit-identical after ${STEPS} steps`, async () => {
      const fused = await train('wasm', config);
      const reference = await train('cpu', config);
      expectBitIdentical(fused, reference);
      // The updates moved every weight that had a nonzero gradient: the comparison is not of untouched values.
      const before = values(90, 10, 2);
      expect([...fused.get('w0')!].filter((v, i) => v !== before[i]).length).to.be.greaterThan(60);
    });
  }
});
