import { expect } from 'chai';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../../../quantize/math.js';
import {
  conv2dInt8, conv2dFloat, depthwiseConv2dInt8, fullyConnectedInt8, fullyConnectedHybrid,
  prepareConv2dInt8, prepareConv2dFloat, prepareDepthwiseConv2dInt8, prepareFullyConnectedInt8,
  prepareFullyConnectedHybrid, symmetricQuantizeFloats, asymmetricQuantizeFloats, type Padding,
} from '../../../src/interpreter/kernels/index.js';
import { clampInt8, lcg, q, randInt8 } from './helpers.js';

/** Slow conv straight from the reference formula: Σ w·(x − zp) over in-bounds taps, no folding. */
function slowConv(
  input: Int8Array, [n, h, w, c]: number[], filter: Int8Array, [oc, fh, fw]: number[], bias: Int32Array,
  zpIn: number, zpOut: number, mults: { multiplier: number; shift: number }[],
  stride: number, dil: number, padding: Padding, lo = -128, hi = 127,
): Int8Array {
  const eff = (fh - 1) * dil + 1;
  const outH = padding === 'SAME' ? Math.ceil(h / stride) : Math.floor((h - eff) / stride) + 1;
  const outW = padding === 'SAME' ? Math.ceil(w / stride) : Math.floor((w - ((fw - 1) * dil + 1)) / stride) + 1;
  const padT = Math.floor(Math.max((outH - 1) * stride + eff - h, 0) / 2);
  const padL = Math.floor(Math.max((outW - 1) * stride + (fw - 1) * dil + 1 - w, 0) / 2);
  const out = new Int8Array(n * outH * outW * oc);
  let o = 0;
  for (let b = 0; b < n; b++) for (let y = 0; y < outH; y++) for (let x = 0; x < outW; x++) for (let k = 0; k < oc; k++) {
    let acc = 0;
    for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) {
      const iy = y * stride - padT + i * dil;
      const ix = x * stride - padL + j * dil;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      for (let ch = 0; ch < c; ch++) acc += filter[((k * fh + i) * fw + j) * c + ch] * (input[((b * h + iy) * w + ix) * c + ch] - zpIn);
    }
    const v = multiplyByQuantizedMultiplier(acc + bias[k], mults[k].multiplier, mults[k].shift) + zpOut;
    out[o++] = Math.min(hi, Math.max(lo, v));
  }
  return out;
}

