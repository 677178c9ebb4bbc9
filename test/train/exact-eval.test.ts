// The integer eval graph computes exactly the exported int8 model: on every
// zoo model (and a branchy graph with the ops the zoo lacks) each fakeQuant
// node's output, as int8 codes, equals the interpreter's tensor of that name
// bit for bit — so the export adds no error. Plus the split accumulation on
// adversarial values against an exact integer reference.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { analyze, type AnalyzedGraph } from '../../src/ir/analyze.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { activationRange } from '../../quantize/qparams.js';
import { fakeQuantValue } from '../../quantize/math.js';
import { buildCalibrationGraph, buildEvalGraph } from '../../train/graph/build.js';
import { accumulateWithBias, exactAccumulate, FLOAT32_EXACT_INTEGER, planAccumulation } from '../../train/graph/exact-accumulate.js';
import { VariableStore } from '../../train/state.js';
import { ZOO_CASES, qatCase, seededImages, type ZooCase } from '../export/helpers.js';
import { mulberry32 } from '../support/random-models.js';
import { useWasm } from './helpers.js';
import { compareLayers, summary } from './layer-codes.js';

const INPUTS = 20;

type Fq = NodeOf<'fakeQuant'>;

/** Concat, pad, a 3×3/2 'same' average pool (tap counts 4, 6 and 9), a residual add, softmax: what the zoo does not reach. */
function branchy(): Graph {
  const b = new GraphBuilder('branchy');
  const x = b.input('input', [12, 12, 3]);
  const left = b.relu('a_relu', b.conv2d('a', x, { filters: 4, kernelSize: 1 }));
  const right = b.relu6('c_relu', b.conv2d('c', x, { filters: 6, kernelSize: 3 }));
  let y = b.concat('concat', [left, right]);
  y = b.pad('pad', y, [[1, 0], [0, 1]]);
  y = b.avgPool('avg', y, { poolSize: 3, strides: 2, padding: 'same' });
  const z = b.conv2d('d', y, { filters: 10, kernelSize: 3 });
  y = b.add('sum', [y, b.conv2d('e', z, { filters: 10, kernelSize: 1 })]);
  y = b.maxPool('max', y, { poolSize: 2 });
  y = b.reshape('reshape', y, [-1]);
  return b.build([b.softmax('probs', b.dense('logits', y, 6))]);
}

function branchyCase(seed: number): { a: AnalyzedGraph; store: VariableStore } {
  const { graph, report } = rewriteForQat(branchy());
  expect(report).to.deep.equal([]);
  const a = analyze(graph);
  const store = VariableStore.forGraph(a, seed);
  const cal = buildCalibrationGraph(a, store);
  for (let b = 0; b < 3; b++) {
    const x = tf.tensor4d(seededImages(16, [12, 12, 3], seed + 20 + b), [16, 12, 12, 3]);
    cal.observe(x, 0.5);
    x.dispose();
  }
  return { a, store };
}

