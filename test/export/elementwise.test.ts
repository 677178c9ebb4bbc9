// The elementwise ops of two tensors (MUL with the squeeze-excite gate's
// broadcasting, SUB, MAXIMUM, MINIMUM), Keras' Average (ADD then MUL by
// 1/n) and global max pooling (REDUCE_MAX), each as a tiny IR model the
// whole way: QAT rewrite, calibration, the integer eval graph, int8 and
// float32 export, our interpreter and LiteRT. On calibrated ranges and on
// power-of-two ranges that make rounding ties common (every requantization
// multiplier a power of two), the eval graph's fakeQuant codes equal the
// interpreter's tensors and the interpreter's outputs equal LiteRT's.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import type { AnalyzedGraph } from '../../src/ir/analyze.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { readModel } from '../../src/tflite/index.js';
import { builtinOperatorName } from '../../src/tflite/enums.js';
import { activationRange } from '../../quantize/qparams.js';
import { VariableStore } from '../../train/state.js';
import { liteRtForSuite } from '../support/litert.js';
import { compareWithLiteRt } from '../interpreter/parity-helpers.js';
import { compareLayers, summary } from '../train/layer-codes.js';
import { calibratedQat, seededImages } from './helpers.js';

const SHAPE: [number, number, number] = [6, 6, 3];

interface OpCase {
  name: string;
  /** The op under test, reading conv outputs of the input `x`. */
  build(b: GraphBuilder, x: string): string;
  builtins: string[];
  /** Builtins the lowering must not emit (an activation fused into MUL/SUB). */
  absent?: string[];
}

const conv = (b: GraphBuilder, name: string, x: string, k = 1, filters = 8): string => b.conv2d(name, x, { filters, kernelSize: k });

export const ELEMENTWISE_CASES: OpCase[] = [
  {
    name: 'mul: squeeze-excite gate [1,1,c] × [h,w,c]',
    build: (b, x) => {
      const a = b.relu('a_relu', conv(b, 'a', x, 3));
      const gate = b.reshape('gate_shape', b.dense('gate', b.globalAvgPool('squeeze', a), 8), [1, 1, 8]);
      return b.mul('excite', a, gate);
    },
    builtins: ['MUL', 'MEAN', 'RESHAPE'],
  },
  { name: 'mul: equal shapes', build: (b, x) => b.mul('prod', conv(b, 'a', x), conv(b, 'b', x, 3)), builtins: ['MUL'] },
  {
    name: 'mul with a fused RELU6 (qmul)',
    build: (b, x) => b.relu6('prod_relu6', b.mul('prod', conv(b, 'a', x), conv(b, 'b', x, 3))),
    builtins: ['MUL'], absent: ['RELU6'],
  },
  {
    name: 'sub with a fused RELU, broadcast (qsub)',
    build: (b, x) => { const a = conv(b, 'a', x, 3); return b.relu('diff_relu', b.sub('diff', a, b.reshape('m_shape', b.globalAvgPool('m', a), [1, 1, 8]))); },
    builtins: ['SUB'], absent: ['RELU'],
  },
  { name: 'sub: equal shapes', build: (b, x) => b.sub('diff', conv(b, 'a', x), b.relu('b_relu', conv(b, 'b', x, 3))), builtins: ['SUB'] },
  {
    name: 'sub: broadcast channel means',
    build: (b, x) => { const a = conv(b, 'a', x, 3); return b.sub('centered', a, b.reshape('mean_shape', b.globalAvgPool('mean', a), [1, 1, 8])); },
    builtins: ['SUB'],
  },
  { name: 'maximum: equal shapes', build: (b, x) => b.maximum('max', conv(b, 'a', x), conv(b, 'b', x, 3)), builtins: ['MAXIMUM'] },
  {
    name: 'maximum: broadcast',
    build: (b, x) => b.maximum('max', conv(b, 'a', x), b.reshape('b_shape', b.globalAvgPool('b_mean', conv(b, 'b', x, 3)), [1, 1, 8])),
    builtins: ['MAXIMUM'],
  },
  { name: 'minimum: equal shapes', build: (b, x) => b.minimum('min', conv(b, 'a', x), conv(b, 'b', x, 3)), builtins: ['MINIMUM'] },
  { name: 'average of two (ADD, MUL by 1/2)', build: (b, x) => b.average('avg', [conv(b, 'a', x), conv(b, 'b', x, 3)]), builtins: ['ADD', 'MUL'] },
  {
    name: 'average of three (ADD, ADD, MUL by 1/3)',
    build: (b, x) => b.average('avg', [conv(b, 'a', x), conv(b, 'b', x, 3), b.relu('c_relu', conv(b, 'c', x, 3))]),
    builtins: ['ADD', 'MUL'],
  },
  { name: 'globalMaxPool (REDUCE_MAX)', build: (b, x) => b.globalMaxPool('gmp', conv(b, 'a', x, 3, 12)), builtins: ['REDUCE_MAX'] },
];

