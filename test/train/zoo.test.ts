// Every zoo model, on both input sizes: builds, trains a few steps on wasm,
// saves, restores 1:1 into the eval graph, and evaluates identically.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../../src/ir/analyze.js';
import { buildModel, ZOO, ZOO_NAMES } from '../../train/zoo/index.js';
import { train, type TrainResult } from '../../train/loop.js';
import { loadRun, type LoadedRun } from '../../src/run/open.js';
import { evaluate } from '../../train/evaluate.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { MODEL_KINDS } from '../../train/state.js';
import { scratchDir, tinyDataset, useWasm } from './helpers.js';
import { denoisingFrom, segmentationFrom, type Dataset } from '../../datasets/index.js';

const SHAPES: Array<[number, number, number]> = [[28, 28, 1], [32, 32, 3]];
// Small widths keep the whole zoo sweep quick on one core.
const ALPHA: Record<string, number | undefined> = { 'mobilenet-v1': 0.25, 'mobilenet-v2': 0.35, 'mobilenet-v3-small': 0.35, 'mobilenet-v3-large': 0.35, 'resnet-tiny': 0.5 };

/** Runs `fn` on the run saved in `dir`, then frees it and the trained store. */
async function withSavedRun<T>(dir: string, r: TrainResult, fn: (run: LoadedRun) => Promise<T>): Promise<T> {
  const run = loadRun(dir);
  try {
    return await fn(run);
  } finally {
    run.dispose();
    r.store.dispose();
  }
}

