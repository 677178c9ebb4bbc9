// --mode float and --mode dynamic on every zoo model: the file runs in
// LiteRT (no ERROR line) and in our interpreter; float matches the eval
// graph within 1e-4, dynamic agrees between the two runtimes.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { exportGraph } from '../../export/index.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { readModel } from '../../src/tflite/index.js';
import { builtinOperatorName } from '../../src/tflite/enums.js';
import { type LiteRtRunner, liteRtForSuite } from '../support/litert.js';
import { ZOO_CASES, floatCase, maxAbsDiff, seededImages } from './helpers.js';

const INPUTS = 8;

/** Runs `bytes` on each image in LiteRT and in our interpreter. */
async function runBoth(lrt: LiteRtRunner, bytes: Uint8Array, images: Float32Array, per: number): Promise<{ litert: Float32Array[]; interp: Float32Array[] }> {
  const m = await lrt.compile(bytes);
  const it = Interpreter.fromBuffer(bytes);
  const litert: Float32Array[] = [];
  const interp: Float32Array[] = [];
  try {
    for (let k = 0; k < images.length / per; k++) {
      const x = images.slice(k * per, (k + 1) * per);
      litert.push((await m.run([x]))[0] as Float32Array);
      it.setInput(0, x);
      it.invoke();
      interp.push(Float32Array.from(it.output(0) as Float32Array));
    }
  } finally {
    m.delete();
  }
  return { litert, interp };
}

function opNames(bytes: Uint8Array): string[] {
  const m = readModel(bytes);
  return m.subgraphs[0]!.operators.map((op) => builtinOperatorName(m.operatorCodes[op.opcodeIndex]!.builtinCode));
}

