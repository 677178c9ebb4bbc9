import { expect } from 'chai';
import { ModelBuilder, readModel } from '../../src/tflite/index.js';
import { loadLiteRt, LiteRtError, liteRtForSuite } from '../support/litert.js';
import { mulberry32 as rng } from '../support/random.js';

function randomFloats(n: number, next: () => number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
}

function randomInt8(n: number, next: () => number, lo = -128, hi = 127): Int8Array {
  return Int8Array.from({ length: n }, () => lo + Math.floor((hi - lo + 1) * next()));
}

/** NHWC input, OHWI weights; float64 reference of TFLite's CONV_2D. */
function conv2dRef(
  x: ArrayLike<number>, [n, h, w, cin]: number[], wt: ArrayLike<number>, [cout, kh, kw]: number[],
  bias: ArrayLike<number>, stride: number, padding: 'SAME' | 'VALID',
): { out: Float64Array; shape: number[] } {
  const oh = padding === 'SAME' ? Math.ceil(h / stride) : Math.floor((h - kh) / stride) + 1;
  const ow = padding === 'SAME' ? Math.ceil(w / stride) : Math.floor((w - kw) / stride) + 1;
  const padTop = padding === 'SAME' ? Math.floor(Math.max((oh - 1) * stride + kh - h, 0) / 2) : 0;
  const padLeft = padding === 'SAME' ? Math.floor(Math.max((ow - 1) * stride + kw - w, 0) / 2) : 0;
  const out = new Float64Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let co = 0; co < cout; co++) {
          let acc = bias[co]!;
          for (let ky = 0; ky < kh; ky++)
            for (let kx = 0; kx < kw; kx++) {
              const iy = oy * stride - padTop + ky;
              const ix = ox * stride - padLeft + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
              for (let ci = 0; ci < cin; ci++) {
                acc += x[((b * h + iy) * w + ix) * cin + ci]! * wt[((co * kh + ky) * kw + kx) * cin + ci]!;
              }
            }
          out[((b * oh + oy) * ow + ox) * cout + co] = acc;
        }
  return { out, shape: [n, oh, ow, cout] };
}

function quantizeRef(real: number, scale: number, zp: number): number {
  return Math.min(127, Math.max(-128, Math.round(real / scale) + zp));
}

