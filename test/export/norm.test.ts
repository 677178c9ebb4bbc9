// Instance and layer normalization end to end: input → conv → norm. Float:
// the exported float32 model (interpreter and LiteRT) against the eval
// graph. int8: after calibration, the integer eval graph's output codes =
// the interpreter's = LiteRT's, bit for bit, on random inputs and on flat
// ones (zero variance: RSQRT saturates) and 3-level ones (ties). QAT steps reduce a loss.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import { UserError } from '../../src/errors.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { analyze, type AnalyzedGraph } from '../../src/ir/analyze.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { resolveQatConfig } from '../../quantize/config.js';
import { activationRange } from '../../quantize/qparams.js';
import { fakeQuantIndex } from '../../quantize/math.js';
import { applyRangeUpdates, buildCalibrationGraph, buildEvalGraph, buildTrainGraph } from '../../train/graph/build.js';
import { activationGrid, gridCodes } from '../../train/graph/grid.js';
import { VariableStore } from '../../train/state.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { readModel } from '../../src/tflite/index.js';
import { builtinOperatorName } from '../../src/tflite/enums.js';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';
import { useWasm } from '../train/helpers.js';
import { differingFloats, maxAbsDiff, seededImages } from './helpers.js';

const SHAPE: [number, number, number] = [6, 7, 3];
const PER = SHAPE.reduce((a, b) => a * b, 1);
const INPUTS = 100;

interface Variant {
  name: string;
  build(b: GraphBuilder, x: string): string;
  /** A flat input makes the conv output flat, so this norm's variance is 0. */
  flatIsZeroVariance: boolean;
}
const VARIANTS: Variant[] = [
  { name: 'instanceNorm', build: (b, x) => b.instanceNorm('norm', x), flatIsZeroVariance: true },
  { name: 'layerNorm (last axis)', build: (b, x) => b.layerNorm('norm', x), flatIsZeroVariance: false },
  { name: 'layerNorm (h, w, c), no β', build: (b, x) => b.layerNorm('norm', x, { axes: [0, 1, 2], center: false }), flatIsZeroVariance: false },
];
/** The conv is 'valid' so a flat input gives a flat output per channel. */
const OUT = [4, 5, 5];
const OUT_SIZE = OUT.reduce((p, d) => p * d, 1);

function model(v: Variant): Graph {
  const b = new GraphBuilder('norm-net');
  const x = b.input('input', [...SHAPE]);
  return b.build([v.build(b, b.conv2d('conv', x, { filters: 5, kernelSize: 3, padding: 'valid' }))]);
}

/** γ and β away from their (1, 0) start so the constants matter. */
function randomizeNorm(store: VariableStore, seed: number): void {
  const rand = mulberry32(seed);
  for (const name of store.names(['weight'])) {
    if (!name.startsWith('norm/')) continue;
    const v = store.get(name);
    const shift = name.endsWith('gamma') ? 1 : 0;
    store.assign(name, tf.tensor(Float32Array.from({ length: v.size }, () => shift + rand() - 0.5), v.shape));
  }
}

/** Random images; every 5th one flat (one value everywhere), the next on 3 levels (many equal sums: ties). */
function images(count: number, seed: number): Float32Array {
  const out = seededImages(count, SHAPE, seed);
  for (let k = 0; k < count; k += 5) {
    out.fill(out[k * PER]!, k * PER, (k + 1) * PER);
    for (let i = (k + 1) * PER; i < Math.min(count, k + 2) * PER; i++) out[i] = Math.round(out[i]! * 2) / 2;
  }
  return out;
}

function ops(bytes: Uint8Array): string[] {
  const m = readModel(bytes);
  return m.subgraphs[0]!.operators.map((op) => builtinOperatorName(m.operatorCodes[op.opcodeIndex]!.builtinCode));
}

function calibrate(a: AnalyzedGraph, store: VariableStore): void {
  const cal = buildCalibrationGraph(a, store);
  for (let b = 0; b < 3; b++) {
    const x = tf.tensor4d(seededImages(16, SHAPE, 20 + b), [16, ...SHAPE]);
    cal.observe(x, 0.5);
    x.dispose();
  }
}

