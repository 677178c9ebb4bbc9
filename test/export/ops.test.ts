// The lowerings the zoo does not reach (CONCATENATION, PAD, AVERAGE_POOL_2D,
// SOFTMAX, RESHAPE from reshape, a standalone RELU) on a small branchy
// graph, in float and int8 mode, through LiteRT and our interpreter.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { analyze } from '../../src/ir/analyze.js';
import type { Graph, NodeOf } from '../../src/ir/types.js';
import { rewriteForQat } from '../../quantize/rewrite.js';
import { activationRange } from '../../quantize/qparams.js';
import { fakeQuantIndex } from '../../quantize/math.js';
import { buildCalibrationGraph, buildEvalGraph } from '../../train/graph/build.js';
import { VariableStore } from '../../train/state.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { readModel } from '../../src/tflite/index.js';
import { builtinOperatorName } from '../../src/tflite/enums.js';
import { loadLiteRt, type LiteRtRunner } from '../support/litert.js';
import { useWasm } from '../train/helpers.js';
import { maxAbsDiff, seededImages } from './helpers.js';

const SHAPE: [number, number, number] = [12, 12, 3];
const CLASSES = 6;
const INPUTS = 100;

function branchy(): Graph {
  const b = new GraphBuilder('branchy');
  const x = b.input('input', [...SHAPE]);
  const a = b.relu('a_relu', b.conv2d('a', x, { filters: 4, kernelSize: 1 }));
  const c = b.relu6('c_relu', b.conv2d('c', x, { filters: 6, kernelSize: 3 }));
  let y = b.concat('concat', [a, c]);
  y = b.pad('pad', y, [[1, 0], [0, 1]]);
  y = b.avgPool('avg', y, { poolSize: 2, padding: 'same' });
  y = b.conv2d('d', y, { filters: 8, kernelSize: 3, padding: 'valid' });
  y = b.maxPool('max', b.relu('d_relu', y), { poolSize: 2 });
  y = b.reshape('reshape', y, [-1]);
  return b.build([b.softmax('probs', b.dense('logits', y, CLASSES))]);
}

function ops(bytes: Uint8Array): string[] {
  const m = readModel(bytes);
  return m.subgraphs[0]!.operators.map((op) => builtinOperatorName(m.operatorCodes[op.opcodeIndex]!.builtinCode));
}

describe('export: concat, pad, average pool, softmax', function () {
  let lrt: LiteRtRunner;
  before(async () => {
    await useWasm();
    lrt = await loadLiteRt();
  });
  const per = SHAPE.reduce((a, b) => a * b, 1);
  const images = seededImages(INPUTS, SHAPE, 9);

  it('float mode matches the eval graph within 1e-4', async () => {
    const ir = branchy();
    const store = VariableStore.forGraph(ir, 4);
    try {
      const ref = tf.tidy(() => buildEvalGraph(ir, store).run(tf.tensor4d(images, [INPUTS, ...SHAPE])).dataSync() as Float32Array);
      const r = exportGraph(ir, store, { mode: 'float' });
      expect(ops(r.bytes)).to.include.members(['CONCATENATION', 'PAD', 'AVERAGE_POOL_2D', 'MAX_POOL_2D', 'RESHAPE', 'SOFTMAX']);
      const m = await lrt.compile(r.bytes);
      const it = Interpreter.fromBuffer(r.bytes);
      try {
        expect(m.outputs[0]!.name).to.equal('probs');
        for (let k = 0; k < 10; k++) {
          const x = images.slice(k * per, (k + 1) * per);
          const want = ref.slice(k * CLASSES, (k + 1) * CLASSES);
          expect(maxAbsDiff((await m.run([x]))[0]!, want)).to.be.at.most(1e-4);
          it.setInput(0, x);
          it.invoke();
          expect(maxAbsDiff(it.output(0) as Float32Array, want)).to.be.at.most(1e-4);
        }
      } finally {
        m.delete();
      }
    } finally {
      store.dispose();
    }
  });

  it('int8 mode: within 1 LSB of the eval graph, interpreter = LiteRT', async () => {
    const { graph, report } = rewriteForQat(branchy());
    expect(report).to.deep.equal([]);
    const a = analyze(graph);
    const store = VariableStore.forGraph(a, 4);
    try {
      const cal = buildCalibrationGraph(a, store);
      for (let b = 0; b < 3; b++) {
        const x = tf.tensor4d(seededImages(16, SHAPE, 20 + b), [16, ...SHAPE]);
        cal.observe(x, 0.5);
        x.dispose();
      }
      const ref = tf.tidy(() => buildEvalGraph(a, store).run(tf.tensor4d(images, [INPUTS, ...SHAPE])).dataSync() as Float32Array);
      const r = exportGraph(a, store, { mode: 'int8' });
      expect(ops(r.bytes)).to.include.members(['CONCATENATION', 'PAD', 'AVERAGE_POOL_2D', 'SOFTMAX']);
      const outQ = r.summary.outputs[0]!.quantization!;
      expect([outQ.scale, outQ.zeroPoint]).to.deep.equal([1 / 256, -128]);
      const inFq = a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === 'input')!;
      const inRange = activationRange(inFq, store);
      const m = await lrt.compile(r.bytes);
      const it = Interpreter.fromBuffer(r.bytes);
      let within1 = 0;
      let exact = 0;
      try {
        for (let k = 0; k < INPUTS; k++) {
          const x = Int8Array.from(images.slice(k * per, (k + 1) * per), (v) => fakeQuantIndex(v, inRange) - 128);
          const y = (await m.run([x]))[0] as Int8Array;
          it.setInput(0, x);
          it.invoke();
          expect(Array.from(it.output(0) as Int8Array)).to.deep.equal(Array.from(y));
          for (let j = 0; j < CLASSES; j++) {
            const want = Math.round(ref[k * CLASSES + j]! * 256) - 128;
            if (y[j] === want) exact++;
            if (Math.abs(y[j]! - want) <= 1) within1++;
          }
        }
      } finally {
        m.delete();
      }
      console.log(`      branchy: ${(100 * exact / (INPUTS * CLASSES)).toFixed(1)}% exact, ${(100 * within1 / (INPUTS * CLASSES)).toFixed(2)}% within 1 LSB`);
      expect(within1 / (INPUTS * CLASSES)).to.be.at.least(0.999);
    } finally {
      store.dispose();
    }
  });
});