function opGraph(c: OpCase): Graph {
  const b = new GraphBuilder('elementwise');
  const x = b.input('input', [...SHAPE]);
  return b.build([c.build(b, x)]);
}

type Fq = NodeOf<'fakeQuant'>;
const fakeQuants = (a: AnalyzedGraph): Fq[] => a.order.filter((n): n is Fq => n.op === 'fakeQuant');

/** Calibrated on seeded images; random (non-zero) biases so ranges sit off zero. */
function calibratedCase(c: OpCase, seed: number): { a: AnalyzedGraph; store: VariableStore } {
  return calibratedQat(opGraph(c), seed, (a, store) => {
    for (const v of a.variables.filter((v) => v.role === 'bias')) {
      tf.tidy(() => store.get(v.name).assign(tf.randomUniform(v.shape, -0.3, 0.3, 'float32', seed)));
    }
  });
}

/**
 * Every trained range replaced by [−(128 + z)·s, (127 − z)·s] with s a power
 * of two and int8 zero point z = 5: MUL's s₁s₂/s_out and SUB's and ADD's
 * s_in/s_out become powers of two, so requantized values land on .5 ties
 * often, and an odd zero point tells rounding before adding it from after.
 */
function powerOfTwoRanges(a: AnalyzedGraph, store: VariableStore): void {
  const z = 5;
  for (const fq of fakeQuants(a)) {
    if (fq.attrs.fixedRange) continue;
    const r = activationRange(fq, store);
    const s = 2 ** Math.ceil(Math.log2(r.scale));
    store.get(fq.params.min!).assign(tf.scalar(-(128 + z) * s));
    store.get(fq.params.max!).assign(tf.scalar((127 - z) * s));
  }
}

function builtinsOf(bytes: Uint8Array): string[] {
  const m = readModel(bytes);
  return m.subgraphs[0]!.operators.map((op) => builtinOperatorName(m.operatorCodes[op.opcodeIndex]!.builtinCode));
}

describe('export: elementwise ops (MUL, SUB, MAXIMUM, MINIMUM, Average, REDUCE_MAX), eval graph = interpreter = LiteRT', function () {
  this.timeout(300_000);
  const lrt = liteRtForSuite({ wasm: true });

  for (const c of ELEMENTWISE_CASES) {
    for (const ranges of ['calibrated', 'power-of-two (ties)'] as const) {
      it(`${c.name}, ${ranges} ranges: int8 bit-exact`, async () => {
        const { a, store } = calibratedCase(c, 5);
        try {
          if (ranges !== 'calibrated') powerOfTwoRanges(a, store);
          const bytes = exportGraph(a, store, { mode: 'int8', inputType: 'int8', outputType: 'int8' }).bytes;
          expect(builtinsOf(bytes)).to.include.members(c.builtins);
          for (const op of ['QUANTIZE', ...(c.absent ?? [])]) expect(builtinsOf(bytes), op).to.not.include(op);
          const e = compareLayers(a, store, seededImages(20, SHAPE, 31), 20, 'integer');
          expect(e.compared).to.be.greaterThan(1000);
          expect(e.differing, `eval graph vs interpreter: ${summary(e)}`).to.equal(0);
          const r = await compareWithLiteRt(lrt(), bytes, 60, 7);
          expect(r.elements).to.be.greaterThan(0);
          expect(r.differing, `interpreter vs LiteRT: max |Δ| ${r.maxAbsDiff}`).to.equal(0);
        } finally {
          store.dispose();
        }
      });
    }
    it(`${c.name}: float32 export of the QAT graph and of the float graph, interpreter = LiteRT`, async () => {
      const { a, store } = calibratedCase(c, 6);
      const float = opGraph(c);
      const floatStore = VariableStore.forGraph(float, 6);
      try {
        for (const bytes of [exportGraph(a, store, { mode: 'float' }).bytes, exportGraph(float, floatStore, { mode: 'float' }).bytes]) {
          expect(builtinsOf(bytes)).to.include.members(c.builtins);
          for (const op of c.absent ?? []) expect(builtinsOf(bytes)).to.not.include(op);
          const r = await compareWithLiteRt(lrt(), bytes, 20, 8, { inputRange: [0, 1], floatTolerance: 0 });
          expect(r.elements).to.be.greaterThan(0);
          expect(r.differing, `max |Δ| ${r.maxAbsDiff}`).to.equal(0);
        }
      } finally {
        store.dispose();
        floatStore.dispose();
      }
    });
  }
});