describe('interpreter/kernels CONV_2D', () => {
  it('hand-worked 3×3 input, 2×2 filter, VALID: double rounding and negative ties as TFLite', () => {
    // s_in 0.5 zp_in 1; s_w 0.5; s_out 1 zp_out 2 → multiplier 0.25 = 2^30·2^(−1−31).
    // x − zp = [[2,0,−2],[4,0,0],[0,−4,0]], w = [[1,2],[−1,1]], bias 1:
    //  acc (0,0) = 2 − 4 + 1 = −1  → −0.25: high-mul(−1) = 0, /2 → 0
    //  acc (0,1) = −4 + 1 = −3     → −0.75: high-mul(−3) = round(−1.5) = −1 (ties up), /2 → −0.5 → −1
    //  acc (1,0) = 4 − 4 + 1 = 1   → 0.25: high-mul(1) = round(0.5) = 1, /2 → round(0.5) = 1 (double rounding)
    //  acc (1,1) = 4 + 1 = 5       → 1.25: high-mul(5) = round(2.5) = 3, /2 → round(1.5) = 2
    // + zp_out 2 → [2, 1, 3, 4].
    const input = new Int8Array([3, 1, -1, 5, 1, 1, 1, -3, 1]);
    const filter = { shape: [1, 2, 2, 1], data: new Int8Array([1, 2, -1, 1]), ...q(0.5) };
    const p = prepareConv2dInt8({ shape: [1, 3, 3, 1], ...q(0.5, 1) }, filter, new Int32Array([1]), q(1, 2),
      { padding: 'VALID', strideH: 1, strideW: 1, activation: 'NONE' });
    expect(p.outputShape).to.deep.equal([1, 2, 2, 1]);
    const out = new Int8Array(4);
    conv2dInt8(p, input, out);
    expect([...out]).to.deep.equal([2, 1, 3, 4]);
    // RELU clamps at zp_out + round(0/1) = 2.
    const pr = prepareConv2dInt8({ shape: [1, 3, 3, 1], ...q(0.5, 1) }, filter, new Int32Array([1]), q(1, 2),
      { padding: 'VALID', strideH: 1, strideW: 1, activation: 'RELU' });
    conv2dInt8(pr, input, out);
    expect([...out]).to.deep.equal([2, 2, 3, 4]);
  });

  it('SAME padding contributes w·0 (pads with the input zero point), as the reference skips those taps', () => {
    // 1×1×2×1 input with zp_in 7; 1×3 filter of ones, SAME → output width 2, pad 1 each side.
    // x − zp = [3, −2]; out0 = pad + 3 − 2 = 1, out1 = 3 − 2 + pad = 1; multiplier 1 (s 1·1/1).
    const p = prepareConv2dInt8({ shape: [1, 1, 2, 1], ...q(1, 7) }, { shape: [1, 1, 3, 1], data: new Int8Array([1, 1, 1]), ...q(1) },
      null, q(1, 0), { padding: 'SAME', strideH: 1, strideW: 1, activation: 'NONE' });
    const out = new Int8Array(2);
    conv2dInt8(p, new Int8Array([10, 5]), out);
    expect([...out]).to.deep.equal([1, 1]);
  });

  for (const [stride, dil, padding, per] of [[1, 1, 'VALID', true], [2, 1, 'SAME', true], [1, 2, 'SAME', false], [2, 1, 'VALID', false], [3, 1, 'SAME', true]] as const) {
    it(`matches the slow reference bit for bit (stride ${stride}, dilation ${dil}, ${padding}, ${per ? 'per-channel' : 'per-tensor'})`, () => {
      const rand = lcg(stride * 31 + dil * 7 + (per ? 1 : 0));
      const shape = [2, 7, 6, 3];
      const [oc, fh, fw] = [5, 3, 3];
      const input = randInt8(rand, 2 * 7 * 6 * 3);
      const filter = randInt8(rand, oc * fh * fw * 3, -127, 127);
      const bias = new Int32Array(oc).map(() => Math.floor(rand() * 4000) - 2000);
      const scales = per ? Array.from({ length: oc }, () => 0.001 + rand() * 0.02) : [0.01];
      const [sIn, zpIn, sOut, zpOut] = [0.03, -7, 0.04, 5];
      const p = prepareConv2dInt8({ shape, ...q(sIn, zpIn) }, { shape: [oc, fh, fw, 3], data: filter, ...q(scales) }, bias, q(sOut, zpOut),
        { padding, strideH: stride, strideW: stride, dilationH: dil, dilationW: dil, activation: 'RELU6' });
      const out = new Int8Array(p.outputShape.reduce((a, b) => a * b));
      conv2dInt8(p, input, out);
      const mults = Array.from({ length: oc }, (_, k) => quantizeMultiplier((sIn * Math.fround(scales[per ? k : 0])) / sOut));
      const hi = zpOut + Math.round(6 / sOut);
      const ref = slowConv(input, shape, filter, [oc, fh, fw], bias, zpIn, zpOut, mults, stride, dil, padding, zpOut, Math.min(127, hi));
      expect(out.length).to.equal(ref.length);
      expect([...out]).to.deep.equal([...ref]);
      // And within 1 LSB of real arithmetic.
      const fp = prepareConv2dFloat(shape, [oc, fh, fw, 3], Float32Array.from(filter, (v, i) => v * scales[per ? Math.floor(i / (fh * fw * 3)) : 0]),
        Float32Array.from(bias, (b, k) => b * sIn * scales[per ? k : 0]), { padding, strideH: stride, strideW: stride, dilationH: dil, dilationW: dil, activation: 'RELU6' });
      const fout = new Float32Array(out.length);
      conv2dFloat(fp, Float32Array.from(input, (v) => (v - zpIn) * sIn), fout);
      for (let i = 0; i < out.length; i++) {
        expect(Math.abs(out[i] - Math.min(hi, Math.max(zpOut, clampInt8(Math.round(fout[i] / sOut) + zpOut))))).to.be.at.most(1);
      }
    });
  }
});