describe('LiteRT harness on builder-made single-op models', function () {
  const lrt = liteRtForSuite();

  it('loads the runtime once per process', async () => {
    expect(await loadLiteRt()).to.equal(lrt());
  });

  it('runs a float32 ADD and matches JS', async () => {
    const next = rng(1);
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'x', shape: [2, 3, 5], type: 'FLOAT32' });
    const y = b.addInput({ name: 'y', shape: [2, 3, 5], type: 'FLOAT32' });
    const z = b.addOutput({ name: 'sum', shape: [2, 3, 5], type: 'FLOAT32' });
    b.addOperator('ADD', [x, y], [z]);
    const bytes = b.toBytes();
    const a = randomFloats(30, next, -10, 10);
    const c = randomFloats(30, next, -10, 10);
    const m = await lrt().compile(bytes);
    try {
      expect(m.inputs.map((i) => [i.name, i.dtype, i.shape, i.bytes])).to.deep.equal([
        ['x', 'float32', [2, 3, 5], 120],
        ['y', 'float32', [2, 3, 5], 120],
      ]);
      expect(m.outputs.map((o) => [o.name, o.dtype, o.shape])).to.deep.equal([['sum', 'float32', [2, 3, 5]]]);
      const [out] = await m.run([a, c]);
      expect(out).to.be.instanceOf(Float32Array);
      expect(Array.from(out!)).to.deep.equal(Array.from(a, (v, i) => Math.fround(v + c[i]!)));
      // The compiled model can run again with new inputs.
      const [again] = await m.run([c, c]);
      expect(Array.from(again!)).to.deep.equal(Array.from(c, (v) => Math.fround(2 * v)));
    } finally {
      m.delete();
      m.delete();
    }
  });

  it('runs a float32 CONV_2D with constant weights (SAME, stride 2, fused RELU6) and matches JS', async () => {
    const next = rng(2);
    const inShape = [1, 7, 6, 3];
    const wShape = [4, 3, 3, 3];
    const weights = randomFloats(4 * 27, next);
    const bias = randomFloats(4, next);
    const input = randomFloats(7 * 6 * 3, next, -2, 2);
    const ref = conv2dRef(input, inShape, weights, wShape, bias, 2, 'SAME');
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'image', shape: inShape, type: 'FLOAT32' });
    const w = b.addTensor({ name: 'conv/kernel', shape: wShape, type: 'FLOAT32', data: weights });
    const bb = b.addTensor({ name: 'conv/bias', shape: [4], type: 'FLOAT32', data: bias });
    const y = b.addOutput({ name: 'conv', shape: ref.shape, type: 'FLOAT32' });
    b.addOperator('CONV_2D', [x, w, bb], [y], { padding: 'SAME', strideW: 2, strideH: 2, fusedActivation: 'RELU6' });
    const [out] = await lrt().run(b.toBytes(), [input]);
    expect(out).to.be.instanceOf(Float32Array);
    expect(out!.length).to.equal(ref.out.length);
    let clipped = 0;
    ref.out.forEach((v, i) => {
      const want = Math.min(6, Math.max(0, v));
      if (want !== v) clipped++;
      expect(out![i]).to.be.closeTo(want, 1e-5);
    });
    expect(clipped).to.be.greaterThan(0); // the fused activation was exercised
    expect(clipped).to.be.lessThan(ref.out.length);
  });

  it('runs an int8 FULLY_CONNECTED (int32 bias, per-tensor) within 1 LSB of the real-valued result', async () => {
    const next = rng(3);
    const [sx, zx, sw, so, zo] = [0.05, -3, 0.02, 0.08, 5];
    const sb = Math.fround(Math.fround(sx) * Math.fround(sw));
    const xq = randomInt8(2 * 16, next);
    const wq = randomInt8(6 * 16, next, -127, 127);
    const bq = Int32Array.from({ length: 6 }, () => Math.round((next() - 0.5) * 4000));
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'features', shape: [2, 16], type: 'INT8', quantization: { scale: sx, zeroPoint: zx } });
    const w = b.addTensor({ name: 'dense/kernel', shape: [6, 16], type: 'INT8', data: wq, quantization: { scale: sw, zeroPoint: 0 } });
    const bias = b.addTensor({ name: 'dense/bias', shape: [6], type: 'INT32', data: bq, quantization: { scale: sb, zeroPoint: 0 } });
    const y = b.addOutput({ name: 'dense', shape: [2, 6], type: 'INT8', quantization: { scale: so, zeroPoint: zo } });
    b.addOperator('FULLY_CONNECTED', [x, w, bias], [y]);
    const bytes = b.toBytes();
    expect(readModel(bytes).operatorCodes[0]!.version).to.equal(4);
    const m = await lrt().compile(bytes);
    try {
      expect(m.inputs[0]).to.include({ dtype: 'int8', bytes: 32 });
      expect(m.outputs[0]).to.deep.include({ dtype: 'int8', shape: [2, 6], bytes: 12 });
      const [out] = await m.run([xq]);
      expect(out).to.be.instanceOf(Int8Array);
      const distinct = new Set(out);
      expect(distinct.size).to.be.greaterThan(3); // not saturated or zeroed
      for (let r = 0; r < 2; r++)
        for (let o = 0; o < 6; o++) {
          let real = bq[o]! * sb;
          for (let k = 0; k < 16; k++) real += (xq[r * 16 + k]! - zx) * Math.fround(sx) * wq[o * 16 + k]! * Math.fround(sw);
          expect(Math.abs(out![r * 6 + o]! - quantizeRef(real, Math.fround(so), zo))).to.be.at.most(1);
        }
    } finally {
      m.delete();
    }
  });

  it('runs an int8 CONV_2D with per-channel weights within 1 LSB of the real-valued result', async () => {
    const next = rng(4);
    const inShape = [1, 6, 6, 2];
    const wShape = [3, 3, 3, 2];
    const [sx, zx, so, zo] = [0.04, 10, 0.06, -20];
    const sw = [0.01, 0.03, 0.002].map(Math.fround);
    const sb = sw.map((s) => Math.fround(Math.fround(sx) * s));
    const xq = randomInt8(72, next);
    const wq = randomInt8(3 * 18, next, -127, 127);
    const bq = Int32Array.from({ length: 3 }, () => Math.round((next() - 0.5) * 2000));
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'image', shape: inShape, type: 'INT8', quantization: { scale: sx, zeroPoint: zx } });
    const w = b.addTensor({
      name: 'conv/kernel', shape: wShape, type: 'INT8', data: wq,
      quantization: { scale: sw, zeroPoint: [0, 0, 0], quantizedDimension: 0 },
    });
    const bias = b.addTensor({
      name: 'conv/bias', shape: [3], type: 'INT32', data: bq,
      quantization: { scale: sb, zeroPoint: [0, 0, 0], quantizedDimension: 0 },
    });
    const y = b.addOutput({ name: 'conv', shape: [1, 4, 4, 3], type: 'INT8', quantization: { scale: so, zeroPoint: zo } });
    b.addOperator('CONV_2D', [x, w, bias], [y], { padding: 'VALID' });
    const [out] = await lrt().run(b.toBytes(), [xq]);
    expect(out).to.be.instanceOf(Int8Array);
    expect(out!.length).to.equal(48);
    // Dequantize input and weights per channel, then run the float reference.
    const xr = Array.from(xq, (q) => (q - zx) * Math.fround(sx));
    const wr = Array.from(wq, (q, i) => q * sw[Math.floor(i / 18)]!);
    const br = Array.from(bq, (q, c) => q * sb[c]!);
    const ref = conv2dRef(xr, inShape, wr, wShape, br, 1, 'VALID');
    expect(ref.shape).to.deep.equal([1, 4, 4, 3]);
    ref.out.forEach((real, i) => {
      expect(Math.abs(out![i]! - quantizeRef(real, Math.fround(so), zo)), `element ${i}`).to.be.at.most(1);
    });
    expect(new Set(out).size).to.be.greaterThan(5);
  });

  it('runs every op the project writes as an int8 single-op model with no ERROR', async () => {
    const next = rng(5);
    const act = { scale: 0.05, zeroPoint: -10 };
    type Build = (b: ModelBuilder, x: number) => { inputs: number[]; out: { shape: number[]; type: 'INT8' | 'FLOAT32' }; outQ?: { scale: number; zeroPoint: number } };
    const i32 = (b: ModelBuilder, name: string, values: number[], shape = [values.length]): number =>
      b.addTensor({ name, shape, type: 'INT32', data: Int32Array.from(values) });
    const second = (b: ModelBuilder): number => b.addInput({ name: 'x2', shape: [1, 4, 4, 2], type: 'INT8', quantization: act });
    const cases: { op: Parameters<ModelBuilder['addOperator']>[0]; options?: object; build: Build }[] = [
      { op: 'ADD', build: (b, x) => ({ inputs: [x, second(b)], out: { shape: [1, 4, 4, 2], type: 'INT8' }, outQ: { scale: 0.1, zeroPoint: 0 } }) },
      { op: 'SUB', build: (b, x) => ({ inputs: [x, second(b)], out: { shape: [1, 4, 4, 2], type: 'INT8' }, outQ: { scale: 0.1, zeroPoint: 0 } }) },
      { op: 'MUL', build: (b, x) => ({ inputs: [x, second(b)], out: { shape: [1, 4, 4, 2], type: 'INT8' }, outQ: { scale: 0.1, zeroPoint: 0 } }) },
      { op: 'CONCATENATION', options: { axis: 3 }, build: (b, x) => ({ inputs: [x, second(b)], out: { shape: [1, 4, 4, 4], type: 'INT8' } }) },
      { op: 'AVERAGE_POOL_2D', options: { filterWidth: 2, filterHeight: 2, strideW: 2, strideH: 2 }, build: (_b, x) => ({ inputs: [x], out: { shape: [1, 2, 2, 2], type: 'INT8' } }) },
      { op: 'MAX_POOL_2D', options: { filterWidth: 3, filterHeight: 3, padding: 'SAME' }, build: (_b, x) => ({ inputs: [x], out: { shape: [1, 4, 4, 2], type: 'INT8' } }) },
      {
        op: 'DEPTHWISE_CONV_2D',
        build: (b, x) => {
          const sw = [0.02, 0.03];
          const w = b.addTensor({ name: 'dw/w', shape: [1, 3, 3, 2], type: 'INT8', data: randomInt8(18, next, -127, 127), quantization: { scale: sw, zeroPoint: [0, 0], quantizedDimension: 3 } });
          const bias = b.addTensor({ name: 'dw/b', shape: [2], type: 'INT32', data: Int32Array.from([100, -100]), quantization: { scale: sw.map((s) => s * act.scale), zeroPoint: [0, 0] } });
          return { inputs: [x, w, bias], out: { shape: [1, 2, 2, 2], type: 'INT8' }, outQ: { scale: 0.02, zeroPoint: 3 } };
        },
      },
      { op: 'DEQUANTIZE', build: (_b, x) => ({ inputs: [x], out: { shape: [1, 4, 4, 2], type: 'FLOAT32' } }) },
      { op: 'HARD_SWISH', build: (_b, x) => ({ inputs: [x], out: { shape: [1, 4, 4, 2], type: 'INT8' }, outQ: { scale: 0.04, zeroPoint: -100 } }) },
      { op: 'LOGISTIC', build: (_b, x) => ({ inputs: [x], out: { shape: [1, 4, 4, 2], type: 'INT8' }, outQ: { scale: 1 / 256, zeroPoint: -128 } }) },
      { op: 'TANH', build: (_b, x) => ({ inputs: [x], out: { shape: [1, 4, 4, 2], type: 'INT8' }, outQ: { scale: 1 / 128, zeroPoint: 0 } }) },
      { op: 'MEAN', options: { keepDims: false }, build: (b, x) => ({ inputs: [x, i32(b, 'axes', [1, 2])], out: { shape: [1, 2], type: 'INT8' } }) },
      { op: 'PAD', build: (b, x) => ({ inputs: [x, i32(b, 'paddings', [0, 0, 1, 1, 2, 0, 0, 0], [4, 2])], out: { shape: [1, 6, 6, 2], type: 'INT8' } }) },
      { op: 'RELU', build: (_b, x) => ({ inputs: [x], out: { shape: [1, 4, 4, 2], type: 'INT8' } }) },
      { op: 'RELU6', build: (_b, x) => ({ inputs: [x], out: { shape: [1, 4, 4, 2], type: 'INT8' } }) },
      { op: 'RESHAPE', options: { newShape: [1, 32] }, build: (b, x) => ({ inputs: [x, i32(b, 'shape', [1, 32])], out: { shape: [1, 32], type: 'INT8' } }) },
      { op: 'SQUEEZE', options: { squeezeDims: [0] }, build: (_b, x) => ({ inputs: [x], out: { shape: [4, 4, 2], type: 'INT8' } }) },
      { op: 'SOFTMAX', build: (_b, x) => ({ inputs: [x], out: { shape: [1, 4, 4, 2], type: 'INT8' }, outQ: { scale: 1 / 256, zeroPoint: -128 } }) },
    ];
    for (const c of cases) {
      const b = new ModelBuilder();
      const x = b.addInput({ name: 'x', shape: [1, 4, 4, 2], type: 'INT8', quantization: act });
      const spec = c.build(b, x);
      const quant = spec.out.type === 'INT8' ? { quantization: spec.outQ ?? act } : {};
      const y = b.addOutput({ name: 'y', ...spec.out, ...quant });
      b.addOperator(c.op, spec.inputs, [y], c.options ?? {});
      const m = await lrt().compile(b.toBytes());
      try {
        expect(m.outputs.map((o) => [o.dtype, o.shape]), c.op).to.deep.equal([[spec.out.type.toLowerCase(), spec.out.shape]]);
        const outs = await m.run(m.inputs.map((info) => randomInt8(info.bytes, next)));
        expect(outs[0]!.length, c.op).to.equal(spec.out.shape.reduce((a, d) => a * d, 1));
      } catch (e) {
        throw new Error(`${c.op}: ${String(e)}`);
      } finally {
        m.delete();
      }
    }
    // QUANTIZE runs from float32 input.
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'x', shape: [1, 8], type: 'FLOAT32' });
    const y = b.addOutput({ name: 'y', shape: [1, 8], type: 'INT8', quantization: { scale: 0.5, zeroPoint: 1 } });
    b.addOperator('QUANTIZE', [x], [y]);
    const [q] = await lrt().run(b.toBytes(), [Float32Array.from([-100, -1, -0.2, 0, 0.3, 1.2, 2, 100])]);
    expect(Array.from(q!)).to.deep.equal([-128, -1, 1, 1, 2, 3, 5, 127]);
  });

  describe('int8 SOFTMAX', () => {
    function softmaxModel(outputZeroPoint: number): Uint8Array {
      const b = new ModelBuilder();
      const x = b.addInput({ name: 'logits', shape: [1, 10], type: 'INT8', quantization: { scale: 0.1, zeroPoint: 0 } });
      const y = b.addOutput({ name: 'probs', shape: [1, 10], type: 'INT8', quantization: { scale: 1 / 256, zeroPoint: outputZeroPoint } });
      b.addOperator('SOFTMAX', [x], [y], { beta: 1 });
      return b.toBytes();
    }
    const logits = Int8Array.from([-50, -20, 0, 5, 10, 20, 30, 40, 45, 50]);

    it('runs with the required output zero point −128', async () => {
      const [out] = await lrt().run(softmaxModel(-128), [logits]);
      expect(out).to.be.instanceOf(Int8Array);
      const probs = Array.from(out!, (q) => (q + 128) / 256);
      expect(probs.reduce((a, p) => a + p, 0)).to.be.closeTo(1, 0.03);
      expect(out![9]).to.be.greaterThan(out![0]!);
    });

    it('surfaces LiteRT’s ERROR line when the output zero point is not −128', async () => {
      let error: unknown;
      try {
        await lrt().run(softmaxModel(0), [logits]);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(LiteRtError);
      expect((error as LiteRtError).message).to.match(/ERROR/);
      expect((error as LiteRtError).log.some((l) => /zero_point|-128/.test(l))).to.equal(true);
      // The failure does not poison later runs.
      const [ok] = await lrt().run(softmaxModel(-128), [logits]);
      expect(ok!.length).to.equal(10);
    });
  });

  it('rejects inputs of the wrong dtype or size before running', async () => {
    const b = new ModelBuilder();
    const x = b.addInput({ name: 'x', shape: [1, 4], type: 'INT8', quantization: { scale: 1, zeroPoint: 0 } });
    const y = b.addOutput({ name: 'y', shape: [1, 4], type: 'INT8', quantization: { scale: 1, zeroPoint: 0 } });
    b.addOperator('RELU', [x], [y]);
    const m = await lrt().compile(b.toBytes());
    try {
      let error: unknown;
      try {
        await m.run([new Uint8Array(4)]);
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.match(/input 0 \(x\) is int8 \[1,4\] = 4 bytes; got uint8/);
      const [out] = await m.run([Int8Array.from([-3, -1, 0, 7])]);
      expect(Array.from(out!)).to.deep.equal([0, 0, 0, 7]);
    } finally {
      m.delete();
    }
  });

  it('reports a file LiteRT cannot load as LiteRtError', async () => {
    let error: unknown;
    try {
      await lrt().run(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), []);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(LiteRtError);
    expect(String(error)).to.match(/Failed to load model/);
  });
});
