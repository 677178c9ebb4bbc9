// Data-parallel training (train/parallel): one step over 2 replicas (main
// thread + 1 worker) against one step of the single-process stepper on the
// same batch. Batches of 7 split 4/3, so a shard-size weighting error shows.
// SGD for the compared step: its first update is exactly −lr·g, so weight
// differences are gradient differences (Adam's first step is ≈ −lr·sign(g)
// and would hide a wrong average).
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../../datasets/types.js';
import { UserError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { Graph } from '../../src/ir/types.js';
import { resolveQatConfig, type QatConfig } from '../../quantize/config.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { buildTrainGraph, type QatTrainOptions } from '../../train/graph/build.js';
import { crossEntropy } from '../../train/loss.js';
import { train } from '../../train/loop.js';
import { createOptimizer, optimizerConfig } from '../../train/optimizers.js';
import { MODEL_KINDS, VariableStore, type VariableKind } from '../../train/state.js';
import { createStepper, type Stepper } from '../../train/step.js';
import { objectiveFor, type Objective } from '../../train/task.js';
import { loadCheckpoint } from '../../src/run/checkpoint.js';
import { buildModel } from '../../train/zoo/index.js';
import { combineMoments, createParallelStepper, resolveWorkers, shardBatch, sliceBatch, type ParallelStepper } from '../../train/parallel/index.js';
import { AUTO_PROBE, probingStepper, type AutoDecision } from '../../train/parallel/auto.js';
import { layoutOf, packTensors, valuesOf } from '../../train/parallel/layout.js';
import { heapValues } from '../../layers/wasm/tfjs_heap.js';
import { weightedMeanInto } from '../../train/parallel/merge.js';
import { TrainingWorker } from '../../train/parallel/pool.js';
import { scratchDir, tinyDataset, tinySplit, useWasm } from './helpers.js';

/** Allowed difference, as a fraction of the largest single-process update of each variable. */
const TOL = 1e-4;
const LR = 0.05;
const STEP_SEED = 12345;

type Snapshot = Map<string, Float32Array>;

function batchOf(n: number, shape: [number, number, number], seed: number): Batch {
  const s = tinySplit(n, shape, 4, seed);
  return { x: s.images, y: s.labels, n, shape: [n, ...shape] };
}

function snapshot(store: VariableStore): Snapshot {
  return new Map(store.list(MODEL_KINDS).map((e) => [e.name, Float32Array.from(e.variable.dataSync())]));
}

const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** conv → [BN] → relu → flatten → dense: one BN, whose input does not depend on the sharding. */
function smallNet(bn: boolean): Graph {
  const b = new GraphBuilder(bn ? 'bn-net' : 'plain-net');
  let x = b.input('input', [12, 12, 1]);
  x = b.conv2d('conv', x, { filters: 4, kernelSize: 3, padding: 'valid', useBias: !bn });
  if (bn) x = b.batchNorm('conv_bn', x);
  x = b.relu('relu', x);
  x = b.flatten('flatten', x);
  return b.build([b.dense('logits', x, 4, { kernelInit: 'glorot' })]);
}

/** conv → relu → conv to `channels` per pixel, at the input's 10×10: a segmenter (3 classes) or an image model (1 channel). */
function pixelNet(channels: number): Graph {
  const b = new GraphBuilder(`pixel-net-${channels}`);
  let x = b.input('input', [10, 10, 1]);
  x = b.relu('relu', b.conv2d('conv', x, { filters: 4, kernelSize: 3, padding: 'same' }));
  return b.build([b.conv2d('head', x, { filters: channels, kernelSize: 3, padding: 'same' })]);
}

interface Arm {
  before: Snapshot;
  after: Snapshot;
  loss: number;
  correct: number;
}

interface StepCase {
  ir: Graph;
  batch: Batch;
  qat?: QatTrainOptions;
  kinds?: VariableKind[];
  /** Single-process Adam steps first (same on both arms), e.g. to initialise ranges. */
  warmup?: Batch[];
  /** The loss (default: classification). */
  objective?: Objective;
}

/** One SGD step of `c.batch` with `replicas` replicas, from the same seeded start. */
async function oneStep(c: StepCase, replicas: number): Promise<Arm> {
  const store = VariableStore.forGraph(c.ir, 3);
  try {
    const graph = buildTrainGraph(c.ir, store, c.qat ? { qat: c.qat } : {});
    const kinds = c.kinds ?? ['weight'];
    if (c.warmup) {
      const warm = createStepper(graph, store, createOptimizer(optimizerConfig('adam'), store, kinds), kinds);
      c.warmup.forEach((b, i) => warm.run(b, 1e-3, 1000 + i));
    }
    // Creating SGD drops the Adam slots: the compared update is exactly −lr·g.
    const sgd = createOptimizer(optimizerConfig('sgd'), store, kinds);
    const before = snapshot(store);
    let r;
    if (replicas === 1) {
      r = createStepper(graph, store, sgd, kinds, Infinity, c.objective).run(c.batch, LR, STEP_SEED);
    } else {
      const p = await createParallelStepper({
        graph, store, optimizer: sgd, kinds, replicas, ...(c.qat ? { qat: c.qat } : {}), ...(c.objective ? { objective: c.objective } : {}),
      });
      try {
        const tensors = tf.memory().numTensors;
        r = await p.run(c.batch, LR, STEP_SEED);
        expect(tf.memory().numTensors, 'tensors leaked by a parallel step').to.equal(tensors);
      } finally {
        await p.close();
      }
    }
    return { before, after: snapshot(store), loss: r.loss, correct: r.correct };
  } finally {
    store.dispose();
  }
}

/** Every listed variable of `got` matches `want` within TOL of want's update; returns the worst ratio. */
function expectSameUpdate(want: Arm, got: Arm, names: string[]): number {
  let worst = 0;
  for (const n of names) {
    const update = maxDiff(want.after.get(n)!, want.before.get(n)!);
    expect(update, `${n} did not change`).to.be.greaterThan(0);
    const err = maxDiff(got.after.get(n)!, want.after.get(n)!);
    expect(err, `${n}: |Δ| ${err} vs largest update ${update}`).to.be.at.most(TOL * update);
    worst = Math.max(worst, err / update);
  }
  return worst;
}

function namesOfKind(ir: Graph, kinds: VariableKind[]): string[] {
  const store = VariableStore.forGraph(ir, 0);
  const names = store.names(kinds);
  store.dispose();
  return names;
}

function qatModel(float: Graph, config: Partial<QatConfig>): { ir: Graph; qat: QatTrainOptions } {
  const qc = resolveQatConfig(config);
  return { ir: rewriteForQat(float, qc).graph, qat: { config: qc, startStep: 0 } };
}

const CNN = buildModel('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 4 });

describe('data-parallel training (train/parallel)', function () {
  before(useWasm);

  describe('shards and statistics', () => {
    it('cuts a batch into contiguous shards that differ by at most one example', () => {
      expect(shardBatch(7, 2)).to.deep.equal([{ offset: 0, n: 4 }, { offset: 4, n: 3 }]);
      expect(shardBatch(10, 3)).to.deep.equal([{ offset: 0, n: 4 }, { offset: 4, n: 3 }, { offset: 7, n: 3 }]);
      expect(shardBatch(1, 2)).to.deep.equal([{ offset: 0, n: 1 }]);
      const b = batchOf(5, [2, 2, 1], 1);
      const s = sliceBatch(b, { offset: 3, n: 2 });
      expect(s.shape).to.deep.equal([2, 2, 2, 1]);
      expect([...s.y]).to.deep.equal([...b.y.subarray(3)]);
      expect([...s.x]).to.deep.equal([...b.x.subarray(12)]);
    });

    it('combines shard means and Bessel-corrected variances into those of the whole batch', () => {
      const rand = (i: number): number => Math.sin(i * 12.9898) * 43758.5453 % 1;
      const parts = [5, 1, 9].map((count, p) => Array.from({ length: count }, (_, i) => [3 * rand(100 * p + i) + p, rand(7 + 100 * p + i)]));
      const all = parts.flat();
      const stats = (rows: number[][]) => {
        const n = rows.length;
        const mean = [0, 1].map((k) => rows.reduce((s, r) => s + r[k], 0) / n);
        const variance = [0, 1].map((k) => rows.reduce((s, r) => s + (r[k] - mean[k]) ** 2, 0) / n);
        return { count: n, mean, unbiased: variance.map((v) => (n > 1 ? (v * n) / (n - 1) : v)) };
      };
      const c = combineMoments(parts.map(stats));
      const want = stats(all);
      for (let k = 0; k < 2; k++) {
        expect(c.mean[k]).to.be.closeTo(want.mean[k], 1e-12);
        expect(c.unbiased[k]).to.be.closeTo(want.unbiased[k], 1e-12);
      }
    });

    it('averages flat gradients weighted by shard size: Σ nᵢ·gᵢ / N', () => {
      const out = weightedMeanInto(new Float32Array(3), [{ n: 4, grads: Float32Array.of(2, 2, -7) }, { n: 3, grads: Float32Array.of(8, 2, 0) }]);
      expect([...out]).to.deep.equal([...Float32Array.of(32 / 7, 2, -4)]);
    });

    it('reads a wasm tensor\'s values from the heap, equal to dataSync, and packs them into their slots', () => {
      const a = tf.tidy(() => tf.range(0, 6, 1, 'float32').mul(0.5).reshape([2, 3]));
      const b = tf.tensor1d([-1, 7]);
      try {
        // On wasm the values are a view of the backend's heap (no copy), not a dataSync array.
        expect(heapValues(a)?.buffer).to.equal(heapValues(b)?.buffer).and.to.be.an.instanceOf(ArrayBuffer);
        expect([...valuesOf(a)]).to.deep.equal([...a.dataSync()]);
        const layout = layoutOf([{ name: 'b', shape: [2] }, { name: 'a', shape: [2, 3] }]);
        const out = new Float32Array(layout.total);
        packTensors(layout, (n) => (n === 'a' ? a : b), out);
        expect([...out]).to.deep.equal([-1, 7, 0, 0.5, 1, 1.5, 2, 2.5]);
      } finally {
        tf.dispose([a, b]);
      }
    });

    it('parses --workers', () => {
      expect(resolveWorkers(undefined)).to.equal('auto');
      expect(resolveWorkers('3')).to.equal(3);
      expect(resolveWorkers('auto')).to.equal('auto');
      for (const bad of ['0', '1.5', 'two', '']) expect(() => resolveWorkers(bad)).to.throw(UserError, /--workers/);
    });
  });

  describe('one step with 2 replicas equals one step in one process', () => {
    it('float mnist-cnn with dropout (masks follow the example, not the shard)', async () => {
      const c: StepCase = { ir: CNN, batch: batchOf(7, [28, 28, 1], 5) };
      const single = await oneStep(c, 1);
      const two = await oneStep(c, 2);
      expect(two.loss).to.be.closeTo(single.loss, 1e-5 * Math.abs(single.loss));
      expect(two.correct).to.equal(single.correct);
      expectSameUpdate(single, two, namesOfKind(CNN, ['weight']));
    });

    // Per-pixel targets travel with their shard; the loss is a mean over pixels and the score a sum over examples.
    for (const task of ['segment', 'image'] as const) {
      it(`float per-pixel net, --task ${task}: targets follow the shard`, async () => {
        const ir = pixelNet(task === 'segment' ? 3 : 1);
        const objective = objectiveFor(task, [10, 10, task === 'segment' ? 3 : 1], 'l1');
        const b = batchOf(7, [10, 10, 1], 9);
        const batch: Batch = task === 'segment'
          ? { ...b, masks: Int32Array.from(b.x, (v, i) => (v > 0.6 ? 2 : i % 2)) }
          : { ...b, targets: Float32Array.from(b.x, (v, i) => (i % 3 === 0 ? 1 - v : v)) };
        const single = await oneStep({ ir, batch, objective }, 1);
        const two = await oneStep({ ir, batch, objective }, 2);
        expect(two.loss).to.be.closeTo(single.loss, 1e-5 * Math.abs(single.loss));
        expect(two.correct).to.be.closeTo(single.correct, 1e-5 * Math.max(1, single.correct));
        expectSameUpdate(single, two, namesOfKind(ir, ['weight']));
      });
    }

    it('the tolerance fails an unweighted average of the two shards', () => {
      // (4·g0 + 3·g1)/7 − (g0 + g1)/2 = (g0 − g1)/14: show that exceeds TOL of the update on this batch.
      const ir = smallNet(false);
      const store = VariableStore.forGraph(ir, 3);
      const graph = buildTrainGraph(ir, store);
      const vars = store.trainable();
      const batch = batchOf(7, [12, 12, 1], 5);
      const gradsOf = (b: Batch): Map<string, Float32Array> => {
        const x = tf.tensor4d(b.x, b.shape);
        const y = tf.tensor1d(b.y, 'int32');
        const { value, grads } = tf.variableGrads(() => crossEntropy(graph.run(x).logits, y), [...vars.values()]);
        const byTf = new Map(Object.entries(grads).map(([k, g]) => [k, Float32Array.from(g.dataSync())]));
        tf.dispose([x, y, value, ...Object.values(grads)]);
        return new Map([...vars].map(([n, v]) => [n, byTf.get(v.name)!]));
      };
      const [s0, s1] = shardBatch(7, 2);
      const g0 = gradsOf(sliceBatch(batch, s0));
      const g1 = gradsOf(sliceBatch(batch, s1));
      const gAll = gradsOf(batch);
      let worst = 0;
      for (const n of vars.keys()) {
        const weighted = g0.get(n)!.map((v, i) => (4 * v + 3 * g1.get(n)![i]) / 7);
        expect(maxDiff(weighted, gAll.get(n)!), `${n}: the weighted mean is the batch gradient`).to.be.at.most(1e-5 * maxAbs(gAll.get(n)!));
        const unweighted = g0.get(n)!.map((v, i) => (v + g1.get(n)![i]) / 2);
        worst = Math.max(worst, maxDiff(unweighted, gAll.get(n)!) / maxAbs(gAll.get(n)!));
      }
      store.dispose();
      expect(worst).to.be.greaterThan(100 * TOL);
    });

    it('float model with BN: moving statistics of the whole batch; weights as per-shard BN prescribes', async () => {
      const ir = smallNet(true);
      const batch = batchOf(7, [12, 12, 1], 9);
      const single = await oneStep({ ir, batch }, 1);
      const two = await oneStep({ ir, batch }, 2);
      // The BN's input (the conv of the images) is the same however the batch is cut, so its moving statistics match exactly.
      expectSameUpdate(single, two, namesOfKind(ir, ['stat']));

      // The forward pass normalises each shard with its own statistics (no cross-replica BN), so the
      // weights follow the per-shard gradients, averaged by shard size: computed here in one process.
      const store = VariableStore.forGraph(ir, 3);
      const graph = buildTrainGraph(ir, store);
      const vars = store.trainable();
      const sum = new Map([...vars].map(([n, v]) => [n, new Float64Array(v.size)]));
      for (const s of shardBatch(7, 2)) {
        const b = sliceBatch(batch, s);
        const x = tf.tensor4d(b.x, b.shape);
        const y = tf.tensor1d(b.y, 'int32');
        const { value, grads } = tf.variableGrads(() => {
          const out = graph.run(x, { stepSeed: STEP_SEED });
          for (const u of out.statUpdates) u.value.dispose();
          return crossEntropy(out.logits, y);
        }, [...vars.values()]);
        for (const [n, v] of vars) grads[v.name].dataSync().forEach((g, i) => { sum.get(n)![i] += s.n * g; });
        tf.dispose([x, y, value, ...Object.values(grads)]);
      }
      const perShard: Arm = { ...single, after: new Map(single.after) };
      for (const [n, v] of vars) perShard.after.set(n, Float32Array.from(v.dataSync(), (w, i) => w - (LR * sum.get(n)![i]) / 7));
      store.dispose();
      expectSameUpdate(perShard, two, [...vars.keys()]);
      // How far per-shard BN moves the step from the whole-batch one, for the record.
      const drift = Math.max(...[...vars.keys()].map((n) => maxDiff(two.after.get(n)!, single.after.get(n)!) / maxDiff(single.after.get(n)!, single.before.get(n)!)));
      console.log(`      per-shard BN vs whole-batch BN on 7 = 4 + 3 examples: weights differ by up to ${(100 * drift).toFixed(1)}% of the update`);
    });

    it('QAT with learned ranges and frozen BN: weights and ranges', async () => {
      const { ir, qat } = qatModel(smallNet(true), { freezeBnStep: 0, rangeMode: 'learned' });
      const kinds: VariableKind[] = ['weight', 'range'];
      // Learned ranges start from one observed step.
      const c: StepCase = { ir, qat, kinds, batch: batchOf(7, [12, 12, 1], 11), warmup: [batchOf(8, [12, 12, 1], 12)] };
      const single = await oneStep(c, 1);
      const two = await oneStep(c, 2);
      expectSameUpdate(single, two, namesOfKind(ir, ['weight']));
      // Ranges with a zero gradient on this batch may stay put; those that move must agree.
      const moved = namesOfKind(ir, ['range']).filter((n) => maxDiff(single.after.get(n)!, single.before.get(n)!) > 0);
      expect(moved.length).to.be.greaterThan(0);
      expectSameUpdate(single, two, moved);
    });

    it('QAT mnist-cnn during the quant delay: EMA ranges from the min of minima / max of maxima', async () => {
      const { ir, qat } = qatModel(CNN, { quantDelay: 100 });
      const c: StepCase = { ir, qat, batch: batchOf(7, [28, 28, 1], 13), warmup: [batchOf(8, [28, 28, 1], 14)] };
      const single = await oneStep(c, 1);
      const two = await oneStep(c, 2);
      expectSameUpdate(single, two, namesOfKind(ir, ['weight']));
      const ranges = namesOfKind(ir, ['range']).filter((n) => maxDiff(single.after.get(n)!, single.before.get(n)!) > 0);
      expect(ranges.length).to.be.greaterThan(0);
      expectSameUpdate(single, two, ranges);
    });

    it('QAT mnist-cnn with fake quant on: close, ranges of the input exact', async () => {
      const { ir, qat } = qatModel(CNN, {});
      const c: StepCase = { ir, qat, batch: batchOf(7, [28, 28, 1], 15), warmup: [batchOf(8, [28, 28, 1], 16)] };
      const single = await oneStep(c, 1);
      const two = await oneStep(c, 2);
      // The input's range sees the images only; later ranges see activations quantized with each shard's own range.
      // (Its min stays 0: ranges always include 0 and pixels are ≥ 0.)
      const inputRanges = namesOfKind(ir, ['range']).filter((n) => n.startsWith('input') && maxDiff(single.after.get(n)!, single.before.get(n)!) > 0);
      expect(inputRanges.length).to.equal(1);
      expectSameUpdate(single, two, inputRanges);
      const names = namesOfKind(ir, ['weight']);
      const drift = Math.max(...names.map((n) => maxDiff(two.after.get(n)!, single.after.get(n)!) / maxDiff(single.after.get(n)!, single.before.get(n)!)));
      console.log(`      EMA fake quant with per-shard ranges vs one process: weights differ by up to ${(100 * drift).toFixed(2)}% of the update`);
      expect(drift).to.be.lessThan(0.1);
    });
  });

  describe('workers', () => {
    it('an error in a worker is one sentence; a user error stays a UserError', async () => {
      const ir = smallNet(false);
      const layout = layoutOf([]);
      const init = { type: 'init', replica: 1, ir, qat: null, objective: objectiveFor('classify', []).spec, model: layout, grads: layout, shared: null } as const;
      const failed = await TrainingWorker.start({ ...init, backend: 'node' }).then(() => null, (e: unknown) => e as Error);
      expect(failed).to.be.instanceOf(Error);
      expect(failed!.message).to.match(/^training worker 1 failed: backend 'node' is unavailable/);
      expect(failed!.message).to.not.include('\n');
      const bad = await TrainingWorker.start({ ...init, backend: 'wasm', ir: { ...ir, outputs: ['nowhere'] } }).then(() => null, (e: unknown) => e as Error);
      expect(bad).to.be.instanceOf(UserError);
      expect(bad!.message).to.include('nowhere');
      expect(bad!.message).to.not.include('\n');
    });

    it('a failing step rejects with the worker\'s sentence and the worker can be closed', async () => {
      const ir = smallNet(false);
      const store = VariableStore.forGraph(ir, 3);
      const model = layoutOf(store.list(MODEL_KINDS).map((e) => ({ name: e.name, shape: e.variable.shape })));
      const grads = layoutOf(store.list(['weight']).map((e) => ({ name: e.name, shape: e.variable.shape })));
      const values = new Float32Array(model.total);
      store.dispose();
      const w = await TrainingWorker.start({ type: 'init', replica: 1, ir, qat: null, objective: objectiveFor('classify', []).spec, backend: 'wasm', model, grads, shared: null });
      try {
        const b = batchOf(2, [10, 10, 1], 1);
        const err = await w.step({ type: 'step', id: 1, step: 0, stepSeed: 0, offset: 0, x: b.x, shape: b.shape, y: b.y, model: values }, []).then(() => null, (e: unknown) => e as Error);
        expect(err).to.be.instanceOf(UserError);
        expect(err!.message).to.match(/expects input \[batch, 12, 12, 1\], got \[2, 10, 10, 1\]$/);
      } finally {
        await w.close();
      }
    });

    it('train() with workers: 2 matches workers: 1, and Ctrl-C still saves a checkpoint', async () => {
      const ds = tinyDataset([28, 28, 1], 14, 4);
      const dirs = [scratchDir('par1'), scratchDir('par2'), scratchDir('par3')];
      try {
        const common = { model: 'mnist-cnn', dataset: ds, epochs: 1, batchSize: 7, optimizer: 'sgd' as const, lr: 0.02, augmentShift: 0, seed: 4 };
        const one = await train({ ...common, outDir: dirs[0].path });
        const two = await train({ ...common, outDir: dirs[1].path, workers: 2 });
        expect(two.config.step).to.equal(2);
        const s1 = snapshot(one.store);
        const fresh = VariableStore.forGraph(one.ir, 4);
        const s0 = snapshot(fresh);
        fresh.dispose();
        const s2 = snapshot(two.store);
        for (const n of one.store.names(['weight'])) {
          const update = maxDiff(s1.get(n)!, s0.get(n)!);
          expect(maxDiff(s2.get(n)!, s1.get(n)!), n).to.be.at.most(TOL * update);
        }
        one.store.dispose();
        two.store.dispose();

        const abort = new AbortController();
        abort.abort();
        const cut = await train({ ...common, outDir: dirs[2].path, workers: 2, signal: abort.signal });
        expect(cut.interrupted).to.equal(true);
        cut.store.dispose();
        const saved = loadCheckpoint(dirs[2].path);
        expect(saved.config.step).to.equal(1);
        expect(saved.config.stepInEpoch).to.equal(1);
      } finally {
        dirs.forEach((d) => d.remove());
      }
    });
  });

  describe('--workers auto', () => {
    /** A stepper that takes `ms` per step (busy, like a real step) and counts its steps. */
    const timedStepper = (ms: number) => {
      const s = { steps: 0, closed: 0, replicas: 2,
        run: async (_b: Batch) => {
          const end = performance.now() + ms;
          while (performance.now() < end) { /* a step's work */ }
          s.steps++;
          return { loss: 0, correct: 0 };
        },
        close: async () => { s.closed++; },
        timings: () => { throw new Error('unused'); }, resetTimings: () => undefined,
      };
      return s;
    };
    const batch = batchOf(4, [2, 2, 1], 1);

    for (const [single, replicas, keeps] of [[12, 3, 'replicas'], [3, 12, 'one process']] as const) {
      it(`alternates the two for the first steps, then keeps ${keeps} when it steps faster`, async () => {
        const one = timedStepper(single);
        const two = timedStepper(replicas);
        const decisions: AutoDecision[] = [];
        const auto = probingStepper({ run: (b, lr, seed) => { void one.run(b); return { loss: lr + seed, correct: 0 }; } } as Stepper,
          two as unknown as ParallelStepper, (d) => decisions.push(d));
        const probe = 2 * (AUTO_PROBE.warmup + AUTO_PROBE.timed);
        for (let k = 0; k < probe + 4; k++) await auto.run(batch, 0, k);
        expect(decisions).to.have.length(1);
        expect(decisions[0]!.replicas).to.equal(keeps === 'replicas' ? 2 : 1);
        expect(decisions[0]!.parallelRate / decisions[0]!.singleRate).to.be[keeps === 'replicas' ? 'above' : 'below'](1);
        expect([one.steps, two.steps]).to.deep.equal(keeps === 'replicas' ? [probe / 2, probe / 2 + 4] : [probe / 2 + 4, probe / 2]);
        // The replicas are closed as soon as one process wins, and at most once.
        expect(two.closed).to.equal(keeps === 'replicas' ? 0 : 1);
        await auto.close();
        expect(two.closed).to.equal(1);
      });
    }

    it('train() measures on a long enough run and says what it chose; a short run stays in one process and says why', async () => {
      const ds = tinyDataset([12, 12, 1], 16 * (AUTO_PROBE.minSteps + 2), 4);
      const lines: string[] = [];
      const progress = { step: () => undefined, line: (l: string) => lines.push(l) };
      const common = { model: smallNet(false), dataset: ds, epochs: 1, batchSize: 16, optimizer: 'sgd' as const, lr: 0.02, augmentShift: 0, seed: 4, workers: 'auto' as const, progress };
      const long = await train(common);
      expect(long.config.step).to.equal(Math.ceil(ds.train.count / 16));
      long.store.dispose();
      expect(lines.filter((l) => l.startsWith('workers auto:'))).to.have.length(1);
      expect(lines.find((l) => l.startsWith('workers auto:'))).to.match(/^workers auto: (2 replicas, \d+\.\d\d× one process's speed|one process; 2 replicas stepped at \d+\.\d\d× its speed)/);
      lines.length = 0;
      const short = await train({ ...common, dataset: tinyDataset([12, 12, 1], 64, 4) });
      short.store.dispose();
      expect(lines, lines.join('; ')).to.include('workers auto: one process (4 steps are too few to measure a second replica)');
    });
  });
});