describe('interpreter/kernels DEPTHWISE_CONV_2D', () => {
  it('hand-worked 2×2×2 input, per-channel multipliers 1 and 0.5', () => {
    // zp_in −2: x − zp per pixel = [2,5], [−2,3], [4,0], [0,7]; w[fy][fx] = [1,1],[2,−1],[−1,2],[3,1]
    // c0: 2·1 − 2·2 + 4·(−1) + 0·3 = −6, + bias 1 = −5, ×1 → −5, + zp_out 3 → −2
    // c1: 5·1 + 3·(−1) + 0·2 + 7·1 = 9, ×0.5 → round(4.5) = 5 (high-mul ties up), + 3 → 8
    const p = prepareDepthwiseConv2dInt8({ shape: [1, 2, 2, 2], ...q(1, -2) },
      { shape: [1, 2, 2, 2], data: new Int8Array([1, 1, 2, -1, -1, 2, 3, 1]), ...q([1, 0.5], 0, 3) },
      new Int32Array([1, 0]), q(1, 3), { padding: 'VALID', strideH: 1, strideW: 1, depthMultiplier: 1, activation: 'NONE' });
    const out = new Int8Array(2);
    depthwiseConv2dInt8(p, new Int8Array([0, 3, -4, 1, 2, -2, -2, 5]), out);
    expect([...out]).to.deep.equal([-2, 8]);
  });

  it('matches a slow reference with depth multiplier 2, stride 2, SAME', () => {
    const rand = lcg(99);
    const [h, w, c, m] = [5, 6, 3, 2];
    const oc = c * m;
    const input = randInt8(rand, h * w * c);
    const filter = randInt8(rand, 3 * 3 * oc, -127, 127);
    const bias = new Int32Array(oc).map(() => Math.floor(rand() * 2000) - 1000);
    const scales = Array.from({ length: oc }, () => 0.002 + rand() * 0.02);
    const [sIn, zpIn, sOut, zpOut] = [0.05, 3, 0.07, -4];
    const p = prepareDepthwiseConv2dInt8({ shape: [1, h, w, c], ...q(sIn, zpIn) }, { shape: [1, 3, 3, oc], data: filter, ...q(scales, 0, 3) },
      bias, q(sOut, zpOut), { padding: 'SAME', strideH: 2, strideW: 2, depthMultiplier: m, activation: 'NONE' });
    const out = new Int8Array(p.outputShape.reduce((a, b) => a * b));
    depthwiseConv2dInt8(p, input, out);
    expect(p.outputShape).to.deep.equal([1, 3, 3, oc]);
    // Rebuild as a conv per output channel against the slow conv (one input channel each).
    for (let k = 0; k < oc; k++) {
      const ic = Math.floor(k / m);
      const plane = Int8Array.from({ length: h * w }, (_, i) => input[i * c + ic]);
      const f = Int8Array.from({ length: 9 }, (_, i) => filter[i * oc + k]);
      const mult = quantizeMultiplier((sIn * Math.fround(scales[k])) / sOut);
      const ref = slowConv(plane, [1, h, w, 1], f, [1, 3, 3], new Int32Array([bias[k]]), zpIn, zpOut, [mult], 2, 1, 'SAME');
      for (let i = 0; i < 9; i++) expect(out[i * oc + k], `channel ${k} pixel ${i}`).to.equal(ref[i]);
    }
  });
});