describe('integer eval graph = int8 model, bit for bit', function () {
  before(useWasm);

  const cases: Array<ZooCase & { seed: number }> = ZOO_CASES.map((c) => ({ ...c, seed: 3 }));
  for (const c of cases) {
    it(`${c.name}: every fakeQuant tensor equals the interpreter's over ${INPUTS} inputs`, () => {
      const { ir, store } = qatCase(c, c.seed);
      try {
        const a = analyze(ir);
        const images = seededImages(INPUTS, c.shape, 41);
        const integer = compareLayers(a, store, images, INPUTS, 'integer');
        const simulated = compareLayers(a, store, images, INPUTS, 'simulated');
        console.log(`      ${c.name}: integer ${summary(integer)}; simulated ${summary(simulated)}`);
        expect(integer.compared).to.be.greaterThan(INPUTS * 100);
        expect(integer.differing, summary(integer)).to.equal(0);
      } finally {
        store.dispose();
      }
    });
  }

  it('branchy graph (concat, pad, avgPool, add, softmax): every fakeQuant tensor equals the interpreter\'s', () => {
    const { a, store } = branchyCase(7);
    try {
      const images = seededImages(INPUTS, [12, 12, 3], 43);
      const integer = compareLayers(a, store, images, INPUTS, 'integer');
      const simulated = compareLayers(a, store, images, INPUTS, 'simulated');
      console.log(`      branchy: integer ${summary(integer)}; simulated ${summary(simulated)}`);
      expect(integer.differing, summary(integer)).to.equal(0);
      // The pool's fakeQuant reads the concat group's range: the int8 pool keeps its input's grid.
      const avgFq = a.order.find((n) => n.name === 'avg/fq') as Fq;
      expect(avgFq.params).to.deep.equal({ min: 'concat/fq/min', max: 'concat/fq/max' });

      // No leaks, and every fakeQuant output (skipped after an integer op) is the fakeQuant op's own grid value.
      const g = buildEvalGraph(a, store);
      const x = tf.tensor4d(images.subarray(0, 4 * 12 * 12 * 3), [4, 12, 12, 3]);
      const live = tf.memory().numTensors;
      tf.dispose(g.run(x));
      const all = g.runAll(x);
      try {
        for (const fq of a.order.filter((n): n is Fq => n.op === 'fakeQuant')) {
          const r = activationRange(fq, store);
          const v = all.get(fq.name)!.dataSync();
          expect(Array.from(v, (e) => fakeQuantValue(e, r)), fq.name).to.deep.equal(Array.from(v));
        }
      } finally {
        for (const t of all.values()) t.dispose();
      }
      expect(tf.memory().numTensors, 'integer run/runAll leak').to.equal(live);
      x.dispose();
    } finally {
      store.dispose();
    }
  });

  it('a layer left float by --skip runs simulated inside the integer graph', () => {
    const c = ZOO_CASES.find((z) => z.name === 'mnist-cnn')!;
    const { ir, store, report } = qatCase(c, 5, { skip: ['conv2'] });
    try {
      expect(report).to.have.length(1);
      const x = tf.tensor4d(seededImages(3, c.shape, 8), [3, ...c.shape]);
      const y = buildEvalGraph(ir, store).run(x);
      const z = buildEvalGraph(ir, store, { arithmetic: 'simulated' }).run(x);
      expect(y.shape).to.deep.equal([3, 10]);
      // Integer and simulated agree up to the odd rounding flip.
      expect(Math.max(...Array.from(tf.tidy(() => tf.abs(tf.sub(y, z))).dataSync()))).to.be.below(0.5);
      tf.dispose([x, y, z]);
    } finally {
      store.dispose();
    }
  });

  it('a float graph evaluates as before (no integer kernels apply)', () => {
    const ir = branchy();
    const store = VariableStore.forGraph(ir, 2);
    try {
      const g = buildEvalGraph(ir, store);
      expect(g.arithmetic).to.equal('simulated');
      const x = tf.tensor4d(seededImages(2, [12, 12, 3], 5), [2, 12, 12, 3]);
      const y = g.run(x);
      expect(y.shape).to.deep.equal([2, 6]);
      tf.dispose([x, y]);
    } finally {
      store.dispose();
    }
  });
});

/** Σ x·w by the definition, in float64 (exact: every value is an integer far below 2^53). */
function referenceConv(x: Int32Array, [n, h, w, cin]: number[], k: Int32Array, [kh, kw, , cout]: number[], depthwise: boolean): { data: number[]; shape: number[] } {
  // 'valid' padding, stride 1.
  const oh = h - kh + 1;
  const ow = w - kw + 1;
  const outC = depthwise ? cin : cout;
  const data: number[] = [];
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let o = 0; o < outC; o++) {
          let s = 0;
          for (let dy = 0; dy < kh; dy++) {
            for (let dx = 0; dx < kw; dx++) {
              const base = ((b * h + y + dy) * w + xx + dx) * cin;
              if (depthwise) s += x[base + o]! * k[(dy * kw + dx) * cin + o]!;
              else for (let c = 0; c < cin; c++) s += x[base + c]! * k[((dy * kw + dx) * cin + c) * cout + o]!;
            }
          }
          data.push(s);
        }
      }
    }
  }
  return { data, shape: [n, oh, ow, outC] };
}

/** Values ±a: all +a, all −a, or random signs. */
function pm(count: number, a: number, mode: 'plus' | 'minus' | 'random', rand: () => number): Int32Array {
  return Int32Array.from({ length: count }, () => (mode === 'plus' ? a : mode === 'minus' ? -a : rand() < 0.5 ? -a : a));
}