describe('export: float and dynamic modes on every zoo model', function () {
  const lrt = liteRtForSuite({ wasm: true });

  for (const c of ZOO_CASES) {
    it(`${c.name} ${c.shape.join('×')}`, async () => {
      const { ir, store } = floatCase(c, 3);
      try {
        const per = c.shape.reduce((a, b) => a * b, 1);
        const images = seededImages(INPUTS, c.shape, 5);
        const ref = tf.tidy(() => buildEvalGraph(ir, store).run(tf.tensor4d(images, [INPUTS, ...c.shape])).dataSync() as Float32Array);
        const outSize = ref.length / INPUTS;
        const refOf = (k: number): Float32Array => ref.slice(k * outSize, (k + 1) * outSize);
        const magnitude = Math.max(...Array.from(ref, Math.abs));

        const float = exportGraph(ir, store, { mode: 'float' });
        const ops = opNames(float.bytes);
        // BN folded, relu/relu6 fused, dropout gone: only these ops remain (MobileNet v3 adds its
        // hard-swish and the squeeze-excite gate's ADD(+3, RELU6) and MULs).
        // style-net adds its reflect pads, nearest upsampling, instance norms (MEAN, SUB, SQUARED_DIFFERENCE, RSQRT) and LOGISTIC output.
        const dense = c.name === 'style-net' ? ['MIRROR_PAD', 'RESIZE_NEAREST_NEIGHBOR', 'SUB', 'SQUARED_DIFFERENCE', 'RSQRT', 'LOGISTIC'] : [];
        expect(ops.every((o) => ['CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'ADD', 'MAX_POOL_2D', 'MEAN', 'RESHAPE', 'HARD_SWISH', 'MUL', ...dense].includes(o)), ops.join(' ')).to.equal(true);
        const f = await runBoth(lrt(), float.bytes, images, per);
        for (let k = 0; k < INPUTS; k++) {
          expect(maxAbsDiff(f.litert[k]!, refOf(k)), `LiteRT, input ${k}`).to.be.at.most(1e-4);
          expect(maxAbsDiff(f.interp[k]!, refOf(k)), `interpreter, input ${k}`).to.be.at.most(1e-4);
        }

        const dynamic = exportGraph(ir, store, { mode: 'dynamic' });
        const d = await runBoth(lrt(), dynamic.bytes, images, per);
        const deq = exportGraph(ir, store, { mode: 'dynamic', dynamicConvWeights: 'dequantize' });
        // The interpreter folds the constant DEQUANTIZEs at plan time, as TFLite does.
        const q = await runBoth(lrt(), deq.bytes, images, per);
        const hyb = exportGraph(ir, store, { mode: 'dynamic', dynamicConvWeights: 'hybrid' });
        const h = await runBoth(lrt(), hyb.bytes, images, per);
        let dynErr = 0;
        let hybErr = 0;
        // The hybrid FC quantizes its float input per row at run time; float
        // convs summed in another order can flip one of those int8 steps, so
        // the runtimes agree to a small fraction of the logits, not to 1e-6.
        const runtimes = 5e-3 * magnitude;
        for (let k = 0; k < INPUTS; k++) {
          expect(maxAbsDiff(d.litert[k]!, d.interp[k]!), `dynamic: LiteRT vs interpreter, input ${k}`).to.be.at.most(runtimes);
          expect(maxAbsDiff(q.litert[k]!, q.interp[k]!), `dynamic+dequantize: LiteRT vs interpreter, input ${k}`).to.be.at.most(runtimes);
          dynErr = Math.max(dynErr, maxAbsDiff(d.litert[k]!, refOf(k)));
          hybErr = Math.max(hybErr, maxAbsDiff(h.litert[k]!, refOf(k)));
        }
        // int8 weights move the logits a little, not wholesale (a layout error would).
        expect(dynErr, 'dynamic vs float eval graph').to.be.below(0.05 * magnitude);
        // Every hybrid conv re-quantizes its input on the fly, so in a deep
        // chain one float32 rounding flips int8 steps that later layers
        // amplify: the runtimes differ no more than the interpreter differs
        // from itself when the input moves by one part in 10^6.
        const nudged = await runBoth(lrt(), hyb.bytes, Float32Array.from(images, (v) => Math.fround(v * (1 + 1e-6))), per);
        let hybRuntimes = 0;
        let hybSensitivity = 0;
        for (let k = 0; k < INPUTS; k++) {
          hybRuntimes = Math.max(hybRuntimes, maxAbsDiff(h.litert[k]!, h.interp[k]!));
          hybSensitivity = Math.max(hybSensitivity, maxAbsDiff(nudged.interp[k]!, h.interp[k]!));
        }
        expect(hybRuntimes, 'dynamic+hybrid: LiteRT vs interpreter').to.be.at.most(Math.max(runtimes, 2 * hybSensitivity));
        // (How far hybrid lands from float is a property of the model: on these
        // untrained deep nets one shared input scale per conv loses a lot, so
        // it is logged, not asserted.)
        expect(opNames(hyb.bytes)).to.not.include('DEQUANTIZE');
        expect(hyb.bytes.length).to.be.at.most(deq.bytes.length);
        expect(opNames(deq.bytes)).to.include('DEQUANTIZE');
        expect(deq.bytes.length).to.be.below(dynamic.bytes.length);
        // Plain dynamic mode makes only FULLY_CONNECTED weights int8; a model without one (style-net) keeps every weight float.
        if (ops.includes('FULLY_CONNECTED')) expect(dynamic.bytes.length).to.be.below(float.bytes.length);
        else expect(dynamic.bytes.length).to.be.at.least(float.bytes.length);
        console.log(`      ${c.name}: float ${float.bytes.length} B, dynamic ${dynamic.bytes.length} B, dynamic+dequantize ${deq.bytes.length} B, dynamic+hybrid ${hyb.bytes.length} B (max |Δ| ${hybErr.toExponential(1)}, LiteRT vs interpreter ${hybRuntimes.toExponential(1)}, input-noise sensitivity ${hybSensitivity.toExponential(1)}); float max |Δ| ${Math.max(...f.litert.map((y, k) => maxAbsDiff(y, refOf(k)))).toExponential(1)}, dynamic max |Δ| ${dynErr.toExponential(1)} (logits up to ${magnitude.toFixed(2)})`);
      } finally {
        store.dispose();
      }
    });
  }
});