describe('interpreter/kernels FULLY_CONNECTED', () => {
  it('hand-worked per-tensor case with negative ties', () => {
    // zp_in 1, s_in 1; w scale 0.5; s_out 1 → multiplier 0.5. x − zp = [2, −2, −1].
    // unit 0: w [1,2,3] → 2 − 4 − 3 = −5 → −2.5 → high-mul ties up → −2
    // unit 1: w [−1,0,4] → −2 − 4 = −6, + bias 3 = −3 → −1.5 → −1
    const w = { shape: [2, 3], data: new Int8Array([1, 2, 3, -1, 0, 4]), ...q(0.5) };
    const p = prepareFullyConnectedInt8({ shape: [1, 3], ...q(1, 1) }, w, new Int32Array([0, 3]), q(1, 0), { activation: 'NONE' });
    const out = new Int8Array(2);
    fullyConnectedInt8(p, new Int8Array([3, -1, 0]), out);
    expect([...out]).to.deep.equal([-2, -1]);
    const pr = prepareFullyConnectedInt8({ shape: [1, 3], ...q(1, 1) }, w, new Int32Array([0, 3]), q(1, 0), { activation: 'RELU' });
    fullyConnectedInt8(pr, new Int8Array([3, -1, 0]), out);
    expect([...out]).to.deep.equal([0, 0]);
  });

  it('per-tensor multiplier uses the float32 product s_in·s_w (GetQuantizedConvolutionMultipler)', () => {
    const [sIn, sW, sOut] = [0.1, 0.3, 0.7];
    const p = prepareFullyConnectedInt8({ shape: [1, 1], ...q(sIn) }, { shape: [1, 1], data: new Int8Array([1]), ...q(sW) }, null, q(sOut), { activation: 'NONE' });
    expect(p.multiplier[0]).to.equal(quantizeMultiplier(Math.fround(Math.fround(sIn) * Math.fround(sW)) / Math.fround(sOut)).multiplier);
  });

  it('batched per-channel matches the slow formula', () => {
    const rand = lcg(5);
    const [batches, n, units] = [3, 17, 6];
    const input = randInt8(rand, batches * n);
    const wd = randInt8(rand, units * n, -127, 127);
    const scales = Array.from({ length: units }, () => 0.001 + rand() * 0.01);
    const bias = new Int32Array(units).map(() => Math.floor(rand() * 1000) - 500);
    const p = prepareFullyConnectedInt8({ shape: [batches, n], ...q(0.02, -3) }, { shape: [units, n], data: wd, ...q(scales) }, bias, q(0.01, 9), { activation: 'NONE' });
    const out = new Int8Array(batches * units);
    fullyConnectedInt8(p, input, out);
    for (let b = 0; b < batches; b++) for (let u = 0; u < units; u++) {
      let acc = bias[u];
      for (let k = 0; k < n; k++) acc += wd[u * n + k] * (input[b * n + k] + 3);
      const m = quantizeMultiplier((Math.fround(0.02) * Math.fround(scales[u])) / Math.fround(0.01));
      expect(out[b * units + u]).to.equal(clampInt8(multiplyByQuantizedMultiplier(acc, m.multiplier, m.shift) + 9));
    }
  });

  it('hybrid: symmetric row quantization, int dot product, float rescale', () => {
    // Row [1, 2]: range 2 → scale 2/127, q = round(x·63.5) = [64 (63.5 ties away), 127].
    const buf = new Int8Array(2);
    const s = symmetricQuantizeFloats(new Float32Array([1, 2]), 0, 2, buf);
    expect([...buf]).to.deep.equal([64, 127]);
    expect(s).to.equal(Math.fround(2 / 127));
    const p = prepareFullyConnectedHybrid([1, 2], { shape: [1, 2], data: new Int8Array([1, 1]), ...q(0.5) }, new Float32Array([0.25]), { activation: 'NONE' });
    const out = new Float32Array(1);
    fullyConnectedHybrid(p, new Float32Array([1, 2]), out);
    // dot 191 · (2/127 · 0.5) + 0.25 ≈ 1.754
    expect(out[0]).to.equal(Math.fround(0.25 + Math.fround(191 * Math.fround(Math.fround(2 / 127) * 0.5))));
    expect(out[0]).to.be.closeTo(1.75, 0.01);
  });

  it('hybrid asymmetric quantization keeps the range and zero point', () => {
    const buf = new Int8Array(3);
    const r = asymmetricQuantizeFloats(new Float32Array([0.5, 1.0, 2.55]), 0, 3, buf);
    // range [0, 2.55] → scale 0.01, zero point −128; q = −128 + x/0.01.
    expect(r.zeroPoint).to.equal(-128);
    expect(r.scale).to.be.closeTo(0.01, 1e-9);
    expect([...buf]).to.deep.equal([-78, -28, 127]);
    const p = prepareFullyConnectedHybrid([1, 3], { shape: [1, 3], data: new Int8Array([2, -1, 1]), ...q(0.1) }, null,
      { activation: 'NONE', asymmetricQuantizeInputs: true });
    const out = new Float32Array(1);
    fullyConnectedHybrid(p, new Float32Array([0.5, 1.0, 2.55]), out);
    expect(out[0]).to.be.closeTo(0.1 * (2 * 0.5 - 1 + 2.55), 0.002);
  });
});