describe('exact split accumulation (adversarial ±255 · ±127)', function () {
  before(useWasm);
  const rand = mulberry32(99);
  const modes = [['plus', 'plus'], ['plus', 'minus'], ['random', 'random'], ['random', 'plus']] as const;

  it('plans keep every piece within 2^24 and pick the split only when it saves convs', () => {
    const fc1 = planAccumulation('dense', 1, 9216, 255, 127);
    expect(fc1).to.deep.include({ split: true, chunks: 2 });
    expect(fc1.bound).to.be.at.most(FLOAT32_EXACT_INTEGER);
    expect(planAccumulation('conv', 9, 32, 255, 127)).to.deep.include({ split: false, chunks: 1 });
    const wide = planAccumulation('conv', 1, 1024, 255, 127);
    expect(wide).to.deep.include({ split: false, chunks: 2 });
    expect(wide.bound).to.be.at.most(FLOAT32_EXACT_INTEGER);
    expect(planAccumulation('depthwise', 23 * 23, 4, 255, 127)).to.deep.include({ split: true, chunks: 1 });
    expect(() => planAccumulation('depthwise', 9000, 4, 255, 127)).to.throw(/cannot be made exact/);
  });

  it('dense, K = 9216 (split into 16·wh + wl, two chunks) equals the integer reference', () => {
    const K = 9216;
    const units = 3;
    for (const [xm, wm] of modes) {
      const x = pm(2 * K, 255, xm, rand);
      const w = pm(K * units, 127, wm, rand);
      const got = tf.tidy(() => {
        const acc = exactAccumulate({ kind: 'dense' }, tf.tensor2d(Float32Array.from(x), [2, K]), tf.tensor2d(Float32Array.from(w), [K, units]), 255, 127);
        expect(acc.dtype).to.equal('int32');
        return Array.from(acc.dataSync());
      });
      const want: number[] = [];
      for (let b = 0; b < 2; b++) {
        for (let u = 0; u < units; u++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += x[b * K + k]! * w[k * units + u]!;
          want.push(s);
        }
      }
      expect(got, `${xm}/${wm}`).to.deep.equal(want);
      // With an int32 bias: the float32 rounding of the exact int32 sum.
      const bias = Int32Array.from([2 ** 30, -(2 ** 30) + 7, 12345]);
      const withBias = tf.tidy(() => Array.from(accumulateWithBias(
        { kind: 'dense' }, tf.tensor2d(Float32Array.from(x), [2, K]), tf.tensor2d(Float32Array.from(w), [K, units]), bias, 255, 127,
      ).dataSync()));
      expect(withBias, `${xm}/${wm} + bias`).to.deep.equal(want.map((v, i) => Math.fround(v + bias[i % units]!)));
      // The sums lie far beyond 2^24: plain float32 accumulation could not hold them.
      expect(Math.max(...want.map(Math.abs)), `${xm}/${wm}`).to.satisfy((m: number) => xm === 'random' || m > FLOAT32_EXACT_INTEGER);
    }
  });

  it('conv, K = 3·3·64 (two input-channel chunks) and depthwise 23×23 (split) equal the integer reference', () => {
    for (const [xm, wm] of modes) {
      const xShape = [1, 4, 4, 64];
      const kShape = [3, 3, 64, 2];
      const x = pm(4 * 4 * 64, 255, xm, rand);
      const k = pm(3 * 3 * 64 * 2, 127, wm, rand);
      const got = tf.tidy(() => Array.from(exactAccumulate(
        { kind: 'conv', strides: [1, 1], padding: 'valid', dilations: [1, 1] },
        tf.tensor(Float32Array.from(x), xShape), tf.tensor(Float32Array.from(k), kShape), 255, 127,
      ).dataSync()));
      expect(got, `conv ${xm}/${wm}`).to.deep.equal(referenceConv(x, xShape, k, kShape, false).data);

      const dxShape = [1, 24, 23, 2];
      const dkShape = [23, 23, 2, 1];
      const dx = pm(24 * 23 * 2, 255, xm, rand);
      const dk = pm(23 * 23 * 2, 127, wm, rand);
      const dgot = tf.tidy(() => Array.from(exactAccumulate(
        { kind: 'depthwise', strides: [1, 1], padding: 'valid', dilations: [1, 1] },
        tf.tensor(Float32Array.from(dx), dxShape), tf.tensor(Float32Array.from(dk), dkShape), 255, 127,
      ).dataSync()));
      expect(dgot, `depthwise ${xm}/${wm}`).to.deep.equal(referenceConv(dx, dxShape, dk, dkShape, true).data);
    }
  });
});
