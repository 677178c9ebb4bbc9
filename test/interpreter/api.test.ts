import { expect } from 'chai';
import { UserError } from '../../src/errors.js';
import { Interpreter } from '../../src/interpreter/index.js';
import { inspectText, summarize } from '../../src/interpreter/describe.js';
import { ModelBuilder } from '../../src/tflite/index.js';
import { mnistCnn, mulberry32, randomInput } from '../support/random-models.js';

const mnist = mnistCnn();
const int8Bytes = mnist.quantized('int8');

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('Interpreter API', function () {
  this.timeout(120_000);
  it('explains the input: dtype, shape, bytes, scale, zero point and mean/std', () => {
    const d = Interpreter.fromBuffer(int8Bytes).inputDetails()[0]!;
    expect(d.dtype).to.equal('int8');
    expect(d.shape).to.deep.equal([1, 28, 28, 1]);
    expect(d.bytes).to.equal(784);
    expect(d.scale).to.be.closeTo(1.03 / 255, 1e-6);
    expect(d.zeroPoint).to.equal(-128);
    expect(d.mean).to.equal(-128);
    expect(d.std).to.be.closeTo(1 / d.scale!, 1e-9);
  });

  it('rejects float32 bytes for an int8 input with the sentence that says how to quantize', () => {
    const it8 = Interpreter.fromBuffer(int8Bytes);
    const e = userError(() => it8.setInput(0, new Uint8Array(3136)));
    expect(e.message).to.equal(
      'input 0 is int8 [1,28,28,1] = 784 bytes; got 3136 bytes — this looks like float32 data; ' +
        'quantize it with q = round(x/scale) + zero_point (scale 0.00403922, zero_point -128).',
    );
    expect(userError(() => it8.setInput(0, new Float32Array(784))).message).to.match(/got a float32 array of 3136 bytes — this looks like float32 data; quantize it/);
    expect(userError(() => it8.setInput(0, new Uint8Array(100))).message).to.equal('input 0 is int8 [1,28,28,1] = 784 bytes; got 100 bytes (100 int8 values where 784 are needed).');
    expect(userError(() => it8.setInput(1, new Int8Array(784))).message).to.match(/has 1 input; there is no input 1/);
  });

  it('rejects 8-bit data for a float32 input', () => {
    const f = Interpreter.fromBuffer(mnist.quantized('float-io'));
    expect(userError(() => f.setInput(0, new Int8Array(784))).message).to.match(/input 0 is float32 \[1,28,28,1\] = 3136 bytes; got an int8 array of 784 bytes — this looks like 8-bit data/);
  });

  it('accepts a typed array of the right dtype or the raw bytes, and both give the same run', () => {
    const a = Interpreter.fromBuffer(int8Bytes);
    const b = Interpreter.fromBuffer(int8Bytes);
    const x = randomInput('int8', 784, mulberry32(3)) as Int8Array;
    a.setInput(0, x);
    b.setInput(0, Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    a.invoke();
    b.invoke();
    expect(Array.from(a.output(0) as Int8Array)).to.deep.equal(Array.from(b.output(0) as Int8Array));
    expect((a.output(0) as Int8Array).length).to.equal(10);
  });

  it('keeps every intermediate for tensor() dumps and dequantizes them', () => {
    const it8 = Interpreter.fromBuffer(int8Bytes);
    it8.setInput(0, randomInput('int8', 784, mulberry32(4)));
    it8.invoke();
    const conv1 = it8.tensor('conv1');
    expect(conv1.shape).to.deep.equal([1, 26, 26, 32]);
    expect(conv1.data.length).to.equal(26 * 26 * 32);
    // RELU after a conv: nothing below the zero point survives, and something is above it.
    const codes = Array.from(conv1.data as Int8Array);
    expect(Math.min(...codes)).to.be.at.least(conv1.zeroPoint!);
    expect(Math.max(...codes)).to.be.greaterThan(conv1.zeroPoint!);
    const real = it8.dequantize(conv1);
    expect(real[5]).to.be.closeTo((codes[5]! - conv1.zeroPoint!) * conv1.scale!, 1e-7);
    expect(it8.tensor(conv1.index).name).to.equal('conv1');
    const w = it8.tensor('conv1/weights');
    expect(w.constant).to.equal(true);
    expect(w.scales).to.have.length(32);
    expect(userError(() => it8.tensor('nope')).message).to.match(/no tensor named "nope"/);
    const ops = it8.operators();
    expect(ops.map((o) => o.op)).to.deep.equal(['CONV_2D', 'CONV_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'FULLY_CONNECTED', 'SOFTMAX']);
  });

  it('inspect text starts with the input dtype, bytes, scale, zero point and mean/std', () => {
    const first = inspectText(summarize(Interpreter.fromBuffer(int8Bytes))).split('\n').slice(0, 2).join('\n');
    expect(first).to.match(/^input 0 "input0": int8 \[1,28,28,1\] = 784 bytes, scale 0\.00403922, zero point -128, mean -128, std 247\.57\d/);
    expect(first).to.match(/q = round\(x\/scale\) \+ zero_point/);
  });

  it('names unsupported versions and dtypes in one sentence', () => {
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'x', shape: [4], type: 'FLOAT32' });
    const y = b.addOutput({ name: 'y', shape: [4], type: 'FLOAT32' });
    b.addOperator('ADD', [x, x], [y], {}, 9);
    expect(userError(() => Interpreter.fromBuffer(b.toBytes())).message).to.equal(
      'The interpreter cannot run operator 0 (ADD): it is version 9, and versions 1–5 of ADD are supported.',
    );
    const c = new ModelBuilder();
    const p = c.addInput({ name: 'p', shape: [4], type: 'INT16', quantization: { scale: 0.1, zeroPoint: 0 } });
    const q = c.addOutput({ name: 'q', shape: [4], type: 'INT16', quantization: { scale: 0.1, zeroPoint: 0 } });
    c.addOperator('ADD', [p, p], [q], {}, 3);
    expect(userError(() => Interpreter.fromBuffer(c.toBytes())).message).to.match(/operator 0 \(ADD\): it takes \(int16, int16\) and produces \(int16\); ADD is supported for int8 or float32\.$/);
  });

  it('refuses a model whose arena would exceed the memory cap, before allocating', () => {
    const e = userError(() => Interpreter.fromBuffer(int8Bytes, { maxArenaBytes: 100_000 }));
    expect(e.message).to.match(/needs 1\.2 MiB of tensor memory, more than the interpreter's 0\.1 MiB limit/);
  });

  it("'reference' arithmetic differs from XNNPACK's only where gemmlowp's double rounding crosses a .5 boundary", () => {
    const ref = Interpreter.fromBuffer(int8Bytes, { arithmetic: 'reference' });
    const xnn = Interpreter.fromBuffer(int8Bytes);
    const x = randomInput('int8', 784, mulberry32(9)) as Int8Array;
    for (const m of [ref, xnn]) {
      m.setInput(0, x);
      m.invoke();
    }
    const a = ref.tensor('conv1');
    const b = xnn.tensor('conv1');
    const w = xnn.tensor('conv1/weights').data as Int8Array;
    const bias = xnn.tensor('conv1/bias').data as Int32Array;
    const sIn = xnn.inputDetails()[0]!.scale!;
    const scales = xnn.tensor('conv1/weights').scales!;
    let differing = 0;
    for (let i = 0; i < a.data.length; i++) {
      if (a.data[i] === b.data[i]) continue;
      differing++;
      const c = i % 32;
      const p = Math.floor(i / 32);
      const oy = Math.floor(p / 26);
      const ox = p % 26;
      let acc = bias[c]!;
      for (let k = 0; k < 9; k++) acc += w[c * 9 + k]! * (x[(oy + Math.floor(k / 3)) * 28 + ox + (k % 3)]! + 128);
      const real = (acc * Math.fround(sIn) * Math.fround(scales[c]!)) / Math.fround(b.scale!);
      // Within 0.01 of a half-way point, and XNNPACK's result is the correctly rounded one.
      expect(Math.abs(real - Math.floor(real) - 0.5)).to.be.lessThan(0.01);
      expect((b.data[i] as number) - b.zeroPoint!).to.equal(Math.round(real));
    }
    expect(differing).to.be.greaterThan(0);
    console.log(`      reference vs xnnpack: ${differing} of ${a.data.length} conv1 elements differ, all at near-.5 boundaries`);
  });

  it('folds a DEQUANTIZE of constant int8 weights at plan time: the conv reading it runs as if its filter were stored float', () => {
    const next = mulberry32(21);
    const wq = Int8Array.from({ length: 3 * 3 * 3 * 2 }, () => Math.floor(next() * 255) - 127);
    const scales = [0.011, 0.023, 0.007];
    const wf = Float32Array.from(wq, (q, i) => Math.fround(Math.fround(scales[Math.floor(i / 18)]!) * q));
    const x = Float32Array.from({ length: 5 * 5 * 2 }, () => next() * 2 - 1);
    const model = (dequantized: boolean): Uint8Array => {
      const b = new ModelBuilder();
      const input = b.addInput({ name: 'x', shape: [1, 5, 5, 2], type: 'FLOAT32' });
      let w: number;
      if (dequantized) {
        const q = b.addTensor({ name: 'w/int8', shape: [3, 3, 3, 2], type: 'INT8', data: wq, quantization: { scale: scales, zeroPoint: [0, 0, 0], quantizedDimension: 0 } });
        w = b.addTensor({ name: 'w', shape: [3, 3, 3, 2], type: 'FLOAT32' });
        b.addOperator('DEQUANTIZE', [q], [w]);
      } else {
        w = b.addTensor({ name: 'w', shape: [3, 3, 3, 2], type: 'FLOAT32', data: wf });
      }
      const y = b.addOutput({ name: 'y', shape: [1, 5, 5, 3], type: 'FLOAT32' });
      b.addOperator('CONV_2D', [input, w, -1], [y], { padding: 'SAME', fusedActivation: 'NONE' });
      return b.toBytes();
    };
    const run = (bytes: Uint8Array): { y: Float32Array; it: Interpreter } => {
      const it = Interpreter.fromBuffer(bytes);
      it.setInput(0, x);
      it.invoke();
      return { y: Float32Array.from(it.output(0) as Float32Array), it };
    };
    const folded = run(model(true));
    const stored = run(model(false));
    expect(Array.from(folded.y)).to.deep.equal(Array.from(stored.y));
    expect(folded.y.some((v) => v !== 0)).to.equal(true);
    expect(folded.it.tensor('w').constant).to.equal(true);
    expect(Array.from(folded.it.tensor('w').data as Float32Array)).to.deep.equal(Array.from(wf));
    expect(folded.it.invokeProfiled().map((t) => t.op)).to.deep.equal(['DEQUANTIZE', 'CONV_2D']);
  });
});