describe('train/zoo: every model trains, checkpoints and restores', function () {
  before(useWasm);

  const classifiers = ZOO_NAMES.filter((n) => (ZOO.get(n)!.task ?? 'classify') === 'classify');

  it('lists the required classifiers and the dense models', () => {
    expect([...classifiers].sort()).to.deep.equal(['lenet5', 'mnist-cnn', 'mobilenet-v1', 'mobilenet-v2', 'mobilenet-v3-large', 'mobilenet-v3-small', 'resnet-tiny']);
    expect(ZOO_NAMES.filter((n) => !classifiers.includes(n)).map((n) => [n, ZOO.get(n)!.task])).to.deep.equal([['unet-tiny', 'segment'], ['style-net', 'image']]);
  });

  // torchvision's published parameter counts (ImageNet, 1000 classes, width 1): the block tables, SE sizes and head match.
  for (const [name, params] of [['mobilenet-v3-small', 2_542_856], ['mobilenet-v3-large', 5_483_032]] as const) {
    it(`${name} at 224×224×3 has torchvision's ${params} parameters`, () => {
      const a = analyze(buildModel(name, { inputShape: [224, 224, 3], numClasses: 1000 }));
      const trained = a.variables.filter((v) => v.role !== 'movingMean' && v.role !== 'movingVariance');
      expect(trained.reduce((n, v) => n + v.shape.reduce((x, y) => x * y, 1), 0)).to.equal(params);
      expect(a.shapes.get('pool')).to.deep.equal([name.endsWith('small') ? 576 : 960]);
    });
  }

  for (const name of classifiers) {
    for (const shape of SHAPES) {
      it(`${name} on ${shape.join('×')}`, async () => {
        const alpha = ZOO.get(name)!.takesAlpha ? ALPHA[name] : undefined;
        const ir = buildModel(name, { inputShape: shape, numClasses: 5, ...(alpha ? { alpha } : {}) });
        const a = analyze(ir);
        expect(a.shapes.get(ir.outputs[0])).to.deep.equal([5]);
        // No feature map collapses to 1×1 before the classifier.
        // (A squeeze-excite gate is 1×1 by design.)
        for (const [n, s] of a.shapes) if (s.length === 3 && n !== 'input' && !n.includes('_se_')) expect(Math.min(s[0], s[1]), n).to.be.at.least(4);

        const dir = scratchDir('zoo');
        const before = tf.memory().numTensors;
        try {
          const ds = tinyDataset(shape, 6, 4, 5);
          const r = await train({ model: name, ...(alpha ? { alpha } : {}), dataset: ds, outDir: dir.path, epochs: 1, batchSize: 2, seed: 3 });
          expect(r.config.step).to.equal(3);
          expect(r.metrics.epochs).to.have.length(1);
          const trained = r.metrics.epochs[0];
          expect(Number.isFinite(trained.trainLoss)).to.equal(true);

          // The stats moved off their initial values: the train graph used batch statistics and updated them.
          const bn = a.variables.find((v) => v.role === 'movingMean');
          if (bn) expect(Math.max(...Array.from(r.store.get(bn.name).dataSync()).map(Math.abs))).to.be.greaterThan(0);

          await withSavedRun(dir.path, r, async (run) => {
            expect(run.store.names(MODEL_KINDS).sort()).to.deep.equal(a.variables.map((v) => v.name).sort());
            expect(run.store.step).to.equal(3);
            const x = tf.tensor4d(ds.test.images, [ds.test.count, ...shape]);
            const fresh = buildEvalGraph(ir, r.store).run(x);
            const restored = run.graph.run(x);
            expect(Array.from(restored.dataSync())).to.deep.equal(Array.from(fresh.dataSync()));
            tf.dispose([x, fresh, restored]);
            const ev = await evaluate(run.graph, ds.test, { batchSize: 3 });
            expect(ev.count).to.equal(4);
            expect(ev.accuracy).to.equal(trained.testAccuracy);
            expect(ev.loss).to.be.closeTo(trained.testLoss, 1e-6);
          });
          expect(tf.memory().numTensors).to.equal(before);
        } finally {
          dir.remove();
        }
      });
    }
  }

  it('unet-tiny goes down twice and back up with each --upsample mode, to the input\'s size', () => {
    const ops = { transpose: 'conv2dTranspose', nearest: 'upsampleNearest', bilinear: 'upsampleBilinear' } as const;
    for (const [mode, op] of Object.entries(ops) as Array<[keyof typeof ops, string]>) {
      for (const shape of [[28, 28, 1], [30, 26, 1]] as Array<[number, number, number]>) {
        const ir = buildModel('unet-tiny', { inputShape: shape, numClasses: 11, upsample: mode });
        const a = analyze(ir);
        expect(a.shapes.get(ir.outputs[0]), `${mode} ${shape}`).to.deep.equal([shape[0], shape[1], 11]);
        expect(ir.nodes.filter((n) => n.op === op)).to.have.length(2);
        expect(Math.min(...[...a.shapes.values()].filter((s) => s.length === 3).map((s) => s[0]!))).to.equal(Math.ceil(shape[0] / 4));
      }
    }
    expect(() => buildModel('mnist-cnn', { inputShape: [28, 28, 1], numClasses: 10, upsample: 'nearest' })).to.throw(/'mnist-cnn' has no decoder; --upsample applies to unet-tiny/);
  });

  it('style-net: reflect-padded 9×9 in and out, instance norms, residual adds, resize-conv up, a [0, 1] output, for any size', () => {
    for (const shape of [[28, 28, 1], [29, 23, 3]] as Array<[number, number, number]>) {
      const ir = buildModel('style-net', { inputShape: shape, numClasses: 10 });
      const a = analyze(ir);
      const byName = new Map(ir.nodes.map((n) => [n.name, n]));
      expect(a.shapes.get(ir.outputs[0]), `${shape}`).to.deep.equal(shape);
      const count = (op: string): number => ir.nodes.filter((n) => n.op === op).length;
      // Every inner conv carries a norm; the residual blocks add their input back; resizing leads every way up.
      expect(count('instanceNorm')).to.equal(count('conv2d') - 1);
      expect(count('add')).to.be.at.least(2);
      expect(count('upsampleNearest')).to.be.at.least(1);
      expect(count('conv2dTranspose')).to.equal(0);
      for (const n of ir.nodes.filter((m) => m.op === 'upsampleNearest')) {
        const next = ir.nodes.find((m) => m.inputs.includes(n.name))!;
        expect(next.op === 'conv2d' || (next.op === 'crop' && ir.nodes.find((m) => m.inputs.includes(next.name))!.op === 'conv2d'), n.name).to.equal(true);
      }
      const nineByNine = ir.nodes.filter((n) => n.op === 'conv2d' && n.attrs.kernelSize[0] === 9);
      expect(nineByNine.map((n) => n.name)).to.deep.equal(['stem', 'out']);
      for (const n of nineByNine) {
        expect(n.op === 'conv2d' && n.attrs.padding).to.equal('valid');
        const pad = byName.get(n.inputs[0]!)!;
        expect(pad.op === 'mirrorPad' && [pad.attrs.mode, pad.attrs.paddings]).to.deep.equal(['reflect', [[4, 4], [4, 4]]]);
      }
      // Some stage runs at a lower resolution than the input.
      expect(Math.min(...[...a.shapes.values()].filter((s) => s.length === 3).map((s) => s[0]!))).to.be.below(shape[0]);
      const out = byName.get(ir.outputs[0]!)!;
      expect([out.op, byName.get(out.inputs[0]!)!.name]).to.deep.equal(['sigmoid', 'out']);
    }
  });

  // The dense models on per-pixel targets built from the tiny classification set.
  const dense: Array<[string, (ds: Dataset) => Dataset, number[]]> = [
    ['unet-tiny', (ds) => segmentationFrom(ds, 'seg', 2, { side: 28, halve: false }), [28, 28, 6]],
    ['style-net', (ds) => denoisingFrom(ds, 'denoise', 2), [28, 28, 1]],
  ];
  for (const [name, make, outShape] of dense) {
    it(`${name} on 28×28×1 (--task ${ZOO.get(name)!.task})`, async () => {
      const ds = make(tinyDataset([28, 28, 1], 6, 4, 5));
      const dir = scratchDir('zoo');
      const before = tf.memory().numTensors;
      try {
        const r = await train({ model: name, dataset: ds, outDir: dir.path, epochs: 1, batchSize: 2, seed: 3 });
        expect(analyze(r.ir).shapes.get(r.ir.outputs[0])).to.deep.equal(outShape);
        expect(r.config.task).to.equal(ZOO.get(name)!.task);
        const trained = r.metrics.epochs[0];
        expect(Number.isFinite(trained.trainLoss)).to.equal(true);
        const ev = await withSavedRun(dir.path, r, (run) => evaluate(run.graph, ds.test, { batchSize: 3 }));
        expect(ev.accuracy).to.equal(trained.testAccuracy);
        expect(ev.loss).to.be.closeTo(trained.testLoss, 1e-6);
        if (name === 'unet-tiny') expect(ev.miou).to.equal(trained.testMiou);
        else expect(ev.psnr).to.equal(trained.testPsnr);
        expect(tf.memory().numTensors).to.equal(before);
      } finally {
        dir.remove();
      }
    });
  }
});
