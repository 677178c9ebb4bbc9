// The activations beyond relu/relu6 as single-op models, each through the
// whole path: float IR → QAT rewrite → integer eval graph → int8 export →
// our interpreter and LiteRT. Every int8 input code is fed (in every
// channel), under irregular ranges and under power-of-two scales that put
// many results exactly on .5 ties; the eval graph, the interpreter and
// LiteRT must agree on every output code. The float32 export runs in both
// runtimes too.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { analyze, type AnalyzedGraph } from '../../src/ir/analyze.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { activationRange } from '../../quantize/qparams.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { activationGrid, gridCodes } from '../../train/graph/grid.js';
import { VariableStore } from '../../train/state.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { readModel } from '../../src/tflite/index.js';
import { builtinOperatorName } from '../../src/tflite/enums.js';
import { liteRtForSuite, type LiteRtRunner } from '../support/litert.js';
import { mulberry32 } from '../support/random-models.js';
import { maxAbsDiff, seededImages } from './helpers.js';

const C = 16;
const SHAPE: [number, number, number] = [4, 4, C];
/** Examples per batch: 16 examples × 16 positions give every channel all 256 codes. */
const BATCH = 16;
const PER = SHAPE[0] * SHAPE[1] * C;

type Op = 'sigmoid' | 'tanh' | 'hardSwish' | 'hardSigmoid' | 'swish' | 'leakyRelu' | 'prelu';

interface OpCase {
  op: Op;
  /** The TFLite ops the int8 lowering must hold. */
  builtins: string[];
  /** The float function, for plausible output ranges. */
  f: (x: number, c: number) => number;
  /** The simulated eval graph computes the int8 codes exactly (swish and the hard sigmoid: by quantizing their intermediates). */
  simulatedExact?: true;
}

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const hsig = (x: number): number => Math.min(Math.max(x + 3, 0), 6) / 6;
const LEAKY_ALPHA = 0.25;
/** PReLU slopes, one per channel: exact quarters and eighths, and a negative one. */
const SLOPES = Float32Array.from({ length: C }, (_, c) => (c === 3 ? -0.5 : ((c % 8) + 1) / 8));

const CASES: OpCase[] = [
  { op: 'sigmoid', builtins: ['LOGISTIC'], f: sig, simulatedExact: true },
  { op: 'tanh', builtins: ['TANH'], f: Math.tanh, simulatedExact: true },
  { op: 'hardSwish', builtins: ['HARD_SWISH'], f: (x) => x * hsig(x) },
  { op: 'hardSigmoid', builtins: ['ADD', 'MUL'], f: hsig, simulatedExact: true },
  { op: 'swish', builtins: ['LOGISTIC', 'MUL'], f: (x) => x * sig(x), simulatedExact: true },
  { op: 'leakyRelu', builtins: ['LEAKY_RELU'], f: (x) => (x < 0 ? LEAKY_ALPHA * x : x) },
  { op: 'prelu', builtins: ['PRELU'], f: (x, c) => (x < 0 ? SLOPES[c]! * x : x) },
];

function singleOp(op: Op): Graph {
  const b = new GraphBuilder(op);
  const x = b.input('input', [...SHAPE]);
  let y: string;
  if (op === 'leakyRelu') y = b.leakyRelu('act', x, LEAKY_ALPHA);
  else y = b[op]('act', x);
  return b.build([y]);
}

function setSlopes(store: VariableStore): void {
  if (store.has('act/alpha')) tf.tidy(() => store.get('act/alpha').assign(tf.tensor(SLOPES, [1, 1, C])));
}

function setRange(store: VariableStore, fq: string, [lo, hi]: [number, number]): void {
  tf.tidy(() => {
    store.get(`${fq}/min`).assign(tf.scalar(lo));
    store.get(`${fq}/max`).assign(tf.scalar(hi));
  });
}

