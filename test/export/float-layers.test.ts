// Layers left float (--skip) inside an int8 model: DEQUANTIZE in front,
// the float op, QUANTIZE after where an int8 op follows — the form
// TensorFlow's converter writes — run by the interpreter and LiteRT.
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { analyze } from '../../src/ir/analyze.js';
import { exportGraph } from '../../export/index.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { buildEvalGraph } from '../../train/graph/build.js';
import { userErrorMessage } from '../support/user-error.js';
import { liteRtForSuite } from '../support/litert.js';
import { qatCase, seededImages, type ZooCase } from './helpers.js';

const CNN: ZooCase = { name: 'mnist-cnn', shape: [28, 28, 1] };
const INPUTS = 20;

function argmax(v: ArrayLike<number>, from = 0, n = v.length): number {
  let best = from;
  for (let i = from; i < from + n; i++) if (v[i]! > v[best]!) best = i;
  return best - from;
}

describe('export: layers left float inside an int8 model', function () {
  const lrt = liteRtForSuite({ wasm: true });

  for (const skip of [['logits'], ['conv2'], ['conv1', 'fc1']]) {
    it(`--skip ${skip.join(',')}: DEQUANTIZE/float op/QUANTIZE, interpreter = LiteRT in top class, eval graph agrees`, async () => {
      const { ir, store } = qatCase(CNN, 5, { skip });
      const a = analyze(ir);
      const r = exportGraph(a, store);
      const ops = new Map(r.summary.ops.map((o) => [o.op, o.count]));
      expect(ops.get('DEQUANTIZE'), 'one DEQUANTIZE per float layer').to.equal(skip.length);
      // A float last layer leaves the model float; any other float layer is quantized back for the next int8 op.
      const floatOutput = skip.includes('logits');
      expect(ops.get('QUANTIZE') ?? 0).to.equal(floatOutput ? skip.length - 1 : skip.length);
      expect(r.summary.outputs[0]!.type).to.equal(floatOutput ? 'float32' : 'int8');
      const note = r.summary.notes.find((n) => n.startsWith('left float'));
      for (const name of skip) expect(note, 'the summary names each float layer').to.include(`${name} (`);

      const per = 28 * 28;
      const images = seededImages(INPUTS, CNN.shape, 17);
      const evalOut = tf.tidy(() => buildEvalGraph(a, store).run(tf.tensor4d(images, [INPUTS, 28, 28, 1])).dataSync() as Float32Array);
      const classes = evalOut.length / INPUTS;
      const inQ = r.summary.inputs[0]!.quantization!;
      const it = Interpreter.fromBuffer(r.bytes);
      const m = await lrt().compile(r.bytes);
      let agreeLiteRt = 0;
      let agreeEval = 0;
      let maxDiff = 0;
      try {
        for (let k = 0; k < INPUTS; k++) {
          const x = Int8Array.from(images.subarray(k * per, (k + 1) * per), (v) => Math.max(-128, Math.min(127, Math.round(v / inQ.scale) + inQ.zeroPoint)));
          it.setInput(0, x);
          it.invoke();
          const ours = Array.from(it.output(0) as ArrayLike<number>);
          const theirs = Array.from((await m.run([x]))[0] as ArrayLike<number>);
          for (let j = 0; j < classes; j++) maxDiff = Math.max(maxDiff, Math.abs(ours[j]! - theirs[j]!));
          if (argmax(ours) === argmax(theirs)) agreeLiteRt++;
          if (argmax(ours) === argmax(evalOut, k * classes, classes)) agreeEval++;
        }
      } finally {
        m.delete();
      }
      expect(agreeLiteRt).to.equal(INPUTS);
      // The float island sums in LiteRT's order, so even its float32 outputs agree to the bit.
      expect(maxDiff).to.equal(0);
      expect(agreeEval).to.be.at.least(INPUTS - 1);
    });
  }

  it('asking for an int8 output from a float last layer is one sentence', () => {
    const { ir, store } = qatCase(CNN, 5, { skip: ['logits'] });
    const msg = userErrorMessage(() => exportGraph(ir, store, { outputType: 'int8' }));
    expect(msg).to.equal("output 'logits' comes from a layer left float, so it cannot be int8; export with --output-type float32 or quantize that layer");
  });
});
