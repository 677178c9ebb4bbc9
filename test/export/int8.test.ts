// --mode int8 on every zoo model (QAT IR, ranges observed on seeded
// batches): LiteRT's int8 outputs equal the QAT eval graph's fake-quant
// outputs on the output grid within 1 LSB for ≥ 99.9% of elements over 100
// inputs, our interpreter equals LiteRT exactly, and the float32 / uint8
// edges only convert.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { readModel } from '../../src/tflite/index.js';
import { builtinOperatorName } from '../../src/tflite/enums.js';
import { analyze, type AnalyzedGraph } from '../../src/ir/analyze.js';
import type { VariableStore } from '../../train/state.js';
import type { NodeOf } from '../../src/ir/types.js';
import { activationRange } from '../../quantize/qparams.js';
import { fakeQuantIndex } from '../../quantize/math.js';
import { type LiteRtArray, type LiteRtRunner, liteRtForSuite } from '../support/litert.js';
import { ZOO_CASES, qatCase, seededImages } from './helpers.js';

const INPUTS = 100;
/** Inputs the float32/uint8-edge variants are checked on. */
const EDGE_INPUTS = 10;

interface Parity {
  exact: number;
  within1: number;
  interpEqual: number;
  total: number;
  /** LiteRT's int8 outputs, per input. */
  litert: Int8Array[];
  /** The int8 inputs the eval graph's input fake-quant picked, per input. */
  inputs: Int8Array[];
}

/** LiteRT and our interpreter on the int8-I/O export vs the eval graph's final fake-quant output. */
async function int8Parity(lrt: LiteRtRunner, a: AnalyzedGraph, store: VariableStore, bytes: Uint8Array, images: Float32Array, outQ: { scale: number; zeroPoint: number }): Promise<Parity> {
  const shape = a.shapes.get(a.inputs[0]!)!;
  const per = shape.reduce((x, y) => x * y, 1);
  const count = images.length / per;
  // The eval graph's final output is its last fake-quant: values on the output grid.
  const ref = tf.tidy(() => buildEvalGraph(a, store).run(tf.tensor4d(images, [count, ...shape] as [number, number, number, number])).dataSync() as Float32Array);
  const classes = ref.length / count;
  const inputFq = a.order.find((n): n is NodeOf<'fakeQuant'> => n.op === 'fakeQuant' && n.attrs.quantizes === a.inputs[0])!;
  const inRange = activationRange(inputFq, store);
  const m = await lrt.compile(bytes);
  const it = Interpreter.fromBuffer(bytes);
  const p: Parity = { exact: 0, within1: 0, interpEqual: 0, total: count * classes, litert: [], inputs: [] };
  try {
    for (let k = 0; k < count; k++) {
      // Exactly the integers the eval graph's input fake-quant picked.
      const x = Int8Array.from(images.subarray(k * per, (k + 1) * per), (v) => fakeQuantIndex(v, inRange) - 128);
      p.inputs.push(x);
      const y = (await m.run([x]))[0] as Int8Array;
      p.litert.push(y);
      it.setInput(0, x);
      it.invoke();
      const yi = it.output(0) as Int8Array;
      for (let j = 0; j < classes; j++) {
        const want = Math.round(ref[k * classes + j]! / outQ.scale) + outQ.zeroPoint;
        if (y[j] === want) p.exact++;
        if (Math.abs(y[j]! - want) <= 1) p.within1++;
        if (yi[j] === y[j]) p.interpEqual++;
      }
    }
  } finally {
    m.delete();
  }
  return p;
}

/** How many different int8 values the outputs take (a saturated, constant output would match trivially). */
function distinctOutputs(p: Parity): number {
  return new Set(p.litert.flatMap((y) => Array.from(y))).size;
}

function rates(p: Parity): string {
  return `${(100 * p.exact / p.total).toFixed(1)}% exact, ${(100 * p.within1 / p.total).toFixed(2)}% within 1 LSB; interpreter = LiteRT on ${p.interpEqual}/${p.total}`;
}

