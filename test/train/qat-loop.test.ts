// QAT through the training loop: every zoo model trains 2 QAT steps and
// evaluates; a float checkpoint restores into the QAT store with only the
// range variables missing; fine-tune, resume-free eval and calibration
// produce runs that reload 1:1.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../src/errors.js';
import { analyze } from '../../src/ir/analyze.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { resolveQatConfig } from '../../quantize/config.js';
import { batches } from '../../datasets/index.js';
import { buildEvalGraph, buildTrainGraph } from '../../train/graph/build.js';
import { createOptimizer, optimizerConfig } from '../../train/optimizers.js';
import { createStepper } from '../../train/step.js';
import { evaluate } from '../../train/evaluate.js';
import { VariableStore } from '../../train/state.js';
import { loadCheckpoint, restoreStore, saveCheckpoint } from '../../src/run/checkpoint.js';
import { train } from '../../train/loop.js';
import { FINE_TUNE_DEFAULTS } from '../../train/fine-tune.js';
import { calibrate } from '../../train/calibrate.js';
import { loadRun } from '../../src/run/open.js';
import { buildModel, ZOO, ZOO_NAMES } from '../../train/zoo/index.js';
import { toTrainOptions } from '../../src/cli/commands/train.js';
import { scratchDirs, tinyDataset, useWasm } from './helpers.js';

const DS = tinyDataset([28, 28, 1], 16, 8, 4);

/** A run config good enough for saveCheckpoint/loadCheckpoint. */
const CONFIG = {
  format: 'qat-run', version: 1, model: 'mobilenet-v2', modelOptions: {}, dataset: 'tiny', inputShape: [28, 28, 1], numClasses: 4,
  seed: 1, batchSize: 8, epochs: 1, lr: 1e-3, schedule: 'cosine', optimizer: optimizerConfig('adam'), epoch: 0, stepInEpoch: 0,
  step: 0, stepsPerEpoch: 1, complete: true, backend: 'wasm',
} as const;