describe('export: instance and layer normalization', function () {
  this.timeout(600_000);
  let lrt: LiteRtRunner;
  before(async () => {
    await useWasm();
    lrt = await loadLiteRt();
  });

  for (const v of VARIANTS) {
    it(`${v.name}, float32: interpreter = LiteRT bit for bit, both match the eval graph`, async () => {
      const ir = model(v);
      const store = VariableStore.forGraph(ir, 4);
      try {
        randomizeNorm(store, 5);
        const xs = images(20, 9);
        const ref = tf.tidy(() => buildEvalGraph(ir, store).run(tf.tensor4d(xs, [20, ...SHAPE])).dataSync() as Float32Array);
        const r = exportGraph(ir, store, { mode: 'float' });
        expect(ops(r.bytes)).to.include.members(['MEAN', 'SUB', 'SQUARED_DIFFERENCE', 'RSQRT', 'MUL']);
        const m = await lrt.compile(r.bytes);
        const it = Interpreter.fromBuffer(r.bytes);
        try {
          for (let k = 0; k < 20; k++) {
            const x = xs.slice(k * PER, (k + 1) * PER);
            const want = ref.slice(k * OUT_SIZE, (k + 1) * OUT_SIZE);
            const lite = (await m.run([x]))[0] as Float32Array;
            it.setInput(0, x);
            it.invoke();
            const ours = it.output(0) as Float32Array;
            // A flat image normalizes 0/√ε: both sides must agree on it too. The interpreter sums in
            // LiteRT's order (conv, MEAN), so they agree to the bit; tfjs sums in its own, within 1e-5.
            expect(maxAbsDiff(lite, want), `LiteRT, input ${k}`).to.be.at.most(1e-5);
            expect(maxAbsDiff(ours, want), `interpreter, input ${k}`).to.be.at.most(1e-5);
            expect(differingFloats(ours, lite), `interpreter vs LiteRT, input ${k}`).to.equal(0);
          }
        } finally {
          m.delete();
        }
      } finally {
        store.dispose();
      }
    });

    it(`${v.name}, int8: eval graph = interpreter = LiteRT, bit for bit`, async () => {
      const { graph, report } = rewriteForQat(model(v));
      expect(report).to.deep.equal([]);
      expect(graph.nodes.map((n) => n.op)).to.include('qnorm');
      const a = analyze(graph);
      const store = VariableStore.forGraph(a, 4);
      try {
        randomizeNorm(store, 5);
        calibrate(a, store);
        const xs = images(INPUTS, 31);
        const outFq = a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === 'norm')!;
        const g = activationGrid(activationRange(outFq, store), 8);
        const codesOf = (arithmetic: 'integer' | 'simulated'): Int8Array => {
          const t = tf.tidy(() => gridCodes(buildEvalGraph(a, store, { arithmetic }).run(tf.tensor4d(xs, [INPUTS, ...SHAPE])), g));
          const codes = Int8Array.from(t.dataSync());
          t.dispose();
          return codes;
        };
        const evalCodes = codesOf('integer');
        // What training computes (float ops on fake-quantized steps) tracks the int8 model: off only where a
        // step's rounding lands the other way, which a short norm (5 channels) can amplify by a few LSB.
        const simulated = codesOf('simulated');
        const same = simulated.filter((q, i) => q === evalCodes[i]).length;
        console.log(`      ${v.name}: simulated = integer on ${(100 * same / simulated.length).toFixed(2)}% of outputs`);
        expect(same / simulated.length).to.be.at.least(0.99);
        const r = exportGraph(a, store, { mode: 'int8' });
        expect(ops(r.bytes)).to.include.members(['CONV_2D', 'MEAN', 'SUB', 'SQUARED_DIFFERENCE', 'RSQRT', 'MUL']);
        const inFq = a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === 'input')!;
        const inRange = activationRange(inFq, store);
        const m = await lrt.compile(r.bytes);
        const it = Interpreter.fromBuffer(r.bytes);
        let saturated = 0;
        try {
          for (let k = 0; k < INPUTS; k++) {
            const x = Int8Array.from(xs.slice(k * PER, (k + 1) * PER), (u) => fakeQuantIndex(u, inRange) - 128);
            const lite = Array.from((await m.run([x]))[0] as Int8Array);
            it.setInput(0, x);
            it.invoke();
            expect(Array.from(it.output(0) as Int8Array), `interpreter vs LiteRT, input ${k}`).to.deep.equal(lite);
            expect(Array.from(evalCodes.subarray(k * OUT_SIZE, (k + 1) * OUT_SIZE)), `eval graph vs LiteRT, input ${k}`).to.deep.equal(lite);
            const invStd = it.tensor('norm/invStd').data as Int8Array;
            if (invStd.includes(127)) saturated++;
          }
        } finally {
          m.delete();
        }
        // The flat inputs reach the zero-variance path (RSQRT of code zero).
        if (v.flatIsZeroVariance) expect(saturated).to.be.at.least(INPUTS / 5);
      } finally {
        store.dispose();
      }
    });
  }

  it('a QAT norm exports in float mode as the float op (fake quants dropped, ε added)', async () => {
    const float = model(VARIANTS[0]!);
    const { graph } = rewriteForQat(float);
    const a = analyze(graph);
    const store = VariableStore.forGraph(a, 4);
    try {
      randomizeNorm(store, 5);
      calibrate(a, store);
      const xs = images(10, 12);
      // The float graph reads the same weights by the same names.
      const ref = tf.tidy(() => buildEvalGraph(float, store).run(tf.tensor4d(xs, [10, ...SHAPE])).dataSync() as Float32Array);
      const bytes = exportGraph(a, store, { mode: 'float' }).bytes;
      expect(ops(bytes)).to.include.members(['MEAN', 'RSQRT', 'ADD']);
      const it = Interpreter.fromBuffer(bytes);
      for (let k = 0; k < 10; k++) {
        it.setInput(0, xs.slice(k * PER, (k + 1) * PER));
        it.invoke();
        expect(maxAbsDiff(it.output(0) as Float32Array, ref.slice(k * OUT_SIZE, (k + 1) * OUT_SIZE)), `input ${k}`).to.be.at.most(1e-5);
      }
    } finally {
      store.dispose();
    }
  });

  it('a norm left float by --skip cannot go into an int8 model, and says so in one sentence', () => {
    const { graph, report } = rewriteForQat(model(VARIANTS[0]!), { skip: ['norm'] });
    expect(report).to.deep.equal(['layer norm (op instanceNorm) is not quantized: skipped by request (--skip)']);
    const a = analyze(graph);
    const store = VariableStore.forGraph(a, 4);
    try {
      calibrate(a, store);
      expect(() => exportGraph(a, store, { mode: 'int8' })).to.throw(UserError, /cannot export layer 'norm' \(op instanceNorm\) in int8 mode: it is still a float layer/);
    } finally {
      store.dispose();
    }
  });

  it('QAT training steps reduce an L2 loss (instanceNorm and layerNorm; observed and learned ranges)', () => {
    for (const [v, rangeMode] of [[VARIANTS[0]!, 'ema'], [VARIANTS[1]!, 'ema'], [VARIANTS[0]!, 'learned']] as const) {
      const { graph } = rewriteForQat(model(v));
      const a = analyze(graph);
      const store = VariableStore.forGraph(a, 4);
      try {
        randomizeNorm(store, 5);
        const train = buildTrainGraph(a, store, { qat: { config: resolveQatConfig({ quantDelay: 0, rangeMode }), startStep: 0 } });
        const x = tf.tensor4d(seededImages(8, SHAPE, 3), [8, ...SHAPE]);
        // A target the net can reach: a fixed per-pixel pattern of the input's first channel.
        const target = tf.tidy(() => tf.tile(tf.slice(x, [0, 1, 1, 0], [8, 4, 5, 1]), [1, 1, 1, 5]).mul(2).sub(1));
        const opt = tf.train.adam(0.02);
        const vars = [...store.trainable(rangeMode === 'learned' ? ['weight', 'range'] : ['weight']).values()];
        const losses: number[] = [];
        const normRanges = (): Array<[string, number]> => store.names(['range']).filter((n) => n.startsWith('norm/') && !n.startsWith('norm/fq'))
          .map((n) => [n, store.get(n).dataSync()[0]!]);
        let observed: Array<[string, number]> = [];
        for (let s = 0; s < 15; s++) {
          store.setStep(s);
          let ranges: Parameters<typeof applyRangeUpdates>[1] = [];
          const loss = opt.minimize(() => {
            const out = train.run(x);
            ranges = out.rangeUpdates;
            return tf.mean(tf.squaredDifference(out.logits, target)) as tf.Scalar;
          }, true, vars)!;
          losses.push(loss.dataSync()[0]!);
          loss.dispose();
          applyRangeUpdates(store, ranges);
          if (s === 0) observed = normRanges();
        }
        if (rangeMode === 'learned') {
          // Learned ranges are observed once (step 0), then only gradients move them: the intermediates' did move.
          const moved = normRanges().filter((r, i) => r[1] !== observed[i]![1]).map((r) => r[0]);
          expect(moved.length, 'intermediate ranges trained').to.be.greaterThan(0);
        }
        expect(losses.every(Number.isFinite), losses.join(', ')).to.equal(true);
        expect(losses[losses.length - 1]!, `${v.name}: ${losses.map((l) => l.toFixed(3)).join(' ')}`).to.be.below(0.8 * losses[0]!);
        tf.dispose([x, target]);
        opt.dispose();
      } finally {
        store.dispose();
      }
    }
  });
});