/** The real range of an int8 (scale, zero point): exactly representable for power-of-two scales. */
const int8Range = (scale: number, zeroPoint: number): [number, number] => [(-128 - zeroPoint) * scale, (127 - zeroPoint) * scale];

/** Every int8 code in every channel: example k, position p, channel c holds code (16k + p + 17c) mod 256. */
function allCodes(): Int8Array {
  const out = new Int8Array(BATCH * PER);
  for (let k = 0; k < BATCH; k++) {
    for (let p = 0; p < SHAPE[0] * SHAPE[1]; p++) {
      for (let c = 0; c < C; c++) out[k * PER + p * C + c] = ((16 * k + p + 17 * c) % 256) - 128;
    }
  }
  return out;
}

interface Ranges { input: [number, number]; output: [number, number] }

/** Irregular ranges: the input's from a seed, the output's the op's values over it, widened by a seeded factor. */
function randomRanges(c: OpCase, seed: number): Ranges {
  const rand = mulberry32(seed);
  const input: [number, number] = [-(1 + 5 * rand()), 1 + 5 * rand()];
  let lo = 0;
  let hi = 0;
  for (let i = 0; i <= 200; i++) {
    const x = input[0] + (i / 200) * (input[1] - input[0]);
    for (let ch = 0; ch < C; ch++) {
      lo = Math.min(lo, c.f(x, ch));
      hi = Math.max(hi, c.f(x, ch));
    }
  }
  return { input, output: [lo * (0.8 + 0.4 * rand()), hi * (0.8 + 0.4 * rand())] };
}

/** Power-of-two scales: input 1/16, output 1/32 or 1/16 — ratios that land many results on .5 ties. */
function tieRanges(c: OpCase): Ranges {
  const wide = c.op === 'leakyRelu' || c.op === 'prelu' || c.op === 'hardSwish' || c.op === 'swish';
  return { input: int8Range(1 / 16, 0), output: wide ? int8Range(1 / 16, -64) : int8Range(1 / 256, -128) };
}

function qatModel(c: OpCase, r: Ranges): { a: AnalyzedGraph; store: VariableStore } {
  const { graph, report } = rewriteForQat(singleOp(c.op));
  expect(report).to.deep.equal([]);
  const a = analyze(graph);
  const store = VariableStore.forGraph(a, 1);
  setSlopes(store);
  setRange(store, 'input/fq', r.input);
  if (store.has('act/fq/min')) setRange(store, 'act/fq', r.output);
  return { a, store };
}