describe('QAT training loop', function () {
  before(useWasm);
  const dir = scratchDirs('qat');

  // The dense-task models train QAT in test/train/dense-cli.test.ts.
  it('every zoo classifier trains 2 QAT steps on wasm and evaluates', async () => {
    for (const name of ZOO_NAMES.filter((n) => (ZOO.get(n)!.task ?? 'classify') === 'classify')) {
      const float = buildModel(name, { inputShape: [28, 28, 1], numClasses: 4, ...(ZOO.get(name)!.takesAlpha ? { alpha: 0.25 } : {}) });
      const { graph, report } = rewriteForQat(float);
      expect(report, name).to.deep.equal([]);
      const store = VariableStore.forGraph(graph, 1);
      try {
        const config = resolveQatConfig({});
        const stepper = createStepper(buildTrainGraph(graph, store, { qat: { config, startStep: 0 } }), store, createOptimizer(optimizerConfig('adam'), store));
        const before = tf.memory().numTensors;
        let k = 0;
        for (const b of batches(DS.train, 8, { shuffle: true, seed: 1, inputShape: [28, 28, 1] })) {
          const r = stepper.run(b, 1e-3, k++);
          expect(Number.isFinite(r.loss), name).to.equal(true);
        }
        expect(k).to.equal(2);
        expect(tf.memory().numTensors, `${name} leaks`).to.equal(before);
        // Observation filled every range.
        for (const v of analyze(graph).variables.filter((x) => x.kind === 'range')) {
          const [lo, hi] = [store.get(v.name.replace(/\/max$/, '/min')).dataSync()[0], store.get(v.name.replace(/\/min$/, '/max')).dataSync()[0]];
          expect(hi, `${name} ${v.name}`).to.be.greaterThan(lo);
        }
        const r = await evaluate(buildEvalGraph(graph, store), DS.test);
        expect(r.count).to.equal(8);
        expect(Number.isFinite(r.loss), name).to.equal(true);
      } finally {
        store.dispose();
      }
    }
  });

  it('learned ranges: observed on the first step, then trained by the optimizer (not the EMA)', () => {
    const { graph } = rewriteForQat(buildModel('lenet5', { inputShape: [28, 28, 1], numClasses: 4 }), { rangeMode: 'learned' });
    const store = VariableStore.forGraph(graph, 1);
    try {
      const config = resolveQatConfig({ rangeMode: 'learned' });
      const kinds = ['weight', 'range'] as const;
      const trainGraph = buildTrainGraph(graph, store, { qat: { config, startStep: 0 } });
      const stepper = createStepper(trainGraph, store, createOptimizer(optimizerConfig('sgd'), store, kinds), kinds);
      const [b] = [...batches(DS.train, 8, { shuffle: false, seed: 0, inputShape: [28, 28, 1] })];
      stepper.run(b, 0.5, 0);
      const observed = store.get('logits/fq/max').dataSync()[0];
      expect(observed).to.be.greaterThan(0);
      // Step 1: no observation any more; the range moves by −lr·(Σ of the gradient above max).
      const out = tf.tidy(() => {
        const r = trainGraph.run(tf.tensor4d(b.x, b.shape));
        const n = r.rangeUpdates.length;
        r.rangeUpdates.forEach((u) => u.value.dispose());
        r.statUpdates.forEach((u) => u.value.dispose());
        return n;
      });
      expect(out).to.equal(0);
      stepper.run(b, 0.5, 1);
      expect(store.get('logits/fq/max').dataSync()[0]).to.not.equal(observed);
    } finally {
      store.dispose();
    }
  });

  it('a float checkpoint restores into the QAT store with only the range variables missing', () => {
    const float = buildModel('mobilenet-v2', { inputShape: [28, 28, 1], numClasses: 4, alpha: 0.25 });
    const floatStore = VariableStore.forGraph(float, 2);
    const d = dir();
    saveCheckpoint(d, float, { ...CONFIG, inputShape: [28, 28, 1] }, floatStore);
    const ckpt = loadCheckpoint(d);
    const { graph } = rewriteForQat(float);
    expect(() => restoreStore(ckpt, { ir: graph })).to.throw(UserError, /missing 'input\/fq\/min'/);
    const store = restoreStore(ckpt, { ir: graph, allowMissing: ['range'] });
    try {
      const ranges = analyze(graph).variables.filter((v) => v.kind === 'range').map((v) => v.name);
      expect(store.names(['weight', 'stat']).sort()).to.deep.equal(floatStore.names(['weight', 'stat']).sort());
      expect(store.names(['range']).sort()).to.deep.equal([...ranges].sort());
      for (const n of floatStore.names(['weight', 'stat'])) {
        expect(Array.from(store.get(n).dataSync()), n).to.deep.equal(Array.from(floatStore.get(n).dataSync()));
      }
      // Unexpected names still fail: the float IR does not hold the QAT graph's ranges.
      const qDir = dir();
      saveCheckpoint(qDir, graph, { ...CONFIG, inputShape: [28, 28, 1] }, store);
      expect(() => restoreStore(loadCheckpoint(qDir), { ir: float, allowMissing: ['range'] })).to.throw(UserError, /unexpected/);
    } finally {
      store.dispose();
      floatStore.dispose();
    }
  });

  it('fine-tunes a float run with --quantize --from into a new run that reloads 1:1; calibrate makes an evaluable run too', async () => {
    const floatDir = dir();
    const f = await train({ model: 'lenet5', dataset: DS, outDir: floatDir, epochs: 1, batchSize: 8, seed: 3 });
    f.store.dispose();
    const qDir = dir();
    await train({ dataset: DS, outDir: floatDir, from: floatDir, quantize: {} }).then(
      () => expect.fail('fine-tuning in place must be refused'), (e) => expect(e).to.be.instanceOf(UserError));
    const q = await train({ dataset: DS, outDir: qDir, from: floatDir, quantize: { quantDelay: 1 }, epochs: 1 });
    try {
      expect(q.config.quantization?.config.quantDelay).to.equal(1);
      expect(q.config.quantization?.startStep).to.equal(0);
      expect(q.config.step).to.equal(2);
      expect(q.config.lr).to.be.closeTo(f.config.lr * FINE_TUNE_DEFAULTS.lrFactor, 1e-12);
      expect(q.config.schedule).to.equal(FINE_TUNE_DEFAULTS.schedule);
      expect(q.ir.nodes.some((n) => n.op === 'fakeQuant')).to.equal(true);
      const run = loadRun(qDir);
      try {
        expect(run.store.names(['weight', 'stat', 'range']).sort()).to.deep.equal(q.store.names(['weight', 'stat', 'range']).sort());
        const r = await evaluate(run.graph, DS.test);
        expect(r.accuracy).to.equal(q.metrics.finalTestAccuracy);
      } finally {
        run.dispose();
      }
    } finally {
      q.store.dispose();
    }
    const cDir = dir();
    const c = await calibrate({ from: floatDir, dataset: DS, outDir: cDir, batches: 2, batchSize: 4 });
    try {
      expect(c.config.quantization?.calibration).to.deep.equal({ batches: 2, batchSize: 4 });
      const run = loadRun(cDir);
      try {
        const r = await evaluate(run.graph, DS.test);
        expect(r.accuracy).to.equal(c.test!.accuracy);
        expect(run.store.get('input/fq/max').dataSync()[0]).to.be.greaterThan(0.5);
      } finally {
        run.dispose();
      }
    } finally {
      c.store.dispose();
    }
  });

  it('CLI flags: quantization flags need --quantize and are validated', async () => {
    const base = { backend: 'wasm' as const, summary: false, model: 'lenet5', dataset: 'synthetic', out: dir(), limit: 10 };
    await toTrainOptions({ ...base, bits: 4 }).then(() => expect.fail('accepted --bits without --quantize'), (e) => expect(String(e)).to.match(/add --quantize/));
    await toTrainOptions({ ...base, quantize: true, 'weight-bits': 9 }).then(() => expect.fail('accepted 9 bits'), (e) => expect(e).to.be.instanceOf(UserError));
    const o = await toTrainOptions({ ...base, quantize: true, 'weight-bits': 4, 'per-tensor': true, skip: 'conv1, logits', 'freeze-bn': 10 });
    expect(o.quantize).to.include({ weightBits: 4, perChannel: false, freezeBnStep: 10 });
    expect(o.quantize?.skip).to.deep.equal(['conv1', 'logits']);
  });
});