describe('export: int8 mode on every zoo model', function () {
  const lrt = liteRtForSuite({ wasm: true });

  for (const c of ZOO_CASES) {
    it(`${c.name} ${c.shape.join('×')}`, async () => {
      const { ir, store, report } = qatCase(c, 3);
      try {
        expect(report, 'every layer quantized').to.deep.equal([]);
        const a = analyze(ir);
        const images = seededImages(INPUTS, c.shape, 5);
        const r = exportGraph(a, store, { mode: 'int8', inputType: 'int8', outputType: 'int8' });
        const inQ = r.summary.inputs[0]!.quantization!;
        const outQ = r.summary.outputs[0]!.quantization!;
        expect(inQ.mean).to.equal(inQ.zeroPoint);
        expect(inQ.std).to.be.closeTo(1 / inQ.scale, 1e-9 / inQ.scale);
        const p = await int8Parity(lrt(), a, store, r.bytes, images, outQ);
        console.log(`      ${c.name}: ${r.bytes.length} B; LiteRT vs eval graph: ${rates(p)}`);
        expect(p.interpEqual, 'interpreter equals LiteRT').to.equal(p.total);
        expect(distinctOutputs(p)).to.be.greaterThan(10);
        const it = Interpreter.fromBuffer(r.bytes);

        // Every quantized layer's tensor carries the layer's name and its fake-quant's scale.
        for (const n of a.order) {
          if (n.op !== 'fakeQuant') continue;
          const t = it.tensor(n.attrs.quantizes);
          expect(t.dtype, n.name).to.equal('int8');
          expect(t.scale, n.name).to.equal(Math.fround(activationRange(n, store).scale));
        }

        // float32 and uint8 edges: the same integers, converted at the edges.
        for (const type of ['float32', 'uint8'] as const) {
          const e = exportGraph(a, store, { mode: 'int8', inputType: type, outputType: type });
          expect(e.summary.inputs[0]!.type).to.equal(type);
          const me = await lrt().compile(e.bytes);
          const ie = Interpreter.fromBuffer(e.bytes);
          // The SignatureDef keeps the IR's names whatever the edge tensors are called.
          expect([me.inputs[0]!.name, me.outputs[0]!.name]).to.deep.equal(['input', c.output ?? 'logits']);
          try {
            for (let k = 0; k < EDGE_INPUTS; k++) {
              const q = p.inputs[k]!;
              // Float inputs exactly on the grid quantize back to q in any rounding mode.
              const x: LiteRtArray = type === 'uint8'
                ? Uint8Array.from(q, (v) => v + 128)
                : Float32Array.from(q, (v) => (v - inQ.zeroPoint) * inQ.scale);
              const want = type === 'uint8'
                ? Array.from(p.litert[k]!, (v) => v + 128)
                : Array.from(p.litert[k]!, (v) => Math.fround(outQ.scale * (v - outQ.zeroPoint)));
              const y = (await me.run([x]))[0]!;
              ie.setInput(0, x);
              ie.invoke();
              expect(Array.from(y), `${type} LiteRT, input ${k}`).to.deep.equal(want);
              expect(Array.from(ie.output(0) as ArrayLike<number>), `${type} interpreter, input ${k}`).to.deep.equal(want);
            }
          } finally {
            me.delete();
          }
        }

        if (c.name === 'mnist-cnn') {
          const float = exportGraph(a, store, { mode: 'float' });
          console.log(`      mnist-cnn: int8 ${r.bytes.length} B = ${(r.bytes.length / float.bytes.length).toFixed(3)} × float ${float.bytes.length} B`);
          expect(r.bytes.length).to.be.at.most(0.3 * float.bytes.length);
        }
        expect(p.within1 / p.total, 'share within 1 LSB').to.be.at.least(0.999);
      } finally {
        store.dispose();
      }
    });
  }

  it('per-tensor and 4-bit weights (lenet5)', async () => {
    const c = ZOO_CASES.find((z) => z.name === 'lenet5')!;
    const { ir, store } = qatCase(c, 4, { perChannel: false, weightBits: 4 });
    try {
      const a = analyze(ir);
      const r = exportGraph(a, store, { mode: 'int8' });
      const p = await int8Parity(lrt(), a, store, r.bytes, seededImages(INPUTS, c.shape, 6), r.summary.outputs[0]!.quantization!);
      console.log(`      lenet5 per-tensor 4-bit weights: ${rates(p)}`);
      expect(p.within1 / p.total).to.be.at.least(0.999);
      expect(p.interpEqual).to.equal(p.total);
      expect(distinctOutputs(p)).to.be.greaterThan(10);
      const it = Interpreter.fromBuffer(r.bytes);
      const w = it.tensor('conv2/kernel');
      expect(w.scale, 'one scale per tensor').to.be.a('number');
      const values = Array.from(w.data as Int8Array);
      expect(Math.max(...values.map(Math.abs)), '4-bit weights').to.equal(7);
      // Stored as INT4, two per byte, with the op versions TFLite gives INT4 weights.
      expect(w.storedAs).to.equal('int4');
      const model = readModel(r.bytes);
      const g = model.subgraphs[0]!;
      const kernels = g.tensors.filter((t) => t.name.endsWith('/kernel'));
      expect(kernels.length).to.be.greaterThan(2);
      for (const t of kernels) {
        expect(t.type, t.name).to.equal('INT4');
        expect(model.buffers[t.buffer]!.length, t.name).to.equal(Math.ceil(t.shape.reduce((x, y) => x * y, 1) / 2));
      }
      const versions = new Map(model.operatorCodes.map((oc) => [builtinOperatorName(oc.builtinCode), oc.version]));
      expect(versions.get('CONV_2D')).to.equal(7);
      expect(versions.get('FULLY_CONNECTED')).to.equal(10);
    } finally {
      store.dispose();
    }
  });

  it('per-channel 4-bit weights through depthwise and residual adds (mobilenet-v2): INT4 in the file, interpreter = LiteRT', async () => {
    const c = ZOO_CASES.find((z) => z.name === 'mobilenet-v2')!;
    const { ir, store } = qatCase(c, 4, { weightBits: 4 });
    try {
      const a = analyze(ir);
      const r = exportGraph(a, store, { mode: 'int8' });
      const p = await int8Parity(lrt(), a, store, r.bytes, seededImages(INPUTS, c.shape, 7), r.summary.outputs[0]!.quantization!);
      console.log(`      mobilenet-v2 per-channel 4-bit weights: ${rates(p)}`);
      // LiteRT runs INT4 convs on other kernels (other rounding); the eval graph follows them.
      expect(p.exact, 'eval graph equals LiteRT').to.equal(p.total);
      expect(p.interpEqual).to.equal(p.total);
      expect(distinctOutputs(p)).to.be.greaterThan(10);
      const model = readModel(r.bytes);
      const types = new Set(model.subgraphs[0]!.tensors.filter((t) => t.name.endsWith('/kernel')).map((t) => t.type));
      expect([...types]).to.deep.equal(['INT4']);
      const versions = new Map(model.operatorCodes.map((oc) => [builtinOperatorName(oc.builtinCode), oc.version]));
      expect(versions.get('DEPTHWISE_CONV_2D')).to.equal(7);
    } finally {
      store.dispose();
    }
  });
});