/** The eval graph's output as int8 codes, on the codes' real values. */
function evalCodes(a: AnalyzedGraph, store: VariableStore, codes: Int8Array, arithmetic: 'integer' | 'simulated' = 'integer'): Int8Array {
  const fqs = a.order.filter((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant');
  const inFq = fqs.find((n) => n.attrs.quantizes === 'input')!;
  const outFq = fqs.find((n) => n.attrs.quantizes === 'act')!;
  const gIn = activationGrid(activationRange(inFq, store), 8);
  const gOut = activationGrid(activationRange(outFq, store), 8);
  const q = tf.tidy(() => {
    const x = tf.mul(tf.sub(tf.tensor4d(Float32Array.from(codes), [BATCH, ...SHAPE]), gIn.zeroPoint), gIn.scale) as tf.Tensor4D;
    return gridCodes(buildEvalGraph(a, store, { arithmetic }).run(x), gOut);
  });
  const out = Int8Array.from(q.dataSync());
  q.dispose();
  return out;
}

function ops(bytes: Uint8Array): string[] {
  const m = readModel(bytes);
  return m.subgraphs[0]!.operators.map((op) => builtinOperatorName(m.operatorCodes[op.opcodeIndex]!.builtinCode));
}

function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/** Each example through our interpreter and through LiteRT: both outputs, example by example. */
async function runBoth<T extends Int8Array | Float32Array>(lrt: LiteRtRunner, bytes: Uint8Array, examples: T[]): Promise<Array<{ ours: T; theirs: T }>> {
  const m = await lrt.compile(bytes);
  const it = Interpreter.fromBuffer(bytes);
  const out: Array<{ ours: T; theirs: T }> = [];
  try {
    for (const x of examples) {
      const theirs = (await m.run([x]))[0] as T;
      it.setInput(0, x);
      it.invoke();
      out.push({ ours: (it.output(0) as T).slice() as T, theirs });
    }
  } finally {
    m.delete();
  }
  return out;
}

describe('export: activations as single-op models', function () {
  this.timeout(300_000);
  const lrt = liteRtForSuite({ wasm: true });
  const codes = allCodes();

  for (const c of CASES) {
    for (const [kind, ranges] of [['random ranges', randomRanges(c, 5)], ['tie-heavy scales', tieRanges(c)]] as const) {
      it(`${c.op} int8, ${kind}: eval graph = interpreter = LiteRT on every input code`, async () => {
        const { a, store } = qatModel(c, ranges);
        try {
          const want = evalCodes(a, store, codes);
          // The training arithmetic (simulated): within 1 LSB everywhere, exact where it reproduces every grid the file uses.
          const sim = evalCodes(a, store, codes, 'simulated');
          expect(maxAbsDiff(sim, want), 'simulated vs integer').to.be.at.most(1);
          if (c.simulatedExact) expect(differing(sim, want), 'simulated vs integer').to.equal(0);
          const bytes = exportGraph(a, store, { mode: 'int8', inputType: 'int8', outputType: 'int8' }).bytes;
          expect(ops(bytes)).to.include.members(c.builtins);
          let vsLiteRt = 0;
          let vsEval = 0;
          const seen = new Set<number>();
          const runs = await runBoth(lrt(), bytes, Array.from({ length: BATCH }, (_, k) => codes.slice(k * PER, (k + 1) * PER)));
          runs.forEach(({ ours, theirs }, k) => {
            vsLiteRt += differing(ours, theirs);
            vsEval += differing(ours, want.subarray(k * PER, (k + 1) * PER));
            theirs.forEach((v) => seen.add(v));
          });
          expect(vsLiteRt, 'interpreter vs LiteRT').to.equal(0);
          expect(vsEval, 'interpreter vs eval graph').to.equal(0);
          // Not a degenerate map: the op spreads the 256 inputs over many output codes.
          expect(seen.size).to.be.greaterThan(20);
        } finally {
          store.dispose();
        }
      });
    }

    it(`${c.op} float32: interpreter = LiteRT, both = the eval graph within 1e-5`, async () => {
      const ir = singleOp(c.op);
      const store = VariableStore.forGraph(ir, 2);
      try {
        setSlopes(store);
        const images = Float32Array.from(seededImages(BATCH, SHAPE, 9), (v) => 12 * v - 6);
        const ref = tf.tidy(() => buildEvalGraph(ir, store).run(tf.tensor4d(images, [BATCH, ...SHAPE])).dataSync() as Float32Array);
        const bytes = exportGraph(ir, store, { mode: 'float' }).bytes;
        expect(ops(bytes)).to.include.members(c.builtins);
        let maxVsRef = 0;
        let maxVsLiteRt = 0;
        const runs = await runBoth(lrt(), bytes, Array.from({ length: BATCH }, (_, k) => images.slice(k * PER, (k + 1) * PER)));
        runs.forEach(({ ours, theirs }, k) => {
          for (let i = 0; i < PER; i++) {
            maxVsLiteRt = Math.max(maxVsLiteRt, Math.abs(ours[i]! - theirs[i]!));
            maxVsRef = Math.max(maxVsRef, Math.abs(ours[i]! - ref[k * PER + i]!));
          }
        });
        expect(maxVsLiteRt, 'interpreter vs LiteRT').to.equal(0);
        expect(maxVsRef, 'interpreter vs eval graph').to.be.at.most(1e-5);
      } finally {
        store.dispose();
      }
    });
  }
});
