// Training within the wasm heap: the plan that splits a batch into
// micro-batches, the accumulated step that must equal the whole-batch step,
// and the measured peak of real MobileNet steps at the sizes users train.
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { bufferMeter, WASM_HEAP_LIMIT } from '../../src/backend-memory.js';
import { UserError } from '../../src/errors.js';
import { analyze } from '../../src/ir/analyze.js';
import { resolveQatConfig } from '../../quantize/config.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { buildTrainGraph } from '../../train/graph/build.js';
import { HEAP_BUDGET, linearModel, measureStepMemory, planStep, type MemoryModel } from '../../train/memory-plan.js';
import { createOptimizer, optimizerConfig } from '../../train/optimizers.js';
import { disposeUpdates, shardGradients } from '../../train/parallel/gradients.js';
import { VariableStore } from '../../train/state.js';
import { createStepper } from '../../train/step.js';
import { buildModel } from '../../train/zoo/index.js';
import { tinySplit, useWasm } from './helpers.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('training memory plan', () => {
  before(useWasm);

  describe('planStep', () => {
    const model = (perImage: number, fixed = 10 * MiB, resident = 20 * MiB): MemoryModel => linearModel(resident, fixed, perImage);

    it('keeps the whole batch when its step fits', () => {
      const p = planStep(model(10 * MiB), 64, 'm');
      expect(p.microBatch).to.equal(64);
      expect(p.peakBytes).to.equal(30 * MiB + 640 * MiB);
    });

    it('splits a batch that does not fit into equal parts that do', () => {
      // Room for floor((3 GiB − 30 MiB) / 60 MiB) = 50 images: 64 runs as 32 + 32.
      const p = planStep(model(60 * MiB), 64, 'm');
      expect(p.microBatch).to.equal(32);
      expect(p.peakBytes).to.be.at.most(HEAP_BUDGET * WASM_HEAP_LIMIT);
      expect(p.wholeBatchBytes).to.be.above(HEAP_BUDGET * WASM_HEAP_LIMIT);
    });

    it('refuses in one sentence when one image does not fit', () => {
      expect(() => planStep(model(3.5 * GiB), 64, 'mobilenet-v2 at 1024×1024×3'))
        .to.throw(UserError, /^mobilenet-v2 at 1024×1024×3 needs about 3\.53 GiB to train on one image, more than the wasm backend's 4\.00 GiB heap[^\n]*$/);
    });

    it('honours --micro-batch when it fits and refuses it when it does not', () => {
      expect(planStep(model(10 * MiB), 64, 'm', 16).microBatch).to.equal(16);
      expect(() => planStep(model(60 * MiB), 64, 'm', 64)).to.throw(UserError, /--micro-batch 64 needs about .* at most 50 images fit/);
    });
  });

  describe('accumulated steps', () => {
    /** Weights after one step of `batch` images with the given micro-batch. */
    function stepOnce(name: string, microBatch: number): Map<string, Float32Array> {
      const a = analyze(buildModel(name, { inputShape: [28, 28, 1], numClasses: 10 }));
      const store = VariableStore.forGraph(a, 3);
      const graph = buildTrainGraph(a, store);
      const optimizer = createOptimizer(optimizerConfig('sgd'), store);
      const split = tinySplit(12, [28, 28, 1], 10, 5);
      const before = tf.memory().numTensors;
      createStepper(graph, store, optimizer, undefined, microBatch)
        .run({ x: split.images, y: split.labels, n: 12, shape: [12, 28, 28, 1] }, 0.1, 17);
      expect(tf.memory().numTensors, 'leak').to.be.at.most(before + store.names().length);
      const out = new Map([...store.trainable()].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
      store.dispose();
      return out;
    }

    function maxRelativeDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
      let worst = 0;
      for (const [n, va] of a) {
        const vb = b.get(n)!;
        let scale = 1e-6;
        for (const v of vb) scale = Math.max(scale, Math.abs(v));
        for (let i = 0; i < va.length; i++) worst = Math.max(worst, Math.abs(va[i] - vb[i]) / scale);
      }
      return worst;
    }

    // mnist-cnn has dropout: the parts must draw the rows of the whole batch's mask.
    for (const name of ['lenet5', 'mnist-cnn']) {
      it(`${name}: 12 images as micro-batches of 5 update the weights as one batch of 12 does`, () => {
        const whole = stepOnce(name, Infinity);
        const parts = stepOnce(name, 5);
        expect(maxRelativeDiff(parts, whole)).to.be.below(1e-5);
      });
    }

    it('the weights differ when a part draws another dropout mask (the comparison can fail)', () => {
      const whole = stepOnce('mnist-cnn', Infinity);
      const a = analyze(buildModel('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10 }));
      const store = VariableStore.forGraph(a, 3);
      const graph = buildTrainGraph(a, store);
      const optimizer = createOptimizer(optimizerConfig('sgd'), store);
      const split = tinySplit(12, [28, 28, 1], 10, 5);
      // Two separate steps' worth of parts with offset 0 each: the second part reuses the first rows' mask.
      const vars = store.trainable();
      const g1 = shardGradients(graph, vars, { x: split.images.subarray(0, 6 * 784), y: split.labels.subarray(0, 6), n: 6, shape: [6, 28, 28, 1] }, 17, 0);
      const g2 = shardGradients(graph, vars, { x: split.images.subarray(6 * 784), y: split.labels.subarray(6), n: 6, shape: [6, 28, 28, 1] }, 17, 0);
      const mean = new Map([...g1.grads].map(([n, t]) => [n, tf.div(tf.add(t, g2.grads.get(n)!), 2)]));
      optimizer.apply(mean, 0.1, 0);
      const wrong = new Map([...store.trainable()].map(([n, v]) => [n, Float32Array.from(v.dataSync())]));
      tf.dispose([...g1.grads.values(), ...g2.grads.values(), ...mean.values()]);
      disposeUpdates([...g1.statUpdates, ...g2.statUpdates], [...g1.rangeUpdates, ...g2.rangeUpdates]);
      store.dispose();
      expect(maxRelativeDiff(wrong, whole)).to.be.above(1e-4);
    });
  });

  describe('measured peaks of real steps stay under the wasm heap', () => {
    const cases: Array<{ model: string; alpha?: number; input: [number, number, number]; batch: number; qat?: boolean }> = [
      { model: 'mnist-cnn', input: [28, 28, 1], batch: 32 },
      { model: 'lenet5', input: [28, 28, 1], batch: 64 },
      { model: 'resnet-tiny', input: [28, 28, 1], batch: 64 },
      { model: 'mobilenet-v1', input: [28, 28, 1], batch: 64 },
      { model: 'mobilenet-v2', input: [28, 28, 1], batch: 64 },
      { model: 'mobilenet-v1', alpha: 1, input: [96, 96, 3], batch: 64 },
      { model: 'mobilenet-v2', alpha: 1, input: [96, 96, 3], batch: 64 },
      { model: 'mobilenet-v1', alpha: 1, input: [224, 224, 3], batch: 64 },
      { model: 'mobilenet-v2', alpha: 1, input: [224, 224, 3], batch: 64 },
      { model: 'mobilenet-v1', alpha: 1, input: [224, 224, 3], batch: 64, qat: true },
      { model: 'mobilenet-v2', alpha: 1, input: [224, 224, 3], batch: 64, qat: true },
    ];
    for (const c of cases) {
      it(`${c.model}${c.alpha ? ` α${c.alpha}` : ''} ${c.input.join('×')} batch ${c.batch}${c.qat ? ' QAT' : ''}: one pass of its planned micro-batch peaks under the heap, as estimated`, () => {
        const float = buildModel(c.model, { inputShape: c.input, numClasses: 10, ...(c.alpha ? { alpha: c.alpha } : {}) });
        const a = analyze(c.qat ? rewriteForQat(float).graph : float);
        const store = VariableStore.forGraph(a, 1);
        try {
          const graph = buildTrainGraph(a, store, c.qat ? { qat: { config: resolveQatConfig({}), startStep: 0 } } : {});
          const vars = store.trainable();
          const memory = measureStepMemory(graph, vars, c.input)!;
          const plan = planStep(memory, c.batch, c.model);
          const [h, w, ch] = c.input;
          const n = plan.microBatch;
          const meter = bufferMeter()!;
          meter.resetPeak();
          const g = shardGradients(graph, vars, { x: new Float32Array(n * h * w * ch).fill(0.5), y: new Int32Array(n), n, shape: [n, h, w, ch] }, 1);
          const peak = meter.peak();
          tf.dispose([...g.grads.values()]);
          disposeUpdates(g.statUpdates, g.rangeUpdates);
          expect(peak, 'measured peak under the heap').to.be.below(WASM_HEAP_LIMIT);
          expect(Math.abs(peak - plan.peakBytes) / plan.peakBytes, `estimate ${plan.peakBytes} vs measured ${peak}`).to.be.below(0.1);
        } finally {
          store.dispose();
        }
      });
    }
  });
});
